#!/usr/bin/env python3
"""Train a small CNN on synthetic data (CPU, a few seconds) under carbontracker.

    python3 examples/pytorch_training.py --epochs 3 --log-dir logs --summary-json run.json

The only carbontracker lines are the import, the constructor and epoch_start/epoch_end/stop:
the same as with the Python carbontracker. Needs PyTorch (Debian: python3-torch).
"""

import argparse

import torch
from torch import nn

from carbontracker.tracker import CarbonTracker


def make_data(samples, seed=0):
    """Synthetic 1x16x16 "images" whose class is the quadrant holding a bright blob."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(samples, 1, 16, 16, generator=g) * 0.3
    y = torch.randint(0, 4, (samples,), generator=g)
    for i, label in enumerate(y.tolist()):
        r, c = divmod(label, 2)
        x[i, 0, r * 8 + 2 : r * 8 + 6, c * 8 + 2 : c * 8 + 6] += 1.0
    return x, y


def make_model():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 4),
    )


def train_one_epoch(model, optimizer, x, y, batch_size=64):
    model.train()
    loss_fn = nn.CrossEntropyLoss()
    total = 0.0
    for start in range(0, len(x), batch_size):
        optimizer.zero_grad()
        loss = loss_fn(model(x[start : start + batch_size]), y[start : start + batch_size])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(x[start : start + batch_size])
    return total / len(x)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--samples", type=int, default=2048)
    p.add_argument("--log-dir", default="logs")
    p.add_argument("--summary-json", default=None)
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (1: quiet on shared machines)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x, y = make_data(args.samples)
    model = make_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

    tracker = CarbonTracker(epochs=args.epochs, log_dir=args.log_dir, summary_json=args.summary_json)
    for epoch in range(args.epochs):
        tracker.epoch_start()
        loss = train_one_epoch(model, optimizer, x, y)
        tracker.epoch_end()
        print(f"epoch {epoch + 1}: loss {loss:.4f}, accuracy {accuracy(model, x, y):.3f}")
    tracker.stop()


if __name__ == "__main__":
    main()
