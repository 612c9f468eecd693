// Leaflet wiring: tiles, clustered category-coloured markers, soft circles for approximate
// locations, popups built from DOM nodes, and the markers a crowded view draws from vector tiles.
/* global L */
import { el } from "./dom.js";
import { baseMap } from "./tiles.js";

const APPROXIMATE_RADIUS_M = { approximate: 400, area: 1200 };
const THREAT_LABELS = { at_risk: "At risk", lost: "Lost" };
// How a marker shows its threat beyond colour (a ring, a strike; see the legend).
const THREAT_CLASSES = { at_risk: "cm-at-risk", lost: "cm-lost" };
// An approximate circle's edge: thicker (and dashed, in the stylesheet) when at risk.
const EDGE = { normal: 1, atRisk: 3, highlighted: 2 };
const COMPACT = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

export function createMap(container, config, view) {
  const map = baseMap(container, config, { zoomControl: true, worldCopyJump: false });
  map.setView(view ? [view.lat, view.lon] : config.center, view ? view.zoom : config.zoom);
  const cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
  map.addLayer(cluster);
  return { map, cluster, layers: new Map(), categoryOf: categoryIndex(config) };
}

// A category added since the page loaded is not in the config: it still gets the default colour.
function categoryIndex(config) {
  const known = new Map(config.categories.map((c) => [c.slug, c]));
  return (slug) => known.get(slug) || { slug, colour: config.defaultColour };
}

export function visibleBbox(map) {
  const b = map.getBounds();
  const clamp = (v, limit) => Math.max(-limit, Math.min(limit, v));
  return [
    clamp(b.getWest(), 180), clamp(b.getSouth(), 90),
    clamp(b.getEast(), 180), clamp(b.getNorth(), 90),
  ].map((v) => Number(v.toFixed(6)));
}

// Layers are updated in place: entries still in view keep their marker (and an open popup),
// so panning only adds and removes what changed.
export function renderFeatures(state, features, onOpen) {
  const key = (f) => `${f.id}@${f.properties.updated}`;
  const wanted = new Map(features.map((f) => [f.id, f]));
  const gone = [];
  for (const [id, layer] of state.layers) {
    const next = wanted.get(id);
    if (!next || layer.featureKey !== key(next)) {
      gone.push(layer);
      state.layers.delete(id);
    }
  }
  state.cluster.removeLayers(gone);
  const added = [];
  for (const feature of features) {
    if (state.layers.has(feature.id)) continue;
    const layer = featureLayer(state, feature);
    layer.featureKey = key(feature);
    layer.bindPopup(() => popupContent(state, feature), { maxWidth: 280 });
    layer.on("popupopen", () => onOpen && onOpen(feature.id));
    state.layers.set(feature.id, layer);
    added.push(layer);
  }
  state.cluster.addLayers(added);
}

function featureLayer(state, feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const props = feature.properties;
  const colour = state.categoryOf(props.category).colour;
  if (props.precision !== "exact") return approximateCircle([lat, lon], props, colour);
  return dotMarker([lat, lon], props, colour, { className: "cm-marker", size: 18 });
}

// A soft circle where only the area is public: a dot would claim an exact place.
function approximateCircle(latLng, props, colour) {
  const threat = THREAT_CLASSES[props.threat] || "";
  const circle = L.circle(latLng, {
    radius: APPROXIMATE_RADIUS_M[props.precision] || 400,
    stroke: true, weight: edge(props, false), color: colour, opacity: 0.6,
    fillColor: colour, fillOpacity: 0.25, className: `cm-approximate ${threat}`.trim(),
  });
  circle.threat = props.threat;
  return circle;
}

// A category-coloured dot marker, its threat shown beyond colour and said in its label.
function dotMarker(latLng, props, colour, { className, size }) {
  const classes = ["cm-dot", THREAT_CLASSES[props.threat], props.unverified ? "cm-unverified" : ""];
  const dot = el("span", { className: classes.filter(Boolean).join(" ") });
  dot.style.backgroundColor = colour;
  const icon = L.divIcon({ className, html: dot, iconSize: [size, size] });
  const label = markerLabel(props);
  return L.marker(latLng, { icon, title: label, alt: label, keyboard: true });
}

