// The small map on an entry page: its public point, as a pin or a soft circle.
/* global L */
const config = JSON.parse(document.getElementById("map-config").textContent);
const container = document.getElementById("entry-map");
for (const swatch of document.querySelectorAll(".swatch[data-colour]")) {
  swatch.style.backgroundColor = swatch.dataset.colour;
}
if (container) {
  const exact = config.precision === "exact";
  const map = L.map(container, { scrollWheelZoom: false }).setView(config.point, exact ? 15 : 13);
  L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: config.maxZoom }).addTo(map);
  map.attributionControl.setPrefix(false);
  if (exact) {
    L.circleMarker(config.point, { radius: 9, color: "#1d2a33", weight: 2, fillColor: config.colour, fillOpacity: 0.9 }).addTo(map);
  } else {
    L.circle(config.point, { radius: config.precision === "area" ? 1200 : 400, color: config.colour, weight: 1, fillColor: config.colour, fillOpacity: 0.25 }).addTo(map);
  }
  document.body.dataset.mapState = "ready";
}
