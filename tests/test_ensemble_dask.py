"""A real Dask cluster on 127.0.0.1 (a scheduler and two workers, as subprocesses) runs the
chunks and gives, bit for bit, the result of local execution."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

distributed = pytest.importorskip(
    "distributed", reason="Dask's distributed scheduler is not installed (pip install "
    "'ripeness[dask]'); the cluster test needs it")

from ripeness.cli import main  # noqa: E402 - after the skip
from ripeness.ensemble import EnsembleError, run_ensemble  # noqa: E402
from ripeness.ensemble import dask as ens_dask  # noqa: E402

KW = {"runs": 120, "days": 10, "chunk": 30, "progress": False}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Workers first, then the scheduler; each gets 10 s to close before it is killed."""
    procs = procs[::-1]
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """tcp://127.0.0.1:PORT of a scheduler with two single-threaded workers."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    log = (tmp_path_factory.mktemp("dask") / "dask.log").open("wb")
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                               "--port", str(port), *common], stdout=log, stderr=log)]
    try:
        procs += [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker",
                                    address, "--nthreads", "1", "--no-nanny", *common],
                                   stdout=log, stderr=log) for _ in range(2)]
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        _stop(procs)
        log.close()


def test_dask_cluster_gives_the_local_result_bit_for_bit(cluster: str,
                                                         tmp_path: Path) -> None:
    local = run_ensemble("aleppo-2016", workers=1, **KW)
    remote = run_ensemble("aleppo-2016", scheduler=cluster, out=tmp_path / "e",
                          **KW)
    pd.testing.assert_frame_equal(local.runs, remote.runs, check_exact=True)
    xr.testing.assert_identical(local.daily, remote.daily)
    sched = remote.manifest["scheduler"]
    assert sched["kind"] == "dask" and sched["address"] == cluster and sched["workers"] == 2


def test_unreachable_scheduler_is_one_line_exit_2(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(ens_dask, "CONNECT_TIMEOUT_S", 1)
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(EnsembleError, match="cannot reach the Dask scheduler"):
        run_ensemble("aleppo-2016", scheduler=address, **KW)
    code = main(["ensemble", "aleppo-2016", "--runs", "4", "--days", "2", "--scheduler",
                 address, "--out", str(tmp_path / "e")])
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach" in err and "Traceback" not in err
    assert err.strip().count("\n") == 0
