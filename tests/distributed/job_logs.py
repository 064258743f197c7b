"""Reading a job's event logs back, and the checks every distributed test makes
(tests/distributed/README.md). Event log format: docs/log-format.md.

Identity keys: a run's `job_id`, `host` and `rank` are looked up in its `run_start` record, at the
top level or in a nested `identity` / `job` / `distributed` object (issue 14 asks that every event
log records them; where exactly is the product's choice)."""

import json
import math
import re
import subprocess
from pathlib import Path

import fake_nodes

COMPONENTS = ("cpu", "dram", "gpu")
# Fixture counters are integers of uJ (RAPL) and mJ (NVML); sums of a few of them in doubles.
ABS_TOL_J = 1e-6


class Run:
    def __init__(self, path):
        self.path = Path(path)
        self.records = [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]
        starts = [r for r in self.records if r.get("type") == "run_start"]
        ends = [r for r in self.records if r.get("type") == "run_end"]
        assert len(starts) == 1 and len(ends) == 1, f"{self.path}: {len(starts)} run_start, {len(ends)} run_end"
        self.start, self.end = starts[0], ends[0]
        self.epochs = [r["epoch"] for r in self.records if r.get("type") == "epoch"]

    def ident(self, key):
        for where in (self.start, self.start.get("identity"), self.start.get("job"), self.start.get("distributed")):
            if isinstance(where, dict) and key in where and not isinstance(where[key], dict):
                return where[key]
        return None

    def total_j(self):
        """Device energy of the completed epochs, by component (cpu, dram, gpu)."""
        if "total" not in self.end:
            return {c: 0.0 for c in COMPONENTS}  # measured nothing: not_measured
        return {c: self.end["total"]["energy_j"].get(c, 0.0) for c in COMPONENTS}

    def channels(self):
        return self.start.get("channels", [])

    def __repr__(self):
        return (f"<{self.path.name} job {self.ident('job_id')} host {self.ident('host')} rank {self.ident('rank')}: "
                f"{[c['id'] for c in self.channels()]}>")


def load_runs(log_dir):
    return [Run(p) for p in sorted(Path(log_dir).glob("*_carbontracker_events.jsonl"))]


def sum_j(runs):
    total = {c: 0.0 for c in COMPONENTS}
    for r in runs:
        for c, v in r.total_j().items():
            total[c] += v
    return total


def close(a, b):
    return all(math.isclose(a[c], b[c], rel_tol=0, abs_tol=ABS_TOL_J) for c in COMPONENTS)


def describe_overcount(got, expected):
    parts = []
    for c in COMPONENTS:
        ratio = got[c] / expected[c] if expected[c] else float("nan")
        parts.append(f"{c} {got[c]:.6f} J vs {expected[c]:.6f} J (x{ratio:.3f})")
    tg, te = sum(got.values()), sum(expected.values())
    parts.append(f"total {tg:.6f} J vs {te:.6f} J (x{tg / te:.3f})")
    return "; ".join(parts)


def check_identity(runs, job_id, ranks):
    """Every log records the job id, a host and its rank; the ranks are exactly `ranks`."""
    problems = []
    for r in runs:
        missing = [k for k in ("job_id", "host", "rank") if r.ident(k) is None]
        if missing:
            problems.append(f"{r.path.name}: run_start lacks {', '.join(missing)}")
        elif str(r.ident("job_id")) != str(job_id):
            problems.append(f"{r.path.name}: job_id {r.ident('job_id')!r}, expected {job_id!r}")
    if not problems:
        got = sorted(int(r.ident("rank")) for r in runs)
        if got != sorted(ranks):
            problems.append(f"ranks {got} in the logs, expected {sorted(ranks)}")
    return problems


def check_each_device_once(runs, nodes, host_of=None):
    """Each fake GPU (by UUID) and each host's CPU/DRAM zone is measured by exactly one run.
    host_of(node): the host a node's logs must name (default: the node's name, CARBONTRACKER_NODE)."""
    owners = {}
    for r in runs:
        host = r.ident("host")
        for ch in r.channels():
            if ch.get("counted") is False or ch.get("measured") is False:
                continue  # listed, but said to be measured elsewhere
            key = ch["uuid"] if ch.get("uuid") else f"{host}:{ch['id']}"
            owners.setdefault(key, []).append(r.path.name)
    problems = [f"{k} measured by {len(v)} runs: {v}" for k, v in sorted(owners.items()) if len(v) > 1]
    host_of = host_of or (lambda n: n.name)
    want = set()
    for n in nodes:
        want |= {fake_nodes.gpu_uuid(n.index, g) for g in range(fake_nodes.GPUS_PER_NODE)}
        want |= {f"{host_of(n)}:powercap:{z}" for z in fake_nodes.COUNTED_ZONES}
    missing = sorted(want - set(owners))
    if missing:
        problems.append(f"measured by no run: {missing}")
    return problems


