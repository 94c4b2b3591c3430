"""The API's response bodies (they make the OpenAPI description; requests are in jobs.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = ["ErrorOut", "FileOut", "JobOut", "LimitsOut", "ProblemOut", "ScenarioOut",
           "ValidationOut"]


class ProblemOut(BaseModel):
    """One problem in a scenario: where, what, and the fix."""

    file: str
    location: str
    line: int | None
    column: int | None
    severity: Literal["error", "warning"]
    message: str
    fix: str
    text: str = Field(description="The problem as the CLI prints it.")


class ErrorOut(BaseModel):
    """Every 4xx answer: a message a person can act on, and details where there are some."""

    detail: str
    problems: list[ProblemOut] = Field(default_factory=list, description="Scenario problems "
                                       "(what-if or --set values that do not validate).")
    errors: list[dict[str, Any]] = Field(default_factory=list, description="Request fields "
                                         "that are malformed, one entry each.")


class JobOut(BaseModel):
    """A job and where it stands. done/total count runs (a comparison counts both sides)."""

    id: str
    kind: Literal["run", "ensemble", "compare"]
    scenario: str
    params: dict[str, Any]
    status: Literal["queued", "running", "finished", "failed", "cancelled"]
    done: int
    total: int
    stage: str
    error: str
    created: float
    started: float | None
    finished: float | None


class ScenarioOut(BaseModel):
    name: str
    title: str
    builtin: bool
    places: int
    actors: int
    horizon_days: int
    start: str
    whatifs: list[str]


class ValidationOut(BaseModel):
    """The check of an uploaded scenario: valid or not, and every problem found."""

    valid: bool
    file: str
    problems: list[ProblemOut]
    summary: str
    name: str | None = Field(None, description="Set when the scenario was kept: use it as "
                             "`scenario` in POST /api/jobs.")


class FileOut(BaseModel):
    name: str
    bytes: int
    url: str


class LimitsOut(BaseModel):
    runs_per_job: int
    runs_per_batch: int
    days: int
    concurrent_jobs: int
    queued_jobs: int
    request_bytes: int
    upload_bytes: int
    job_seconds: float
    uploads: int
