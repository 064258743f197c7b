"""A real SLURM cluster of two nodes on 127.0.0.1, for tests (tests/distributed/README.md).

    with SlurmCluster(tmp_dir) as cluster:
        cluster.run(["srun", "-N2", "-n4", "hostname"])

Debian's slurmctld, slurmd and munged, all in `tmp_dir`: a fresh munge key, munged on its own
socket, a slurm.conf with free ports and two NodeName lines on this host (slurmd -N node1 / -N
node2, `%n` in the slurmd paths; Debian builds slurmd with --enable-multiple-slurmd). Clients get
SLURM_CONF through `cluster.env()`. Start-up waits (bounded) until `sinfo` shows both nodes idle;
a failure raises SlurmRigError with the daemons' logs. Leaving the `with` block (or a failed
start) cancels the jobs, stops the daemons (SIGTERM, SIGKILL after 10 s), then ends, by pid, every
process still carrying this cluster's marker variable in its environment (srun clients, job
steps, tasks); `leftover_pids()` is then empty and the ports free.

Run as root (CI and the dev container do): slurmd must be root to start job steps.
"""

import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

NODES = ("node1", "node2")
# Two tasks per node for `srun -N2 -n4` (block distribution fills node1 first). More CPUs than the
# host has are fine: SlurmdParameters=config_overrides accepts them.
CPUS_PER_NODE = 2
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10
MARKER = "CT_SLURM_RIG"  # in the environment of the daemons, so of every step and task


class SlurmRigError(RuntimeError):
    pass


def pids_with_env(name, value):
    """Processes (other than this one) whose environment has name=value: what a test started,
    its launchers' children included, whatever became of their parents."""
    needle = b"\0" + f"{name}={value}".encode() + b"\0"
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            if needle in b"\0" + (d / "environ").read_bytes() + b"\0":
                pids.append(int(d.name))
        except OSError:
            pass  # gone, or not ours to read
    return pids


def kill_pids_with_env(name, value, keep=()):
    """SIGKILL, by pid, every process pids_with_env finds (but those in keep), until none is left
    (5 s at most)."""
    for _ in range(50):
        pids = [p for p in pids_with_env(name, value) if p not in keep]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)


