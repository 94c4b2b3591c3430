"""The dashboard in a real browser: Debian's chromium, headless, driven by Playwright.

A person's path: open the page, run aleppo-2016, move the slider to 2016-02-04, and see each
place in the colour of the holder that the run's own result files give for that day (Nubl
among them), the sieges those files give, and the talks stalled with their reason; switch a
what-if on and read its differences; run an ensemble and see the probability of control.
Screenshots are saved in $RIPENESS_ARTIFACTS (default build/test-artifacts/).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists() and os.environ.get("RIPENESS_BROWSER_TESTS") == "required":
    raise RuntimeError("RIPENESS_BROWSER_TESTS=required (set by .ci/run) but /usr/bin/chromium "
                       "is missing: apt-get install -y chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed here (apt-get install -y "
    "chromium); CI installs it (.ci/run), so these tests run there")
pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

import ripeness  # noqa: E402
from ripeness.ensemble import EnsembleResult  # noqa: E402
from ripeness.talks.state import PHASES  # noqa: E402

from .test_web_restart import httpx, serving  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("RIPENESS_ARTIFACTS")
                 or Path(__file__).resolve().parents[1] / "build" / "test-artifacts")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with serving(tmp_path_factory.mktemp("web") / "data") as client:
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: httpx.Client) -> Iterator[Any]:
    pg = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto(str(server.base_url) + "/")
    pg.wait_for_selector("body[data-state=ready]", timeout=30_000)
    yield pg
    pg.close()
    assert not errors, errors


def fetch(server: httpx.Client, job: str, folder: Path) -> Path:
    """A job's result files, downloaded through the API."""
    folder.mkdir(parents=True)
    for f in server.get(f"/api/jobs/{job}/files").json():
        (folder / f["name"]).write_bytes(server.get(f["url"]).content)
    return folder


def start_and_wait(page: Any, button: str, kind: str) -> str:
    """Click a run button; the id of the job whose result the page then shows."""
    old = page.evaluate("document.body.dataset.viewJob || ''")
    page.click(button)
    page.wait_for_function(f"document.body.dataset.viewKind === '{kind}' && "
                           f"document.body.dataset.viewJob !== '{old}'", timeout=90_000)
    job: str = page.evaluate("document.body.dataset.viewJob")
    return job


def slide_to(page: Any, day: int) -> None:
    """Move the slider as a person does: focus it, Home, then the arrow key."""
    page.focus("#day")
    page.keyboard.press("Home")
    for _ in range(day):
        page.keyboard.press("ArrowRight")


def fills(page: Any) -> dict[str, str]:
    return dict(page.eval_on_selector_all(
        "circle.place", "cs => cs.map(c => [c.dataset.place, c.getAttribute('fill')])"))


