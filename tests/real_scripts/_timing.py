"""Records this process's wall time, from its exec to its exit, for the test driving it.

The start is the kernel's (the process start time in /proc/self/stat, CLOCK_BOOTTIME ticks), so the
interpreter's own start-up counts; the end is taken at exit. Written to $REAL_SCRIPT_TIMES as
"start_s end_s" on CLOCK_BOOTTIME."""
import atexit
import os
import time


def _record():
    path = os.environ.get("REAL_SCRIPT_TIMES")
    if not path:
        return
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    start_s = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 overall: starttime
    end_s = time.clock_gettime(time.CLOCK_BOOTTIME)
    with open(path, "w") as f:
        f.write(f"{start_s} {end_s}\n")


atexit.register(_record)


def work(seconds):
    """Busy for `seconds` (a compute loop, like a training step)."""
    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        x = (x * 1103515245 + 12345) % 2147483648
    return x
