#!/usr/bin/python3
"""Records real CPU traces of examples/mlp_training for the prediction accuracy harness.

Runs the example (in-process C++ tracker) with --summary-json and converts the summary's
completed epochs to a trace CSV (bench/prediction/trace.hpp). Durations are measured; the
energy is whatever the tracker measured or estimated on this machine (the header names the
method of each component, e.g. "estimated"), so label and read the files accordingly.

    /usr/bin/python3 bench/prediction/record_mlp_traces.py BUILD/examples/mlp_training OUT_DIR \
        [--runs EPOCHS:SAMPLES:HIDDEN ...]

Standard library only.
"""
import argparse
import json
import os
import platform
import subprocess
import tempfile

DEFAULT_RUNS = ["20:20000:32", "40:8000:32", "60:4000:16"]


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:  # a label only; the tracker reads via its own roots
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def run_and_convert(cmd, path, scenario, description, epochs, recorder):
    """Runs cmd + ["--summary-json", S, "--log-dir", D] and writes its completed epochs as a trace."""
    with tempfile.TemporaryDirectory() as tmp:
        summary = os.path.join(tmp, "summary.json")
        subprocess.run(cmd + ["--summary-json", summary, "--log-dir", tmp], check=True, stdout=subprocess.DEVNULL)
        with open(summary, encoding="utf-8") as f:
            s = json.load(f)
    epochs_done = [e for e in s["epochs"] if e.get("complete", True)]
    methods = {c: "+".join(v["methods"]) or "absent" for c, v in s["components"].items() if c in ("cpu", "dram", "gpu")}
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# scenario: {scenario}\n")
        f.write(f"# description: {description}\n")
        f.write(f"# planned_epochs: {epochs}\n")
        f.write(f"# hardware: {cpu_model()}, {os.cpu_count()} CPUs, shared with other jobs while recording\n")
        f.write(f"# energy: {', '.join(f'{c} {m}' for c, m in methods.items())} (estimated energy where not measured)\n")
        f.write("# intensity: not included (the tracker's value was a constant default, not a time series)\n")
        f.write(f"# source: real, bench/prediction/{recorder}; durations measured\n")
        f.write("epoch,duration_s,energy_j_cpu,energy_j_dram,energy_j_gpu\n")
        for e in epochs_done:
            en = e["energy_j"]
            f.write(f"{e['index']},{e['duration_s']:.4f},{en['cpu']:.3f},{en['dram']:.3f},{en['gpu']:.3f}\n")
    return path, len(epochs_done)


def record(binary, out_dir, epochs, samples, hidden, seed):
    cmd = [binary, "--epochs", str(epochs), "--samples", str(samples), "--hidden", str(hidden),
           "--seed", str(seed), "--quiet"]
    path = os.path.join(out_dir, f"mlp_cpu_e{epochs:03d}_s{samples}_h{hidden}.csv")
    description = (f"examples/mlp_training --epochs {epochs} --samples {samples} --hidden {hidden} --seed {seed}, "
                   "C++ tracker in-process, CPU only")
    return run_and_convert(cmd, path, "real_mlp_cpu", description, epochs, "record_mlp_traces.py")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("out_dir")
    ap.add_argument("--runs", nargs="*", default=DEFAULT_RUNS, help="EPOCHS:SAMPLES:HIDDEN per run")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for run in args.runs:
        epochs, samples, hidden = (int(x) for x in run.split(":"))
        path, n = record(args.binary, args.out_dir, epochs, samples, hidden, args.seed)
        print(f"{path}: {n} epochs")


if __name__ == "__main__":
    main()
