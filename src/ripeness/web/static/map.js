// The map: countries, coasts and borders, roads, corridors and places in their holder's colour.
// Equirectangular with a cos(latitude) aspect (as the plots draw it); sizes are set in screen
// pixels so that the map reads the same on a laptop and on a projector.

const NS = "http://www.w3.org/2000/svg";
const S = 100; // map units per degree of latitude

export function el(tag, attrs = {}, parent = null, text = null) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function km(a, b) {
  const r = Math.PI / 180, dlat = (b.lat - a.lat) * r, dlon = (b.lon - a.lon) * r;
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dlon / 2) ** 2;
  return 12742 * Math.asin(Math.sqrt(h));
}

// Blend a #rrggbb colour with white: p = 1 keeps the colour, p = 0 gives white.
export function blend(hex, p) {
  const c = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
  const m = c.map(v => Math.round(255 - p * (255 - v)));
  return "#" + m.map(v => v.toString(16).padStart(2, "0")).join("");
}

// Short label: the name before " (", unless two places share it (then the last word inside).
function shortNames(places) {
  const base = places.map(p => p.name.split(" (")[0]);
  const count = {};
  base.forEach(b => { count[b] = (count[b] || 0) + 1; });
  return places.map((p, i) => {
    if (count[base[i]] < 2) return base[i];
    const m = p.name.match(/\(([^)]*)\)/);
    return m ? `${base[i]} ${m[1].split(/\s+/).pop()}` : p.name;
  });
}

export class MapView {
  constructor(svg, legend) {
    this.svg = svg; this.legend = legend;
    new ResizeObserver(() => this.redraw()).observe(svg);
    svg.addEventListener("wheel", e => { e.preventDefault(); this.zoomAt(e.deltaY < 0 ? 1.25 : 0.8, e); }, { passive: false });
    let drag = null;
    svg.addEventListener("pointerdown", e => { drag = [e.clientX, e.clientY, this.cx, this.cy]; svg.setPointerCapture(e.pointerId); });
    svg.addEventListener("pointermove", e => {
      if (!drag || !this.scen) return;
      this.cx = drag[2] - (e.clientX - drag[0]) * this.u; this.cy = drag[3] - (e.clientY - drag[1]) * this.u;
      this.fit();
    });
    svg.addEventListener("pointerup", () => { drag = null; });
  }

  redraw() { if (this.scen) { this.drawStatic(); if (this.last) this.render(this.last); } }

  // Zoom by `f` about a pointer event's position (the centre without one); f = 0 resets.
  zoomAt(f, e = null) {
    if (!this.scen) return;
    if (f === 0) { this.zoom = 1; this.cx = this.W / 2; this.cy = this.H / 2; this.redraw(); return; }
    const z = Math.min(Math.max(this.zoom * f, 1), 12);
    if (e) {
      const r = this.svg.getBoundingClientRect(), [vx, vy] = this.vb;
      const mx = vx + (e.clientX - r.left) * this.u, my = vy + (e.clientY - r.top) * this.u;
      this.cx = mx + (this.cx - mx) * (this.zoom / z); this.cy = my + (this.cy - my) * (this.zoom / z);
    }
    this.zoom = z; this.redraw();
  }

  // Zoom to where the war happens (place indices): the middle 80% of them in each direction,
  // with a margin, so one far-off capture does not hide the main front; the reset button
  // shows the whole map.
  focus(indices) {
    if (!this.scen || !indices.length) return;
    const P = indices.map(i => this.xy(this.scen.places[i].lon, this.scen.places[i].lat));
    const q = (vals, f) => { const v = [...vals].sort((a, b) => a - b); return v[Math.min(v.length - 1, Math.max(0, Math.round(f * (v.length - 1))))]; };
    const xs = P.map(p => p[0]), ys = P.map(p => p[1]);
    const x0 = q(xs, 0.1), x1 = q(xs, 0.9), y0 = q(ys, 0.1), y1 = q(ys, 0.9);
    const bw = (x1 - x0) * 1.5 + 0.15 * S, bh = (y1 - y0) * 1.5 + 0.15 * S;
    const w = this.svg.clientWidth || 800, h = this.svg.clientHeight || 600;
    let vw = this.W, vh = this.H;
    if (vw / vh < w / h) vw = (vh * w) / h; else vh = (vw * h) / w;
    this.zoom = Math.min(Math.max(Math.min(vw / bw, vh / bh), 1), 4);
    this.cx = (x0 + x1) / 2; this.cy = (y0 + y1) / 2;
    this.redraw();
  }

