"""The server's limits: how much one request, one upload and one job may ask for."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """What the server accepts. A request over a limit gets a 4xx naming the limit.

    runs_per_job: runs of an ensemble or of a comparison (each side); runs_per_batch: runs of a
    day-by-day run (every day of every run is kept, so far fewer); days: days of any job;
    concurrent_jobs: jobs computing at once (each in its own process); queued_jobs: jobs waiting
    before new ones are refused; request_bytes: a JSON request body; upload_bytes: an uploaded
    scenario file; job_seconds: wall time after which a job is stopped; uploads: scenarios kept.
    """

    runs_per_job: int = 2000
    runs_per_batch: int = 20
    days: int = 730
    concurrent_jobs: int = 2
    queued_jobs: int = 20
    request_bytes: int = 64 * 1024
    upload_bytes: int = 1024 * 1024
    job_seconds: float = 900.0
    uploads: int = 100

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if value <= 0:
                raise ValueError(f"limit {name} must be positive, got {value}")

    def as_dict(self) -> dict[str, Any]:
        """The limits as plain JSON values."""
        return asdict(self)
