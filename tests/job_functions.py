"""Jobs the queue tests give real workers: importable by dotted path from a worker process."""

import time
from pathlib import Path


def slow(path, name, seconds):
    """Take `seconds`, then write `name` as a line of the file at path: one line a run."""
    time.sleep(seconds)
    with Path(path).open("a") as runs:
        runs.write(f"{name}\n")
