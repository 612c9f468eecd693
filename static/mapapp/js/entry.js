// The small map on an entry page: its public point, as a pin or a soft circle.
/* global L */
import { paintSwatches } from "./dom.js";
import { baseMap, readConfig } from "./tiles.js";

const config = readConfig();
const container = document.getElementById("entry-map");
paintSwatches();
if (container) {
  const exact = config.precision === "exact";
  const map = baseMap(container, config, { scrollWheelZoom: false }).setView(config.point, exact ? 15 : 13);
  if (exact) {
    L.circleMarker(config.point, { radius: 9, color: "#1d2a33", weight: 2, fillColor: config.colour, fillOpacity: 0.9 }).addTo(map);
  } else {
    L.circle(config.point, { radius: config.precision === "area" ? 1200 : 400, color: config.colour, weight: 1, fillColor: config.colour, fillOpacity: 0.25 }).addTo(map);
  }
  document.body.dataset.mapState = "ready";
}
