"""The job store: one SQLite file (standard library), so jobs and their state survive a restart.

A job is a row: what was asked (kind, scenario, parameters), where it stands (status, runs
done of total, stage, error) and when (created, started, finished). Results live in a folder
named after the job's id beside the database; the row says only whether they are complete.
Every write goes through one lock and one connection (the server's threads share it).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ACTIVE", "STATUSES", "Job", "JobStore"]

STATUSES = ("queued", "running", "finished", "failed", "cancelled")
ACTIVE = ("queued", "running")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    scenario TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    stage TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    started REAL,
    finished REAL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, created);
"""

_COLUMNS = ("id", "kind", "scenario", "params", "status", "done", "total", "stage", "error",
            "created", "started", "finished")


@dataclass(frozen=True)
class Job:
    """One job as stored. params: runs, days, seed, whatif, sets, first_run (what the request
    gave)."""

    id: str
    kind: str
    scenario: str
    params: dict[str, Any] = field(default_factory=dict)
    status: str = "queued"
    done: int = 0
    total: int = 0
    stage: str = ""
    error: str = ""
    created: float = 0.0
    started: float | None = None
    finished: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The job as JSON values (times as seconds since the epoch)."""
        return {c: getattr(self, c) for c in _COLUMNS}


def _job(row: tuple[Any, ...]) -> Job:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["params"] = json.loads(values["params"])
    return Job(**values)


class JobStore:
    """Jobs in the SQLite file ``path`` (created if missing)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[Job]:
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM jobs {sql}",
                                    args).fetchall()
        return [_job(r) for r in rows]

    def add(self, kind: str, scenario: str, params: dict[str, Any], total: int) -> Job:
        """A new queued job with a fresh random id."""
        job = Job(id=secrets.token_hex(6), kind=kind, scenario=scenario, params=params,
                  total=total, stage="waiting for a free worker", created=time.time())
        with self._lock:
            self._db.execute(
                f"INSERT INTO jobs ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * 12)})",
                (job.id, kind, scenario, json.dumps(params), job.status, 0, total, job.stage,
                 "", job.created, None, None))
        return job

    def get(self, job_id: str) -> Job | None:
        rows = self._rows("WHERE id = ?", (job_id,))
        return rows[0] if rows else None

    def list(self, limit: int = 50) -> list[Job]:
        """The newest ``limit`` jobs, newest first."""
        return self._rows("ORDER BY created DESC, id LIMIT ?", (limit,))

    def count(self, *statuses: str) -> int:
        marks = ", ".join("?" * len(statuses))
        with self._lock:
            (n,) = self._db.execute(f"SELECT COUNT(*) FROM jobs WHERE status IN ({marks})",
                                    statuses).fetchone()
        return int(n)

    def update(self, job_id: str, **values: Any) -> None:
        """Set columns of one job (names from the table)."""
        bad = set(values) - set(_COLUMNS[4:])
        if bad:
            raise ValueError(f"not a job column: {', '.join(sorted(bad))}")
        sets = ", ".join(f"{k} = ?" for k in values)
        with self._lock:
            self._db.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*values.values(), job_id))

    def claim(self) -> Job | None:
        """The oldest queued job, now marked running (None if none waits)."""
        with self._lock:
            row = self._db.execute("SELECT id FROM jobs WHERE status = 'queued' "
                                   "ORDER BY created, id LIMIT 1").fetchone()
            if row is None:
                return None
            self._db.execute("UPDATE jobs SET status = 'running', started = ?, stage = ? "
                             "WHERE id = ?", (time.time(), "starting", row[0]))
        return self.get(row[0])

    def cancel_queued(self, job_id: str) -> bool:
        """Cancel the job if it is still waiting; whether it was."""
        with self._lock:
            cur = self._db.execute("UPDATE jobs SET status = 'cancelled', finished = ?, "
                                   "stage = 'cancelled before it started' "
                                   "WHERE id = ? AND status = 'queued'", (time.time(), job_id))
        return cur.rowcount > 0

    def requeue_running(self) -> int:
        """Jobs left running by a server that stopped go back to the queue (runs are
        deterministic, so computing them again gives the same results); how many."""
        with self._lock:
            cur = self._db.execute("UPDATE jobs SET status = 'queued', done = 0, "
                                   "stage = 'queued again after a restart' "
                                   "WHERE status = 'running'")
        return cur.rowcount

    def delete(self, job_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
