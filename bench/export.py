"""Full downloads (format=csv / geojson) streamed from gunicorn, with the workers' memory.

A download of every entry must not hold every entry in memory: while it streams, the resident
memory of each gunicorn worker is sampled, and the largest growth over its level before the
download must stay within a few chunks' worth, whatever the size of the download.
"""

import http.client
import threading
import time
from pathlib import Path

# Streaming keeps a worker's growth to a few chunks of 2,000 rows (about 1-2 MB); holding the
# 200,000-entry downloads (tens to over a hundred MB) would go far beyond this.
MAX_GROWTH_MB = 16


def worker_pids(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    return [int(pid) for pid in children.split()]


def resident_bytes(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class MemoryWatch(threading.Thread):
    """Samples the workers' resident memory until stopped; growth is the largest increase."""

    def __init__(self, pids, interval=0.02):
        super().__init__(daemon=True)
        self.start_levels = {pid: resident_bytes(pid) for pid in pids}
        self.peaks = dict(self.start_levels)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            for pid in self.peaks:
                self.peaks[pid] = max(self.peaks[pid], resident_bytes(pid))
            time.sleep(self.interval)

    def growth(self):
        self.stopping.set()
        self.join()
        return max(self.peaks[pid] - self.start_levels[pid] for pid in self.peaks)


def measure_download(port, master_pid, path):
    """Download path, counting bytes as they arrive; returns size, seconds, memory growth."""
    watch = MemoryWatch(worker_pids(master_pid))
    watch.start()
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")
    size = 0
    last_piece = b""
    while piece := response.read(1 << 16):
        size += len(piece)
        last_piece = piece
    connection.close()
    seconds = time.perf_counter() - started
    return {"bytes": size, "seconds": seconds, "growth": watch.growth(), "tail": last_piece}


def run_downloads(port, master_pid):
    """Measure both full downloads; returns the figures by format."""
    results = {}
    for fmt in ("csv", "geojson"):
        figures = measure_download(port, master_pid, f"/api/v1/entries/?format={fmt}")
        if fmt == "geojson" and not figures.pop("tail").endswith(b"]}"):
            raise RuntimeError("the GeoJSON download did not finish its collection")
        figures.pop("tail", None)
        results[fmt] = figures
    return results


def describe_downloads(results, entries):
    for fmt, figures in results.items():
        grown = figures["growth"] / 1e6
        verdict = "PASS" if grown <= MAX_GROWTH_MB else "MISS"
        print(
            f"  download format={fmt}: {entries:,} entries, {figures['bytes'] / 1e6:.1f} MB in "
            f"{figures['seconds']:.1f} s; worker memory grew at most {grown:.1f} MB "
            f"(target <= {MAX_GROWTH_MB} MB: streamed, not held) {verdict}"
        )
