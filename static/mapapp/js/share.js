// The "Share / embed" dialog: a permalink and an <iframe> for the current view.
import { filtersQuery } from "./filterquery.js";
import { viewHash } from "./urlstate.js";

export function setupShare(config, currentState) {
  const dialog = document.getElementById("share-dialog");
  const open = document.getElementById("share-open");
  if (!dialog || !open) return;
  const link = document.getElementById("share-link");
  const code = document.getElementById("share-code");
  open.addEventListener("click", () => {
    const state = currentState();
    const query = filtersQuery(state.filters);
    link.value = location.href;
    const src = `${config.embedUrl}${query ? "?" + query : ""}${viewHash(state.view)}`;
    // Built as text for the textarea; it is never inserted into our own page as HTML.
    code.value = `<iframe src="${src.replaceAll('"', "&quot;")}" width="100%" height="450" ` +
      `title="Commons Map" loading="lazy" style="border:0"></iframe>`;
    dialog.showModal();
    link.select();
  });
  document.getElementById("share-close").addEventListener("click", () => dialog.close());
  document.getElementById("share-copy").addEventListener("click", async () => {
    code.select();
    try { await navigator.clipboard.writeText(code.value); } catch { document.execCommand("copy"); }
  });
}
