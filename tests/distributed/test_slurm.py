"""Issue 14, "Tests with the real engines", SLURM: a real 2-node cluster (slurm_cluster.py), 2 fake
GPUs per node (fake_nodes.py), `srun -N2 -n4` with `carbontracker run` and with the Python module
in every rank. The job total must equal the fixtures' deltas exactly, each device measured once,
`report --job` and rank 0's report agreeing (tests/distributed/README.md)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CARBONTRACKER, PYTHONPATH
from fake_nodes import NODE_EXEC
import job_logs
from slurm_cluster import SlurmCluster, SlurmRigError, free_ports, port_in_use

RANK_WORK = str(Path(__file__).resolve().parent / "rank_work.py")
SRUN = ["srun", "-N2", "-n4", "--ntasks-per-node=2", "--label", "--kill-on-bad-exit=1"]
RANKS = [0, 1, 2, 3]
EPOCH_PATTERN = r"^Epoch (?P<epoch>\d+) done"


def job_env(nodes, log_dir, barrier):
    return {**nodes.env(), "CT_RIG_LOG_DIR": str(log_dir), "CT_RIG_BARRIER": str(barrier),
            "PYTHONPATH": str(PYTHONPATH), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"}


def job_id_of(barrier):
    ids = {(barrier / f"job.{r}").read_text() for r in RANKS}
    assert len(ids) == 1 and ids != {""}, ids
    return ids.pop()


def run_job(slurm, argv, env, tmp_path):
    t0 = time.monotonic()
    p = slurm.run([*SRUN, f"--chdir={tmp_path}", str(NODE_EXEC), *argv], env=env, timeout=120)
    wall = time.monotonic() - t0
    output = p.stdout + p.stderr
    assert p.returncode == 0, f"srun exit {p.returncode} after {wall:.1f} s\n{output[-4000:]}"
    print(f"srun job: {wall:.2f} s wall")
    return output


def test_srun_carbontracker_run_in_every_rank(slurm, nodes, job_dirs, tmp_path):
    log_dir, barrier = job_dirs
    output = run_job(slurm, [str(CARBONTRACKER), "run", "--log-dir", str(log_dir), "--epochs", "2",
                             "--epoch-pattern", EPOCH_PATTERN, "--", sys.executable, RANK_WORK, "cli"],
                     job_env(nodes, log_dir, barrier), tmp_path)
    job_id = job_id_of(barrier)
    # run: epoch 1 starts when the command starts, so only the job total is exact, not each epoch
    # (an epoch boundary is read when the marker line is read, a moment after it was printed).
    failures, runs = job_logs.job_failures(log_dir, nodes, job_id, RANKS, CARBONTRACKER, tmp_path)
    failures += job_logs.rank0_report_failures(job_logs.srun_label_outputs(output), nodes)
    assert not failures, "\n".join(failures) + f"\nruns: {runs}"


def test_srun_python_module_in_every_rank(slurm, nodes, job_dirs, tmp_path):
    log_dir, barrier = job_dirs
    run_job(slurm, [sys.executable, RANK_WORK, "module"], job_env(nodes, log_dir, barrier), tmp_path)
    job_id = job_id_of(barrier)
    failures, runs = job_logs.job_failures(log_dir, nodes, job_id, RANKS, CARBONTRACKER, tmp_path, per_epoch=True)
    failures += job_logs.rank0_report_failures(job_logs.rank_outputs(barrier, RANKS), nodes)
    assert not failures, "\n".join(failures) + f"\nruns: {runs}"


def test_cluster_has_two_nodes_on_this_host(slurm, tmp_path):
    """The rig itself: two slurmd, tasks spread 2 + 2, SLURMD_NODENAME tells them apart."""
    p = slurm.run([*SRUN, f"--chdir={tmp_path}", "sh", "-c", 'echo "$SLURMD_NODENAME $SLURM_LOCALID"'])
    assert p.returncode == 0, p.stderr
    got = sorted(line.split(": ", 1)[1] for line in p.stdout.splitlines())
    assert got == ["node1 0", "node1 1", "node2 0", "node2 1"], p.stdout


def test_one_rank_per_node_counts_each_node_exactly(slurm, nodes, job_dirs, tmp_path):
    """The rig's own check, true before and after issue 14: with one rank per node (`srun -N2
    -n2`, the Python module) nothing is shared, so the sum of the two ranks' totals is exactly the
    deltas of both nodes (local rank 0 moves its node's zones and GPU 0). The x2 of the tests
    above is then double counting, not the rig."""
    log_dir, barrier = job_dirs
    p = slurm.run(["srun", "-N2", "-n2", "--ntasks-per-node=1", "--label", "--kill-on-bad-exit=1",
                   f"--chdir={tmp_path}", str(NODE_EXEC), sys.executable, RANK_WORK, "module"],
                  env=job_env(nodes, log_dir, barrier))
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    runs = job_logs.load_runs(log_dir)
    assert len(runs) == 2, runs
    got, want = job_logs.sum_j(runs), nodes.expected_j(local_ranks=1)
    assert job_logs.close(got, want), job_logs.describe_overcount(got, want)
    for k in (1, 2):
        got_k = {c: sum(e["energy_j"][c] for r in runs for e in r.epochs if e["index"] == k)
                 for c in job_logs.COMPONENTS}
        assert job_logs.close(got_k, nodes.epoch_expected_j(k, local_ranks=1)), (k, got_k)


def test_torchrun_inside_srun(slurm, nodes, job_dirs, tmp_path):
    """torchrun launched by `srun --ntasks-per-node=1` on each node, 2 workers each: every worker
    has SLURM_LOCALID=0 and SLURM_PROCID = its node's index (reference/distributed.md), so
    identity must come from torchrun (LOCAL_RANK, RANK) and the job id from SLURM_JOB_ID. Same
    checks as above; the workers run the module (DDP is in test_torchrun.py)."""
    pytest.importorskip("torch", reason="python3-torch is not installed (scripts/install-deps)")
    log_dir, barrier = job_dirs
    (port,) = free_ports(1)
    env = {**job_env(nodes, log_dir, barrier), "GLOO_SOCKET_IFNAME": "lo"}
    # node_exec.sh runs in the srun task, so the launcher and its workers see the node's files.
    p = slurm.run(["srun", "-N2", "-n2", "--ntasks-per-node=1", "--label", "--kill-on-bad-exit=1",
                   f"--chdir={tmp_path}", str(NODE_EXEC), sys.executable, "-m", "torch.distributed.run",
                   "--nnodes=2", "--nproc_per_node=2", "--rdzv_backend=c10d", f"--rdzv_endpoint=127.0.0.1:{port}",
                   "--rdzv_id=ct-in-srun", "--redirects=2", "--tee=2", "--max_restarts=0", "--monitor_interval=0.2",
                   RANK_WORK, "module"], env=env, timeout=180)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    job_id = job_id_of(barrier)
    failures, runs = job_logs.job_failures(log_dir, nodes, job_id, RANKS, CARBONTRACKER, tmp_path, per_epoch=True)
    failures += job_logs.rank0_report_failures(job_logs.rank_outputs(barrier, RANKS), nodes)
    assert not failures, "\n".join(failures) + f"\nruns: {runs}"


def test_rig_stops_everything_with_a_job_still_running(tmp_path):
    """Leaving the cluster's `with` block with a job step running ends the daemons, the step and
    its tasks (and the srun client), and frees the ports."""
    if os.geteuid() != 0:
        pytest.skip("slurmd must be root")
    with SlurmCluster(tmp_path / "slurm") as cluster:
        srun = subprocess.Popen([*SRUN, f"--chdir={tmp_path}", "sleep", "300"], env=cluster.env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while len([p for p in cluster.leftover_pids() if _comm(p) == "sleep"]) < 4:
            assert time.monotonic() < deadline and srun.poll() is None, "the job's 4 tasks never started"
            time.sleep(0.05)
        ports = list(cluster.ports)
    srun.wait(timeout=10)
    assert cluster.leftover_pids() == []
    assert [p for p in ports if port_in_use(p)] == []


def test_rig_start_failure_names_the_daemon_and_cleans_up(tmp_path, monkeypatch):
    """A slurmd that cannot start (its node is not in slurm.conf) fails the start within seconds,
    with the daemons' logs in the message, and leaves nothing running."""
    if os.geteuid() != 0:
        pytest.skip("slurmd must be root")
    cluster = SlurmCluster(tmp_path / "slurm")
    spawn = cluster._spawn
    monkeypatch.setattr(cluster, "_spawn", lambda key, argv: spawn(
        key, [a.replace("node2", "node9") for a in argv] if key == "slurmd-node2" else argv))
    t0 = time.monotonic()
    with pytest.raises(SlurmRigError) as e:
        with cluster:
            pass
    assert time.monotonic() - t0 < 20
    assert "slurmd-node2 exited" in str(e.value) and "node9" in str(e.value), str(e.value)[-2000:]
    assert cluster.leftover_pids() == []
    assert [p for p in cluster.ports if port_in_use(p)] == []


def _comm(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""
