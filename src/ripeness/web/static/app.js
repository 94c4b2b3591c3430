// The war room: pick a scenario, run it, watch it day by day; the talks, what-ifs, outcomes.
// Everything comes from the server's API (docs/web.md); nothing is loaded from elsewhere.
import { MapView } from "./map.js";
import { intervalBar, lineChart } from "./charts.js";
import { renderTalks, talksNews } from "./talks.js";
import { $, actorColour, actorName, api, h, longDate, pct, post, shortDate, state } from "./util.js";

const map = new MapView($("#map"), $("#legend"));
// The figures' outcome colours (report/figures.py OUTCOME_COLOURS); ongoing a darker grey, as a line not a fill.
const OUTCOME_COLOUR = { ongoing: "#777777", settlement: "#1E8449", "military victory": "#922B21", "frozen partition": "#2E86C1" };

function setStatus(text, { progress = null, error = false } = {}) {
  $("#status-text").textContent = text;
  $("#status").classList.toggle("error", error);
  $("#progress").hidden = progress === null;
  if (progress !== null) $("#progress-bar").style.width = `${Math.round(100 * progress)}%`;
}

function describe(job) {
  const p = job.params, what = { run: p.first_run ? `war number ${p.first_run}` : "one war", ensemble: `${p.runs} wars`, compare: `what-if ${p.whatif ?? "(sets)"}, ${p.runs} runs` }[job.kind];
  return `${what} × ${p.days} days of ${job.scenario}`;
}


// ---------------------------------------------------------------- scenario and views
async function loadScenario(name) {
  stop();
  const [scen, basemap] = await Promise.all([api(`/api/scenarios/${name}`), api(`/api/scenarios/${name}/basemap`)]);
  Object.assign(state, { scen, basemap, view: null, day: 0 });
  map.setScenario(scen, basemap);
  $("#scenario-title").textContent = scen.title;
  $("#days").value = scen.horizon_days;
  $("#cmp-days").value = Math.min(scen.horizon_days, 30);
  renderWhatifs();
  drawStart();
  const jobs = await api("/api/jobs?limit=200");
  const done = jobs.find(j => j.scenario === name && j.kind === "run" && j.status === "finished");
  const live = jobs.find(j => j.scenario === name && j.kind !== "compare" && (j.status === "queued" || j.status === "running"));
  if (live) { state.watching = live.id; setStatus(`${describe(live)}: ${live.status}`); }
  const want = new URLSearchParams(location.hash.slice(1)).get("job");
  const pick = jobs.find(j => j.id === want && j.scenario === name && j.status === "finished" && j.kind !== "compare") || done;
  if (pick) await loadView(pick.id, { autoplay: false });
  else { setStatus("Ready: press ▶ Run one war"); document.body.dataset.state = "ready"; }
}

function drawStart() {
  const s = state.scen, idx = Object.fromEntries(s.actors.map((a, i) => [a.id, i]));
  const holder = s.places.map(p => idx[p.controller]);
  map.setColours(null);
  map.render({ holder, prob: null, besieged: null, attacked: null, changed: null, corridorOpen: null });
  map.legendFor([...new Set(holder)].sort((a, b) => a - b), false);
  $("#day").disabled = true; $("#play").disabled = true; $("#day").max = 0; $("#day").value = 0;
  $("#date").textContent = longDate(s.start); $("#date").dataset.date = s.start;
  $("#news").replaceChildren(h("li", {}, `${s.places.length} places on ${longDate(s.start)}, before any run. Press ▶ Run one war to watch the days unfold.`));
  const hint = $("#hint"); hint.hidden = false; hint.textContent = "Press ▶ Run one war to watch the war and the talks unfold";
  renderTalks(); renderOutcomes();
}

