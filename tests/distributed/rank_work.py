"""The work of one rank in the distributed rigs: moves this rank's share of its node's fake
counters in the middle of each epoch (tests/distributed/README.md).

    rank_work.py cli       child of `carbontracker run` (prints "Epoch N done" after each epoch)
    rank_work.py module    the Python module in this rank (CarbonTracker, epoch_start/epoch_end)
    rank_work.py torch     DDP over gloo on CPU, with the Python module in this rank

Every epoch is: [tracker epoch start] barrier, bumps, barrier [tracker epoch end]. The barriers
make every bump of epoch k fall inside epoch k of every rank, so the totals are deterministic
whoever measures what (even today, when every rank measures everything on its node).
Identity from torchrun (RANK, LOCAL_RANK, WORLD_SIZE) or SLURM (SLURM_PROCID, SLURM_LOCALID,
SLURM_NTASKS); CT_RIG_BARRIER is a directory shared by the ranks, CT_RIG_LOG_DIR the log directory.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fake_nodes  # noqa: E402

BARRIER_TIMEOUT_S = 60


def env_int(*names):
    for n in names:
        if os.environ.get(n, "") != "":
            return int(os.environ[n])
    raise SystemExit(f"rank_work.py: none of {names} is set")


RANK = env_int("RANK", "SLURM_PROCID")
LOCAL_RANK = env_int("LOCAL_RANK", "SLURM_LOCALID")
WORLD = env_int("WORLD_SIZE", "SLURM_NTASKS")


def file_barrier(name):
    """All ranks arrive before any leaves: one file per rank in the shared directory."""
    d = Path(os.environ["CT_RIG_BARRIER"])
    (d / f"{name}.{RANK}").write_text("")
    deadline = time.monotonic() + BARRIER_TIMEOUT_S
    while len(list(d.glob(f"{name}.*"))) < WORLD:
        if time.monotonic() > deadline:
            raise SystemExit(f"rank {RANK}: barrier {name} timed out with "
                             f"{len(list(d.glob(name + '.*')))} of {WORLD} ranks")
        time.sleep(0.01)


def bump(epoch):
    """This rank's share: GPU LOCAL_RANK of its node; local rank 0 also moves the node's zones."""
    index, node_dir = fake_nodes.node_from_env()
    if LOCAL_RANK < fake_nodes.GPUS_PER_NODE:
        fake_nodes.bump_gpu(node_dir, LOCAL_RANK, fake_nodes.gpu_delta_mj(index, LOCAL_RANK, epoch))
    if LOCAL_RANK == 0:
        for zone in fake_nodes.COUNTED_ZONES + fake_nodes.UNCOUNTED_ZONES:
            fake_nodes.bump_zone(node_dir, zone, fake_nodes.zone_delta_uj(index, zone, epoch))


def run_cli():
    for epoch in range(1, fake_nodes.EPOCHS + 1):
        file_barrier(f"e{epoch}a")
        bump(epoch)
        file_barrier(f"e{epoch}b")
        print(f"Epoch {epoch} done", flush=True)


def make_tracker():
    from carbontracker.tracker import CarbonTracker
    # The default sampling (1 s): the epochs' boundary reads are what the checks rely on; samples
    # in between only add reads that could meet a counter being rewritten.
    return CarbonTracker(epochs=fake_nodes.EPOCHS, log_dir=os.environ["CT_RIG_LOG_DIR"])


def run_module():
    tracker = make_tracker()
    for epoch in range(1, fake_nodes.EPOCHS + 1):
        tracker.epoch_start()
        file_barrier(f"e{epoch}a")
        bump(epoch)
        file_barrier(f"e{epoch}b")
        tracker.epoch_end()
    tracker.stop()


def run_torch():
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP

    dist.init_process_group("gloo")
    assert dist.get_rank() == RANK and dist.get_world_size() == WORLD
    torch.manual_seed(RANK)
    model = DDP(torch.nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    tracker = make_tracker()
    for epoch in range(1, fake_nodes.EPOCHS + 1):
        tracker.epoch_start()
        dist.barrier()
        bump(epoch)
        for _ in range(4):  # a few real DDP steps: gradients all-reduced over gloo
            x = torch.randn(16, 8)
            loss = model(x).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        dist.barrier()
        tracker.epoch_end()
    tracker.stop()
    # The ranks' parameters are equal after DDP steps: the all-reduce really ran.
    flat = torch.cat([p.detach().flatten() for p in model.parameters()])
    gathered = [torch.zeros_like(flat) for _ in range(WORLD)]
    dist.all_gather(gathered, flat)
    assert all(torch.equal(g, gathered[0]) for g in gathered), "DDP replicas differ"
    dist.destroy_process_group()


if __name__ == "__main__":
    # The job id the launcher gave, for the test to ask `report --job` about.
    job = os.environ.get("SLURM_JOB_ID") or os.environ.get("TORCHELASTIC_RUN_ID", "")
    shared = Path(os.environ["CT_RIG_BARRIER"])
    (shared / f"job.{RANK}").write_text(job)
    if sys.argv[1] != "cli":
        # The console output of this rank's tracker, for the test to tell which rank printed what
        # (the launchers' own prefixes name the local rank at best).
        out = os.open(shared / f"out.{RANK}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
    {"cli": run_cli, "module": run_module, "torch": run_torch}[sys.argv[1]]()