def report_json(carbontracker, args, cwd):
    p = subprocess.run([str(carbontracker), "report", *args, "--format", "json"], capture_output=True, text=True,
                       cwd=cwd, timeout=60)
    return p, (json.loads(p.stdout) if p.returncode == 0 and p.stdout.strip() else None)


def report_device_energy_j(doc):
    """The report's total device energy in J: `total.device_energy_kwh` (as each run has it), else
    the facility energy divided by the runs' PUE."""
    total = doc["total"]
    if "device_energy_kwh" in total:
        return total["device_energy_kwh"] * 3.6e6
    pues = {r["pue"] for r in doc["runs"]}
    assert len(pues) == 1, pues
    return total["energy_kwh"] / pues.pop() * 3.6e6


def job_failures(log_dir, fake, job_id, ranks, carbontracker, cwd, per_epoch=False, host_of=None):
    """Everything wrong with a finished job's logs, as sentences (empty: all correct):
    one log per rank, identity recorded, each device measured once, the job total from the event
    logs, `report --job ID DIR` and `report DIR` all equal to the fixtures' deltas."""
    runs = load_runs(log_dir)
    failures = []
    if len(runs) != len(ranks):
        failures.append(f"{len(runs)} event logs for {len(ranks)} ranks: {runs}")
    failures += check_identity(runs, job_id, ranks)
    failures += check_each_device_once(runs, fake.nodes, host_of)
    expected = fake.expected_j()
    got = sum_j(runs)
    if not close(got, expected):
        failures.append("job total of the event logs' run_end totals: " + describe_overcount(got, expected))
    if per_epoch:
        for k in range(1, fake_nodes.EPOCHS + 1):
            e = {c: 0.0 for c in COMPONENTS}
            for r in runs:
                for ep in r.epochs:
                    if ep["index"] == k:
                        for c in COMPONENTS:
                            e[c] += ep["energy_j"].get(c, 0.0)
            if not close(e, fake.epoch_expected_j(k)):
                failures.append(f"epoch {k} summed over ranks: " + describe_overcount(e, fake.epoch_expected_j(k)))
    want_j = sum(expected.values())
    for args, what in ((["--job", str(job_id), str(log_dir)], f"report --job {job_id} DIR"),
                       ([str(log_dir)], "report DIR")):
        p, doc = report_json(carbontracker, args, cwd)
        if doc is None:
            failures.append(f"{what}: exit {p.returncode}: {p.stderr.strip()[-400:]}")
            continue
        got_j = report_device_energy_j(doc)
        if not math.isclose(got_j, want_j, rel_tol=1e-9):
            failures.append(f"{what}: device energy {got_j:.6f} J, expected {want_j:.6f} J (x{got_j / want_j:.3f})")
    return failures, runs



def rank_outputs(barrier, ranks):
    """What each rank's tracker printed (rank_work.py writes out.<rank> in module and torch mode)."""
    return {r: (Path(barrier) / f"out.{r}").read_text(errors="replace") for r in ranks}


def srun_label_outputs(output):
    """srun --label output split by task: {rank: text without the `N: ` prefixes}."""
    by_rank = {}
    for line in output.splitlines():
        m = re.match(r"^\s*(\d+): ?(.*)$", line)
        if m:
            by_rank.setdefault(int(m.group(1)), []).append(m.group(2))
    return {r: "\n".join(lines) for r, lines in by_rank.items()}


def rank0_report_failures(outputs, fake, pue=1.58, decimals=12):
    """With the tracker in every rank, only rank 0 prints the final report, and its `Energy:` is
    the job's facility energy (fixtures' deltas x PUE) at the printed precision (12 decimals)."""
    found = {}
    for rank, text in outputs.items():
        found[rank] = re.findall(r"Actual consumption for .*\n\s*Time:.*\n\s*Energy:\s*([0-9.]+) kWh", text)
    printers = sorted(r for r, v in found.items() if v)
    if printers != [0] or len(found[0]) != 1:
        return [f"final reports printed by ranks {printers} ({sum(map(len, found.values()))} in all), "
                "expected one, by rank 0"]
    want_kwh = sum(fake.expected_j().values()) * pue / 3.6e6
    got_kwh = float(found[0][0])
    if abs(got_kwh - want_kwh) > 0.6 * 10 ** -decimals:
        return [f"rank 0's report: {got_kwh:.{decimals}f} kWh, the job used {want_kwh:.{decimals}f} kWh "
                f"(x{got_kwh / want_kwh:.3f})"]
    return []
