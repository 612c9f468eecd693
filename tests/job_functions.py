"""Jobs the queue tests give real workers: importable by dotted path from a worker process."""

import time
from pathlib import Path


def slow(path, name, seconds):
    """Take `seconds`, then write `name` as a line of the file at path: one line a run."""
    time.sleep(seconds)
    with Path(path).open("a") as runs:
        runs.write(f"{name}\n")


def noted(path, name, first, then=None):
    """Write `start name`, take `first` seconds (`then` on a later run, if given), then write
    `end name`: a run killed midway leaves a start without an end."""
    runs = Path(path)
    again = runs.exists() and f"start {name}" in runs.read_text().split("\n")
    with runs.open("a") as lines:
        lines.write(f"start {name}\n")
    time.sleep(then if again and then is not None else first)
    with runs.open("a") as lines:
        lines.write(f"end {name}\n")
