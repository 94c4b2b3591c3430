"""Local execution: chunks in worker processes of this machine (nothing to start).

A :class:`concurrent.futures.ProcessPoolExecutor` with the ``spawn`` start method: it needs
only the standard library, detects a worker that dies (``BrokenProcessPool``) instead of
waiting for it forever, and starts clean workers on every platform. One worker runs the
chunks in this process, with no pool at all.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .chunk import Chunk, ChunkSpec, run_chunk
from .store import EnsembleError

__all__ = ["Item", "local_map"]

#: One unit of work: the scenario (a validated Scenario) and the chunk to run.
Item = tuple[Any, ChunkSpec]


def _watch_parent(parent: int) -> None:
    """Exit when the parent process is gone (killed with SIGKILL, say), so that no orphan
    worker is left computing for nobody."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _init_worker(parent: int) -> None:
    """Workers leave Ctrl-C to the parent, which stops them, and watch that it lives."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued chunks and end the workers now (a chunk under way is simply lost)."""
    # No public way to end the workers before Python 3.14; shutdown() drops _processes.
    procs: dict[int, Any] = dict(getattr(pool, "_processes", None) or {})
    pool.shutdown(wait=False, cancel_futures=True)
    for p in list(procs.values()):
        p.terminate()
    for p in list(procs.values()):
        p.join(timeout=5)


def _serial(items: Sequence[Item], fn: Callable[..., Chunk]) -> Generator[tuple[int, Chunk]]:
    for i, (scenario, spec) in enumerate(items):
        yield i, fn(scenario, spec)


def local_map(items: Sequence[Item], workers: int,
              fn: Callable[..., Chunk] = run_chunk) -> Generator[tuple[int, Chunk]]:
    """(index, chunk) for each item, in the order they finish, on ``workers`` processes."""
    if workers <= 1 or len(items) <= 1:
        yield from _serial(items, fn)
        return
    pool = ProcessPoolExecutor(max_workers=min(workers, len(items)),
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(os.getpid(),))
    try:
        futures: dict[Future[Chunk], int] = {pool.submit(fn, sc, spec): i
                                             for i, (sc, spec) in enumerate(items)}
        for f in as_completed(futures):
            yield futures[f], f.result()
    except BrokenProcessPool as e:
        _stop(pool)
        raise EnsembleError(f"a worker process died ({e}); chunks finished before it are "
                            "saved: run the same command with --resume. (From a script, "
                            "call run_ensemble under `if __name__ == '__main__':`)") from None
    except BaseException:  # Ctrl-C, or the caller stopped reading: end the workers now
        _stop(pool)
        raise
    pool.shutdown(wait=True)
