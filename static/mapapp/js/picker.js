// The location picker on entry forms: click or drag the pin, or type coordinates.
/* global L */
import { baseMap, readConfig } from "./tiles.js";

const config = readConfig();
const container = document.getElementById("picker-map");
const lonInput = document.getElementById("id_longitude");
const latInput = document.getElementById("id_latitude");

function typedPoint() {
  const lat = parseFloat(latInput.value);
  const lon = parseFloat(lonInput.value);
  const valid = Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
  return valid ? [lat, lon] : null;
}

if (container && lonInput && latInput) {
  const start = typedPoint();
  const map = baseMap(container, config).setView(start || config.center, start ? 15 : config.zoom);
  let pin = null;

  const place = (latlng, { pan = false } = {}) => {
    if (!pin) {
      pin = L.marker(latlng, { draggable: true, keyboard: true, title: "Entry location", alt: "Entry location" }).addTo(map);
      pin.on("dragend", () => write(pin.getLatLng()));
    } else {
      pin.setLatLng(latlng);
    }
    if (pan) map.panTo(latlng);
  };
  const write = (latlng) => {
    latInput.value = latlng.lat.toFixed(6);
    lonInput.value = L.Util.wrapNum(latlng.lng, [-180, 180], true).toFixed(6);
  };

  if (start) place(start);
  map.on("click", (event) => { place(event.latlng); write(event.latlng); });
  for (const input of [latInput, lonInput]) {
    input.addEventListener("change", () => {
      const point = typedPoint();
      if (point) place(point, { pan: true });
    });
  }
  document.body.dataset.mapState = "ready";
}