  // The view box: the whole map at zoom 1, widened to the box's shape so nothing is wasted.
  fit() {
    const w = this.svg.clientWidth || 800, h = this.svg.clientHeight || 600;
    let vw = this.W, vh = this.H;
    if (vw / vh < w / h) vw = (vh * w) / h; else vh = (vw * h) / w;
    vw /= this.zoom; vh /= this.zoom;
    this.vb = [this.cx - vw / 2, this.cy - vh / 2, vw, vh];
    this.svg.setAttribute("viewBox", this.vb.map(v => v.toFixed(2)).join(" "));
    this.u = vw / w;
  }

  setScenario(scen, basemap) {
    this.scen = scen; this.basemap = basemap; this.last = null;
    this.index = Object.fromEntries(scen.places.map((p, i) => [p.id, i]));
    this.actorIndex = Object.fromEntries(scen.actors.map((a, i) => [a.id, i]));
    this.setColours(null);
    const [x0, y0, x1, y1] = basemap.bbox;
    this.kx = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
    this.box = basemap.bbox;
    this.W = (x1 - x0) * this.kx * S; this.H = (y1 - y0) * S;
    this.labels = shortNames(scen.places);
    this.zoom = 1; this.cx = this.W / 2; this.cy = this.H / 2;
    this.adj = scen.places.map(() => []);
    for (const l of scen.links) {
      const a = this.index[l.a], b = this.index[l.b];
      const d = l.km ?? km(scen.places[a], scen.places[b]);
      this.adj[a].push([b, d]); this.adj[b].push([a, d]);
    }
    const pop = scen.places.map(p => p.population), top = Math.max(...pop, 1);
    this.radius = pop.map(v => 5.5 + 11 * Math.sqrt(Math.max(v, 0) / top));
    // Names first for corridor ends, then by population; more fit as the map is zoomed in.
    const ends = new Set(scen.corridors.flatMap(c => [c.from, c.to]));
    this.byRank = scen.places.map((p, i) => i).sort((a, b) => (ends.has(scen.places[b].id) - ends.has(scen.places[a].id)) || pop[b] - pop[a]);
    this.drawStatic();
  }

  // Each actor's colour (by the scenario's actor index): a result's own (byId: actor id ->
  // colour, as `ripeness plot` draws it) where given, else the scenario's.
  setColours(byId) {
    this.colours = this.scen.actors.map(a => byId?.[a.id] ?? a.colour ?? "#999999");
  }

  xy(lon, lat) { return [(lon - this.box[0]) * this.kx * S, (this.box[3] - lat) * S]; }

  drawStatic() {
    const svg = this.svg; svg.replaceChildren();
    this.fit();
    const px = this.u;
    const land = el("g", { id: "land" }, svg);
    for (const f of this.basemap.features) {
      const g = f.geometry, k = f.properties.kind;
      if (k === "country") {
        const d = g.coordinates.map(poly => poly.map(ring => "M" + ring.map(([x, y]) => this.xy(x, y).map(v => v.toFixed(2)).join(",")).join("L") + "Z").join("")).join("");
        el("path", { d, fill: "#f3f0e6", stroke: "none", "fill-rule": "evenodd" }, land);
      }
    }
    for (const f of this.basemap.features) {
      const k = f.properties.kind;
      if (k === "country") continue;
      const d = "M" + f.geometry.coordinates.map(([x, y]) => this.xy(x, y).map(v => v.toFixed(2)).join(",")).join("L");
      el("path", k === "border"
        ? { d, fill: "none", stroke: "#6b6b6b", "stroke-width": 2.2 * px, "stroke-dasharray": `${8 * px} ${4 * px}` }
        : { d, fill: "none", stroke: "#4a7fa8", "stroke-width": 1.8 * px }, land);
    }
    for (const f of this.basemap.features) {
      const box = this.basemap.bbox, boxArea = (box[2] - box[0]) * (box[3] - box[1]);
      if (f.properties.kind !== "country" || f.properties.area < 0.02 * boxArea) continue;
      const [x, y] = this.xy(...f.properties.label);
      if (x < this.vb[0] || y < this.vb[1] || x > this.vb[0] + this.vb[2] || y > this.vb[1] + this.vb[3]) continue;
      el("text", { x, y, class: "country", "text-anchor": "middle", "font-size": 20 * px }, land, f.properties.name);
    }
    const roads = el("g", { id: "roads" }, svg);
    for (const l of this.scen.links) {
      const a = this.scen.places[this.index[l.a]], b = this.scen.places[this.index[l.b]];
      const [xa, ya] = this.xy(a.lon, a.lat), [xb, yb] = this.xy(b.lon, b.lat);
      el("line", { x1: xa, y1: ya, x2: xb, y2: yb, stroke: "#8c8c8c", "stroke-width": (l.kind === "road" ? 2.6 : 1.8) * px,
        "stroke-dasharray": l.kind === "road" ? null : `${5 * px} ${4 * px}`, "stroke-linecap": "round" }, roads);
    }
    this.dyn = el("g", { id: "dynamic" }, svg);
  }