def missing_programs():
    return [p for p in ("munged", "mungekey", "slurmctld", "slurmd", "srun", "sinfo", "squeue", "scancel")
            if shutil.which(p, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None]


def free_ports(n):
    """n distinct TCP ports free on 127.0.0.1 now (bound together, so they differ)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def port_in_use(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not in use
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class SlurmCluster:
    def __init__(self, root):
        self.root = Path(root)
        self.marker = f"{self.root}"
        self.procs = {}
        self.ports = []

    # ---- set-up ----

    def _write_config(self):
        r = self.root
        r.mkdir(parents=True, exist_ok=True)
        # munged refuses a socket unless every directory above it is searchable by everyone (as
        # root too, --force or not), which a test's temporary directory (0700) is not; a socket
        # path must also fit in 108 bytes. So the socket gets a short directory of its own in /tmp.
        self.munge_dir = Path(tempfile.mkdtemp(prefix="ct-munge."))
        os.chmod(self.munge_dir, 0o755)
        self.munge_socket = self.munge_dir / "munge.sock"
        for sub in ["state"] + [f"spool/{n}" for n in NODES]:
            (r / sub).mkdir(parents=True, exist_ok=True)
        ctld_port, *node_ports = free_ports(1 + len(NODES))
        self.ports = [ctld_port, *node_ports]
        user = getpass.getuser()
        host = socket.gethostname()
        lines = [
            "ClusterName=ctrig",
            "SlurmctldHost=localhost",
            f"SlurmctldPort={ctld_port}",
            f"SlurmUser={user}",
            f"SlurmdUser={user}",
            "AuthType=auth/munge",
            f"AuthInfo=socket={self.munge_socket}",
            "CredType=cred/munge",
            f"StateSaveLocation={r}/state",
            f"SlurmdSpoolDir={r}/spool/%n",
            f"SlurmdPidFile={r}/slurmd-%n.pid",
            f"SlurmdLogFile={r}/slurmd-%n.log",
            f"SlurmctldPidFile={r}/slurmctld.pid",
            f"SlurmctldLogFile={r}/slurmctld.log",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SlurmdParameters=config_overrides",
            "MpiDefault=none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "SchedulerType=sched/builtin",
            "ReturnToService=2",
            "JobCompType=jobcomp/none",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "MailProg=/bin/true",
            "SlurmctldDebug=info",
            "SlurmdDebug=info",
            # Quick turn-around for short test jobs.
            "MessageTimeout=10",
            "KillWait=2",
            "InactiveLimit=0",
            "MinJobAge=2",
        ]
        for name, port in zip(NODES, node_ports):
            lines.append(f"NodeName={name} NodeHostName={host} NodeAddr=127.0.0.1 Port={port} "
                         f"CPUs={CPUS_PER_NODE} RealMemory=1000 State=UNKNOWN")
        lines.append(f"PartitionName=rig Nodes={','.join(NODES)} Default=YES MaxTime=INFINITE State=UP "
                     "OverSubscribe=NO")
        self.conf = r / "slurm.conf"
        self.conf.write_text("\n".join(lines) + "\n")

    def env(self, extra=None):
        """The environment for clients (srun, sinfo, ...), carrying the marker."""
        e = dict(os.environ)
        e["SLURM_CONF"] = str(self.conf)
        e[MARKER] = self.marker
        e["PATH"] = e.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        for k in [k for k in e if k.startswith(("SLURM_", "SBATCH_", "SRUN_", "SALLOC_")) and k != "SLURM_CONF"]:
            del e[k]  # a test run inside a SLURM job must not leak that job into ours
        e.update(extra or {})
        return e

    def _spawn(self, key, argv):
        log = open(self.root / f"{key}.out", "wb")
        self.procs[key] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                           env=self.env(), start_new_session=True)
        log.close()

    def start(self):
        missing = missing_programs()
        if missing:
            raise SlurmRigError(f"not installed: {', '.join(missing)} (scripts/install-deps installs "
                                "slurmctld slurmd slurm-client munge)")
        self._write_config()
        r = self.root
        key = r / "munge.key"
        subprocess.run(["mungekey", "--create", "--bits=1024", f"--keyfile={key}"], check=True,
                       capture_output=True, env=self.env())
        # Foreground (-F): the Popen is the daemon, so it is stopped by its own pid.
        self._spawn("munged", ["munged", "-F", f"--key-file={key}", f"--socket={self.munge_socket}",
                               f"--pid-file={r}/munged.pid", f"--seed-file={r}/munged.seed",
                               f"--log-file={r}/munged.log"])
        self._wait(self.munge_socket.exists, "munged's socket")
        self._spawn("slurmctld", ["slurmctld", "-D", "-i", "-f", str(self.conf)])
        for n in NODES:
            self._spawn(f"slurmd-{n}", ["slurmd", "-D", "-N", n, "-f", str(self.conf)])
        self._wait(self._all_idle, "both nodes idle in sinfo")
        return self

    def _all_idle(self):
        out = subprocess.run(["sinfo", "-N", "-h", "-o", "%N %t"], capture_output=True, text=True,
                             env=self.env(), timeout=10)
        states = dict(line.split() for line in out.stdout.splitlines() if line.strip())
        return all(states.get(n) == "idle" for n in NODES)

    def _wait(self, ready, what):
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            for k, p in self.procs.items():
                if p.poll() is not None:
                    raise SlurmRigError(f"{k} exited with {p.returncode} while waiting for {what}\n" + self.logs())
            try:
                if ready():
                    return
            except (OSError, subprocess.SubprocessError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise SlurmRigError(f"no {what} after {START_TIMEOUT_S} s\n" + self.logs())
            time.sleep(0.1)

    def logs(self):
        """The daemons' logs, for an error message."""
        parts = []
        for f in sorted(self.root.glob("*.out")) + sorted(self.root.glob("*.log")):
            text = f.read_text(errors="replace")
            parts.append(f"---- {f.name} (last 3000 characters)\n{text[-3000:]}")
        return "\n".join(parts)

    # ---- use ----

    def run(self, argv, timeout=120, env=None, **kw):
        return subprocess.run(argv, env=self.env(env), timeout=timeout, capture_output=True, text=True, **kw)

    # ---- tear-down ----

    def leftover_pids(self):
        """Processes (other than this one) whose environment carries this cluster's marker."""
        return pids_with_env(MARKER, self.marker)

    def stop(self):
        """Ends everything this cluster started. Jobs go first: slurmctld and slurmd given SIGTERM
        while a job exists (even one whose tasks were killed) take over 10 s to exit; cancelled,
        the queue is empty in a quarter of a second. Then the daemons, then what is left of the
        steps and tasks, by pid (slurmstepd is not a child of the daemons; killed before the
        daemons, slurmd again takes over 10 s)."""
        if self.procs.get("slurmctld") and self.procs["slurmctld"].poll() is None:
            try:
                subprocess.run(["scancel", "--partition=rig"], env=self.env(), capture_output=True, timeout=10)
                deadline = time.monotonic() + STOP_TIMEOUT_S / 2
                while time.monotonic() < deadline and subprocess.run(
                        ["squeue", "-h", "-o", "%i"], env=self.env(), capture_output=True, text=True,
                        timeout=10).stdout.strip():
                    time.sleep(0.05)
            except (OSError, subprocess.SubprocessError):
                pass  # the daemons are killed below whatever the queue says
        for k in sorted(self.procs, key=lambda k: k == "munged"):  # munged last: the others talk to it
            p = self.procs[k]
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for p in self.procs.values():
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        kill_pids_with_env(MARKER, self.marker)
        if getattr(self, "munge_dir", None):
            shutil.rmtree(self.munge_dir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
        return False
