// The filter form: reads and writes the filter part of the state. The form's fields carry the
// query's own words (filterquery.js), so without JavaScript it opens the list with them.
import { el } from "./dom.js";
import { UNDER_THREAT, readFilterParams } from "./filterquery.js";

export function readFilters(form) {
  return readFilterParams(new URLSearchParams(new FormData(form)));
}

export function writeFilters(form, filters) {
  form.elements.q.value = filters.q;
  for (const box of form.querySelectorAll('input[name="category"]')) {
    box.checked = filters.categories.includes(box.value);
  }
  const tags = filters.tags.join(",");
  ensureTagOption(form.elements.tag, tags);
  form.elements.tag.value = tags;
  // The box keeps the address's exact threats (e.g. lost only) while it stays ticked.
  const threat = form.elements.threat;
  threat.checked = filters.threats.length > 0;
  threat.value = (threat.checked ? filters.threats : UNDER_THREAT).join(",");
}

export function fillTags(select, tags, selectedTags) {
  const selected = selectedTags.join(",");
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
