#!/usr/bin/python3
"""Writes the synthetic trace set of the prediction accuracy harness (bench/prediction/README.md).

Every trace is one simulated training run: a hardware profile (steady GPU/CPU/DRAM power), a
base epoch duration, epoch-to-epoch noise, and one scenario's systematic effects (below). Seeds
are fixed, so the set is reproducible byte for byte:

    /usr/bin/python3 bench/prediction/generate_traces.py bench/prediction/traces/synthetic

Each scenario is generated twice (two seeds) at each of the lengths 10, 20, 50, 100 and 300
epochs (early stopping: the planned length; the run stops before it): 100 traces. Standard
library only.
"""
import argparse
import math
import os
import random

# Steady power per component in W while training (GPU boards at typical training load, not TDP).
HARDWARE = {
    "1x A100-40GB, 32-core EPYC": {"gpu": 285.0, "cpu": 75.0, "dram": 14.0},
    "4x V100-16GB, 2x Xeon Gold 6248": {"gpu": 4 * 235.0, "cpu": 130.0, "dram": 28.0},
    "1x RTX 3090, 8-core desktop": {"gpu": 310.0, "cpu": 55.0, "dram": 7.0},
    "CPU only, 2x Xeon Gold 6248": {"gpu": 0.0, "cpu": 230.0, "dram": 32.0},
}
# Power while the GPU waits (stalls, I/O bound epochs), relative to the training power.
IDLE_FRACTION = {"gpu": 0.25, "cpu": 0.45, "dram": 0.8}
LENGTHS = [10, 20, 50, 100, 300]
REPLICAS = 2


def steady(rng, n):
    return {"text": "no systematic effect: epoch-to-epoch noise only"}, lambda i, m: None


def slow_first(rng, n):
    d, g = rng.uniform(1.15, 1.6), rng.uniform(0.75, 0.9)
    def effect(i, m):
        if i == 1:  # cuDNN autotuning / JIT compilation: longer, the GPU partly idle
            m["dur"] *= d; m["gpu"] *= g; m["cpu"] *= 1.1
    return {"text": f"epoch 1 takes x{d:.2f} the time at x{g:.2f} GPU power (autotuning, JIT)"}, effect


def cheap_first(rng, n):
    g, g2 = rng.uniform(0.75, 0.9), rng.uniform(0.93, 0.99)
    def effect(i, m):
        if i == 1: m["gpu"] *= g; m["dur"] *= 0.98
        if i == 2: m["gpu"] *= g2
    return {"text": f"epoch 1 at x{g:.2f} GPU power, epoch 2 at x{g2:.2f} (cold, clocks ramping)"}, effect


def loader_caching(rng, n):
    d, g, c = rng.uniform(1.5, 3.0), rng.uniform(0.4, 0.6), rng.uniform(1.2, 1.5)
    def effect(i, m):
        if i == 1:  # I/O bound until the data set sits in the page cache
            m["dur"] *= d; m["gpu"] *= g; m["cpu"] *= c
    return {"text": f"epoch 1 I/O bound: x{d:.2f} time, x{g:.2f} GPU and x{c:.2f} CPU power; cached afterwards"}, effect


def validation(rng, n):
    every = rng.choice([2, 3, 5, 10])
    v = rng.uniform(0.1, 0.3)
    def effect(i, m):
        if i % every == 0:  # a validation pass: inference, a little below training power
            m["dur"] *= 1 + v; m["gpu"] *= 1 - 0.15 * v / (1 + v)
    return {"text": f"validation every {every} epochs adds {100 * v:.0f} % to that epoch's time"}, effect


def lr_schedule(rng, n):
    steps = [(max(2, round(rng.uniform(0.25, 0.75) * n)), rng.choice([-1, 1]) * rng.uniform(0.05, 0.2))]
    if n >= 100:
        steps.append((max(steps[0][0] + 5, round(rng.uniform(0.75, 0.9) * n)), rng.choice([-1, 1]) * rng.uniform(0.05, 0.15)))
    def effect(i, m):
        for start, size in steps:
            if i >= start:  # a phase change: unfreezing layers, larger crops, a new batch size
                m["dur"] *= 1 + size; m["gpu"] *= 1 + 0.2 * size
    text = ", ".join(f"from epoch {s} x{1 + z:.2f} time" for s, z in steps)
    return {"text": f"schedule step(s): {text}"}, effect


def thermal_drift(rng, n):
    a, tau = rng.uniform(0.03, 0.08), rng.uniform(3, 40)
    def effect(i, m):
        f = 1 - math.exp(-(i - 1) / tau)  # clocks throttle as the GPU heats up: slower, a bit less power
        m["dur"] *= 1 + a * f; m["gpu"] *= 1 - 0.5 * a * f
    return {"text": f"thermal throttling: time +{100 * a:.1f} % x (1 - exp(-(epoch-1)/{tau:.1f}))"}, effect


