"""The web API: scenarios, uploads, limits, malformed requests, and jobs computed for real."""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")

with warnings.catch_warnings():  # starlette's notice about its test client's HTTP library
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

import ripeness
from ripeness.cli import main
from ripeness.report.colours import BY_ID
from ripeness.results import LAYOUT
from ripeness.scenario import builtin_scenarios, read, variant
from ripeness.web import Limits, create_app
from ripeness.web.views import scenario_view

ALEPPO = builtin_scenarios()["aleppo-2016"]
SMALL = Limits(runs_per_job=400, runs_per_batch=5, days=120, concurrent_jobs=2,
               queued_jobs=4, request_bytes=4096, upload_bytes=300_000, job_seconds=120)


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[TestClient]:
    """The API with jobs queued but never computed."""
    with TestClient(create_app(tmp_path / "data", SMALL, start_jobs=False)) as c:
        yield c


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TestClient]:
    """The API with its job runner."""
    with TestClient(create_app(tmp_path / "data", SMALL)) as c:
        yield c


def wait(c: TestClient, job: str, timeout: float = 90) -> dict[str, Any]:
    """The job once it has ended (finished, failed or cancelled)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        j: dict[str, Any] = c.get(f"/api/jobs/{job}").json()
        if j["status"] not in ("queued", "running"):
            return j
        time.sleep(0.1)
    raise AssertionError(f"job {job} did not end in {timeout} s: {j}")


def start(c: TestClient, **body: Any) -> str:
    r = c.post("/api/jobs", json=body)
    assert r.status_code == 202, r.text
    job_id: str = r.json()["id"]
    return job_id


def test_scenarios_are_listed_with_their_sizes(queue: TestClient) -> None:
    listed = {s["name"]: s for s in queue.get("/api/scenarios").json()}
    assert set(builtin_scenarios()) <= set(listed)
    sc = ripeness.load("aleppo-2016")
    assert listed["aleppo-2016"]["places"] == len(sc.places)
    assert listed["aleppo-2016"]["whatifs"] == list(sc.whatifs)


def test_scenario_view_carries_the_colours_its_results_carry(queue: TestClient) -> None:
    v = queue.get("/api/scenarios/aleppo-2016").json()
    sc = ripeness.load("aleppo-2016")
    assert [a["id"] for a in v["actors"]] == [a.id for a in sc.actors]
    colours = {a["id"]: a["colour"] for a in v["actors"]}
    assert colours["government"] == BY_ID["government"] and colours["isis"] == BY_ID["isis"]
    res = ripeness.simulate("aleppo-2016", days=1)
    assert list(colours.values()) == [str(c) for c in res.daily["actor_colour"].values]
    declared = variant(read("aleppo-2016"), None, {"actors.opposition.colour": "#123456"})
    got = [a["colour"] for a in scenario_view("x", declared)["actors"]]
    assert got[1] == "#123456"
    assert got == [str(c) for c in ripeness.simulate(declared, days=1).daily["actor_colour"]
                   .values]
    nubl = next(p for p in v["places"] if p["id"] == "nubl")
    assert (nubl["lat"], nubl["lon"]) == (sc.places[[p.id for p in sc.places].index("nubl")]
                                          .lat.value, next(p.lon.value for p in sc.places
                                                           if p.id == "nubl"))
    assert {c["id"] for c in v["corridors"]} == {c.id for c in sc.corridors}


def test_basemap_covers_the_places_with_syria_and_turkey(queue: TestClient) -> None:
    g = queue.get("/api/scenarios/aleppo-2016/basemap").json()
    x0, y0, x1, y1 = g["bbox"]
    sc = ripeness.load("aleppo-2016")
    assert all(x0 <= p.lon.value <= x1 and y0 <= p.lat.value <= y1 for p in sc.places)
    names = {f["properties"].get("name") for f in g["features"]
             if f["properties"]["kind"] == "country"}
    assert {"Syria", "Turkey"} <= names
    kinds = {f["properties"]["kind"] for f in g["features"]}
    assert {"country", "border"} <= kinds


def test_limits_are_published(queue: TestClient) -> None:
    assert queue.get("/api/limits").json() == SMALL.as_dict()


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"runs": 0}, 422, "runs"),
    ({"kind": "run", "runs": 6}, 422, "runs_per_batch"),
    ({"kind": "ensemble", "runs": 401}, 422, "runs_per_job"),
    ({"days": 121}, 422, "limit of 120"),
    ({"kind": "war"}, 422, "kind"),
    ({"scenario": "../../etc/passwd"}, 422, "scenario"),
    ({"scenario": "no-such-war"}, 404, "no scenario named"),
    ({"whatif": "no-such-whatif"}, 422, "no what-if named"),
    ({"sets": {"support.nobody.sorties_per_day": 1}}, 422, "error"),
    ({"kind": "compare", "runs": 10}, 422, "nothing to compare"),
    ({"surprise": 1}, 422, "surprise"),
    ({"seed": -1}, 422, "seed"),
    ({"sets": {"a b": 1}}, 422, "dotted path"),
])
def test_a_malformed_job_gets_a_4xx_with_a_message(queue: TestClient, body: dict[str, Any],
                                                   status: int, words: str) -> None:
    r = queue.post("/api/jobs", json=body)
    assert r.status_code == status, r.text
    detail = r.json()["detail"] + " ".join(p["text"] for p in r.json().get("problems", []))
    assert words in detail
    assert "Traceback" not in r.text


def test_unknown_whatif_lists_the_ones_there_are(queue: TestClient) -> None:
    r = queue.post("/api/jobs", json={"whatif": "no-such-whatif"})
    assert "no-russian-air" in r.json()["problems"][0]["fix"]


def test_not_json_is_a_4xx(queue: TestClient) -> None:
    r = queue.post("/api/jobs", content=b"{not json", headers={"content-type":
                                                                "application/json"})
    assert r.status_code == 422 and "json" in r.json()["detail"].lower()


def test_a_body_over_the_limit_is_refused_before_it_is_read(queue: TestClient) -> None:
    big = {"sets": {f"p{i}": "x" * 100 for i in range(60)}}
    r = queue.post("/api/jobs", json=big)
    assert r.status_code == 413 and "request_bytes" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(10):
            yield b"x" * 1000

    r = queue.post("/api/jobs", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_the_queue_is_bounded(queue: TestClient) -> None:
    codes = [queue.post("/api/jobs", json={"days": 2}).status_code for _ in range(8)]
    cap = SMALL.queued_jobs + SMALL.concurrent_jobs
    assert codes == [202] * cap + [429] * (8 - cap)


def test_a_queued_job_can_be_cancelled_once(queue: TestClient) -> None:
    job = start(queue, days=2)
    r = queue.post(f"/api/jobs/{job}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert queue.post(f"/api/jobs/{job}/cancel").status_code == 409
    assert queue.get(f"/api/jobs/{job}/files").status_code == 409


@pytest.mark.parametrize("path", [
    "/api/jobs/000000000000", "/api/jobs/000000000000/view", "/api/jobs/0000/files",
    "/api/jobs/../jobs.sqlite3", "/api/jobs/%2e%2e%2fjobs.sqlite3/files",
    "/api/scenarios/..%2f..%2fetc", "/static/../jobs.sqlite3", "/static/%2e%2e/jobs.sqlite3",
])
def test_no_path_reaches_outside_the_results(queue: TestClient, path: str) -> None:
    r = queue.get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code)
    assert b"SQLite" not in r.content


# --------------------------------------------------------------------------- uploads


def test_a_valid_upload_is_checked_kept_and_runnable(queue: TestClient) -> None:
    data = ALEPPO.read_bytes()
    r = queue.post("/api/scenarios/validate", files={"file": ("my-war.toml", data)})
    assert r.status_code == 200 and r.json()["valid"] and r.json()["name"] is None
    r = queue.post("/api/scenarios", files={"file": ("my-war.toml", data)})
    assert r.status_code == 201, r.text
    name = r.json()["name"]
    assert name.startswith("upload-")
    assert name in {s["name"] for s in queue.get("/api/scenarios").json()}
    assert queue.post("/api/jobs", json={"scenario": name, "days": 2}).status_code == 202
    again = queue.post("/api/scenarios", files={"file": ("other-name.toml", data)})
    assert again.json()["name"] == name  # named by content


def test_an_invalid_upload_gets_every_problem_with_its_line(queue: TestClient) -> None:
    text = ALEPPO.read_text().replace('controller = "government"', 'controller = "nobody"', 1)
    r = queue.post("/api/scenarios/validate", files={"file": ("broken.toml", text.encode())})
    body = r.json()
    assert r.status_code == 200 and not body["valid"]
    p = body["problems"][0]
    assert p["file"] == "broken.toml" and p["line"] is not None and "nobody" in p["text"]
    assert "/tmp" not in r.text and "ripeness-upload" not in r.text  # no server path leaks
    r = queue.post("/api/scenarios", files={"file": ("broken.toml", text.encode())})
    assert r.status_code == 422 and "nobody" in r.json()["detail"]


def test_a_toml_syntax_error_and_binary_upload_are_reported(queue: TestClient) -> None:
    r = queue.post("/api/scenarios/validate", files={"file": ("bad.toml", b"[meta\nname=")})
    assert not r.json()["valid"] and "TOML syntax" in r.json()["problems"][0]["message"]
    r = queue.post("/api/scenarios/validate", files={"file": ("x.bin", b"\x00\x01\x02")})
    assert not r.json()["valid"] and "binary" in r.json()["problems"][0]["message"]


def test_an_upload_needs_exactly_its_file_field(queue: TestClient) -> None:
    r = queue.post("/api/scenarios/validate", data={"other": "x"})
    assert r.status_code == 422 and "file" in r.json()["detail"]
    r = queue.post("/api/scenarios/validate", files={"file": ("a.toml", b"x")},
                   data={"extra": "1"})
    assert r.status_code == 422 and "extra" in r.json()["detail"]


def test_an_upload_over_the_limit_gets_413(queue: TestClient) -> None:
    r = queue.post("/api/scenarios/validate", files={"file": ("big.toml", b"#" * 400_000)})
    assert r.status_code == 413 and "upload_bytes" in r.json()["detail"]


# --------------------------------------------------------------------------- jobs for real


def test_a_run_writes_the_cli_files_with_the_librarys_numbers(server: TestClient,
                                                              tmp_path: Path) -> None:
    job = start(server, kind="run", days=12, seed=3)
    j = wait(server, job)
    assert j["status"] == "finished" and j["done"] == j["total"] == 1, j
    files = {f["name"] for f in server.get(f"/api/jobs/{job}/files").json()}
    assert files == set(LAYOUT["ripeness run"])  # the CLI's run folder, checked below
    out = tmp_path / "got"
    out.mkdir()
    for name in files:
        r = server.get(f"/api/jobs/{job}/files/{name}")
        assert r.status_code == 200
        (out / name).write_bytes(r.content)
    got = ripeness.Result.load(out)
    assert main(["run", "aleppo-2016", "--days", "12", "--seed", "3", "--quiet", "--out",
                 str(tmp_path / "cli")]) == 0
    ref = ripeness.Result.load(tmp_path / "cli")
    assert {p.name for p in (tmp_path / "cli").iterdir()} == files
    for name in ref.daily.data_vars:
        np.testing.assert_array_equal(got.daily[name].values, ref.daily[name].values)
    pd.testing.assert_frame_equal(got.events, ref.events)
    pd.testing.assert_frame_equal(got.sessions, ref.sessions)
    view = server.get(f"/api/jobs/{job}/view").json()
    nubl = view["places"].index("nubl")
    assert [row[nubl] for row in view["control"]] == ref.daily["control"].values[0, :, nubl] \
        .tolist()
    assert view["supplied"][3][nubl] == int(ref.daily["supplied"].values[0, 3, nubl])
    held = [s for s in view["sessions"] if s["held"]]
    assert held and all(s["story"].startswith(f"Day {s['day']} ") for s in held)
    assert view["summary"] == str(ref.summary(run=0)).splitlines()
    assert view["colours"] == dict(zip(ref.daily["actor"].values.tolist(),
                                       ref.daily["actor_colour"].values.tolist(), strict=True))
    attacker = ref.daily["attacker"].values[0]
    assert [[a is None for a in row] for row in view["attacker"]] == np.isnan(attacker).tolist()
    assert [a for row in view["attacker"] for a in row if a is not None] == \
        attacker[~np.isnan(attacker)].astype(int).tolist()
    share = ref.daily["share"].sel(run=0)
    assert set(view["share"]) <= set(ref.daily["belligerent"].values.tolist())
    for b, values in view["share"].items():
        np.testing.assert_allclose(values, share.sel(belligerent=b).values, atol=5e-5)


def test_an_ensemble_and_a_comparison_match_the_library(server: TestClient,
                                                        tmp_path: Path) -> None:
    ens = start(server, kind="ensemble", runs=30, days=8)
    cmp_ = start(server, kind="compare", runs=20, days=8, whatif="no-russian-air")
    for job in (ens, cmp_):
        assert wait(server, job)["status"] == "finished"
    names = {f["name"] for f in server.get(f"/api/jobs/{ens}/files").json()}
    assert names == set(LAYOUT["ripeness ensemble"])
    on_disk = {p.name for p in (tmp_path / "data" / "jobs" / ens).iterdir()}
    assert on_disk == names  # finished: no chunks/ left
    v = server.get(f"/api/jobs/{ens}/view").json()
    ref = ripeness.ensemble.run_ensemble("aleppo-2016", runs=30, days=8, workers=1,
                                         progress=False, chunk=10)
    prob = ref.daily["control_probability"].values
    np.testing.assert_allclose(v["prob"], np.round(prob.max(axis=2), 3))
    settled = (ref.runs["outcome"] == "settlement").mean()
    assert v["outcomes"]["settlement"]["p"][-1] == pytest.approx(settled, abs=1e-4)
    ongoing = (ref.runs["outcome"] == "ongoing").mean()
    assert v["outcomes"]["ongoing"]["p"][-1] == pytest.approx(ongoing, abs=1e-4)
    assert v["colours"]["government"] == BY_ID["government"]
    c = server.get(f"/api/jobs/{cmp_}/view").json()
    table = ripeness.ensemble.compare("aleppo-2016", whatif="no-russian-air", runs=20, days=8,
                                      workers=1).table()
    for row in c["rows"]:
        assert row["difference"] == pytest.approx(table.loc[row["measure"], "difference"])
        assert row["low"] <= row["difference"] <= row["high"]


def test_progress_is_relayed_from_the_librarys_progress_line() -> None:
    """The job's process reads the ensemble's own progress line (ensemble/progress.py): if
    its format changes, this fails instead of the dashboard silently losing its bar."""
    from multiprocessing import Pipe

    from ripeness.ensemble.progress import Progress
    from ripeness.web.jobs import _Relay

    ours, theirs = Pipe(duplex=False)
    bar = Progress(1_000, stream=_Relay(theirs, "running", None))  # type: ignore[arg-type]
    for n in (300, 300, 400):
        time.sleep(0.15)  # tqdm redraws at most ten times a second
        bar.update(n)
    bar.close()  # tqdm clears its line (blank writes, dropped: no real stderr here)
    got = []
    while ours.poll():
        got.append(ours.recv())
    assert got == [("progress", k, 1000, "running") for k in (0, 300, 600, 1000, 1000)]


def test_a_running_job_can_be_cancelled_and_leaves_nothing(server: TestClient,
                                                          tmp_path: Path) -> None:
    job = start(server, kind="ensemble", runs=400, days=120)
    end = time.monotonic() + 60
    while server.get(f"/api/jobs/{job}").json()["status"] != "running":
        assert time.monotonic() < end
        time.sleep(0.05)
    r = server.post(f"/api/jobs/{job}/cancel")
    assert r.status_code == 200
    j = wait(server, job, timeout=30)
    assert j["status"] == "cancelled"
    assert not (tmp_path / "data" / "jobs" / job).exists()


def test_a_job_over_its_time_is_stopped(tmp_path: Path) -> None:
    limits = Limits(runs_per_job=400, job_seconds=0.5)
    with TestClient(create_app(tmp_path / "data", limits)) as c:
        job = start(c, kind="ensemble", runs=400, days=200)
        j = wait(c, job)
    assert j["status"] == "failed" and "job_seconds" in j["error"]


def test_a_finished_job_can_be_deleted(server: TestClient, tmp_path: Path) -> None:
    job = start(server, kind="run", days=2)
    wait(server, job)
    assert server.delete(f"/api/jobs/{job}").status_code == 204
    assert server.get(f"/api/jobs/{job}").status_code == 404
    assert not (tmp_path / "data" / "jobs" / job).exists()


def _dead_pid() -> int:
    """The id of a process that has ended."""
    import subprocess

    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_jobs_write_by_the_output_rule(tmp_path: Path) -> None:
    """A job computed again (a server stopped while it saved) replaces the ripeness results of
    its earlier try through Result.save and clears what a dead process left half-saved; a file
    put by hand into a job's folder makes the job fail with the rule's message and is kept,
    also when the job is deleted."""
    data = tmp_path / "data"
    with TestClient(create_app(data, SMALL, start_jobs=False)) as c:
        again, mine = start(c, kind="run", days=6, seed=2), start(c, kind="run", days=3)
    folders = data / "jobs"
    ripeness.simulate("aleppo-2016", days=2).save(folders / again)  # the earlier try
    stale = folders / f".{again}.tmp-{_dead_pid()}-0123abcd"
    stale.mkdir()
    (stale / "daily.nc").write_bytes(b"half")
    (folders / mine).mkdir()
    (folders / mine / "notes.txt").write_text("mine")
    with TestClient(create_app(data, SMALL)) as c:
        assert wait(c, again)["status"] == "finished"
        failed = wait(c, mine)
        assert failed["status"] == "failed" and "notes.txt" in failed["error"], failed
        assert c.delete(f"/api/jobs/{mine}").status_code == 204
    saved = ripeness.Result.load(folders / again)
    assert saved.manifest["kind"] == "ripeness run" and saved.manifest["days"] == 6
    assert not stale.exists() and [p.name for p in folders.iterdir() if p.name.startswith(".")] \
        == []
    assert [p.name for p in (folders / mine).iterdir()] == ["notes.txt"]


def test_serve_without_the_web_extra_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in [m for m in sys.modules if m == "ripeness.web" or m.startswith("ripeness.web.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fastapi", None)  # as if it were not installed
    assert main(["serve"]) == 2
    assert "pip install 'ripeness[web]'" in capsys.readouterr().err


def test_the_war_room_draws_outcomes_in_the_figures_colours() -> None:
    """The dashboard and the figures give each outcome the same colour (a settlement is green
    in both); only 'ongoing' differs in shade, a grey line on the page and a light grey fill in
    the stacked figure."""
    import json
    import re

    from ripeness.report.figures import OUTCOME_COLOURS

    js = (Path(ripeness.__file__).parent / "web" / "static" / "app.js").read_text()
    line = re.search(r"const OUTCOME_COLOUR = (\{.*?\});", js)
    assert line is not None
    page = json.loads(re.sub(r'(\w+):', r'"\1":', line.group(1)))
    assert set(page) == set(OUTCOME_COLOURS)
    for outcome, colour in OUTCOME_COLOURS.items():
        if outcome != "ongoing":
            assert page[outcome].upper() == colour.upper(), outcome


def test_a_run_job_can_be_run_k_of_an_ensemble(server: TestClient, tmp_path: Path) -> None:
    """first_run = 3 computes the war that is run 3 of `ripeness ensemble` with the same seed
    (the library's run 3, alone): the same daily arrays and talks, and the view says which run
    it is. Other kinds refuse first_run with a message that names the fix."""
    job = start(server, kind="run", days=8, seed=2, first_run=3)
    j = wait(server, job)
    assert j["status"] == "finished" and j["params"]["first_run"] == 3, j
    out = tmp_path / "got"
    out.mkdir()
    for f in server.get(f"/api/jobs/{job}/files").json():
        (out / f["name"]).write_bytes(server.get(f"/api/jobs/{job}/files/{f['name']}").content)
    got = ripeness.Result.load(out)
    ref = ripeness.simulate("aleppo-2016", runs=1, seed=2, days=8, first_run=3)
    assert got.daily["run"].values.tolist() == [3]
    for name in ref.daily.data_vars:
        np.testing.assert_array_equal(got.daily[name].values, ref.daily[name].values)
    pd.testing.assert_frame_equal(got.sessions, ref.sessions)
    view = server.get(f"/api/jobs/{job}/view").json()
    assert view["manifest"]["first_run"] == 3
    for kind in ("ensemble", "compare"):
        r = server.post("/api/jobs", json={"kind": kind, "first_run": 3, "runs": 2, "days": 2,
                                           "whatif": "no-russian-air"})
        assert r.status_code == 422 and "leave first_run out" in r.text, r.text