  // Shortest route from a to b (indices) over the roads, through `allowed` places only.
  route(a, b, allowed) {
    const n = this.adj.length, dist = new Array(n).fill(Infinity), prev = new Array(n).fill(-1), done = new Array(n).fill(false);
    dist[a] = 0;
    for (;;) {
      let u = -1;
      for (let i = 0; i < n; i++) if (!done[i] && dist[i] < Infinity && (u < 0 || dist[i] < dist[u])) u = i;
      if (u < 0 || u === b) break;
      done[u] = true;
      for (const [v, d] of this.adj[u]) if (allowed(v) && dist[u] + d < dist[v]) { dist[v] = dist[u] + d; prev[v] = u; }
    }
    if (dist[b] === Infinity) return null;
    const path = [b];
    while (path[0] !== a) path.unshift(prev[path[0]]);
    return path;
  }

  // st: {holder: int[place] (actor index), prob: float[place] | null, besieged: bool[place] | null,
  //      attacked, changed: bool[place] | null, corridorOpen: bool[corridor] | null}
  render(st) {
    this.last = st;
    const px = this.u, g = this.dyn; g.replaceChildren();
    const colour = i => this.colours[i] ?? "#999999";
    const P = this.scen.places.map(p => this.xy(p.lon, p.lat));
    const corr = el("g", { id: "corridors" }, g);
    const taken = [];
    this.scen.corridors.forEach((c, k) => {
      const a = this.index[c.from], b = this.index[c.to], who = this.actorIndex[c.actor];
      const open = st.corridorOpen ? !!st.corridorOpen[k] : null;
      const held = this.route(a, b, v => st.holder[v] === who);
      const path = (open !== false && held) || this.route(a, b, () => true);
      if (!path) return;
      const d = "M" + path.map(i => P[i].join(",")).join("L");
      if (open === false || (open === null && !held)) {
        el("path", { d, fill: "none", stroke: "#111", "stroke-width": 4 * px, "stroke-dasharray": `${10 * px} ${7 * px}`,
          class: "corridor cut", "data-corridor": c.id }, corr);
        const gap = path.find(i => st.holder[i] !== who) ?? path[Math.floor(path.length / 2)];
        taken.push([P[gap][0] - 18 * px, P[gap][1] - 30 * px, P[gap][0] + 18 * px, P[gap][1] - 10 * px]);
        el("text", { x: P[gap][0], y: P[gap][1] - 14 * px, "font-size": 18 * px, "text-anchor": "middle", "font-style": "italic", class: "label", "stroke-width": 4 * px }, corr, "cut");
      } else {
        el("path", { d, fill: "none", stroke: colour(who), "stroke-opacity": 0.45, "stroke-width": 11 * px,
          "stroke-linecap": "round", "stroke-linejoin": "round", class: "corridor open", "data-corridor": c.id }, corr);
      }
    });
    const places = el("g", { id: "places" }, g);
    const labels = [], named = new Set(this.byRank.slice(0, Math.round((this.scen.places.length > 60 ? 16 : 12) * this.zoom)));
    this.scen.places.forEach((p, i) => {
      const [x, y] = P[i], r = this.radius[i] * px, h = st.holder[i];
      if (st.changed && st.changed[i]) {  // a target: white inside black, unlike any holder's colour
        el("circle", { cx: x, cy: y, r: r + 7 * px, fill: "none", stroke: "#111", "stroke-width": 3 * px, class: "changed", "data-place": p.id }, places);
        el("circle", { cx: x, cy: y, r: r + 3.8 * px, fill: "none", stroke: "#fff", "stroke-width": 3.5 * px }, places);
      }
      if (st.besieged && st.besieged[i]) el("circle", { cx: x, cy: y, r: r + 4.5 * px, fill: "none", stroke: "#111", "stroke-width": 3.5 * px,
        "stroke-dasharray": `${4 * px} ${3 * px}`, class: "siege", "data-place": p.id }, places);
      const fill = st.prob ? blend(colour(h), st.prob[i]) : colour(h);
      const c = el("circle", { cx: x, cy: y, r, fill, stroke: "#1a1a1a", "stroke-width": 1.6 * px, class: "place",
        "data-place": p.id, "data-holder": this.scen.actors[h]?.id ?? "", "data-prob": st.prob ? st.prob[i] : null }, places);
      const tip = `${p.name}: ${this.scen.actors[h]?.name ?? "?"}` + (st.prob ? ` (${Math.round(100 * st.prob[i])}% of runs)` : "") + (st.besieged && st.besieged[i] ? ", besieged" : "");
      el("title", {}, c, tip);
      if (st.attacked && st.attacked[i]) {
        const s = 6 * px, ax = x + r * 0.8, ay = y - r * 0.8;
        el("path", { d: `M${ax - s},${ay - s}L${ax + s},${ay + s}M${ax - s},${ay + s}L${ax + s},${ay - s}`, stroke: "#b00000", "stroke-width": 3 * px, class: "attacked", "data-place": p.id }, places);
      }
      if (named.has(i)) {
        const pct = st.prob && st.prob[i] < 0.995 ? ` ${Math.round(100 * st.prob[i])}%` : "";
        labels.push([i, x, y, r, this.labels[i] + pct]);
      }
    });
    this.placeLabels(el("g", { id: "labels" }, g), labels, px, taken);
  }

