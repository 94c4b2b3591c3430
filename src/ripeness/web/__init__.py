"""``ripeness serve``: the model in a browser. An HTTP API (OpenAPI at /openapi.json) to list
and upload scenarios and to run, follow, cancel and fetch jobs (runs, ensembles, what-if
comparisons), and a dashboard page: the map day by day, the talks, what-ifs and outcomes.

Needs the ``web`` extra (FastAPI, uvicorn); jobs and results are kept in a folder with an
SQLite file, so they survive a restart. See docs/web.md.
"""

from .app import create_app
from .limits import Limits

__all__ = ["Limits", "create_app", "serve"]


def serve(host: str = "127.0.0.1", port: int = 8000, data: str = "ripeness-web",
          limits: Limits | None = None) -> None:
    """Serve the API and the dashboard until interrupted (Ctrl-C)."""
    import uvicorn

    uvicorn.run(create_app(data, limits), host=host, port=port, log_level="warning")
