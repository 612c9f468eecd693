// An import's progress bar: polls the run's progress.json and moves the <progress> element;
// once the job has finished (planned, applied, failed…) the page is loaded again to show the
// next step. Without JavaScript the page's "Check again" link does the same by hand.

const POLL_MS = 1000;
const MAX_POLL_MS = 10000;
const RUNNING = new Set(["planning", "applying"]);

const bar = document.getElementById("import-progress");
const text = document.getElementById("import-progress-text");

function show(progress) {
  if (progress.total > 0) {
    bar.max = progress.total;
    bar.value = progress.done;
  } else {
    // No total yet: an indeterminate bar, which a <progress> without a value is.
    bar.removeAttribute("value");
  }
  const counted = progress.total > 0 ? `${progress.done} of ${progress.total} rows · ` : "";
  text.textContent = counted + (progress.message || `${progress.percent}%`);
}

async function poll(delay) {
  let next = delay;
  try {
    const response = await fetch(bar.dataset.progressUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`progress: HTTP ${response.status}`);
    const progress = await response.json();
    if (!RUNNING.has(progress.status)) {
      location.reload();
      return;
    }
    show(progress);
    next = POLL_MS;
  } catch {
    // A lost connection or a busy server: try again, less often each time.
    next = Math.min(delay * 2, MAX_POLL_MS);
  }
  setTimeout(() => poll(next), next);
}

if (bar && bar.dataset.progressUrl) {
  document.body.dataset.importPolling = "on";
  setTimeout(() => poll(POLL_MS), POLL_MS);
}