  // Names beside their markers: right, left, above or below, whichever overlaps nothing yet.
  placeLabels(g, labels, px, taken = []) {
    const fs = 17 * px, boxes = [...taken], [vx, vy, vw, vh] = this.vb;
    const hit = b => boxes.some(o => b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]) || b[0] < vx || b[2] > vx + vw || b[1] < vy || b[3] > vy + vh;
    const rank = new Map(this.byRank.map((i, k) => [i, k]));
    labels.sort((a, b) => rank.get(a[0]) - rank.get(b[0]));
    for (const [i, x, y, r, text] of labels) {
      const w = text.length * fs * 0.66, pad = r + 4 * px;
      const tries = [[x + pad, y + fs * 0.35, "start", [x + pad, y - fs * 0.6, x + pad + w, y + fs * 0.45]],
        [x - pad, y + fs * 0.35, "end", [x - pad - w, y - fs * 0.6, x - pad, y + fs * 0.45]],
        [x, y - pad - 2 * px, "middle", [x - w / 2, y - pad - fs, x + w / 2, y - pad]],
        [x, y + pad + fs * 0.85, "middle", [x - w / 2, y + pad, x + w / 2, y + pad + fs]]];
      const ok = tries.find(t => !hit(t[3]));
      if (!ok) continue;
      boxes.push(ok[3]);
      el("text", { x: ok[0], y: ok[1], "text-anchor": ok[2], "font-size": fs, class: "label", "stroke-width": 4 * px, "data-place": this.scen.places[i].id }, g, text);
    }
  }

  legendFor(holders, ensemble) {
    const L = this.legend; L.replaceChildren();
    const items = document.createElement("div"); items.className = "items"; L.appendChild(items);
    const row = (svg, text) => {
      const r = document.createElement("div"); r.className = "row";
      const s = el("svg", { width: 26, height: 20, viewBox: "0 0 26 20" }); svg(s); r.appendChild(s);
      r.appendChild(document.createTextNode(text)); items.appendChild(r);
    };
    for (const i of holders) {
      const a = this.scen.actors[i];
      row(s => el("circle", { cx: 13, cy: 10, r: 8, fill: this.colours[i], stroke: "#1a1a1a", "stroke-width": 1.5 }, s), a.name.split(" (")[0]);
    }
    if (!ensemble) {  // one run's marks; an ensemble draws holders and their probability only
      row(s => { el("circle", { cx: 13, cy: 10, r: 8, fill: "#fff", stroke: "#111", "stroke-width": 2.5, "stroke-dasharray": "3 2" }, s); }, "besieged");
      row(s => { el("circle", { cx: 13, cy: 10, r: 8.5, fill: "none", stroke: "#111", "stroke-width": 2 }, s); el("circle", { cx: 13, cy: 10, r: 6, fill: "none", stroke: "#fff", "stroke-width": 2.5 }, s); el("circle", { cx: 13, cy: 10, r: 4.5, fill: "#777" }, s); }, "changed hands");
      row(s => el("path", { d: "M8,5L18,15M8,15L18,5", stroke: "#b00000", "stroke-width": 3 }, s), "attacked");
    }
    // Swatches in colours the map uses: a corridor's actor, the first holder listed.
    const corridor = this.colours[this.actorIndex[this.scen.corridors[0]?.actor]] ?? "#777777";
    const pale = this.colours[holders[0]] ?? "#777777";
    row(s => el("line", { x1: 1, y1: 10, x2: 25, y2: 10, stroke: corridor, "stroke-opacity": 0.45, "stroke-width": 8 }, s), "corridor open");
    row(s => el("line", { x1: 1, y1: 10, x2: 25, y2: 10, stroke: "#111", "stroke-width": 3, "stroke-dasharray": "6 4" }, s), "corridor cut");
    if (ensemble) row(s => { el("circle", { cx: 8, cy: 10, r: 6, fill: pale }, s); el("circle", { cx: 19, cy: 10, r: 6, fill: blend(pale, 0.35) }, s); }, "pale: held in fewer runs");
  }
}