def shared_node(rng, n):
    p, alpha = rng.uniform(0.05, 0.15), 1.5
    def effect(i, m):
        if rng.random() < p:  # a neighbour's job stalls ours: Pareto-tailed extra time at idle power
            m["stall"] = min(3.0, 0.08 * rng.paretovariate(alpha))
    return {"text": f"shared node: {100 * p:.0f} % of epochs stall for 0.08 x Pareto(1.5) (capped at 3x) extra time at idle power",
            "noise_scale": 2.5}, effect


def early_stopping(rng, n):
    stop = max(6, round(rng.uniform(0.3, 0.8) * n))
    d = rng.uniform(1.05, 1.4)
    def effect(i, m):
        if i == 1: m["dur"] *= d; m["gpu"] *= 0.9
    return {"text": f"slow first epoch (x{d:.2f}); early stopping ends the run after epoch {stop} of {n}", "stop": stop}, effect


def realistic_mix(rng, n):
    parts = [slow_first(rng, n), validation(rng, n), thermal_drift(rng, n), lr_schedule(rng, n)]
    def effect(i, m):
        for _, e in parts:
            e(i, m)
    return {"text": "; ".join(p[0]["text"] for p in parts)}, effect


SCENARIOS = [steady, slow_first, cheap_first, loader_caching, validation, lr_schedule, thermal_drift,
             shared_node, early_stopping, realistic_mix]


def generate(scenario, n, seed):
    rng = random.Random(seed)
    hw_name = rng.choice(sorted(HARDWARE))
    power = HARDWARE[hw_name]
    base_s = math.exp(rng.uniform(math.log(20), math.log(1800)))
    dur_sd, pow_sd = rng.uniform(0.003, 0.02), rng.uniform(0.005, 0.02)
    intensity_base, amp, phase = rng.uniform(40, 600), rng.uniform(0.1, 0.4), rng.random()
    info, effect = scenario(rng, n)
    dur_sd *= info.get("noise_scale", 1.0)
    run = info.get("stop", n)
    rows, t = [], 0.0
    for i in range(1, run + 1):
        m = {"dur": 1.0, "gpu": 1.0, "cpu": 1.0, "dram": 1.0, "stall": 0.0}
        effect(i, m)
        train_s = base_s * m["dur"] * max(0.5, rng.gauss(1, dur_sd))
        stall_s = base_s * m["stall"]
        energy = {}
        for c in ("cpu", "dram", "gpu"):
            p = power[c] * m[c] * max(0.5, rng.gauss(1, pow_sd))
            energy[c] = train_s * p + stall_s * power[c] * IDLE_FRACTION[c]
        duration = train_s + stall_s
        mid_h = (t + duration / 2) / 3600
        intensity = intensity_base * (1 + amp * math.sin(2 * math.pi * (mid_h / 24 + phase))) * rng.gauss(1, 0.02)
        t += duration
        rows.append((i, duration, energy["cpu"], energy["dram"], energy["gpu"], max(0.0, intensity)))
    header = [
        f"scenario: {scenario.__name__}",
        f"description: {info['text']}",
        f"planned_epochs: {n}",
        f"hardware: {hw_name}; base epoch {base_s:.1f} s; noise sd {100 * dur_sd:.1f} % time, {100 * pow_sd:.1f} % power",
        f"intensity: {intensity_base:.0f} g/kWh x (1 + {amp:.2f} sin(daily)) x (1 + 2 % noise), at each epoch's midpoint",
        f"source: synthetic, bench/prediction/generate_traces.py, seed {seed}; energy simulated",
    ]
    return header, rows


def write_trace(path, header, rows):
    with open(path, "w", encoding="utf-8") as f:
        for line in header:
            f.write(f"# {line}\n")
        f.write("epoch,duration_s,energy_j_cpu,energy_j_dram,energy_j_gpu,intensity_g_per_kwh\n")
        for r in rows:
            f.write(f"{r[0]},{r[1]:.3f},{r[2]:.1f},{r[3]:.1f},{r[4]:.1f},{r[5]:.2f}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for si, scenario in enumerate(SCENARIOS):
        for li, n in enumerate(LENGTHS):
            for rep in range(REPLICAS):
                seed = 1000 * (si + 1) + 10 * li + rep
                header, rows = generate(scenario, n, seed)
                name = f"{scenario.__name__}_{n:03d}_{'abcdefgh'[rep]}.csv"
                write_trace(os.path.join(args.out_dir, name), header, rows)


if __name__ == "__main__":
    main()
