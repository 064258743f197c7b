"""Fixtures of the distributed rigs (tests/distributed/README.md). CTest passes the build tree in
CT_BUILD_DIR (tests/distributed/CMakeLists.txt)."""

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fake_nodes import FakeNodes  # noqa: E402
from slurm_cluster import SlurmCluster  # noqa: E402

BUILD = Path(os.environ.get("CT_BUILD_DIR", HERE.parents[1] / "build" / "default"))
CARBONTRACKER = BUILD / "carbontracker"
PYTHONPATH = BUILD / "python"


@pytest.fixture(scope="session", autouse=True)
def built():
    for p in (CARBONTRACKER, BUILD / "fakes" / "libfake_nvml.so", PYTHONPATH / "carbontracker"):
        if not p.exists():
            pytest.fail(f"{p} is missing: build carbontracker_cli, fake_nvml and _carbontracker in {BUILD}")


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    """One cluster per test file: starting it takes about a second."""
    if os.geteuid() != 0:
        pytest.skip("the SLURM rig runs slurmd, which must be root (CI and the dev container are)")
    with SlurmCluster(tmp_path_factory.mktemp("slurm")) as cluster:
        yield cluster
    assert cluster.leftover_pids() == [], "processes of the cluster outlived it"


@pytest.fixture
def nodes(tmp_path):
    return FakeNodes(tmp_path / "nodes", 2, BUILD)


@pytest.fixture
def job_dirs(tmp_path):
    """(log dir, barrier dir) shared by the ranks."""
    log_dir, barrier = tmp_path / "logs", tmp_path / "barrier"
    log_dir.mkdir()
    barrier.mkdir()
    return log_dir, barrier
