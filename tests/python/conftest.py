"""Shared setup of the Python tests: the machine the tracker sees is fixed (an empty sysfs, a
procfs fixture, no NVML), so results do not depend on the host; no test reaches the network (every
provider URL points at a closed local port)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
LOG_FIXTURES = FIXTURES / "logs"
PROCFS = FIXTURES / "procfs" / "xeon-gold-6248-2s"

# Simulated components: exact, host-independent numbers (250 W x 0.5 and 65 W x 0.5).
SIM = dict(sim_cpu="Sim CPU", sim_cpu_tdp=65, sim_gpu="Sim GPU", sim_gpu_watts=250)


@pytest.fixture(scope="session", autouse=True)
def fixed_machine(tmp_path_factory):
    sysfs = tmp_path_factory.mktemp("sysfs")
    saved = {k: v for k, v in os.environ.items() if k.startswith("CARBONTRACKER_")}
    for k in saved:
        del os.environ[k]
    os.environ["CARBONTRACKER_SYSFS_ROOT"] = str(sysfs)
    os.environ["CARBONTRACKER_PROCFS_ROOT"] = str(PROCFS)
    os.environ["CARBONTRACKER_NVML_LIBRARY"] = str(sysfs / "no-libnvidia-ml.so.1")
    # A location may pick a live intensity provider: every one points at a closed local port.
    for name in ("ELECTRICITYMAPS", "ENERGIDATASERVICE", "CARBONINTENSITY_UK", "WATTTIME", "GEOLOCATION"):
        os.environ[f"CARBONTRACKER_{name}_URL"] = "http://127.0.0.1:9"
    yield
    for k in [k for k in os.environ if k.startswith("CARBONTRACKER_")]:
        del os.environ[k]
    os.environ.update(saved)


def run_python(code_or_args, *, stdin=None, cwd=None, timeout=60, env=None):
    """Runs a child /usr/bin/python3 (the same interpreter) with this environment."""
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env=full_env,
    )


def log_files(log_dir, suffix):
    return sorted(Path(log_dir).glob(f"*_carbontracker{suffix}.log"))


def read_log(log_dir, suffix):
    files = log_files(log_dir, suffix)
    assert len(files) == 1, files
    return files[0].read_text()