def test_a_run_day_by_day_and_a_whatif(page: Any, server: httpx.Client,
                                       tmp_path: Path) -> None:
    assert page.locator("#land path").count() > 0  # countries from the shipped Natural Earth
    job = start_and_wait(page, "#run-button", "run")
    res = ripeness.Result.load(fetch(server, job, tmp_path / "run"))
    dates = [pd.Timestamp(d).date().isoformat() for d in res.daily["date"].values]
    day = dates.index("2016-02-04")
    slide_to(page, day)
    assert page.get_attribute("#date", "data-date") == "2016-02-04"
    ds = res.daily.sel(run=0)
    places = [str(p) for p in ds["place"].values]
    holder = ds["control"].values[day]
    colours = ds["actor_colour"].values  # the run's own colours, as `ripeness plot` draws them
    expected = {p: str(colours[a]) for p, a in zip(places, holder, strict=True)}
    drawn = fills(page)
    assert drawn["nubl"].lower() == expected["nubl"].lower()
    assert {p: c.lower() for p, c in drawn.items()} == {p: c.lower() for p, c in
                                                       expected.items()}
    assert (holder != ds["control_start"].values).any()  # the day differs from the start
    ringed = set(page.eval_on_selector_all("circle.siege", "cs => cs.map(c => c.dataset.place)"))
    assert ringed == {p for p, s in zip(places, ds["supplied"].values[day], strict=True)
                      if not s}
    crossed = set(page.eval_on_selector_all("path.attacked", "cs => cs.map(c => c.dataset.place)"))
    assert crossed == {p for p, a in zip(places, ds["attacker"].values[day], strict=True)
                       if not np.isnan(a)}  # NaN: no attack that day
    talks = page.inner_text("#panel-talks")
    if PHASES[int(ds["talks_phase"].values[day])] == "suspended":
        assert "TALKS SUSPENDED" in talks
    s = res.sessions
    last = s[(s["run"] == 0) & (s["day"] <= day) & s["held"]].iloc[-1]
    if last["cause"] != "none":
        assert f"Why the talks stall: {last['cause']}" in talks
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-run-2016-02-04.png"))

    page.click("#tabs button[data-tab=whatifs]")
    page.fill("#cmp-runs", "20")
    page.fill("#cmp-days", "15")
    page.check("input[data-whatif=no-russian-air]")
    card = ".compare-card[data-whatif=no-russian-air]"
    page.wait_for_selector(f"{card}[data-status=finished]", timeout=90_000)
    table = pd.read_parquet(fetch(server, page.get_attribute(card, "data-job"),
                                  tmp_path / "cmp") / "comparison.parquet")
    shown = page.eval_on_selector_all(f"{card} .diff-row",
                                      "rs => rs.map(r => [r.dataset.measure, r.innerText])")
    assert [m for m, _ in shown] == list(table["measure"])
    for (_, text), row in zip(shown, table.itertuples(), strict=True):
        if row.measure.startswith("P("):
            assert f"{100 * row.baseline:.1f}% → {100 * row.variant:.1f}%" in text
    page.screenshot(path=str(ARTIFACTS / "dashboard-whatif.png"))


def test_an_ensemble_shows_the_probability_of_control(page: Any, server: httpx.Client,
                                                       tmp_path: Path) -> None:
    page.click("#tabs button[data-tab=runs]")
    page.fill("#ens-runs", "30")
    page.fill("#days", "20")
    job = start_and_wait(page, "#ensemble-button", "ensemble")
    ens = EnsembleResult.load(fetch(server, job, tmp_path / "ens"))
    slide_to(page, 12)
    prob = ens.daily["control_probability"].values[12]  # [place, actor]
    places = [str(p) for p in ens.daily["place"].values]
    colours = [str(c) for c in ens.daily["actor_colour"].values]
    drawn = dict(page.eval_on_selector_all(
        "circle.place", "cs => cs.map(c => [c.dataset.place, [c.getAttribute('fill'), "
        "Number(c.dataset.prob)]])"))
    for i, p in enumerate(places):
        top, share = int(prob[i].argmax()), float(prob[i].max())
        assert drawn[p][1] == pytest.approx(round(share, 3))
        rgb = np.array([int(colours[top][k:k + 2], 16) for k in (1, 3, 5)])
        mix = np.floor(255 - round(share, 3) * (255 - rgb) + 0.5).astype(int)  # as JS rounds
        want = "#" + "".join(f"{v:02x}" for v in mix)
        assert drawn[p][0] == want, p
    page.click("#tabs button[data-tab=outcomes]")
    assert "Outcome reached by each day, 30 runs" in page.inner_text("#panel-outcomes")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-ensemble.png"))


def test_one_war_can_be_a_given_run_of_an_ensemble(page: Any, server: httpx.Client,
                                                   tmp_path: Path) -> None:
    """The run number in the Runs tab makes the one war run k of an ensemble with the same
    seed: the job computes run 4 alone, and the page says which run it shows."""
    page.click("#tabs button[data-tab=runs]")
    page.fill("#days", "10")
    page.fill("#first-run", "4")
    job = start_and_wait(page, "#run-button", "run")
    res = ripeness.Result.load(fetch(server, job, tmp_path / "run4"))
    assert res.daily["run"].values.tolist() == [4]
    ref = ripeness.simulate("aleppo-2016", runs=1, seed=0, days=10, first_run=4)
    np.testing.assert_array_equal(res.daily["control"].values, ref.daily["control"].values)
    assert "one war (seed 0, run 4)" in page.inner_text("body")
