"""The overhead benchmark's workload in Python: bare, or under carbontracker.tracker.CarbonTracker.

    python3 workload.py bare|api ITERATIONS EPOCHS INTERVAL_S RESULT_JSON [LOG_DIR]
    python3 workload.py --calibrate SECONDS      prints iterations per second

The same dependent hash chain as workload.cpp (masked to 64 bits), split into equal epochs,
printing "Epoch k/N" after each. RESULT_JSON gets the same fields as the C++ workload, plus the
CPU time, wall time and resident memory that importing carbontracker.tracker added. Standard
library only, so the bare run imports nothing the tracked run does not. Steady CPU is measured
over the same quiet stretches (a tenth into each epoch to its end): the CPU of every thread but
the main one there, quiet_cpu_s over quiet_wall_s.
"""
import json
import sys
import time

MASK = (1 << 64) - 1


def spin(x, rounds):
    for _ in range(rounds):
        x = (x + 0x9E3779B97F4A7C15) & MASK
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
        x ^= x >> 31
    return x


def other_threads_cpu():
    """CPU of every thread but this one: the main thread's clock read on both sides of the
    process clock, so the main thread's CPU between the reads does not bias the difference."""
    before = time.thread_time()
    process = time.process_time()
    return process - 0.5 * (before + time.thread_time())


def rss_kib():
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import resource
    return pages * resource.getpagesize() // 1024


def main(argv):
    if len(argv) == 3 and argv[1] == "--calibrate":
        n, done, x, t0 = 100_000, 0, 1, time.perf_counter()
        while time.perf_counter() - t0 < float(argv[2]):
            x = spin(x, n)
            done += n
        print(int(done / (time.perf_counter() - t0)))
        return 0
    mode, iterations, epochs, interval_s, result_path = argv[1], int(argv[2]), int(argv[3]), float(argv[4]), argv[5]
    log_dir = argv[6] if len(argv) > 6 else None
    result = {"mode": "python-" + mode, "interval_s": interval_s, "epochs": epochs}
    calls = 0.0
    process0, main0, t0 = time.process_time(), time.thread_time(), time.perf_counter()
    tracker = None
    if mode == "api":
        rss0, cpu0, wall0 = rss_kib(), time.thread_time(), time.perf_counter()
        from carbontracker.tracker import CarbonTracker
        result["import_cpu_s"] = time.thread_time() - cpu0
        result["import_wall_s"] = time.perf_counter() - wall0
        result["import_rss_kib"] = rss_kib() - rss0
        c0 = time.thread_time()
        tracker = CarbonTracker(epochs=epochs, update_interval=interval_s, log_dir=log_dir)
        result["construct_cpu_s"] = time.thread_time() - c0
        calls += time.thread_time() - cpu0
    elif mode != "bare":
        raise SystemExit(f"MODE must be bare or api, not {mode!r}")
    x = 1
    per_epoch = iterations // epochs
    settle = per_epoch // 10
    quiet_cpu = quiet_wall = 0.0
    for e in range(1, epochs + 1):
        if tracker is not None:
            c0 = time.thread_time()
            tracker.epoch_start()
            calls += time.thread_time() - c0
        x = spin(x, settle)
        q0, w0 = other_threads_cpu(), time.perf_counter()
        x = spin(x, per_epoch - settle)
        quiet_cpu += other_threads_cpu() - q0
        quiet_wall += time.perf_counter() - w0
        if tracker is not None:
            c0 = time.thread_time()
            tracker.epoch_end()
            calls += time.thread_time() - c0
        print(f"Epoch {e}/{epochs} {x:016x}", flush=True)
    if tracker is not None:
        c0 = time.thread_time()
        tracker.stop()
        calls += time.thread_time() - c0
        components = tracker.snapshot()["components"].values()
        result["channels"] = sum(1 for c in components for d in c["devices"] if d["method"] == "counter")
    wall_s = time.perf_counter() - t0
    main_cpu_s = time.thread_time() - main0
    result.update(wall_s=wall_s, main_cpu_s=main_cpu_s, calls_cpu_s=calls, work_cpu_s=main_cpu_s - calls,
                  other_threads_cpu_s=(time.process_time() - process0) - main_cpu_s, checksum=f"{x:016x}",
                  quiet_cpu_s=quiet_cpu, quiet_wall_s=quiet_wall)
    with open(result_path, "w") as f:
        json.dump(result, f)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
