#!/usr/bin/env python3
"""The PyTorch example with a carbon budget that stops the training.

    python3 examples/pytorch_budget.py --epochs 50 --max-energy-kwh 0.00005

After each epoch the tracker compares the predicted (and the actual) energy of the run with
max_energy_kwh; with budget_action="stop" it writes the final report and raises
carbontracker.exceptions.BudgetExceeded, which ends the loop here. The `with` block stops the
tracker on every way out (also Ctrl-C). Needs PyTorch (Debian: python3-torch).
"""

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_training import accuracy, make_data, make_model, train_one_epoch  # noqa: E402

from carbontracker.exceptions import BudgetExceeded  # noqa: E402
from carbontracker.tracker import CarbonTracker  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--samples", type=int, default=2048)
    p.add_argument("--max-energy-kwh", type=float, default=0.00005)
    p.add_argument("--log-dir", default="logs")
    p.add_argument("--summary-json", default=None)
    p.add_argument("--threads", type=int, default=1)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x, y = make_data(args.samples)
    model = make_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

    trained = 0
    with CarbonTracker(
        epochs=args.epochs,
        log_dir=args.log_dir,
        summary_json=args.summary_json,
        max_energy_kwh=args.max_energy_kwh,
        budget_action="stop",
    ) as tracker:
        try:
            for epoch in tracker.iter_epochs():
                loss = train_one_epoch(model, optimizer, x, y)
                trained = epoch + 1
                print(f"epoch {trained}: loss {loss:.4f}, accuracy {accuracy(model, x, y):.3f}")
        except BudgetExceeded as e:
            print(f"Training stopped by the budget after {trained} of {args.epochs} epochs: {e}")
            print(f"  limit {e.event['limit']} = {e.event['limit_value']} ({e.event['basis']} {e.event['value']:.6g})")
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