async function loadView(id, { autoplay }) {
  const v = await api(`/api/jobs/${id}/view`);
  if (v.scenario !== state.scen.name) return;
  stop();
  state.view = v;
  v.actorIndex = v.actors.map(a => map.actorIndex[a]);
  map.setColours(v.colours);
  v.corridorIndex = state.scen.corridors.map(c => (v.corridors || []).indexOf(c.id));
  $("#hint").hidden = true;
  const slider = $("#day");
  slider.max = v.dates.length - 1; slider.disabled = false; $("#play").disabled = false;
  const holders = new Set();
  (v.kind === "run" ? v.control : v.top).forEach(row => row.forEach(a => holders.add(v.actorIndex[a])));
  map.legendFor([...holders].sort((a, b) => a - b), v.kind === "ensemble");
  map.focus(actionPlaces(v));
  document.body.dataset.viewJob = id; document.body.dataset.viewKind = v.kind;
  history.replaceState(null, "", `#scenario=${state.scen.name}&job=${id}`);
  const what = v.kind === "run" ? `one war (seed ${v.manifest.seed}${v.manifest.first_run ? `, run ${v.manifest.first_run}` : ""})` : `${v.runs} wars`;
  setStatus(`Showing ${what}, ${v.dates.length} days from ${shortDate(v.dates[0])}`);
  setDay(0);
  document.body.dataset.state = "ready";
  if (autoplay) play();
}

// Places where the war happens: they change hands (a run), or their holder is uncertain or
// changes (an ensemble).
function actionPlaces(v) {
  const n = v.places.length, hit = new Array(n).fill(false);
  if (v.kind === "run") v.control.forEach((row, d) => row.forEach((a, i) => { if (a !== v.control_start[i]) hit[i] = true; }));
  else v.top.forEach((row, d) => row.forEach((a, i) => { if (a !== v.top[0][i] || v.prob[d][i] < 0.9) hit[i] = true; }));
  return v.places.map((id, i) => (hit[i] ? map.index[id] : -1)).filter(i => i >= 0);
}

function mapState(v, d) {
  const A = v.actorIndex;
  if (v.kind === "ensemble") return { holder: v.top[d].map(a => A[a]), prob: v.prob[d], besieged: null, attacked: null, changed: null, corridorOpen: null };
  const prev = d > 0 ? v.control[d - 1] : v.control_start;
  return {
    holder: v.control[d].map(a => A[a]), prob: null,
    besieged: v.supplied[d].map(s => !s), attacked: v.attacker[d].map(a => a !== null),
    changed: v.control[d].map((a, i) => a !== prev[i]),
    corridorOpen: v.corridorIndex.map(k => (k >= 0 ? v.corridor_open[d][k] : null)),
  };
}

function setDay(d) {
  const v = state.view; if (!v) return;
  state.day = d = Math.max(0, Math.min(d, v.dates.length - 1));
  $("#day").value = d;
  const out = $("#date"); out.textContent = `${longDate(v.dates[d])} · day ${d}`; out.dataset.date = v.dates[d];
  map.render(mapState(v, d));
  renderNews(); renderTalks(); renderOutcomes();
}

// ---------------------------------------------------------------- playback
function play() {
  const v = state.view; if (!v) return;
  if (state.timer) { stop(); return; }
  if (state.day >= v.dates.length - 1) setDay(0);
  $("#play").innerHTML = "&#10074;&#10074;"; $("#play").setAttribute("aria-label", "Pause");
  const step = () => { if (state.day >= state.view.dates.length - 1) stop(); else setDay(state.day + 1); };
  state.timer = setInterval(step, 1000 / Number($("#speed").value));
}
function stop() {
  if (state.timer) clearInterval(state.timer);
  state.timer = null; $("#play").innerHTML = "&#9654;"; $("#play").setAttribute("aria-label", "Play");
}

// ---------------------------------------------------------------- news and talks
function renderNews() {
  const v = state.view, d = state.day, ul = $("#news"); ul.replaceChildren();
  if (v.kind !== "run") { ul.appendChild(h("li", {}, `Colour: the holder in most of the ${v.runs} runs on this day; pale: held in fewer runs (the share is written beside the names).`)); return; }
  const s = (v.sessions || []).find(x => x.day === d);
  if (s) for (const t of talksNews(s)) ul.appendChild(h("li", { className: "talks" }, t));
  const ev = v.events.filter(e => e.day === d);
  for (const e of ev) ul.appendChild(h("li", {}, e.text));
  if (!ul.children.length) ul.appendChild(h("li", {}, "No place changed hands; no siege or corridor changed."));
}


