"""Jobs: a request checked against the scenario and the limits, then computed in its own process.

Each job runs in a fresh process (``spawn``), so that cancelling it or passing its time limit
ends it at once, and a crash in one job never takes the server down. The process calls the
library as the CLI does (``simulate`` then ``Result.save``; ``run_ensemble(out=...)``;
``compare`` then ``Comparison.save``), so a job's folder holds the files the CLI writes, by the
rule every writer follows (:mod:`ripeness.outputs`): whole or not at all, a job computed again
replacing only the ripeness results of its own earlier try. It reports progress through a
pipe: for ensembles and comparisons the library's own progress line (tqdm's bar written to
stderr, then a closing line; ensemble/progress.py) is read as runs done of the total.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..outputs import cleanup_stale, clear
from ..scenario import Loaded, variant
from .catalog import NAME_PATTERN, Catalog
from .limits import Limits
from .store import Job, JobStore

__all__ = ["JobRequest", "LimitError", "Runner", "discard", "prepare", "work"]

SetValue = bool | int | float | str | list[bool | int | float | str]


class JobRequest(BaseModel):
    """What to compute. kind: ``run`` keeps every day of every run (for the map and the talks);
    ``ensemble`` keeps per-run outcomes and daily probabilities; ``compare`` runs a what-if
    and the baseline over the same runs and random draws (common random numbers)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["run", "ensemble", "compare"] = Field("run", description="What to compute.")
    scenario: str = Field("aleppo-2016", pattern=NAME_PATTERN, description="A name from "
                          "GET /api/scenarios.")
    runs: int = Field(1, ge=1, le=10**9, description="Runs 0 .. runs-1 (see GET /api/limits).")
    days: int | None = Field(None, ge=1, le=10**9, description="Days to run (default: the "
                             "scenario's horizon).")
    seed: int = Field(0, ge=0, le=2**53 - 1, description="Root seed.")
    first_run: int = Field(0, ge=0, le=2**53 - 1, description="A run job's first run: it "
                           "computes runs first_run .. first_run + runs - 1, the same wars as "
                           "those runs of an ensemble with the same seed (`ripeness run "
                           "--first-run`).")
    whatif: str | None = Field(None, pattern=NAME_PATTERN, description="A what-if the "
                               "scenario declares (required for compare unless sets).")
    sets: dict[str, SetValue] = Field(default_factory=dict, max_length=50, description=
                                      "Dotted path -> value, as `--set PATH=VALUE`.")


class LimitError(ValueError):
    """A request over one of the server's limits (or asking for nothing to compare)."""


@dataclass(frozen=True)
class Prepared:
    """A checked request: the variant scenario, the resolved days and the runs to count."""

    loaded: Loaded
    days: int
    total: int


def prepare(req: JobRequest, catalog: Catalog, limits: Limits) -> Prepared:
    """Check ``req`` before it is queued: limits, the scenario, the what-if and the --set
    values (validated like the scenario itself). Raises LimitError, UnknownScenario or
    ScenarioError, each with a message that names the fix."""
    cap = limits.runs_per_batch if req.kind == "run" else limits.runs_per_job
    if req.runs > cap:
        raise LimitError(f"runs {req.runs} is over this server's limit of {cap} for a "
                         f"{req.kind} ({'runs_per_batch' if req.kind == 'run' else 'runs_per_job'}"
                         "; GET /api/limits)")
    if req.first_run and req.kind != "run":
        raise LimitError(f"first_run applies to a run job (kind \"run\"); a {req.kind} "
                         "always starts at run 0: leave first_run out")
    if req.kind == "compare" and req.whatif is None and not req.sets:
        raise LimitError("nothing to compare: give a whatif (GET /api/scenarios/NAME lists "
                         "them) and/or sets")
    for path in req.sets:
        if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,200}", path):
            raise LimitError(f"'{path[:80]}' is not a dotted path such as "
                             "support.russia-government.sorties_per_day")
    base = catalog.loaded(req.scenario)
    loaded = variant(base, req.whatif, dict(req.sets) or None)
    days = req.days if req.days is not None else base.scenario.meta.horizon_days
    if days > limits.days:
        raise LimitError(f"days {days} is over this server's limit of {limits.days} (days)")
    return Prepared(loaded, days, req.runs * (2 if req.kind == "compare" else 1))


# ------------------------------------------------------------------------------------------
# In the job's process

#: The library's progress of runs: tqdm's bar (``300/1000 [00:01<00:02, 299.5 runs/s]``) and
#: its closing line (``1,000/1,000 runs done (...)``).
_BAR = re.compile(r"(\d[\d,]*)/(\d[\d,]*)(?: runs done| \[[^\]]* runs/s\])")


