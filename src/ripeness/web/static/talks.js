// The talks panel: the phase, the latest session (each party's demand and its parts, the
// range, the offer, why the talks stall, the explanation in words) and the talks day by day.
import { el } from "./map.js";
import { talksStrip } from "./charts.js";
import { $, actorColour, actorName, addDays, f2, h, longDate, shortDate, state } from "./util.js";

export function sessionAt(v, d) {
  let last = null;
  for (const s of v.sessions || []) if (s.day <= d) last = s;
  return last;
}

export function talksNews(s) {
  const out = [];
  if (s.settled) out.push("TALKS: a settlement is signed");
  else if (s.held && s.hearing) out.push("Talks: the mediator hears the parties");
  else if (s.held) out.push(`Talks: ${s.range_exists ? "an offer is refused" : "no bargaining range"}${s.cause !== "none" ? ` (${s.cause})` : ""}`);
  if (s.suspended) out.push(`TALKS SUSPENDED until ${shortDate(state.view.dates[0] && addDays(state.view.dates[0], s.resume_day))}${s.escalation ? " (escalation)" : ""}`);
  if (s.resumed) out.push("Talks resume");
  if (s.deferred) out.push(`Talks put off until ${shortDate(state.view.dates[0] && addDays(state.view.dates[0], s.resume_day))} (no range in sight)`);
  if (s.ceasefire_agreed) out.push("CEASEFIRE agreed");
  if (s.ceasefire_broke) out.push("The ceasefire breaks down");
  return out;
}

function partyBar(p, colour) {
  const W = 520, H = 34, x = v => 6 + (Math.min(Math.max(v, 0), 1.25) / 1.25) * (W - 12);
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", class: "chart" });
  el("rect", { x: x(0), y: 8, width: x(1) - x(0), height: 14, fill: "#eee", stroke: "#999" }, svg);
  el("rect", { x: x(0), y: 8, width: x(p.share) - x(0), height: 14, fill: colour }, svg);
  el("path", { d: `M${x(p.forecast)},4l6,11l-6,11l-6,-11z`, fill: "#fff", stroke: "#111", "stroke-width": 2 }, svg);
  const need = p.refuses_without_issue ? 1.25 : p.required;
  if (need !== null) el("line", { x1: x(need), x2: x(need), y1: 1, y2: 29, stroke: "#111", "stroke-width": 4 }, svg);
  if (p.offer !== null) el("path", { d: `M${x(p.offer)},24l6,9h-12z`, fill: p.accepted ? "#0a6b2f" : "#a10000" }, svg);
  el("text", { x: x(1) + 3, y: 32, "font-size": 11 }, svg, "1 = all");
  return svg;
}

export function renderTalks() {
  const box = $("#panel-talks"); box.replaceChildren();
  const v = state.view, sc = state.scen;
  if (!sc.talks) { box.appendChild(h("p", {}, "This scenario has no talks.")); return; }
  if (!v) {
    box.append(h("p", { className: "lead" }, `Talks between ${sc.talks.parties.map(actorName).join(" and ")}, mediated by ${actorName(sc.talks.mediator)}, open on ${longDate(sc.talks.opens)}.`),
      h("p", {}, sc.talks.description || ""), h("p", { className: "small" }, "Run one war to follow each session: what each party demands and why, the bargaining range, offers, suspensions and ceasefires."));
    return;
  }
  if (v.kind !== "run") {
    box.appendChild(h("p", { className: "lead" }, `An ensemble of ${v.runs} wars: each has its own talks. The Outcomes tab shows how often they end in a settlement, and when; run one war to follow its sessions.`));
    return;
  }
  const d = state.day, phase = v.talks_phase ? v.talks_phase[d] : "not open", s = sessionAt(v, d);
  const head = h("div");
  const label = { open: "TALKS OPEN", suspended: "TALKS SUSPENDED", settled: "SETTLED", "not open": "NOT YET OPEN", closed: "TALKS CLOSED" }[phase] ?? phase;
  head.appendChild(h("span", { className: `badge ${phase.replace(" ", "")}` }, label));
  if (v.ceasefire && v.ceasefire[d]) head.appendChild(h("span", { className: "badge ceasefire" }, "CEASEFIRE"));
  const susp = [...(v.sessions || [])].reverse().find(x => x.day <= d && x.suspended);
  if (phase === "suspended" && susp) head.appendChild(h("span", {}, ` since ${shortDate(susp.date)}, until ${shortDate(addDays(v.dates[0], susp.resume_day))}`));
  box.appendChild(head);
  if (!s) { box.appendChild(h("p", {}, `No session yet; the talks open on ${longDate(sc.talks.opens)}.`)); }
  else renderSession(box, s, d);
  box.appendChild(h("h2", {}, "The talks day by day"));
  box.appendChild(talksStrip(v.talks_phase || [], v.ceasefire, v.sessions || [], v.dates, d));
  box.appendChild(h("p", { className: "meta" }, `${sc.talks.protocol} protocol · mediator: ${actorName(sc.talks.mediator)}`));
}

