"""The API's routes: scenarios, uploads, jobs, their files and the dashboard's views."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from .. import __version__
from .catalog import NAME_PATTERN, Catalog, problem_dict
from .geo import map_view
from .jobs import JobRequest, Runner, discard, prepare
from .limits import Limits
from .models import ErrorOut, FileOut, JobOut, LimitsOut, ProblemOut, ScenarioOut, ValidationOut
from .store import ACTIVE, Job, JobStore
from .views import compare_view, ensemble_view, run_view, scenario_view

__all__ = ["Context", "router"]

JOB_PATTERN = r"^[0-9a-f]{12}$"
FILE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
E = {"model": ErrorOut}
JobId = Annotated[str, PathParam(pattern=JOB_PATTERN, description="A job's id.")]
Name = Annotated[str, PathParam(pattern=NAME_PATTERN, description="A scenario's name.")]


@dataclass
class Context:
    """What the routes share: the job store, the scenarios, the job runner, the limits."""

    store: JobStore
    catalog: Catalog
    runner: Runner
    limits: Limits
    views: OrderedDict[tuple[str, int | None], dict[str, Any]] = field(
        default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)


# Any request may be unreadable (400), too large (413) or malformed (422): all answer ErrorOut.
router = APIRouter(prefix="/api", responses={400: E, 413: E, 422: E})


def ctx(request: Request) -> Context:
    c: Context = request.app.state.ctx
    return c


def _job(c: Context, job_id: str) -> Job:
    job = c.store.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id} (GET /api/jobs lists them)")
    return job


@router.get("/health", summary="The server is up")
def health(request: Request) -> dict[str, Any]:
    c = ctx(request)
    return {"status": "ok", "version": __version__, "queued": c.store.count("queued"),
            "running": c.store.count("running")}


@router.get("/limits", response_model=LimitsOut, summary="This server's limits")
def limits(request: Request) -> dict[str, Any]:
    return ctx(request).limits.as_dict()


@router.get("/scenarios", response_model=list[ScenarioOut], summary="Built-in and uploaded "
            "scenarios")
def scenarios(request: Request) -> list[dict[str, Any]]:
    c = ctx(request)
    out = []
    for name in c.catalog.names():
        sc = c.catalog.loaded(name).scenario
        out.append({"name": name, "title": sc.meta.title, "builtin": c.catalog.builtin(name),
                    "places": len(sc.places), "actors": len(sc.actors),
                    "horizon_days": sc.meta.horizon_days, "start": sc.meta.start.isoformat(),
                    "whatifs": list(sc.whatifs)})
    return out


@router.get("/scenarios/{name}", responses={404: E}, summary="One scenario as the map "
            "draws it: actors and colours, places, roads, corridors, talks, what-ifs")
def scenario(name: Name, request: Request) -> dict[str, Any]:
    return scenario_view(name, ctx(request).catalog.loaded(name))


@router.get("/scenarios/{name}/basemap", responses={404: E}, summary="Countries, borders "
            "and coasts around the scenario (GeoJSON, Natural Earth 1:10m)")
def scenario_basemap(name: Name, request: Request) -> dict[str, Any]:
    return map_view(name, ctx(request).catalog.loaded(name).scenario)


def _upload(c: Context, file: UploadFile, keep: bool) -> ValidationOut:
    data = file.file.read(c.limits.upload_bytes + 1)
    if len(data) > c.limits.upload_bytes:
        raise HTTPException(413, f"the file is over this server's limit of "
                            f"{c.limits.upload_bytes:,} bytes (upload_bytes)")
    loaded, problems = c.catalog.check(data, file.filename)
    shown = problems[0].file if problems else (file.filename or "scenario.toml")
    errors = sum(p.severity == "error" for p in problems)
    name = None
    if loaded is not None and keep:
        try:
            name = c.catalog.add(data)
        except OverflowError as e:
            raise HTTPException(429, str(e)) from None
    summary = (f"valid: {len(loaded.scenario.actors)} actors, {len(loaded.scenario.places)} "
               f"places, {len(problems)} warning(s)" if loaded is not None
               else f"invalid: {errors} error(s); fix them and upload again")
    return ValidationOut(valid=loaded is not None, file=shown, summary=summary, name=name,
                         problems=[ProblemOut(**problem_dict(p)) for p in problems])


class Upload(BaseModel):
    """The form of an upload: one field, ``file`` (any other field is refused)."""

    model_config = ConfigDict(extra="forbid")
    file: UploadFile = Field(description="A scenario .toml file")


UploadForm = Annotated[Upload, Form(media_type="multipart/form-data")]


@router.post("/scenarios/validate", response_model=ValidationOut,
             summary="Check an uploaded scenario file: every problem at once, with the fix")
def validate(request: Request, form: UploadForm) -> ValidationOut:
    return _upload(ctx(request), form.file, keep=False)


@router.post("/scenarios", response_model=ValidationOut, status_code=201, responses={429: E},
             summary="Upload a scenario file and keep it (if valid) for jobs")
def upload(request: Request, form: UploadForm) -> ValidationOut:
    out = _upload(ctx(request), form.file, keep=True)
    if not out.valid:
        raise _Invalid(out)
    return out


class _Invalid(HTTPException):
    def __init__(self, out: ValidationOut) -> None:
        super().__init__(422, f"{out.file}: {out.summary}; " + " | ".join(
            p.text.replace("\n", " ") for p in out.problems[:5]))


@router.post("/jobs", response_model=JobOut, status_code=202,
             responses={404: E, 422: E, 429: E},
             summary="Start a run, an ensemble or a what-if comparison (queued)")
def start_job(req: JobRequest, request: Request) -> dict[str, Any]:
    c = ctx(request)
    if c.store.count(*ACTIVE) >= c.limits.queued_jobs + c.limits.concurrent_jobs:
        raise HTTPException(429, f"{c.limits.queued_jobs} jobs are already waiting "
                            "(queued_jobs); try again when some have finished")
    ready = prepare(req, c.catalog, c.limits)
    params = {"runs": req.runs, "days": ready.days, "seed": req.seed, "whatif": req.whatif,
              "sets": dict(req.sets), "first_run": req.first_run}
    return c.store.add(req.kind, req.scenario, params, ready.total).as_dict()


@router.get("/jobs", response_model=list[JobOut], summary="Jobs, newest first")
def jobs(request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 50
         ) -> list[dict[str, Any]]:
    return [j.as_dict() for j in ctx(request).store.list(limit)]


@router.get("/jobs/{job_id}", response_model=JobOut, responses={404: E},
            summary="One job: status and progress")
def job(job_id: JobId, request: Request) -> dict[str, Any]:
    return _job(ctx(request), job_id).as_dict()


@router.post("/jobs/{job_id}/cancel", response_model=JobOut, responses={404: E, 409: E},
             summary="Cancel a queued or running job (its partial results are removed)")
def cancel(job_id: JobId, request: Request) -> dict[str, Any]:
    c = ctx(request)
    job = _job(c, job_id)
    if job.status not in ACTIVE or not c.runner.cancel(job_id):
        raise HTTPException(409, f"job {job_id} is {job.status}: only a queued or running "
                            "job can be cancelled")
    return _job(c, job_id).as_dict()


@router.delete("/jobs/{job_id}", status_code=204, responses={404: E, 409: E},
               summary="Remove an ended job and its results")
def delete(job_id: JobId, request: Request) -> None:
    c = ctx(request)
    job = _job(c, job_id)
    if job.status in ACTIVE:
        raise HTTPException(409, f"job {job_id} is {job.status}: cancel it first")
    discard(c.runner.folder(job_id))
    c.store.delete(job_id)
    with c.lock:
        for key in [k for k in c.views if k[0] == job_id]:
            del c.views[key]


def _finished(c: Context, job_id: str) -> tuple[Job, Path]:
    job = _job(c, job_id)
    if job.status != "finished":
        raise HTTPException(409, f"job {job_id} is {job.status}"
                            + (f" ({job.error})" if job.error else "")
                            + ": results exist only once it has finished")
    folder = c.runner.folder(job_id)
    if not folder.is_dir():
        raise HTTPException(404, f"the results of job {job_id} are no longer in the results "
                            "folder (removed by hand?)")
    return job, folder


def _files(folder: Path) -> list[Path]:
    """The job's result files: regular files directly in its folder (never links)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink()
                  and not p.name.startswith("."))


