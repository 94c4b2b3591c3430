"""The web application: the API (routes.py), the dashboard page, errors as 4xx with a message.

``create_app(DATA)`` keeps everything under the folder DATA: ``jobs.sqlite3`` (the jobs),
``jobs/ID/`` (each job's results, the files the CLI writes) and ``uploads/`` (uploaded
scenarios). Nothing is fetched from the network: the page, its script and its style ship in
the package; the base map is the package's Natural Earth data.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..errors import ScenarioError
from .catalog import Catalog, UnknownScenario, problem_dict
from .jobs import LimitError, Runner
from .limits import Limits
from .routes import Context, router
from .store import JobStore

__all__ = ["create_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _error(status: int, detail: str, headers: Mapping[str, str] | None = None,
           **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)


class _TooLarge(StarletteHTTPException):
    """A body that grew over the limit while it was read (FastAPI passes HTTP errors on)."""

    def __init__(self, cap: int, name: str) -> None:
        super().__init__(413, f"the request body is over this server's limit of {cap:,} bytes "
                         f"({name}; GET /api/limits)")


class BodyLimit:
    """Refuse a request body over the limit (413) before it is read whole: uploads under
    /api/scenarios may be ``upload_bytes``, any other body ``request_bytes``."""

    def __init__(self, app: Any, limits: Limits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = str(scope.get("path", "")).startswith("/api/scenarios")
        cap = self.limits.upload_bytes if upload else self.limits.request_bytes
        name = "upload_bytes" if upload else "request_bytes"
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"").decode("latin-1").strip()
        if length and (not length.isdigit() or int(length) > cap):
            await _error(413, f"the request body is over this server's limit of {cap:,} bytes "
                         f"({name}; GET /api/limits)")(scope, receive, send)
            return
        seen, started = 0, False

        async def limited() -> Message:
            nonlocal seen
            msg = await receive()
            seen += len(msg.get("body", b"")) if msg.get("type") == "http.request" else 0
            if seen > cap:
                raise _TooLarge(cap, name)
            return msg

        async def watched(msg: Message) -> None:
            nonlocal started
            started = started or msg.get("type") == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, limited, watched)
        except _TooLarge as e:
            if not started:
                await _error(413, str(e.detail))(scope, receive, send)


def _readable(errors: list[Any]) -> str:
    """Pydantic's errors as one line: ``body.runs: Input should be ...; ...``."""
    parts = []
    for e in errors[:5]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


def _allowed(app: FastAPI, request: Request) -> list[str]:
    """The methods the request's path answers (for a 405's Allow header)."""
    methods: set[str] = set()
    for route in app.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _handlers(app: FastAPI) -> None:
    """Every error a request can cause becomes a 4xx with a message, never a traceback."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errs = [{"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")),
                 "type": str(e.get("type", ""))} for e in exc.errors()]
        return _error(422, _readable(list(exc.errors())), errors=errs)

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = exc.headers
        if exc.status_code == 405:  # name every method the path has, not one route's
            headers = {**(headers or {}), "Allow": ", ".join(_allowed(app, request))}
        return _error(exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(ScenarioError)
    async def scenario(request: Request, exc: ScenarioError) -> JSONResponse:
        n = len(exc.errors)
        return _error(422, f"{n} error{'s' if n != 1 else ''} in the scenario or its "
                      "variant; nothing was run", problems=[problem_dict(p)
                                                             for p in exc.problems])

    @app.exception_handler(UnknownScenario)
    async def unknown(request: Request, exc: UnknownScenario) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(LimitError)
    async def limit(request: Request, exc: LimitError) -> JSONResponse:
        return _error(422, str(exc))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        return _error(500, f"internal error ({type(exc).__name__}); please report it")


def _page() -> str:
    return resources.files(__package__).joinpath("static", "index.html").read_text("utf-8")


def create_app(data: str | Path, limits: Limits | None = None,
               start_jobs: bool = True) -> FastAPI:
    """The application, keeping jobs and results under ``data``; ``start_jobs=False`` queues
    jobs without computing them (for tests of the API alone)."""
    root = Path(data)
    root.mkdir(parents=True, exist_ok=True)
    limits = limits or Limits()
    store = JobStore(root / "jobs.sqlite3")
    catalog = Catalog(root / "uploads", limits.uploads)
    runner = Runner(store, catalog, root / "jobs", limits)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start_jobs:
            runner.start()
        try:
            yield
        finally:
            if start_jobs:
                runner.stop()

    from .. import __version__

    app = FastAPI(title="ripeness", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
                  description="Run the war-and-talks model from a browser: scenarios, jobs "
                  "(runs, ensembles, what-if comparisons), their results and the dashboard's "
                  "views. Limits: GET /api/limits. See docs/web.md.")
    app.state.ctx = Context(store=store, catalog=catalog, runner=runner, limits=limits)
    _handlers(app)
    app.include_router(router)
    static = resources.files(__package__).joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(_page())

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    app.add_middleware(BodyLimit, limits=limits)
    return app
