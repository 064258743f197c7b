#!/usr/bin/python3
"""Records real CPU traces of examples/pytorch_training.py (the Python module) for the harness.

Same trace format and labels as record_mlp_traces.py: durations measured, energy as the tracker
measured or estimated it on this machine (the header names the method per component).

    PYTHONPATH=build/default/python /usr/bin/python3 bench/prediction/record_pytorch_traces.py OUT_DIR \
        [--runs EPOCHS:SAMPLES ...]

Needs PyTorch (Debian: python3-torch) and the carbontracker package on PYTHONPATH.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from record_mlp_traces import cpu_model

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "pytorch_training.py")
DEFAULT_RUNS = ["10:4000", "25:2000"]


def record(out_dir, epochs, samples):
    with tempfile.TemporaryDirectory() as tmp:
        summary = os.path.join(tmp, "summary.json")
        cmd = [sys.executable, EXAMPLE, "--epochs", str(epochs), "--samples", str(samples), "--threads", "1",
               "--summary-json", summary, "--log-dir", tmp]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(summary, encoding="utf-8") as f:
            s = json.load(f)
    epochs_done = [e for e in s["epochs"] if e.get("complete", True)]
    methods = {c: "+".join(v["methods"]) or "absent" for c, v in s["components"].items() if c in ("cpu", "dram", "gpu")}
    name = f"pytorch_cpu_e{epochs:03d}_s{samples}"
    path = os.path.join(out_dir, name + ".csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("# scenario: real_pytorch_cpu\n")
        f.write(f"# description: examples/pytorch_training.py --epochs {epochs} --samples {samples} --threads 1, "
                "Python module (C++ tracker) in-process, small CNN, CPU only\n")
        f.write(f"# planned_epochs: {epochs}\n")
        f.write(f"# hardware: {cpu_model()}, {os.cpu_count()} CPUs, shared with other jobs while recording\n")
        f.write(f"# energy: {', '.join(f'{c} {m}' for c, m in methods.items())} (estimated energy where not measured)\n")
        f.write("# intensity: not included (the tracker's value was a constant default, not a time series)\n")
        f.write("# source: real, bench/prediction/record_pytorch_traces.py; durations measured\n")
        f.write("epoch,duration_s,energy_j_cpu,energy_j_dram,energy_j_gpu\n")
        for e in epochs_done:
            en = e["energy_j"]
            f.write(f"{e['index']},{e['duration_s']:.4f},{en['cpu']:.3f},{en['dram']:.3f},{en['gpu']:.3f}\n")
    return path, len(epochs_done)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--runs", nargs="*", default=DEFAULT_RUNS, help="EPOCHS:SAMPLES per run")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for run in args.runs:
        epochs, samples = (int(x) for x in run.split(":"))
        path, n = record(args.out_dir, epochs, samples)
        print(f"{path}: {n} epochs")


if __name__ == "__main__":
    main()
