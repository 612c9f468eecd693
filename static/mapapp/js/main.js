// Entry point of the map pages (home and embed): wires the map, filters, list and address bar.
import { fetchEntries, fetchTags } from "./api.js";
import { debounce, paintSwatches } from "./dom.js";
import { entryTiles } from "./entrytiles.js";
import { fillTags, readFilters, writeFilters } from "./filters.js";
import { createMap, highlight, openFeature, renderFeatures, visibleBbox } from "./map.js";
import { markActive, renderList } from "./panel.js";
import { emptyFilters, filtersQuery, threatsQuery } from "./filterquery.js";
import { readState, sameState, stateUrl, viewHash } from "./urlstate.js";
import { setupShare } from "./share.js";
import { readConfig } from "./tiles.js";

const config = readConfig();
const $ = (id) => document.getElementById(id);
const ui = {
  form: $("filters"), list: $("entry-list"), count: $("result-count"), empty: $("empty-state"),
  loading: $("loading"), error: $("error-banner"), errorText: $("error-text"), retry: $("retry"),
  listLink: $("list-link"), viewOnSite: $("view-on-site"), threatsLink: $("threats-link"),
  followAreaLink: $("follow-area-link"),
};

let state = readState(location);
const mapState = createMap($("map"), config, state.view);
const tiles = entryTiles(mapState, config);
let controller = null;
let restoring = false;

function currentState() {
  const c = mapState.map.getCenter();
  return { view: { zoom: mapState.map.getZoom(), lat: c.lat, lon: c.lng }, filters: state.filters };
}

function setStatus(status) {
  document.body.dataset.mapState = status;
  if (ui.loading) ui.loading.hidden = status !== "loading";
}

async function load() {
  controller?.abort();
  controller = new AbortController();
  const signal = controller.signal;
  setStatus("loading");
  try {
    const bbox = visibleBbox(mapState.map);
    const collection = await fetchEntries(config, state.filters, bbox, signal);
    // More entries than one page: the map draws all of them from the vector tiles instead
    // (counts per area, or each entry as a dot in a city view).
    const many = crowded(collection);
    show(collection, many);
    if (many) await tiles.show(filtersQuery(state.filters));
    else tiles.hide();
    if (signal.aborted) return;
    document.body.dataset.cellCount = String(tiles.cellCount());
    if (ui.error) ui.error.hidden = true;
    setStatus("ready");
    // Lets benchmarks and tests see when markers for a view were drawn.
    performance.mark("cm-features-drawn");
  } catch (error) {
    // A newer view's load took over: what this one waited for no longer matters.
    if (error.name === "AbortError" || signal.aborted) return;
    if (ui.error) {
      ui.errorText.textContent = `We could not load the entries: ${error.message}`;
      ui.error.hidden = false;
    }
    setStatus("error");
  }
}

// More entries than one page; a search matching more than the server counts says no number.
function crowded(collection) {
  const shown = collection.features.length;
  return collection.numberMatched === undefined ? shown >= config.pageLimit : collection.numberMatched > shown;
}

function show(collection, crowded) {
  const features = collection.features;
  renderFeatures(mapState, crowded ? [] : features, (id) => ui.list && markActive(ui.list, id));
  document.body.dataset.featureCount = String(crowded ? 0 : features.length);
  if (!ui.list) return;
  renderList(ui.list, features, mapState.categoryOf, {
    highlight: (id, on) => highlight(mapState, id, on),
    open: (id) => openFeature(mapState, id, features.find((f) => f.id === id)),
  });
  const matched = collection.numberMatched ?? features.length;
  ui.count.textContent = crowded && collection.numberMatched === undefined
    ? `Over ${config.searchCountLimit.toLocaleString()} entries in view, counted by area on the map; the list shows the first ${features.length.toLocaleString()}. Zoom in or filter to see them one by one.`
    : matched > features.length
    ? `${matched.toLocaleString()} entries in view, counted by area on the map; the list shows the first ${features.length.toLocaleString()}. Zoom in or filter to see them one by one.`
    : `${features.length} ${features.length === 1 ? "entry" : "entries"} in view`;
  ui.empty.hidden = features.length > 0;
}

function remember() {
  const next = currentState();
  const query = filtersQuery(next.filters);
  if (ui.listLink) ui.listLink.href = `${config.listUrl}${query ? "?" + query : ""}`;
  if (ui.viewOnSite) ui.viewOnSite.href = `${config.siteUrl}${query ? "?" + query : ""}${viewHash(next.view)}`;
  if (ui.threatsLink) {
    const threats = threatsQuery(next.filters, visibleBbox(mapState.map), config.threatFilters);
    ui.threatsLink.href = `${config.threatsUrl}?${threats}`;
  }
  if (ui.followAreaLink) {
    const bbox = visibleBbox(mapState.map).join(",");
    ui.followAreaLink.href = `${config.followAreaUrl}?${new URLSearchParams({ bbox })}`;
  }
  if (restoring || config.embed) return;
  if (!sameState(next, history.state)) history.pushState(next, "", stateUrl(next));
}

const settle = debounce(() => { remember(); load(); }, 120);
mapState.map.on("moveend", settle);

window.addEventListener("popstate", (event) => {
  const target = event.state || readState(location);
  restoring = true;
  // A history entry saved by an older page may lack some filters: they are empty.
  state = { view: target.view, filters: { ...emptyFilters(), ...target.filters } };
  if (ui.form) writeFilters(ui.form, state.filters);
  if (state.view) mapState.map.setView([state.view.lat, state.view.lon], state.view.zoom, { animate: false });
  load().finally(() => { restoring = false; });
});

function applyFilters() {
  state = { ...state, filters: readFilters(ui.form) };
  remember();
  load();
}

function setupFilters() {
  paintSwatches();
  writeFilters(ui.form, state.filters);
  ui.form.addEventListener("change", (event) => { if (event.target.name !== "q") applyFilters(); });
  ui.form.elements.q.addEventListener("input", debounce(applyFilters, 350));
  ui.form.addEventListener("submit", (event) => { event.preventDefault(); applyFilters(); });
  $("clear-filters").addEventListener("click", () => { writeFilters(ui.form, emptyFilters()); applyFilters(); });
  $("near-me").addEventListener("click", nearMe);
  fetchTags(config).then((tags) => fillTags(ui.form.elements.tag, tags, state.filters.tags)).catch(() => {});
  const toggle = $("panel-toggle");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    $("panel").classList.toggle("is-open", open);
  });
}

function nearMe() {
  const message = $("geo-message");
  const say = (text) => { message.textContent = text; message.hidden = !text; };
  if (!navigator.geolocation) return say("Your browser cannot share its location; move the map instead.");
  say("Finding your location…");
  navigator.geolocation.getCurrentPosition(
    (position) => {
      say("");
      mapState.map.setView([position.coords.latitude, position.coords.longitude], 13);
    },
    (error) => say(error.code === error.PERMISSION_DENIED
      ? "Location permission was refused. You can still search or move the map."
      : "Your location could not be found. Try again, or move the map."),
    { timeout: 10000, maximumAge: 60000 },
  );
}

ui.retry?.addEventListener("click", load);
if (ui.form) setupFilters();
if (!config.embed) {
  setupShare(config, currentState);
  history.replaceState(currentState(), "", stateUrl(currentState()));
}
remember();
load();
