"""Execution on an existing Dask cluster (``--scheduler tcp://HOST:PORT``).

The scenario is sent to every worker once (``scatter``); each chunk is one task that returns
its reduced results to this process, which writes them: the workers need ripeness installed
but no shared file system. Dask reschedules the tasks of a worker that dies. Importing this
module does not import Dask; it is needed only when a scheduler is named.
"""

from __future__ import annotations

import importlib
from collections.abc import Generator, Sequence
from typing import Any

from .chunk import Chunk, run_chunk
from .pool import Item
from .store import EnsembleError

__all__ = ["check_scheduler", "dask_map"]

CONNECT_TIMEOUT_S = 10


def check_scheduler(address: str) -> Any:
    """Dask's ``distributed`` module, once the address looks like one: checked before an
    ensemble writes anything, so a mistyped --scheduler leaves no folder behind."""
    try:
        distributed = importlib.import_module("distributed")  # untyped, optional
    except ImportError:
        raise EnsembleError("--scheduler needs Dask's distributed scheduler: pip install "
                            "'ripeness[dask]'") from None
    if "://" not in address:
        raise EnsembleError(f"--scheduler {address}: not a Dask scheduler address; fix: give "
                            "one like tcp://HOST:PORT (`dask scheduler` prints it)")
    return distributed


def _client(address: str) -> Any:
    """A ``distributed.Client`` on ``address``, or a one-line EnsembleError."""
    distributed = check_scheduler(address)
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, ValueError, TypeError) as e:
        raise EnsembleError(f"cannot reach the Dask scheduler at {address} "
                            f"({type(e).__name__}: {e})") from None


def dask_map(items: Sequence[Item], address: str,
             info: dict[str, Any] | None = None) -> Generator[tuple[int, Chunk]]:
    """(index, chunk) for each item, in the order they finish, on the cluster at
    ``address``; ``info`` receives the workers and threads the cluster had at the start."""
    client = _client(address)
    as_completed = importlib.import_module("distributed").as_completed
    futures: dict[Any, int] = {}
    try:
        workers = client.scheduler_info().get("workers", {})
        if info is not None:
            info.update(workers=len(workers),
                        threads=sum(int(w.get("nthreads", 0)) for w in workers.values()))
        shared: dict[int, Any] = {}
        for i, (scenario, spec) in enumerate(items):
            key = id(scenario)
            if key not in shared:
                shared[key] = client.scatter(scenario, broadcast=True)
            futures[client.submit(run_chunk, shared[key], spec, pure=False)] = i
        for f in as_completed(list(futures), loop=client.loop):
            yield futures[f], f.result()
    finally:
        client.cancel(list(futures))
        client.close()
