// Requests to Commons Map's own API; nothing here talks to any other host.
import { filterParams } from "./filterquery.js";

function viewParams(filters, bbox) {
  const params = filterParams(filters);
  params.set("bbox", bbox.join(","));
  return params;
}

async function getGeoJSON(url, signal) {
  const response = await fetch(url, { signal, headers: { Accept: "application/geo+json" } });
  if (!response.ok) throw new Error(await problemText(response));
  return response.json();
}

export function fetchEntries(config, filters, bbox, signal) {
  const params = viewParams(filters, bbox);
  params.set("limit", String(config.pageLimit));
  return getGeoJSON(`${config.apiEntries}?${params}`, signal);
}

// The vector tile z/x/y of the entries the filters select, as bytes (empty when it holds none).
export async function fetchTile(config, query, { z, x, y }, signal) {
  const path = config.apiTile.replace("{z}", z).replace("{x}", x).replace("{y}", y);
  const response = await fetch(query ? `${path}?${query}` : path, { signal });
  if (!response.ok) throw new Error(await problemText(response));
  return response.arrayBuffer();
}

export async function fetchTags(config) {
  const response = await fetch(config.apiTags, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(await problemText(response));
  return response.json();
}

async function problemText(response) {
  try {
    const body = await response.json();
    const first = Object.values(body).flat()[0];
    return typeof first === "string" ? first : `The server answered ${response.status}.`;
  } catch {
    return `The server answered ${response.status}.`;
  }
}
