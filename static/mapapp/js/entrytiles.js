// Crowded views drawn from the server's vector tiles: a grid layer fetching the tiles that cover
// the view, with the map's filters, decoding them here and drawing each tile's features as
// markers: counts per cell below zoom 12 (layer "clusters"), each entry from there on ("entries").
/* global L */
import { VectorTile } from "@mapbox/vector-tile";
import { PbfReader } from "pbf";
import { fetchTile } from "./api.js";
import { cellMarker, entryDot } from "./map.js";

const TILE_ZOOM_MAX = 20; // the server's last tile zoom (mapapp.reads.tiles.MAX_ZOOM)

const EntryTiles = L.GridLayer.extend({
  options: { noWrap: true, maxNativeZoom: TILE_ZOOM_MAX },

  initialize(state, config) {
    L.GridLayer.prototype.initialize.call(this, {});
    this.state = state;
    this.config = config;
    this.query = null;
    // Per tile "z/x/y": its markers (cells counted apart) and the fetch to abort if it goes.
    this.drawn = new Map();
    // Fetches not yet settled: "drawn" waits for these, not for Leaflet's own "load", which
    // never comes when a tile still loading is unloaded (a zoom in and back out).
    this.pending = new Set();
    this.failed = null;
    this.on("tileunload", (event) => this.forget(event.coords));
  },

  settle(record) {
    this.pending.delete(record);
    if (this.pending.size === 0) this.fire("cm-settled");
  },

  createTile(coords, done) {
    // The grid's own tile stays empty: markers go to the marker pane, above every tile layer.
    const tile = document.createElement("div");
    const controller = new AbortController();
    const record = { markers: L.layerGroup(), cells: [], controller, z: coords.z };
    this.drawn.set(tileKey(coords), record);
    this.pending.add(record);
    fetchTile(this.config, this.query, coords, controller.signal).then(
      (bytes) => {
        if (controller.signal.aborted) return;
        this.draw(record, bytes, coords);
        done(null, tile);
        this.settle(record);
      },
      (error) => {
        // An unloaded tile's failure is no one's: its view is gone.
        if (controller.signal.aborted) return;
        this.failed ??= error;
        done(error, tile);
        this.settle(record);
      },
    );
    return tile;
  },

  draw(record, bytes, coords) {
    const layers = bytes.byteLength ? new VectorTile(new PbfReader(bytes)).layers : {};
    for (const feature of features(layers.clusters, coords)) {
      const cell = { ...feature.properties, lon: feature.geometry.coordinates[0], lat: feature.geometry.coordinates[1] };
      const marker = cellMarker(this._map, cell);
      record.cells.push(marker);
      record.markers.addLayer(marker);
    }
    const [prefix, suffix] = this.config.entryPath;
    for (const feature of features(layers.entries, coords)) {
      feature.properties.url = `${prefix}${encodeURIComponent(feature.properties.slug)}${suffix}`;
      record.markers.addLayer(entryDot(this.state, feature));
    }
    record.markers.addTo(this._map);
  },

  forget(coords) {
    const record = this.drawn.get(tileKey(coords));
    if (!record) return;
    record.controller.abort();
    record.markers.remove();
    this.drawn.delete(tileKey(coords));
    if (this.pending.has(record)) this.settle(record);
  },

  onRemove(map) {
    L.GridLayer.prototype.onRemove.call(this, map);
    for (const record of this.drawn.values()) {
      record.controller.abort();
      record.markers.remove();
    }
    this.drawn.clear();
    this.pending.clear();
    this.fire("cm-settled");
  },
});

function tileKey({ z, x, y }) {
  return `${z}/${x}/${y}`;
}

function* features(layer, { x, y, z }) {
  for (let i = 0; i < (layer?.length || 0); i += 1) yield layer.feature(i).toGeoJSON(x, y, z);
}

// The map's vector tile layer: shown with a filter query (a new query draws new tiles), hidden
// when the view fits in one page.
export function entryTiles(state, config) {
  const layer = new EntryTiles(state, config);
  return {
    // Resolves once the tiles covering the view are drawn; rejects if one of them failed.
    show(query) {
      // After a failure every tile is fetched again, so none stays blank behind a "ready".
      const stale = layer.query !== query || layer.failed;
      layer.query = query;
      layer.failed = null;
      if (!state.map.hasLayer(layer)) layer.addTo(state.map);
      else if (stale) layer.redraw();
      return drawn(layer);
    },
    hide() {
      layer.remove();
      layer.failed = null;
    },
    // Cluster markers of the current zoom's tiles whose place is in view (tiles of the zoom
    // just left stay a moment, as Leaflet fades between levels).
    cellCount() {
      if (!state.map.hasLayer(layer)) return 0;
      const bounds = state.map.getBounds();
      const z = Math.min(state.map.getZoom(), TILE_ZOOM_MAX);
      let count = 0;
      for (const record of layer.drawn.values()) {
        if (record.z !== z) continue;
        count += record.cells.filter((marker) => bounds.contains(marker.getLatLng())).length;
      }
      return count;
    },
  };
}

function drawn(layer) {
  const outcome = () => (layer.failed ? Promise.reject(layer.failed) : Promise.resolve());
  if (layer.pending.size === 0) return outcome();
  return new Promise((resolve) => layer.once("cm-settled", resolve)).then(outcome);
}
