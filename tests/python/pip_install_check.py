"""`pip install --no-build-isolation .` into a fresh venv made with
`python3 -m venv --system-site-packages`, then the installed package is imported and used from
outside the source tree. Run by CTest (python_pip_install) with CT_PIP_TEST_BUILD_DIR set
to the build tree, whose _carbontracker target the install builds (not reconfigures)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PYTHON = os.environ.get("CT_PIP_TEST_PYTHON", sys.executable)


def _venv_ok():
    r = subprocess.run([PYTHON, "-c", "import ensurepip, venv"], capture_output=True)
    return r.returncode == 0


@pytest.mark.skipif(not _venv_ok(), reason="python3-venv (ensurepip) is missing: install it with scripts/install-deps")
def test_pip_install_into_a_venv(tmp_path):
    build_dir = os.environ.get("CT_PIP_TEST_BUILD_DIR")
    assert build_dir, "CT_PIP_TEST_BUILD_DIR must name the build tree (set by CTest)"
    venv = tmp_path / "venv"
    subprocess.run([PYTHON, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    py = venv / "bin" / "python"
    pip = subprocess.run([str(py), "-m", "pip", "--version"], capture_output=True, text=True)
    if pip.returncode != 0:
        pytest.skip(f"pip is missing in the venv ({pip.stderr.strip()}): install python3-pip (scripts/install-deps)")

    env = dict(os.environ, CARBONTRACKER_CMAKE_BUILD_DIR=build_dir, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    r = subprocess.run(
        [str(py), "-m", "pip", "install", "--no-build-isolation", "--no-index", str(REPO)],
        capture_output=True,
        text=True,
        env=env,
        timeout=280,
    )
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]

    check = """
import sys, carbontracker, carbontracker.tracker, carbontracker.parser, carbontracker._carbontracker as n
assert carbontracker.__file__.startswith(sys.prefix), carbontracker.__file__
assert n.__version__ == carbontracker.__version__
from carbontracker.tracker import CarbonTracker
t = CarbonTracker(epochs=1, verbose=0, sim_cpu="c", sim_cpu_tdp=10, sim_gpu="g", sim_gpu_watts=10,
                  intensity_g_per_kwh=100)
t.epoch_start(); t.epoch_end(); t.stop()
assert t.snapshot()["finished"]
# Prometheus from the installed package: the /metrics plugin is loaded from beside the extension.
import contextlib, io, os, re, urllib.request
out = io.StringIO()
with contextlib.redirect_stdout(out):
    t = CarbonTracker(epochs=1, verbose=1, prometheus="127.0.0.1:0", sim_cpu="c", sim_cpu_tdp=10,
                      intensity_g_per_kwh=100)
url = re.search(r"Prometheus metrics at (\\S+)", out.getvalue()).group(1)
plugin = os.path.join(os.path.dirname(n.__file__), "libcarbontracker_httpd.so")
assert plugin in open("/proc/self/maps").read(), plugin
with urllib.request.urlopen(url, timeout=5) as r:
    assert "carbontracker_energy_joules_total" in r.read().decode()
with contextlib.redirect_stdout(out):
    t.stop()
print("ok", carbontracker.__version__)
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["CARBONTRACKER_SYSFS_ROOT"] = str(tmp_path)
    env["CARBONTRACKER_NVML_LIBRARY"] = str(tmp_path / "none.so")
    r = subprocess.run([str(py), "-c", check], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("ok 0.")
