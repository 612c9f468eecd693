// Filters ⇄ query string, in Commons Map's one filter vocabulary: the words the list page, the
// API and OGC read (mapapp/reads/filters.py) — category=a,b, tag=a,b, threat=at_risk,lost,
// q=words, verified_within=days, and the entries' threat cases: case_kind=a,b, case_status=a,b,
// deadline_within=days.
// The map's address, its API requests, the list link and the embed code all use it, so each
// selects the same entries. Old addresses (threat=1) are read as the server reads them.

export const UNDER_THREAT = ["at_risk", "lost"];
const TICKED = new Set(["1", "on", "true"]);
const ANY = new Set(["0", "false"]);

export function emptyFilters() {
  return { q: "", categories: [], tags: [], threats: [], caseKinds: [], caseStatuses: [], deadlineWithin: "", verifiedWithin: "" };
}

// Values of a repeatable parameter that also takes comma lists.
export function commaList(values) {
  return values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

export function readFilterParams(params) {
  const threats = commaList(params.getAll("threat"));
  const alias = threats.length === 1 ? threats[0].toLowerCase() : "";
  return {
    q: (params.get("q") || "").trim(),
    categories: commaList(params.getAll("category")),
    tags: commaList(params.getAll("tag")),
    threats: TICKED.has(alias) ? [...UNDER_THREAT] : ANY.has(alias) ? [] : threats,
    caseKinds: commaList(params.getAll("case_kind")),
    caseStatuses: commaList(params.getAll("case_status")),
    deadlineWithin: (params.get("deadline_within") || "").trim(),
    verifiedWithin: (params.get("verified_within") || "").trim(),
  };
}

export function filterParams(filters) {
  const params = new URLSearchParams();
  if (filters.q) params.set("q", filters.q);
  if (filters.categories.length) params.set("category", filters.categories.join(","));
  if (filters.tags.length) params.set("tag", filters.tags.join(","));
  if (filters.threats.length) params.set("threat", filters.threats.join(","));
  if (filters.caseKinds.length) params.set("case_kind", filters.caseKinds.join(","));
  if (filters.caseStatuses.length) params.set("case_status", filters.caseStatuses.join(","));
  if (filters.deadlineWithin) params.set("deadline_within", filters.deadlineWithin);
  if (filters.verifiedWithin) params.set("verified_within", filters.verifiedWithin);
  return params;
}

export function filtersQuery(filters) {
  return filterParams(filters).toString();
}

// The query of the threats page for a map view: the filters it takes (`names`, from the
// server's config) and the view's box.
export function threatsQuery(filters, bbox, names) {
  const params = new URLSearchParams();
  for (const [name, value] of filterParams(filters)) {
    if (names.includes(name)) params.set(name, value);
  }
  if (bbox) params.set("bbox", bbox.join(","));
  return params.toString();
}
