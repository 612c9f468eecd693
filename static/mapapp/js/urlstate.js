// The page address holds the whole view: `?category=a,b&tag=t&threat=at_risk,lost&q=words`
// then `#zoom/lat/lon`, so copying it reproduces what you see and back/forward walk through
// earlier views. The query is the list page's and the API's (see filterquery.js).
import { filtersQuery, readFilterParams } from "./filterquery.js";

export function readState(location) {
  const filters = readFilterParams(new URLSearchParams(location.search));
  return { view: parseHash(location.hash), filters };
}

export function parseHash(hash) {
  const parts = hash.replace(/^#/, "").split("/").map(Number);
  if (parts.length !== 3 || !parts.every(Number.isFinite)) return null;
  const [zoom, lat, lon] = parts;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180 || zoom < 0 || zoom > 22) return null;
  return { zoom, lat, lon };
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
