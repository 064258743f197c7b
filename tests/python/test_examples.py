"""The PyTorch examples (examples/pytorch_training.py, examples/pytorch_budget.py) really train
under the tracker, with the estimated CPU/DRAM of the fixed machine (conftest.py). Both run in
one child interpreter: importing torch is the slow part."""

import json
import textwrap

import pytest
from conftest import REPO, read_log, run_python

pytest.importorskip("torch", reason="python3-torch is not installed (scripts/install-deps installs it)")

DRIVER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    import pytorch_training, pytorch_budget
    work = sys.argv[2]
    pytorch_training.main(["--epochs", "3", "--samples", "512", "--log-dir", work + "/train",
                           "--summary-json", work + "/train.json"])
    print("=== budget ===", flush=True)
    sys.exit(pytorch_budget.main(["--epochs", "50", "--samples", "512", "--max-energy-kwh", "1e-7",
                                  "--log-dir", work + "/budget", "--summary-json", work + "/budget.json"]))
    """
)


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    work = tmp_path_factory.mktemp("examples")
    r = run_python(["-c", DRIVER, str(REPO / "examples"), str(work)], timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    train_out, budget_out = r.stdout.split("=== budget ===")
    return work, train_out, budget_out


def test_training_example_runs_3_epochs_under_the_tracker(ran):
    work, out, _ = ran
    summary = json.loads((work / "train.json").read_text())
    assert len(summary["epochs"]) == 3 and summary["total"]["epochs"] == 3
    assert summary["finished"] and not summary["stopped_by_budget"]
    assert summary["total"]["facility_energy_j"] > 0
    assert summary["components"]["cpu"]["methods"]  # estimated on the fixture machine
    assert [f"epoch {i}: loss" in out for i in (1, 2, 3)] == [True] * 3
    assert "Actual consumption for 3 epoch(s):" in read_log(work / "train", "_output")


def test_budget_example_is_stopped_by_budget_exceeded(ran):
    work, _, out = ran
    assert "Training stopped by the budget after 1 of 50 epochs" in out
    assert "limit max_energy_kwh = 1e-07" in out
    summary = json.loads((work / "budget.json").read_text())
    assert summary["stopped_by_budget"] and summary["finished"]
    assert len(summary["epochs"]) == 1
    assert summary["budget_events"][0]["outcome"] == "stopped"
    assert "Actual consumption for 1 epoch(s):" in read_log(work / "budget", "_output")