// ---------------------------------------------------------------- outcomes
function renderOutcomes() {
  const box = $("#panel-outcomes"); box.replaceChildren();
  const v = state.view;
  if (!v) { box.appendChild(h("p", {}, "Run one war for the shares of the stake over time, or many wars for the outcome probabilities over time.")); return; }
  if (v.kind === "run") {
    const series = Object.entries(v.share).map(([a, vals]) => ({ name: a, colour: actorColour(a), values: vals }));
    box.appendChild(lineChart(series, v.dates, { marker: state.day, title: "Each side's share of the stake" }));
    const ul = h("ul", { className: "small" });
    v.summary.forEach((line, i) => ul.appendChild(h("li", { style: i === 0 ? "font-weight:700;font-size:1.1em" : "" }, line.trim())));
    box.appendChild(ul);
    return;
  }
  const series = Object.entries(v.outcomes).map(([o, c]) => ({ name: o, colour: OUTCOME_COLOUR[o] ?? "#999", values: c.p, low: c.low, high: c.high }));
  box.appendChild(lineChart(series, v.dates, { marker: state.day, height: 260, title: `Outcome reached by each day, ${v.runs} runs (95% intervals)` }));
  const bands = Object.entries(v.share_band || {}).map(([a, q]) => ({ name: a, colour: actorColour(a), values: q.q50, low: q.q05, high: q.q95 }));
  if (bands.length) box.appendChild(lineChart(bands, v.dates, { marker: state.day, title: "Share of the stake: median, 90% of runs shaded" }));
  const t = h("table", { className: "diff" });
  t.innerHTML = "<tr><th>Over all runs</th><th>Estimate (range)</th></tr>";
  for (const r of v.summary) {
    const p = r.measure.startsWith("P(");
    const fmt = x => (x === null ? "—" : p ? pct(x) : Math.round(x).toLocaleString("en-GB"));
    const tr = h("tr"); tr.append(h("td", {}, r.label), h("td", {}, `${fmt(r.estimate)} (${fmt(r.low)}–${fmt(r.high)})`)); t.appendChild(tr);
  }
  box.appendChild(t);
  box.appendChild(h("p", { className: "small" }, "Probabilities: 95% Wilson intervals; other measures: median (quartiles)."));
  box.appendChild(h("p", { className: "small" }, "A frozen partition is dated from the last capture before the front froze."));
}

// ---------------------------------------------------------------- what-ifs
function renderWhatifs() {
  const list = $("#whatif-list"); list.replaceChildren(); state.compares = {};
  for (const w of state.scen.whatifs) {
    const item = h("div", { className: "whatif" }); item.dataset.whatif = w.name;
    const lab = h("label", { className: "toggle" });
    const box = h("input", { type: "checkbox" }); box.dataset.whatif = w.name;
    lab.append(box, h("span", { className: "name" }, w.name), h("span", { className: "desc" }, w.description));
    const card = h("div", { className: "compare-card", hidden: true }); card.dataset.whatif = w.name;
    item.append(lab, card); list.appendChild(item);
    box.addEventListener("change", () => (box.checked ? startCompare(w.name, card) : dropCompare(w.name, card)));
  }
  if (!state.scen.whatifs.length) list.appendChild(h("p", {}, "This scenario declares no what-ifs."));
}

async function startCompare(name, card) {
  card.hidden = false; card.dataset.status = "queued"; card.replaceChildren(h("div", { className: "head" }, "Queued…"));
  try {
    const job = await post("/api/jobs", { kind: "compare", scenario: state.scen.name, whatif: name, runs: Number($("#cmp-runs").value), days: Number($("#cmp-days").value), seed: Number($("#seed").value) });
    state.compares[name] = { job: job.id, card };
  } catch (e) { card.dataset.status = "failed"; card.replaceChildren(h("div", { className: "head" }, `Not started: ${e.message}`)); }
}

function dropCompare(name, card) {
  const c = state.compares[name]; delete state.compares[name];
  card.hidden = true; card.replaceChildren(); delete card.dataset.status;
  if (c) api(`/api/jobs/${c.job}/cancel`, { method: "POST" }).catch(() => {});
}

