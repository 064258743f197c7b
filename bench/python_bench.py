#!/usr/bin/env python3
"""What the Python package costs a training script (docs/performance.md, section "Python").

    PYTHONPATH=build/default/python /usr/bin/python3 bench/python_bench.py [--quick] [--json out.json]

Measures, each side by side with a Python baseline doing nothing:
  import      `from carbontracker.tracker import CarbonTracker` in a fresh interpreter: wall time
              and RSS added (baseline: importing an empty module the same way).
  constructor CarbonTracker(epochs=...) wall time, first (loads the extension) and later ones;
              child processes spawned (must be 0). Baseline: constructing an empty Python object.
  epoch_end   median/p90/p99 of epoch_start()+epoch_end() pairs' epoch_end, and epoch_start's
              median, with and without log_dir (baseline: an empty Python method call).
  steady CPU  process CPU time per monitored minute at the default update_interval=1, while the
              main thread sleeps inside an epoch (baseline: the same sleep with no tracker).
Uses the host's sensors (set CARBONTRACKER_SYSFS_ROOT etc. to pin them) and a fixed intensity,
so nothing reaches the network.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

INTENSITY = dict(intensity_g_per_kwh=100)


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def child(code):
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


IMPORT_CODE = """
import json, time, sys
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'): return int(line.split()[1])
r0 = rss(); t0 = time.perf_counter()
{stmt}
t1 = time.perf_counter(); r1 = rss()
print(json.dumps({{"s": t1 - t0, "rss_kb": r1 - r0}}))
"""


def bench_import(rounds):
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "empty_module.py"), "w").close()
        sys.path.insert(0, d)
        os.environ["PYTHONPATH"] = d + os.pathsep + os.environ.get("PYTHONPATH", "")
        ours = [child(IMPORT_CODE.format(stmt="from carbontracker.tracker import CarbonTracker")) for _ in range(rounds)]
        base = [child(IMPORT_CODE.format(stmt="import empty_module")) for _ in range(rounds)]
        ext = [
            child(IMPORT_CODE.format(stmt="from carbontracker.tracker import CarbonTracker; import carbontracker._carbontracker"))
            for _ in range(rounds)
        ]
    med = lambda xs, k: statistics.median(x[k] for x in xs)  # noqa: E731
    return {
        "import_tracker_ms": med(ours, "s") * 1e3,
        "import_tracker_rss_kb": med(ours, "rss_kb"),
        "import_with_extension_ms": med(ext, "s") * 1e3,
        "import_with_extension_rss_kb": med(ext, "rss_kb"),
        "baseline_import_empty_module_ms": med(base, "s") * 1e3,
        "baseline_import_empty_module_rss_kb": med(base, "rss_kb"),
    }


CTOR_CODE = """
import json, os, time, resource
from carbontracker.tracker import CarbonTracker
def children():
    n = 0
    for tid in os.listdir('/proc/self/task'):
        n += len(open(f'/proc/self/task/{tid}/children').read().split())
    return n
ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.perf_counter()
t = CarbonTracker(epochs=10, verbose=0, intensity_g_per_kwh=100)
t1 = time.perf_counter()
kids = children()
t.stop()
later = []
for _ in range(ROUNDS):
    a = time.perf_counter(); x = CarbonTracker(epochs=10, verbose=0, intensity_g_per_kwh=100); b = time.perf_counter()
    x.stop(); later.append(b - a)
class Empty:
    def __init__(self, epochs): self.epochs = epochs
