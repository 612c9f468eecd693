// The side panel's list of entries in view, kept in step with the map.
import { el } from "./dom.js";

const MAX_ITEMS = 200;

export function renderList(list, features, categoryOf, handlers) {
  const items = features.slice(0, MAX_ITEMS).map((feature) => listItem(feature, categoryOf, handlers));
  list.replaceChildren(...items);
  if (features.length > MAX_ITEMS) {
    list.append(el("li", { className: "more", text: `…and ${features.length - MAX_ITEMS} more. Zoom in to see them all.` }));
  }
}

function listItem(feature, categoryOf, handlers) {
  const props = feature.properties;
  const category = categoryOf(props.category);
  const swatch = el("span", { className: "swatch", "aria-hidden": "true" });
  swatch.style.backgroundColor = category.colour;
  const button = el("button", { type: "button", className: "entry-button", "data-id": feature.id },
    el("span", { className: "entry-name", text: props.name }),
    el("span", { className: "entry-meta" }, swatch,
      [category.name, props.locality].filter(Boolean).join(" · ")),
    props.threat !== "none" ? el("span", { className: "cm-badge", text: props.threat === "lost" ? "Lost" : "At risk" }) : null,
  );
  button.addEventListener("mouseenter", () => handlers.highlight(feature.id, true));
  button.addEventListener("mouseleave", () => handlers.highlight(feature.id, false));
  button.addEventListener("focus", () => handlers.highlight(feature.id, true));
  button.addEventListener("blur", () => handlers.highlight(feature.id, false));
  button.addEventListener("click", () => handlers.open(feature.id));
  return el("li", {}, button);
}

export function markActive(list, id) {
  for (const button of list.querySelectorAll(".entry-button")) {
    button.classList.toggle("is-active", button.dataset.id === id);
  }
}
