"""Jobs survive a restart of `ripeness serve`: a finished job is still listed and served, and a
job the server was computing when it stopped (or was killed) is queued again, not lost."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")
httpx = pytest.importorskip("httpx")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@contextmanager
def serving(data: Path, stop: signal.Signals = signal.SIGTERM) -> Iterator[httpx.Client]:
    """`ripeness serve` in its own process on a free port, until the block ends (then it gets
    ``stop``)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ripeness", "serve", "--port", str(port),
                             "--data", str(data)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        end = time.monotonic() + 60
        while True:
            try:
                if client.get("/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > end:
                raise AssertionError(f"the server did not start: {proc.communicate()[0]}")
            time.sleep(0.2)
        yield client
    finally:
        client.close()
        proc.send_signal(stop)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def until(client: httpx.Client, job: str, done: Any, timeout: float = 90) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        j: dict[str, Any] = client.get(f"/api/jobs/{job}").json()
        if done(j):
            return j
        time.sleep(0.1)
    raise AssertionError(f"job {job}: {j}")


def test_jobs_survive_a_restart_and_a_kill(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(data) as c:
        run = c.post("/api/jobs", json={"kind": "run", "days": 10, "seed": 5}).json()["id"]
        until(c, run, lambda j: j["status"] == "finished")
        manifest = c.get(f"/api/jobs/{run}/files/manifest.json").content
        view = c.get(f"/api/jobs/{run}/view").json()
        long = c.post("/api/jobs", json={"kind": "ensemble", "runs": 2000,
                                         "days": 200}).json()["id"]
        until(c, long, lambda j: j["status"] == "running")
    with serving(data, stop=signal.SIGKILL) as c:  # restarted after a clean stop, then killed
        listed = {j["id"]: j for j in c.get("/api/jobs").json()}
        assert listed[run]["status"] == "finished"
        assert c.get(f"/api/jobs/{run}/files/manifest.json").content == manifest
        assert c.get(f"/api/jobs/{run}/view").json() == view
        assert listed[long]["status"] in ("queued", "running")
        until(c, long, lambda j: j["status"] == "running")
    with serving(data) as c:  # after a kill the job that was running is queued again
        assert c.get(f"/api/jobs/{long}").json()["status"] in ("queued", "running")
        assert c.post(f"/api/jobs/{long}/cancel").status_code == 200
        assert until(c, long, lambda j: j["status"] != "running")["status"] == "cancelled"
        assert c.get(f"/api/jobs/{run}/files").status_code == 200