function renderCompare(card, v) {
  card.dataset.status = "finished"; card.dataset.job = v.job; card.replaceChildren();
  card.appendChild(h("div", { className: "head" }, `${v.variant} against the baseline: ${v.runs} runs × ${v.days} days, the same random draws`));
  for (const r of v.rows) {
    const fmt = x => (r.probability ? pct(x) : Math.round(x).toLocaleString("en-GB"));
    const dfmt = x => (r.probability ? `${x >= 0 ? "+" : "−"}${Math.abs(100 * x).toFixed(1)}` : `${x >= 0 ? "+" : "−"}${Math.abs(Math.round(x)).toLocaleString("en-GB")}`);
    const sig = r.low > 0 || r.high < 0;
    const row = h("div", { className: `diff-row${sig ? " sig" : ""}` }); row.dataset.measure = r.measure;
    const bar = h("div", { className: "bar" }); bar.appendChild(intervalBar(r.difference, r.low, r.high));
    row.append(h("div", { className: "label" }, r.label), bar,
      h("div", { className: "nums" }, `${fmt(r.baseline)} → ${fmt(r.variant)}:  ${dfmt(r.difference)}${r.probability ? " pts" : ""} [${dfmt(r.low)}, ${dfmt(r.high)}]`));
    card.appendChild(row);
  }
  card.appendChild(h("p", { className: "small" }, "Baseline → what-if: the difference [95% interval]. Bold and blue: the interval excludes zero. Probabilities: paired Newcombe intervals; means: paired mean ± 1.96 sd/√n."));
}

async function pollCompares() {
  for (const [name, c] of Object.entries(state.compares)) {
    if (c.done) continue;
    let job;
    try { job = await api(`/api/jobs/${c.job}`); } catch { continue; }
    if (state.compares[name] !== c) continue;
    if (job.status === "finished") { c.done = true; renderCompare(c.card, await api(`/api/jobs/${c.job}/view`)); }
    else if (job.status === "failed" || job.status === "cancelled") { c.done = true; c.card.dataset.status = job.status; c.card.replaceChildren(h("div", { className: "head" }, `${job.status}: ${job.error}`)); }
    else { c.card.dataset.status = job.status; c.card.replaceChildren(h("div", { className: "head" }, `${job.status === "queued" ? "Waiting for a worker" : `Running: ${job.done}/${job.total} runs`}…`)); }
  }
}

// ---------------------------------------------------------------- jobs
async function startJob(kind) {
  const runs = kind === "run" ? 1 : Number($("#ens-runs").value);
  const body = { kind, scenario: state.scen.name, runs, days: Number($("#days").value), seed: Number($("#seed").value) };
  if (kind === "run") body.first_run = Number($("#first-run").value);
  try {
    const job = await post("/api/jobs", body);
    state.watching = job.id;
    setStatus(`${describe(job)}: queued`, { progress: 0 });
  } catch (e) { setStatus(`Not started: ${e.message}`, { error: true }); }
}

async function pollMain() {
  if (!state.watching) return;
  let job;
  try { job = await api(`/api/jobs/${state.watching}`); } catch (e) { setStatus(e.message, { error: true }); state.watching = null; return; }
  if (job.status === "finished") { state.watching = null; await loadView(job.id, { autoplay: job.kind === "run" }); refreshJobs(); }
  else if (job.status === "failed" || job.status === "cancelled") { state.watching = null; setStatus(`${describe(job)}: ${job.status}${job.error ? ": " + job.error : ""}`, { error: job.status === "failed" }); refreshJobs(); }
  else setStatus(`${describe(job)}: ${job.stage || job.status}`, { progress: job.total ? job.done / job.total : 0 });
}

