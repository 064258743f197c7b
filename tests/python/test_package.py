"""The package as a whole: what importing it costs and loads, and its version."""

import re

from conftest import REPO, run_python


def test_version_matches_the_cmake_project_and_the_extension():
    import carbontracker
    from carbontracker import _carbontracker

    cmake = (REPO / "CMakeLists.txt").read_text()
    project_version = re.search(r"project\(carbontracker VERSION ([0-9.]+)", cmake).group(1)
    assert carbontracker.__version__ == project_version == _carbontracker.__version__


def test_importing_the_tracker_loads_neither_the_extension_nor_numpy():
    r = run_python(
        "import sys, carbontracker.tracker, carbontracker.parser, carbontracker.exceptions\n"
        "print(sorted(m for m in sys.modules if m.startswith(('carbontracker._carbontracker', 'numpy', 'torch'))))"
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_import_is_fast():
    # Generous bound for a loaded CI machine; bench/python_bench.py measures the real figure.
    r = run_python(
        "import time; t = time.perf_counter()\n"
        "from carbontracker.tracker import CarbonTracker\n"
        "print(time.perf_counter() - t)"
    )
    assert r.returncode == 0, r.stderr
    assert float(r.stdout) < 0.25


def test_constructing_a_tracker_spawns_no_process():
    r = run_python(
        "import subprocess, os\n"
        "calls = []\n"
        "orig = subprocess.Popen.__init__\n"
        "def spy(self, *a, **k):\n"
        "    calls.append(a)\n"
        "    return orig(self, *a, **k)\n"
        "subprocess.Popen.__init__ = spy\n"
        "os.fork = lambda: calls.append('fork')\n"
        "from carbontracker.tracker import CarbonTracker\n"
        "t = CarbonTracker(epochs=1, verbose=0, intensity_g_per_kwh=100)\n"
        "t.epoch_start(); t.epoch_end()\n"
        "print(len(calls))"
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "0"
