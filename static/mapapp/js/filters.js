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
  setSelect(form.elements.tag, filters.tags);
  setSelect(form.elements.case_kind, filters.caseKinds);
  setSelect(form.elements.case_status, filters.caseStatuses);
  form.elements.deadline_within.value = filters.deadlineWithin;
  // Ticked with another number of days from an address, the box keeps it.
  const verified = form.elements.verified_within;
  verified.checked = Boolean(filters.verifiedWithin);
  verified.value = filters.verifiedWithin || "365";
  // The box keeps the address's exact threats (e.g. lost only) while it stays ticked.
  const threat = form.elements.threat;
  threat.checked = filters.threats.length > 0;
  threat.value = (threat.checked ? filters.threats : UNDER_THREAT).join(",");
}

export function fillTags(select, tags, selectedTags) {
  const options = tags.map((tag) => el("option", { value: tag.slug, text: `${tag.name} (${tag.entry_count})` }));
  select.replaceChildren(el("option", { value: "", text: "Any tag" }), ...options);
  setSelect(select, selectedTags);
}

// A select showing a comma list: several values (from an address) get an option of their own.
function setSelect(select, values) {
  const value = values.join(",");
  ensureOption(select, value);
  select.value = value;
}

function ensureOption(select, value) {
  if (value && ![...select.options].some((o) => o.value === value)) {
    select.append(el("option", { value, text: value }));
  }
}