async function refreshJobs() {
  const body = $("#jobs tbody");
  const jobs = await api("/api/jobs?limit=30").catch(() => []);
  body.replaceChildren();
  for (const j of jobs) {
    const tr = h("tr"); tr.dataset.job = j.id;
    const st = j.status === "running" ? `running ${j.total ? Math.round((100 * j.done) / j.total) : 0}%` : j.status;
    const act = h("td");
    if (j.status === "finished" && j.kind !== "compare") {
      const b = h("button", { type: "button" }, "View");
      b.onclick = async () => { if (j.scenario !== state.scen.name) { $("#scenario").value = j.scenario; await loadScenario(j.scenario); } await loadView(j.id, { autoplay: false }); };
      act.appendChild(b);
    }
    if (j.status === "queued" || j.status === "running") {
      const b = h("button", { type: "button" }, "Cancel");
      b.onclick = () => api(`/api/jobs/${j.id}/cancel`, { method: "POST" }).then(refreshJobs).catch(e => setStatus(e.message, { error: true }));
      act.appendChild(b);
    }
    if (j.status === "finished") {
      const files = await api(`/api/jobs/${j.id}/files`).catch(() => []);
      for (const f of files) { act.append(" "); act.appendChild(h("a", { href: f.url, download: f.name }, f.name)); }
    }
    tr.append(h("td", {}, describe(j)), h("td", {}, j.error ? `${st}: ${j.error}` : st), act);
    body.appendChild(tr);
  }
}

async function upload(file) {
  const out = $("#upload-report"); out.replaceChildren(h("p", {}, "Checking…"));
  const form = () => { const f = new FormData(); f.append("file", file, file.name); return f; };
  try {
    const rep = await api("/api/scenarios/validate", { method: "POST", body: form() });
    out.replaceChildren(h("p", { className: "range " + (rep.valid ? "some" : "none") }, `${rep.file}: ${rep.summary}`));
    for (const p of rep.problems) out.appendChild(h("div", { className: `problem ${p.severity}` }, p.text));
    if (rep.valid) {
      const kept = await api("/api/scenarios", { method: "POST", body: form() });
      out.appendChild(h("p", {}, `Kept as ${kept.name}: pick it in the scenario list.`));
      await fillScenarios(kept.name);
    }
  } catch (e) { out.replaceChildren(h("p", { className: "range none" }, e.message)); }
}

async function fillScenarios(select) {
  const list = await api("/api/scenarios"), sel = $("#scenario");
  sel.replaceChildren(...list.map(s => h("option", { value: s.name }, s.builtin ? `${s.name} — ${s.title}` : `${s.name} (uploaded) — ${s.title}`)));
  if (select) { sel.value = select; await loadScenario(select); }
  return list;
}

// ---------------------------------------------------------------- start
async function init() {
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => {
    for (const o of document.querySelectorAll("#tabs button")) o.setAttribute("aria-selected", String(o === b));
    for (const p of document.querySelectorAll(".panel")) p.hidden = p.id !== `panel-${b.dataset.tab}`;
    if (b.dataset.tab === "runs") refreshJobs();
  });
  $("#scenario").addEventListener("change", e => loadScenario(e.target.value).catch(err => setStatus(err.message, { error: true })));
  $("#run-button").addEventListener("click", () => startJob("run"));
  $("#ensemble-button").addEventListener("click", () => startJob("ensemble"));
  $("#ens-runs").addEventListener("input", e => { $("#ensemble-runs-label").textContent = e.target.value; });
  $("#day").addEventListener("input", e => { stop(); setDay(Number(e.target.value)); });
  $("#play").addEventListener("click", play);
  $("#speed").addEventListener("change", () => { if (state.timer) { stop(); play(); } });
  for (const b of document.querySelectorAll("#zoom button")) b.addEventListener("click", () => map.zoomAt({ in: 1.5, out: 1 / 1.5, reset: 0 }[b.dataset.zoom]));
  $("#upload").addEventListener("change", e => { if (e.target.files[0]) upload(e.target.files[0]); });
  const want = new URLSearchParams(location.hash.slice(1)).get("scenario");
  const list = await fillScenarios(null);
  const name = list.some(s => s.name === want) ? want : list[0].name;
  $("#scenario").value = name;
  await loadScenario(name);
  setInterval(() => {
    pollMain(); pollCompares();
    if (++state.polls % 6 === 0 && !$("#panel-runs").hidden) refreshJobs();
  }, 600);
}

init().catch(e => { setStatus(`Could not start: ${e.message}`, { error: true }); document.body.dataset.state = "error"; });