// Said, not only drawn: a marker's name tells screen readers the entry's threat.
function markerLabel(props) {
  const threat = THREAT_LABELS[props.threat];
  return threat ? `${props.name} (${threat.toLowerCase()})` : props.name;
}

function edge(props, highlighted) {
  return (props.threat === "at_risk" ? EDGE.atRisk : EDGE.normal) + (highlighted ? EDGE.highlighted : 0);
}

function popupContent(state, feature) {
  const props = feature.properties;
  const category = state.categoryOf(props.category);
  return el("div", { className: props.unverified ? "cm-popup cm-unverified" : "cm-popup" },
    el("h3", { text: props.name }),
    el("p", { className: "cm-popup-meta", text: [category.name, props.locality].filter(Boolean).join(" · ") }),
    THREAT_LABELS[props.threat] ? el("p", { className: "cm-badge", text: THREAT_LABELS[props.threat] }) : null,
    props.summary ? el("p", { text: props.summary }) : null,
    props.precision !== "exact" ? el("p", { className: "cm-note", text: "Approximate location" }) : null,
    freshnessNote(props),
    el("a", { href: props.url, text: "More about this entry" }),
  );
}

// When it was last confirmed running. A tile leaves out a never-verified entry's date, so a
// missing date and a null one both mean never verified.
function freshnessNote(props) {
  if (props.unverified) return el("p", { className: "cm-note", text: "Unverified: not confirmed running lately" });
  if (props.verified == null) return el("p", { className: "cm-note", text: "Never verified" });
  const when = new Date(props.verified).toLocaleDateString("en-GB", { month: "long", year: "numeric" });
  return el("p", { className: "cm-note", text: `Verified ${when}` });
}

export function highlight(state, id, on) {
  const layer = state.layers.get(id);
  if (!layer) return;
  if (layer.setStyle) {
    layer.setStyle({ weight: edge({ threat: layer.threat }, on), fillOpacity: on ? 0.45 : 0.25 });
  } else {
    layer.getElement()?.classList.toggle("is-highlighted", on);
  }
}

export function openFeature(state, id, feature) {
  const layer = state.layers.get(id);
  if (layer) {
    state.cluster.zoomToShowLayer(layer, () => layer.openPopup());
  } else if (feature) {
    // The map shows counts per area (no marker to open): a popup at the entry's place.
    const [lon, lat] = feature.geometry.coordinates;
    state.map.openPopup(popupContent(state, feature), [lat, lon], { maxWidth: 280 });
  }
}

// A count of entries in a cell (a vector tile's cluster, at the mean of their public points);
// a click zooms to their extent.
export function cellMarker(map, cell) {
  const { count } = cell;
  const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
  const label = `${count.toLocaleString()} ${count === 1 ? "entry" : "entries"} here; zoom in`;
  const icon = L.divIcon({
    className: `marker-cluster marker-cluster-${size} cm-cell`,
    html: el("div", {}, el("span", { text: COMPACT.format(count) })),
    iconSize: [40, 40],
  });
  const marker = L.marker([cell.lat, cell.lon], { icon, title: label, alt: label, keyboard: true });
  marker.on("click", () => zoomToCell(map, cell));
  // Leaflet names a keyboard marker by its content (the bare number); say what it is.
  marker.on("add", () => marker.getElement()?.setAttribute("aria-label", label));
  return marker;
}

function zoomToCell(map, { west, south, east, north }) {
  const next = Math.min(map.getZoom() + 2, map.getMaxZoom());
  if (west === east && south === north) {
    map.setView([south, west], next);
  } else {
    map.fitBounds([[south, west], [north, east]], { padding: [24, 24], maxZoom: next + 2 });
  }
}

// One entry of a crowded city view (a vector tile's point, always its public point): a small
// category-coloured dot, its threat shown as on the full markers, and the same popup.
export function entryDot(state, feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const props = feature.properties;
  const colour = state.categoryOf(props.category).colour;
  const marker = props.precision === "exact"
    ? dotMarker([lat, lon], props, colour, { className: "cm-marker cm-tile-dot", size: 12 })
    : approximateCircle([lat, lon], props, colour);
  marker.bindPopup(() => popupContent(state, feature), { maxWidth: 280 });
  return marker;
}
