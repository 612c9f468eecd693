// Every map's base: the server's map config, and a Leaflet map over the configured tile layer
// (URL, attribution and maximum zoom from that config), so a tile setting changes in one place.
/* global L */

export function readConfig() {
  return JSON.parse(document.getElementById("map-config").textContent);
}

export function baseMap(container, config, options = {}) {
  const map = L.map(container, { maxZoom: config.maxZoom, ...options });
  L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: config.maxZoom })
    .addTo(map);
  // No "Leaflet" prefix: the attribution line credits the map data and tiles only.
  map.attributionControl.setPrefix(false);
  return map;
}
