// The page address holds the whole view: `?category=a,b&tag=t&threat=1&q=words#zoom/lat/lon`,
// so copying it reproduces what you see and back/forward walk through earlier views.

const EMPTY = { categories: [], tag: "", threat: false, q: "" };

export function emptyFilters() {
  return { ...EMPTY, categories: [] };
}

export function readState(location) {
  const params = new URLSearchParams(location.search);
  const filters = {
    categories: params.getAll("category").flatMap((v) => v.split(",")).filter(Boolean),
    tag: params.get("tag") || "",
    threat: params.get("threat") === "1",
    q: params.get("q") || "",
  };
  return { view: parseHash(location.hash), filters };
}

export function parseHash(hash) {
  const parts = hash.replace(/^#/, "").split("/").map(Number);
  if (parts.length !== 3 || !parts.every(Number.isFinite)) return null;
  const [zoom, lat, lon] = parts;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180 || zoom < 0 || zoom > 22) return null;
  return { zoom, lat, lon };
}

export function filtersQuery(filters) {
  const params = new URLSearchParams();
  if (filters.q) params.set("q", filters.q);
  if (filters.categories.length) params.set("category", filters.categories.join(","));
  if (filters.tag) params.set("tag", filters.tag);
  if (filters.threat) params.set("threat", "1");
  return params.toString();
}

export function viewHash(view) {
  return `#${view.zoom}/${view.lat.toFixed(5)}/${view.lon.toFixed(5)}`;
}

export function stateUrl(state) {
  const query = filtersQuery(state.filters);
  return `${query ? "?" + query : location.pathname}${viewHash(state.view)}`;
}

export function sameState(a, b) {
  return a && b && filtersQuery(a.filters) === filtersQuery(b.filters)
    && viewHash(a.view) === viewHash(b.view);
}