class _Relay(io.TextIOBase):
    """stderr of a job's process: the library's progress lines become messages on the pipe
    (it draws them only on a terminal, hence isatty); tqdm's blank clearing writes are dropped;
    anything else goes to the real stderr."""

    def __init__(self, conn: Connection, stage: str, real: Any) -> None:
        self.conn, self.stage, self.real = conn, stage, real

    def isatty(self) -> bool:
        return True

    def write(self, s: str) -> int:
        bars = list(_BAR.finditer(s))
        if bars:
            done, total = (int(x.replace(",", "")) for x in bars[-1].groups())
            self.conn.send(("progress", done, total, self.stage))
        elif s.strip():
            self.real.write(s)
        return len(s)


def _watch(parent: int) -> None:
    """End this process when the server is gone (killed), so no job computes for nobody."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _chunk(runs: int) -> int:
    """Runs per chunk: about ten chunks (progress), at most the library's default."""
    return max(10, min(250, -(-runs // 10)))


def work(kind: str, ref: str, params: dict[str, Any], folder: str, conn: Connection,
         parent: int) -> None:
    """Compute one job into ``folder`` (the process's target); report on ``conn``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its jobs itself
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    runs, days, seed = params["runs"], params["days"], params["seed"]
    whatif, sets = params.get("whatif"), params.get("sets") or None
    try:
        if kind == "run":
            _run(ref, runs, days, seed, whatif, sets, folder, conn,
                 int(params.get("first_run", 0)))
        else:
            stage = f"{'comparing' if kind == 'compare' else 'running'} {runs:,} runs"
            sys.stderr = _Relay(conn, stage, sys.__stderr__)
            if kind == "ensemble":
                _ensemble(ref, runs, days, seed, whatif, sets, folder)
            else:
                _compare(ref, runs, days, seed, whatif, sets, folder, conn)
        conn.send(("finished", ""))
    except Exception as e:  # reported to the user as the job's error
        conn.send(("failed", f"{type(e).__name__}: {e}"))
    finally:
        conn.close()


def _run(ref: str, runs: int, days: int, seed: int, whatif: str | None,
         sets: dict[str, Any] | None, folder: str, conn: Connection, first_run: int = 0) -> None:
    from ..scenario import read
    from ..simulate import simulate

    loaded = variant(read(ref), whatif, sets)
    conn.send(("progress", 0, runs, f"simulating {runs} run(s) x {days} days"))
    result = simulate(loaded, runs=runs, seed=seed, days=days, first_run=first_run)
    conn.send(("progress", runs, runs, "saving the results"))
    result.save(folder, overwrite=True)  # a try the server stopped may have saved it


def _ensemble(ref: str, runs: int, days: int, seed: int, whatif: str | None,
              sets: dict[str, Any] | None, folder: str) -> None:
    from ..ensemble import EnsembleError, run_ensemble

    args: dict[str, Any] = {"runs": runs, "seed": seed, "days": days, "out": folder,
                            "chunk": _chunk(runs), "workers": 1, "progress": True,
                            "whatif": whatif, "sets": sets}
    try:  # continue from the chunks a stopped server saved
        run_ensemble(ref, resume=True, **args)
    except EnsembleError:  # they cannot be reused (e.g. another version): start afresh
        run_ensemble(ref, overwrite=True, **args)


def _compare(ref: str, runs: int, days: int, seed: int, whatif: str | None,
             sets: dict[str, Any] | None, folder: str, conn: Connection) -> None:
    from ..ensemble import compare

    c = compare(ref, whatif=whatif, sets=sets, runs=runs, seed=seed, days=days,
                chunk=_chunk(runs), workers=1, progress=True)
    conn.send(("progress", 2 * runs, 2 * runs, "saving the results"))
    c.save(folder, overwrite=True)


# ------------------------------------------------------------------------------------------
# In the server


@dataclass
class _Active:
    job: Job
    process: BaseProcess
    conn: Connection
    started: float
    outcome: tuple[str, str] | None = None
    cancel: bool = False


class Runner:
    """Starts queued jobs (at most ``limits.concurrent_jobs`` at once), relays their progress
    to the store, stops them on cancel or at the time limit, and marks how each ended."""

    def __init__(self, store: JobStore, catalog: Catalog, root: Path, limits: Limits,
                 poll: float = 0.1) -> None:
        self.store, self.catalog, self.root, self.limits = store, catalog, root, limits
        self.poll = poll
        self._active: dict[str, _Active] = {}
        self._cancelled: set[str] = set()  # running jobs to stop (perhaps not launched yet)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ctx = multiprocessing.get_context("spawn")

    def folder(self, job_id: str) -> Path:
        return self.root / job_id

    def start(self) -> None:
        """Jobs a stopped server left running go back to the queue; then the loop starts."""
        self.store.requeue_running()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="ripeness-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the loop and the jobs' processes (their jobs are queued again at the next
        start)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            active, self._active = list(self._active.values()), {}
        for a in active:
            _end(a.process)
            self.store.update(a.job.id, status="queued", done=0,
                              stage="queued again: the server stopped")

    def cancel(self, job_id: str) -> bool:
        """Cancel a queued or running job; False if it is neither."""
        if self.store.cancel_queued(job_id):
            return True
        job = self.store.get(job_id)
        if job is None or job.status != "running":
            return False
        with self._lock:
            self._cancelled.add(job_id)
        return True

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception as e:  # never let the loop die: report and go on
                print(f"ripeness serve: job loop: {type(e).__name__}: {e}", file=sys.stderr)
            self._stop.wait(self.poll)

    def tick(self) -> None:
        """One pass: relay messages, end finished, cancelled or overdue jobs, start new ones."""
        with self._lock:
            active = list(self._active.values())
        for a in active:
            with self._lock:
                a.cancel = a.cancel or a.job.id in self._cancelled
            self._drain(a)
            overdue = time.time() - a.started > self.limits.job_seconds
            if a.cancel or overdue or not a.process.is_alive():
                self._finish(a, overdue)
        while len(self._active) < self.limits.concurrent_jobs and not self._stop.is_set():
            job = self.store.claim()
            if job is None:
                break
            self._launch(job)

    def _launch(self, job: Job) -> None:
        folder = self.folder(job.id)
        try:
            ref = self.catalog.ref(job.scenario)
        except LookupError as e:
            self.store.update(job.id, status="failed", error=str(e), finished=time.time())
            return
        ours, theirs = self._ctx.Pipe(duplex=False)
        proc = self._ctx.Process(target=work, name=f"ripeness-job-{job.id}", daemon=True,
                                 args=(job.kind, ref, job.params, str(folder), theirs,
                                       os.getpid()))
        proc.start()
        theirs.close()
        with self._lock:
            self._active[job.id] = _Active(job, proc, ours, time.time())
        self.store.update(job.id, stage="starting a worker process")

    def _drain(self, a: _Active) -> None:
        latest = None
        with contextlib.suppress(EOFError, OSError):
            while a.conn.poll():
                msg = a.conn.recv()
                if msg[0] == "progress":
                    latest = msg
                else:
                    a.outcome = (msg[0], msg[1])
        if latest is not None:
            _, done, total, stage = latest
            self.store.update(a.job.id, done=int(done), total=int(total), stage=str(stage))

    def _verdict(self, a: _Active, overdue: bool) -> tuple[str, str, str]:
        """(status, error, stage) of a job whose process has ended."""
        if a.outcome is not None and a.outcome[0] == "finished":
            return "finished", "", ""
        if a.cancel:
            return "cancelled", "", "cancelled while running"
        if overdue:
            return "failed", (f"stopped after the time limit of {self.limits.job_seconds:g} s "
                              "(job_seconds)"), ""
        if a.outcome is not None:
            return a.outcome[0], a.outcome[1], ""
        return "failed", ("the job's process ended without a result (exit code "
                          f"{a.process.exitcode})"), ""

    def _finish(self, a: _Active, overdue: bool) -> None:
        if a.process.is_alive():
            _end(a.process)
        self._drain(a)
        now, folder = time.time(), self.folder(a.job.id)
        status, error, stage = self._verdict(a, overdue)
        cleanup_stale(folder)  # what the ended process left half-saved beside the folder
        if status != "finished":
            discard(folder)
        fields: dict[str, Any] = {"status": status, "error": error, "stage": stage,
                                  "finished": now}
        if status == "finished":
            stored = self.store.get(a.job.id)
            fields["done"] = stored.total if stored is not None else 0
        self.store.update(a.job.id, **fields)
        a.conn.close()
        with self._lock:
            self._active.pop(a.job.id, None)
            self._cancelled.discard(a.job.id)


def discard(folder: Path) -> None:
    """Remove a job's folder and what ripeness wrote in it; a file put there by hand is kept,
    and so is the folder then (the rule of :mod:`ripeness.outputs`: nothing of yours is lost)."""
    if folder.is_symlink() or not folder.is_dir():
        return
    clear(folder)
    with contextlib.suppress(OSError):
        folder.rmdir()


def _end(proc: BaseProcess) -> None:
    """Terminate a job's process and wait for it (killed if it does not stop)."""
    proc.terminate()
    proc.join(timeout=5)
    if proc.is_alive():
        proc.kill()
        proc.join(timeout=5)
