// Small SVG charts: lines over the days with bands, the talks' strip, an interval bar.
import { el } from "./map.js";

const fmtDate = iso => new Date(iso + "T00:00:00Z").toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

// series: [{name, colour, values, low?, high?, dash?}] over days 0..n-1; marker: day index.
export function lineChart(series, dates, { marker = null, ymax = 1, percent = true, height = 230, title = "" } = {}) {
  const W = 520, L = 50, R = 12, T = title ? 28 : 10;
  // the legend wraps onto as many rows as it needs under the axis
  const rows = [[]];
  let used = 0;
  for (const s of series) {
    const w = 34 + s.name.length * 9.2;
    if (used + w > W - L && rows[rows.length - 1].length) { rows.push([]); used = 0; }
    rows[rows.length - 1].push([s, L + used]); used += w;
  }
  const B = 34 + 22 * rows.length, H = height + 22 * (rows.length - 1);
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", width: "100%", role: "img", "aria-label": title });
  const n = dates.length, x = i => L + (n > 1 ? (i / (n - 1)) * (W - L - R) : 0), y = v => T + (1 - v / ymax) * (H - T - B);
  if (title) el("text", { x: 0, y: 18, "font-weight": 700 }, svg, title);
  for (let k = 0; k <= 4; k++) {
    const v = (ymax * k) / 4;
    el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }, svg);
    el("text", { x: L - 6, y: y(v) + 5, "text-anchor": "end" }, svg, percent ? `${Math.round(v * 100)}%` : v.toFixed(2));
  }
  const ticks = Math.min(5, n);
  for (let k = 0; k < ticks; k++) {
    const i = Math.round((k * (n - 1)) / Math.max(ticks - 1, 1));
    el("text", { x: x(i), y: H - B + 20, "text-anchor": k === 0 ? "start" : k === ticks - 1 ? "end" : "middle" }, svg, fmtDate(dates[i]));
  }
  el("line", { x1: L, x2: L, y1: T, y2: H - B, class: "axis" }, svg);
  el("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "axis" }, svg);
  for (const s of series) {
    if (s.low && s.high) {
      const up = s.high.map((v, i) => `${x(i)},${y(v)}`), down = s.low.map((v, i) => `${x(i)},${y(v)}`).reverse();
      el("path", { d: `M${up.join("L")}L${down.join("L")}Z`, fill: s.colour, "fill-opacity": 0.18, stroke: "none" }, svg);
    }
    el("path", { d: "M" + s.values.map((v, i) => `${x(i)},${y(v)}`).join("L"), fill: "none", stroke: s.colour,
      "stroke-width": 3.2, "stroke-dasharray": s.dash ? "7 5" : null, "data-series": s.name }, svg);
  }
  if (marker !== null) el("line", { x1: x(marker), x2: x(marker), y1: T, y2: H - B, stroke: "#111", "stroke-width": 2, "stroke-dasharray": "4 3" }, svg);
  rows.forEach((row, k) => {
    const y0 = H - B + 44 + 22 * k;
    for (const [s, lx] of row) {
      el("line", { x1: lx, x2: lx + 22, y1: y0 - 5, y2: y0 - 5, stroke: s.colour, "stroke-width": 5, "stroke-dasharray": s.dash ? "6 4" : null }, svg);
      el("text", { x: lx + 27, y: y0 }, svg, s.name);
    }
  });
  return svg;
}

const PHASE_COLOUR = { "not open": "#bbbbbb", open: "#0a6b2f", suspended: "#a10000", settled: "#0b57d0", closed: "#555555" };

// The talks day by day: a cell per day in the phase's colour, a dot on session days.
export function talksStrip(phases, ceasefire, sessions, dates, day) {
  const W = 560, H = 74, L = 4, R = 4, n = phases.length, w = (W - L - R) / n;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", class: "chart strip", role: "img", "aria-label": "The talks day by day" });
  phases.forEach((p, i) => {
    el("rect", { x: L + i * w, y: 6, width: Math.max(w - 0.6, 0.6), height: 22, fill: PHASE_COLOUR[p] ?? "#999" }, svg);
    if (ceasefire && ceasefire[i]) el("rect", { x: L + i * w, y: 30, width: Math.max(w - 0.6, 0.6), height: 6, fill: "#6a3d9a" }, svg);
  });
  for (const s of sessions) if (s.held) el("circle", { cx: L + (s.day + 0.5) * w, cy: 17, r: Math.min(4, w / 2.2), fill: "#fff", stroke: "#111", "stroke-width": 1 }, svg);
  el("rect", { x: L + day * w - 1.5, y: 2, width: w + 3, height: 36, fill: "none", stroke: "#111", "stroke-width": 3 }, svg);
  let lx = L;
  for (const [name, c] of [["open", PHASE_COLOUR.open], ["suspended", PHASE_COLOUR.suspended], ["settled", PHASE_COLOUR.settled], ["ceasefire", "#6a3d9a"]]) {
    el("rect", { x: lx, y: 50, width: 16, height: 14, fill: c }, svg);
    el("text", { x: lx + 21, y: 62 }, svg, name);
    lx += 40 + name.length * 8;
  }
  el("circle", { cx: lx + 6, cy: 57, r: 4, fill: "#fff", stroke: "#111" }, svg);
  el("text", { x: lx + 15, y: 62 }, svg, "session");
  return svg;
}

// A difference and its 95% interval on an axis symmetric about zero.
export function intervalBar(diff, low, high) {
  const W = 130, H = 22, m = Math.max(Math.abs(low), Math.abs(high), Math.abs(diff), 1e-9) * 1.1;
  const x = v => W / 2 + (v / m) * (W / 2 - 4);
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", height: H, class: "ibar" });
  el("line", { x1: W / 2, x2: W / 2, y1: 0, y2: H, stroke: "#777", "stroke-width": 1.5 }, svg);
  const sig = low > 0 || high < 0;
  el("line", { x1: x(low), x2: x(high), y1: H / 2, y2: H / 2, stroke: sig ? "#0b57d0" : "#555", "stroke-width": 4 }, svg);
  el("circle", { cx: x(diff), cy: H / 2, r: 5, fill: sig ? "#0b57d0" : "#555" }, svg);
  return svg;
}