base = []
for _ in range(ROUNDS):
    a = time.perf_counter(); Empty(10); b = time.perf_counter(); base.append(b - a)
ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
later.sort(); base.sort()
print(json.dumps({"first_ms": (t1 - t0) * 1e3, "later_median_ms": later[len(later)//2] * 1e3,
                  "children_alive_after_ctor": kids,
                  "children_cpu_s": (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime),
                  "baseline_empty_ctor_us": base[len(base)//2] * 1e6}))
"""


def bench_constructor(rounds):
    return child(CTOR_CODE.replace("ROUNDS", str(rounds)))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def bench_epoch_end(epochs, log_dir):
    from carbontracker.tracker import CarbonTracker

    t = CarbonTracker(epochs=epochs, verbose=0, log_dir=log_dir, **INTENSITY)
    starts, ends = [], []
    pc = time.perf_counter_ns
    for _ in range(epochs):
        a = pc()
        t.epoch_start()
        b = pc()
        t.epoch_end()
        ends.append((pc() - b) / 1e3)
        starts.append((b - a) / 1e3)
    t.stop()
    first10 = ends[:10]
    return {
        "epoch_start_median_us": statistics.median(starts),
        "median_us": statistics.median(ends),
        "p90_us": pct(ends, 90),
        "p99_us": pct(ends, 99),
        "first10_median_us": statistics.median(first10),
    }


def bench_binding_overhead(n):
    """epoch_end() on a stopped tracker: the C++ side returns at once, so this is what the
    Python wrapper, pybind11 and releasing/retaking the GIL cost per call."""
    from carbontracker.tracker import CarbonTracker

    t = CarbonTracker(epochs=1, verbose=0, **INTENSITY)
    t.stop()
    pc = time.perf_counter_ns
    xs = []
    for _ in range(n):
        a = pc()
        t.epoch_end()
        xs.append((pc() - a) / 1e3)
    return statistics.median(xs)


def bench_empty_call(n):
    class Empty:
        def epoch_end(self):
            pass

    e = Empty()
    pc = time.perf_counter_ns
    xs = []
    for _ in range(n):
        a = pc()
        e.epoch_end()
        xs.append((pc() - a) / 1e3)
    return statistics.median(xs)


def thread_cpu_ns():
    """CPU time of each thread of this process (schedstat: ns resolution, unlike utime)."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as f:
                out[int(tid)] = int(f.read().split()[0])
        except OSError:
            pass  # the thread ended
    return out


def bench_steady_cpu(seconds, epochs):
    import threading

    from carbontracker.tracker import CarbonTracker

    main_tid = threading.get_native_id()

    def run(with_tracker):
        # epochs + 1: the tracker must still run (its threads alive) when the loop is measured.
        t = CarbonTracker(epochs=epochs + 1, verbose=0, **INTENSITY) if with_tracker else None
        c0, w0, th0 = time.process_time(), time.perf_counter(), thread_cpu_ns()
        for _ in range(epochs):
            if t:
                t.epoch_start()
            time.sleep(seconds / epochs)
            if t:
                t.epoch_end()
        c1, w1, th1 = time.process_time(), time.perf_counter(), thread_cpu_ns()
        if t:
            t.stop()
        per_min = 60 / (w1 - w0)  # ms per minute from ms
        helpers = sum(v - th0.get(k, 0) for k, v in th1.items() if k != main_tid) / 1e6
        main = (th1.get(main_tid, 0) - th0.get(main_tid, 0)) / 1e6
        return (c1 - c0) * 1e3 * per_min, main * per_min, helpers * per_min

    base, base_main, _ = run(False)
    ours, ours_main, helpers = run(True)
    return {
        "cpu_ms_per_min": ours,
        "baseline_cpu_ms_per_min": base,
        "net_cpu_ms_per_min": ours - base,
        "python_thread_ms_per_min": ours_main,
        "baseline_python_thread_ms_per_min": base_main,
        "tracker_threads_ms_per_min": helpers,
        "seconds": seconds,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer rounds, 20 s steady phase")
    p.add_argument("--json", help="also write the results here")
    a = p.parse_args()
    rounds = 5 if a.quick else 15
    out = {"python": sys.version.split()[0], "machine": os.uname().machine}
    out["import"] = bench_import(rounds)
    out["constructor"] = bench_constructor(rounds * 4)
    with tempfile.TemporaryDirectory() as d:
        out["epoch_end_log_dir"] = bench_epoch_end(100, d)
    out["epoch_end_no_log_dir"] = bench_epoch_end(100, None)
    out["epoch_end_baseline_empty_call_us"] = bench_empty_call(1000)
    out["binding_overhead_per_call_us"] = bench_binding_overhead(1000)
    out["steady"] = bench_steady_cpu(20 if a.quick else 60, 4)
    out["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    text = json.dumps(out, indent=2)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
