// The filter form: reads and writes the filter part of the state.
import { el } from "./dom.js";

export function readFilters(form) {
  const data = new FormData(form);
  return {
    q: (data.get("q") || "").trim(),
    categories: data.getAll("category"),
    tag: data.get("tag") || "",
    threat: data.get("threat") === "1",
  };
}

export function writeFilters(form, filters) {
  form.elements.q.value = filters.q;
  for (const box of form.querySelectorAll('input[name="category"]')) {
    box.checked = filters.categories.includes(box.value);
  }
  ensureTagOption(form.elements.tag, filters.tag);
  form.elements.tag.value = filters.tag;
  form.elements.threat.checked = filters.threat;
}

export function fillTags(select, tags, selected) {
  const options = tags.map((tag) => el("option", { value: tag.slug, text: `${tag.name} (${tag.entry_count})` }));
  select.replaceChildren(el("option", { value: "", text: "Any tag" }), ...options);
  ensureTagOption(select, selected);
  select.value = selected;
}

function ensureTagOption(select, slug) {
  if (slug && ![...select.options].some((o) => o.value === slug)) {
    select.append(el("option", { value: slug, text: slug }));
  }
}
