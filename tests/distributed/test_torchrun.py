"""Issue 14, "Tests with the real engines", torchrun: `python3 -m torch.distributed.run` with the
gloo backend on CPU (Debian's python3-torch), DDP training a small model with the Python module in
every rank, on fake per-node hardware (fake_nodes.py; tests/distributed/README.md).

Debian 12's torch 1.13 on Python 3.11 fails with torchrun's default `--redirects 0 --tee 0` (the
enum it parses skips 0 and 3 there), hence `--redirects 2 --tee 2`; it also spells the options
with underscores only (`--nproc_per_node`), which newer torch still accepts."""

import os
import subprocess
import sys
import time
import uuid

import pytest

from conftest import BUILD, CARBONTRACKER, PYTHONPATH
from fake_nodes import NODE_EXEC, FakeNodes
import job_logs
from slurm_cluster import free_ports, kill_pids_with_env, pids_with_env

RANK_WORK = str(job_logs.Path(__file__).resolve().parent / "rank_work.py")
LAUNCH_TIMEOUT_S = 180
MARKER = "CT_TORCHRUN_RIG"

torch = pytest.importorskip("torch", reason="python3-torch is not installed (scripts/install-deps)")


def launcher_env(fake, node, log_dir, barrier, simulate_host=True):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLURM_", "TORCHELASTIC_", "CARBONTRACKER_", "PET_", "OMPI_", "PMI_", "PMIX_"))
           and k not in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")}
    env.update(fake.env())
    env.update({"CT_RIG_NODE": node, "CT_RIG_LOG_DIR": str(log_dir), "CT_RIG_BARRIER": str(barrier),
                "PYTHONPATH": str(PYTHONPATH), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
                # gloo binds to the address gethostname() resolves to; on 127.0.0.1 use loopback.
                "GLOO_SOCKET_IFNAME": "lo", "OMP_NUM_THREADS": "1"})
    if not simulate_host:
        env["CT_RIG_REAL_HOST"] = "1"  # node_exec.sh leaves CARBONTRACKER_NODE unset
    env[MARKER] = str(log_dir)  # every launcher and worker of this job carries it
    return env


def torchrun(fake, nodes, tmp_path, log_dir, barrier, simulate_host=True, mode="torch"):
    """One torchrun launcher per node name in `nodes`, 2 workers each running `rank_work.py mode`,
    one c10d rendezvous.
    Returns the rendezvous id (torchrun's TORCHELASTIC_RUN_ID, the job id) and the output."""
    rdzv_id = f"ct-{uuid.uuid4().hex[:8]}"
    (port,) = free_ports(1)
    procs = []
    t0 = time.monotonic()
    for node in nodes:
        argv = [str(NODE_EXEC), sys.executable, "-m", "torch.distributed.run", f"--nnodes={len(nodes)}",
                "--nproc_per_node=2", "--rdzv_backend=c10d", f"--rdzv_endpoint=127.0.0.1:{port}",
                f"--rdzv_id={rdzv_id}", "--redirects=2", "--tee=2", "--max_restarts=0",
                "--monitor_interval=0.2",  # the agent polls its workers (default every 5 s)
                f"--log_dir={tmp_path / ('torchrun-' + node)}", RANK_WORK, mode]
        procs.append(subprocess.Popen(argv, env=launcher_env(fake, node, log_dir, barrier, simulate_host),
                                      cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    outputs = []
    deadline = time.monotonic() + LAUNCH_TIMEOUT_S
    try:
        for p in procs:
            try:
                out, _ = p.communicate(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                kill_pids_with_env(MARKER, str(log_dir))
                out, _ = p.communicate()
                out += f"\n[test: launcher killed after {LAUNCH_TIMEOUT_S} s]"
            outputs.append(out)
    finally:
        # A failed or hung job: its launchers and workers, by pid, wherever they are.
        leftovers = pids_with_env(MARKER, str(log_dir))
        kill_pids_with_env(MARKER, str(log_dir))
        for p in procs:
            p.wait()
    wall = time.monotonic() - t0
    print(f"torchrun job ({len(nodes)} launcher(s) x 2 workers): {wall:.2f} s wall")
    for node, p, out in zip(nodes, procs, outputs):
        assert p.returncode == 0, f"launcher on {node}: exit {p.returncode}\n{out[-4000:]}"
    assert leftovers == [], "processes of the job outlived its launchers"
    return rdzv_id, "\n".join(outputs)


def test_two_launchers_as_two_nodes_ddp_gloo(nodes, job_dirs, tmp_path):
    log_dir, barrier = job_dirs
    job_id, _ = torchrun(nodes, ["node1", "node2"], tmp_path, log_dir, barrier)
    failures, runs = job_logs.job_failures(log_dir, nodes, job_id, [0, 1, 2, 3], CARBONTRACKER, tmp_path,
                                           per_epoch=True)
    failures += job_logs.rank0_report_failures(job_logs.rank_outputs(barrier, [0, 1, 2, 3]), nodes)
    assert not failures, "\n".join(failures) + f"\nruns: {runs}"


def test_two_ranks_on_one_host_count_the_host_once(tmp_path, job_dirs):
    """The issue's "today" case: torchrun, 2 ranks on one host (its real identity: host name and
    machine id, no CARBONTRACKER_NODE). `report` on the shared log directory gives the host's
    energy once: its CPU and DRAM once, each of its 2 GPUs once. The workers run the module without
    DDP (the 2-node test has DDP): torch's import in each worker would double the test's time."""
    log_dir, barrier = job_dirs
    fake = FakeNodes(tmp_path / "nodes", 1, BUILD)
    job_id, _ = torchrun(fake, ["node1"], tmp_path, log_dir, barrier, simulate_host=False, mode="module")
    runs = job_logs.load_runs(log_dir)
    hosts = {r.ident("host") for r in runs}
    failures = []
    if len(hosts) != 1 or None in hosts:
        failures.append(f"hosts in the logs: {hosts}, expected this host's name once")
    host = next(iter(hosts))
    more, runs = job_logs.job_failures(log_dir, fake, job_id, [0, 1], CARBONTRACKER, tmp_path, per_epoch=True,
                                       host_of=lambda n: host)
    failures += more
    failures += job_logs.rank0_report_failures(job_logs.rank_outputs(barrier, [0, 1]), fake)
    assert not failures, "\n".join(failures) + f"\nruns: {runs}"