function renderSession(box, s, d) {
  const v = state.view;
  box.appendChild(h("h2", {}, `${s.day === d ? "Today's session" : "Last session"}: ${longDate(s.date)} (day ${s.day})`));
  // The verdict first (it must be on screen): the range, the offer's issues, why, the pause.
  const total = Object.values(s.parties).reduce((a, p) => a + (p.refuses_without_issue ? Infinity : p.required), 0);
  const r = h("p", { className: `range ${s.range_exists ? "some" : "none"}` });
  r.textContent = s.range_exists ? `A bargaining range ${f2(s.width)} wide: a deal both prefer to fighting exists.`
    : Number.isFinite(total) ? `Demands add up to ${f2(total)} of the stake (over by ${f2(-s.width)}): no bargaining range.` : "No bargaining range: a party refuses any deal without its issue.";
  box.appendChild(r);
  if (s.issues_granted) {
    const titles = s.issues_granted.split(",").map(id => state.scen.issues.find(i => i.id === id)?.title ?? id);
    box.appendChild(h("p", {}, `The offer settles the issues in the demander's favour: ${titles.map(t => `“${t}”`).join(", ")}.`));
  }
  const why = (s.story.match(/Why: (.*?)\. (By|The|$)/) || [])[1];
  if (s.cause && s.cause !== "none") {
    const issues = s.cause === "indivisible issue" ? state.scen.issues.filter(i => i.indivisible.length).map(i => `“${i.title}” (${i.indivisible.map(actorName).join(", ")} will not give it up)`) : [];
    const div = h("div", { className: "why" });
    div.append(h("b", {}, `Why the talks stall: ${s.cause}${issues.length ? ` — ${issues.join("; ")}` : ""}.`));
    if (why) div.append(h("span", { className: "detail" }, ` ${why.charAt(0).toUpperCase() + why.slice(1)}.`));
    box.appendChild(div);
  }
  if (s.suspended) box.appendChild(h("p", { className: "pause" }, `The mediator suspends the talks until ${longDate(addDays(v.dates[0], s.resume_day))}${s.escalation ? " after a sharp escalation" : ""}${s.appealed ? " and asks the backers to press their clients" : ""}.`));
  // Then each party's demand and its parts.
  box.appendChild(h("p", { className: "small" }, "Shares of the stake (1 = all of it). Bar: what the side holds; ◇: what it expects by fighting on; ┃: what it needs in a deal; ▲: the offer."));
  for (const [pid, p] of Object.entries(s.parties)) {
    const div = h("div", { className: "party" }); div.style.borderLeftColor = actorColour(pid);
    div.appendChild(h("h3", {}, actorName(pid)));
    div.appendChild(partyBar(p, actorColour(pid)));
    const nums = h("div", { className: "nums" });
    const needs = p.refuses_without_issue ? "refuses any deal that does not settle its issue its way" : `needs ${f2(p.required)}`;
    nums.innerHTML = `holds <b>${f2(p.share)}</b> of the stake · expects <b>${f2(p.forecast)}</b> by fighting on, at a cost of ${f2(p.cost)}` +
      `<br>least it takes for the ground: ${f2(p.reservation)}; with the issues on the table it <b>${needs}</b>` +
      (p.offer !== null ? `<br>offered <b>${f2(p.offer)}</b>: ${p.accepted ? "accepts" : `refuses (short by ${f2(-p.margin)})`}` : "");
    div.appendChild(nums); box.appendChild(div);
  }
  box.appendChild(h("p", { className: "story" }, s.story));
}