@router.get("/jobs/{job_id}/files", response_model=list[FileOut], responses={404: E, 409: E},
            summary="A finished job's result files (the files the CLI writes)")
def files(job_id: JobId, request: Request) -> list[dict[str, Any]]:
    _, folder = _finished(ctx(request), job_id)
    return [{"name": p.name, "bytes": p.stat().st_size,
             "url": f"/api/jobs/{job_id}/files/{p.name}"} for p in _files(folder)]


@router.get("/jobs/{job_id}/files/{name}", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}}}, 404: E, 409: E},
            summary="One result file")
def result_file(job_id: JobId, name: Annotated[str, PathParam(pattern=FILE_PATTERN)],
                request: Request) -> FileResponse:
    _, folder = _finished(ctx(request), job_id)
    match = [p for p in _files(folder) if p.name == name]
    if not match:
        raise HTTPException(404, f"job {job_id} has no file '{name}' "
                            f"(GET /api/jobs/{job_id}/files lists them)")
    return FileResponse(match[0], media_type="application/octet-stream", filename=name)


@router.get("/jobs/{job_id}/view", responses={404: E, 409: E},
            summary="What the dashboard draws of a finished job")
def view(job_id: JobId, request: Request,
         run: Annotated[int | None, Query(ge=0, le=2**31, description="A run's index (a "
                                          "day-by-day run only; default the first)")] = None
         ) -> dict[str, Any]:
    c = ctx(request)
    job, folder = _finished(c, job_id)
    key = (job_id, run if job.kind == "run" else None)
    with c.lock:
        hit = c.views.get(key)
    if hit is not None:
        return hit
    if job.kind == "run":
        names = {p.id: p.name for p in c.catalog.loaded(job.scenario).scenario.places}
        try:
            out = run_view(job_id, folder, run, names)
        except LookupError as e:
            raise HTTPException(404, str(e)) from None
    else:
        out = (ensemble_view if job.kind == "ensemble" else compare_view)(job_id, folder)
    out["scenario"] = job.scenario
    with c.lock:
        c.views[key] = out
        while len(c.views) > 16:
            c.views.popitem(last=False)
    return out
