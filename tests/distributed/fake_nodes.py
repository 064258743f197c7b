"""Per-node fake hardware for the distributed rigs (tests/distributed/README.md).

Each simulated node gets its own copy of the intel-2socket sysfs fixture (powercap only: the perf
PMU directory is removed, so RAPL is read from the zone files) and a fake NVML configuration with
two GPUs whose counters are files (tests/fakes/README.md, `energy_file`). The ranks of a job move
these counters by fixed amounts in the middle of each epoch (rank_work.py), so the energy the job
used is known exactly: `Node.expected_j()` summed over the nodes.

A node is picked inside the job by `node_exec.sh` (SLURMD_NODENAME under SLURM, or CT_RIG_NODE set
by the test for torchrun launchers), which points the carbontracker variables at that node's tree
and sets CARBONTRACKER_NODE to the node's name, so two nodes on one machine are two hosts.

Counter writes never tear a read: RAPL zone files are held open by the product and read with
pread, so a new value of the same number of digits is written in place with one pwrite; GPU
counter files are opened afresh by the fake NVML at every read, so they are replaced by rename.
"""

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SYSFS_FIXTURE = FIXTURES / "sysfs" / "intel-2socket"
PROCFS_FIXTURE = FIXTURES / "procfs" / "xeon-gold-6248-2s"
HERE = Path(__file__).resolve().parent
NODE_EXEC = HERE / "node_exec.sh"

GPUS_PER_NODE = 2
EPOCHS = 2

# Zones the tracker counts (packages and their DRAM) and zones it must not add (core lies inside
# its package, psys overlaps everything): both are moved, only the first kind is expected.
COUNTED_ZONES = ("intel-rapl:0", "intel-rapl:1", "intel-rapl:0:0", "intel-rapl:1:0")
UNCOUNTED_ZONES = ("intel-rapl:0:1", "intel-rapl:1:1")


def zone_delta_uj(node_index, zone, epoch):
    """Distinct amounts per node, zone and epoch (so a mix-up cannot cancel out), well under the
    plausibility bound (1000 W package / 500 W DRAM over the 0.5 s slack alone)."""
    zi = (COUNTED_ZONES + UNCOUNTED_ZONES).index(zone)
    return (node_index + 1) * 1_000_000 + zi * 100_000 + epoch * 10_000 + 1_234


def gpu_delta_mj(node_index, gpu, epoch):
    return (node_index + 1) * 10_000 + gpu * 1_000 + epoch * 100 + 7


def gpu_uuid(node_index, gpu):
    return f"GPU-c7000000-0000-4000-8000-{node_index + 1:06d}{gpu:06d}"


class Node:
    """One simulated host: `name` (node1, ...), `index` (0-based), its directory."""

    def __init__(self, root, index):
        self.index = index
        self.name = f"node{index + 1}"
        self.dir = Path(root) / self.name
        self.sys = self.dir / "sys"
        shutil.copytree(SYSFS_FIXTURE, self.sys, symlinks=True)
        shutil.rmtree(self.sys / "bus")  # no perf PMU: powercap zone files only
        lines = []
        for i in range(GPUS_PER_NODE):
            self.gpu_file(i).write_text(f"{(index * 10 + i + 1) * 1_000_000}\n")
            lines.append(f'gpu name="NVIDIA A100-SXM4-40GB" uuid={gpu_uuid(index, i)} '
                         f"energy_file={self.gpu_file(i)} power_limit_mw=400000")
        (self.dir / "gpus.conf").write_text("\n".join(lines) + "\n")

    def gpu_file(self, i):
        return self.dir / f"gpu{i}.mj"

    def zone_file(self, zone):
        return self.sys / "class" / "powercap" / zone / "energy_uj"

    def epoch_expected_j(self, epoch, local_ranks=GPUS_PER_NODE):
        """What the node's counted counters move by in one epoch, in J, by component, when the node
        runs `local_ranks` ranks (local rank r moves GPU r)."""
        cpu = sum(zone_delta_uj(self.index, z, epoch) for z in COUNTED_ZONES[:2])
        dram = sum(zone_delta_uj(self.index, z, epoch) for z in COUNTED_ZONES[2:])
        gpu = sum(gpu_delta_mj(self.index, g, epoch) for g in range(min(local_ranks, GPUS_PER_NODE)))
        return {"cpu": cpu / 1e6, "dram": dram / 1e6, "gpu": gpu / 1e3}

    def expected_j(self, local_ranks=GPUS_PER_NODE):
        """The same over the whole job."""
        total = {"cpu": 0.0, "dram": 0.0, "gpu": 0.0}
        for e in range(1, EPOCHS + 1):
            for k, v in self.epoch_expected_j(e, local_ranks).items():
                total[k] += v
        return total


class FakeNodes:
    """The nodes of one test, under `root`, and the environment node_exec.sh needs."""

    def __init__(self, root, count, build_dir):
        self.root = Path(root)
        self.nodes = [Node(self.root, i) for i in range(count)]
        self.build_dir = Path(build_dir)

    def env(self):
        """Variables for the launcher (srun passes its environment to every task); node_exec.sh
        adds the per-node ones."""
        return {
            "CT_RIG_ROOT": str(self.root),
            "CT_RIG_PROCFS": str(PROCFS_FIXTURE),
            "CT_RIG_NVML": str(self.build_dir / "fakes" / "libfake_nvml.so"),
        }

    def expected_j(self, local_ranks=GPUS_PER_NODE):
        """The job's energy, in J, by component: the sum of every node's deltas."""
        total = {"cpu": 0.0, "dram": 0.0, "gpu": 0.0}
        for n in self.nodes:
            for k, v in n.expected_j(local_ranks).items():
                total[k] += v
        return total

    def epoch_expected_j(self, epoch, local_ranks=GPUS_PER_NODE):
        total = {"cpu": 0.0, "dram": 0.0, "gpu": 0.0}
        for n in self.nodes:
            for k, v in n.epoch_expected_j(epoch, local_ranks).items():
                total[k] += v
        return total


# ---- used inside a rank (rank_work.py), with the variables node_exec.sh set ----

def node_from_env():
    """(node index, node directory) of the calling rank."""
    name = os.environ["CT_RIG_NODE"]
    return int(name.removeprefix("node")) - 1, Path(os.environ["CT_RIG_ROOT"]) / name


def bump_zone(node_dir, zone, delta_uj):
    path = node_dir / "sys" / "class" / "powercap" / zone / "energy_uj"
    old = path.read_text()
    new = str(int(old) + delta_uj)
    assert len(new) == len(old.strip()), (path, old, new)  # same length: one in-place pwrite
    fd = os.open(path, os.O_WRONLY)
    try:
        os.pwrite(fd, new.encode(), 0)
    finally:
        os.close(fd)


def bump_gpu(node_dir, gpu, delta_mj):
    path = node_dir / f"gpu{gpu}.mj"
    new = int(path.read_text()) + delta_mj
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(f"{new}\n")
    os.replace(tmp, path)
