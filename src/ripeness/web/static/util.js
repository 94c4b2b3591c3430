// Shared by the page's modules: the page's state, the API, dates and numbers in words.

export const $ = s => document.querySelector(s);
export const state = { scen: null, basemap: null, view: null, day: 0, timer: null, watching: null, compares: {}, polls: 0 };
export async function api(path, opts = {}) {
  const r = await fetch(path, opts);
  const body = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) {
    const err = new Error(body?.detail || `${r.status} ${r.statusText}`);
    err.body = body; throw err;
  }
  return body;
}
export const post = (path, body) => api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
export const longDate = iso => new Date(iso + "T00:00:00Z").toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
export const shortDate = iso => new Date(iso + "T00:00:00Z").toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
export const f2 = v => (v === null || v === undefined ? "—" : Number(v).toFixed(2));
export const pct = v => `${(100 * v).toFixed(1)}%`;
export const actorName = id => (state.scen.actors.find(a => a.id === id)?.name ?? id).split(" (")[0];
export const actorColour = id => state.view?.colours?.[id] ?? state.scen.actors.find(a => a.id === id)?.colour ?? "#999999";
export const h = (tag, attrs = {}, text = null) => { const e = document.createElement(tag); Object.assign(e, attrs); if (text !== null) e.textContent = text; return e; };
export const addDays = (iso, n) => new Date(Date.parse(iso + "T00:00:00Z") + n * 86400000).toISOString().slice(0, 10);
