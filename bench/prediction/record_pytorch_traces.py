#!/usr/bin/python3
"""Records real CPU traces of examples/pytorch_training.py (the Python module) for the harness.

Same trace format and labels as record_mlp_traces.py: durations measured, energy as the tracker
measured or estimated it on this machine (the header names the method per component).

    PYTHONPATH=build/default/python /usr/bin/python3 bench/prediction/record_pytorch_traces.py OUT_DIR \
        [--runs EPOCHS:SAMPLES ...]

Needs PyTorch (Debian: python3-torch) and the carbontracker package on PYTHONPATH.
"""
import argparse
import os
import sys

from record_mlp_traces import run_and_convert

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "pytorch_training.py")
DEFAULT_RUNS = ["10:4000", "25:2000"]


def record(out_dir, epochs, samples):
    cmd = [sys.executable, EXAMPLE, "--epochs", str(epochs), "--samples", str(samples), "--threads", "1"]
    path = os.path.join(out_dir, f"pytorch_cpu_e{epochs:03d}_s{samples}.csv")
    description = (f"examples/pytorch_training.py --epochs {epochs} --samples {samples} --threads 1, "
                   "Python module (C++ tracker) in-process, small CNN, CPU only")
    return run_and_convert(cmd, path, "real_pytorch_cpu", description, epochs, "record_pytorch_traces.py")


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
