"""carbontracker.parser: the Python tool's functions and return shapes, on logs in the Python
tool's own v2 format (tests/fixtures/logs/python-v2) and on ours."""

import math
import os
import shutil

import numpy as np
import pytest
from conftest import LOG_FIXTURES

from carbontracker import exceptions, parser

V2 = LOG_FIXTURES / "python-v2"
STEM = "4242.517230_2025-11-18T155354Z"
CONSUMPTION_KEYS = {"epochs", "duration (s)", "energy (kWh)", "co2eq (g)", "equivalents"}
COMPONENT_KEYS = {"avg_power_usages (W)", "avg_energy_usages (J)", "epoch_durations (s)", "devices"}


def text(name):
    return (V2 / f"{STEM}_{name}").read_text()


def test_get_consumption_shapes_and_values():
    actual, pred = parser.get_consumption(text("carbontracker_output.log"))
    assert set(actual) == CONSUMPTION_KEYS and set(pred) == CONSUMPTION_KEYS
    assert actual["epochs"] == 3  # the Python parser's regex gave 1
    assert pred["epochs"] == 3
    assert actual["duration (s)"] == 101.0
    assert actual["energy (kWh)"] == pytest.approx(0.012185397089)
    assert actual["co2eq (g)"] == pytest.approx(1.746167402917)
    assert actual["equivalents"] == {"km travelled by car": pytest.approx(0.016349882050)}
    assert pred["energy (kWh)"] == pytest.approx(0.012074250585)
    assert isinstance(actual["epochs"], int) and isinstance(actual["energy (kWh)"], float)


def test_get_consumption_without_blocks_is_none_none():
    assert parser.get_consumption("2025-01-01 00:00:00 - CarbonTracker: nothing\n") == (None, None)


def test_get_devices_epoch_durations_and_powers():
    std = text("carbontracker.log")
    assert parser.get_devices(std) == {"gpu": ["NVIDIA A100-SXM4-40GB"], "cpu": ["cpu:0", "dram:0"]}
    assert parser.get_epoch_durations(std) == pytest.approx([33.57, 34.01, 33.90])
    powers = parser.get_avg_power_usages(std)
    assert powers == {"gpu": [[250.12], [251.5], [249.8]], "cpu": [[23.05], [23.4], [22.9]]}
    assert parser.get_early_stop(std) is False


def test_get_early_stop():
    std = next((LOG_FIXTURES / "early-stop").glob("*_carbontracker.log")).read_text()
    assert parser.get_early_stop(std) is True


def test_parse_logs_returns_numpy_arrays_like_the_python_tool():
    logs = parser.parse_logs(V2)
    assert set(logs) == {"gpu", "cpu"}
    gpu = logs["gpu"]
    assert COMPONENT_KEYS <= set(gpu)
    assert isinstance(gpu["avg_power_usages (W)"], np.ndarray) and gpu["avg_power_usages (W)"].shape == (3, 1)
    assert isinstance(gpu["epoch_durations (s)"], np.ndarray) and gpu["epoch_durations (s)"].shape == (3,)
    assert isinstance(gpu["avg_energy_usages (J)"], np.ndarray)
    # power x duration per epoch, as the Python tool (no PUE)
    expected = np.array([[250.12 * 33.57], [251.5 * 34.01], [249.8 * 33.90]])
    assert np.allclose(gpu["avg_energy_usages (J)"], expected)
    assert gpu["devices"] == ["NVIDIA A100-SXM4-40GB"]


def test_parse_logs_with_explicit_files():
    logs = parser.parse_logs(V2, V2 / f"{STEM}_carbontracker.log", V2 / f"{STEM}_carbontracker_output.log")
    assert logs["cpu"]["devices"] == ["cpu:0", "dram:0"]


def test_parse_all_logs_shape():
    runs = parser.parse_all_logs(V2)
    assert len(runs) == 1
    run = runs[0]
    assert set(run) == {"output_filename", "standard_filename", "components", "early_stop", "actual", "pred"}
    assert run["output_filename"].endswith(f"{STEM}_carbontracker_output.log")
    assert run["standard_filename"].endswith(f"{STEM}_carbontracker.log")
    assert run["early_stop"] is False
    assert run["actual"]["epochs"] == 3
    assert set(run["components"]) == {"gpu", "cpu"}


def test_aggregate_consumption_and_print_aggregate(capsys):
    kwh, g, equivalents = parser.aggregate_consumption(V2)
    assert kwh == pytest.approx(0.012185397089)  # the actual figures: the run finished
    assert g == pytest.approx(1.746167402917)
    assert equivalents == {"km travelled by car": pytest.approx(0.016349882050)}
    details = parser.aggregate_consumption_details(V2)
    assert details["basis"] == "actual" and len(details["runs"]) == 1
    assert parser.print_aggregate(V2) is None
    out = capsys.readouterr().out
    assert out.startswith("The training of models in this work is estimated to use 0.0121853970890000 kWh")
    assert "kg of CO2eq" in out


def test_aggregate_over_several_runs():
    kwh, g, _ = parser.aggregate_consumption(LOG_FIXTURES / "multi-run")
    assert len(parser.parse_all_logs(LOG_FIXTURES / "multi-run")) == 3
    assert kwh > 0 and g > 0 and not math.isnan(g)


def test_monitor_epochs_1_counts_the_prediction_for_the_whole_training():
    # carbontracker 1.2.5's default monitor_epochs=1: actual for 1 epoch, prediction for 40.
    kwh, g, _ = parser.aggregate_consumption(LOG_FIXTURES / "python-monitor-epochs-1")
    assert kwh == pytest.approx(1.650946203677)  # the prediction, not the 0.041 kWh of epoch 1
    assert g == pytest.approx(261.509876461175)
    assert parser.aggregate_consumption_details(LOG_FIXTURES / "python-monitor-epochs-1")["basis"] == "predicted"
    # Stopped early: the actual figures.
    kwh, _, _ = parser.aggregate_consumption(LOG_FIXTURES / "python-interrupted")
    assert kwh == pytest.approx(0.467107493667)


def test_damaged_energies_are_left_out_with_a_warning_naming_file_and_line():
    with pytest.warns(parser.ParserWarning, match=r"_carbontracker_output\.log:13: .*Energy is nan kWh: damaged"):
        details = parser.aggregate_consumption_details(LOG_FIXTURES / "damaged-values")
    assert math.isfinite(details["energy (kWh)"]) and details["energy (kWh)"] > 0
    assert math.isfinite(details["co2eq (g)"])
    bases = sorted(basis for _, basis in details["runs"])
    assert bases.count("damaged") == 3


def test_print_aggregate_of_an_empty_directory_prints_no_statement(tmp_path, capsys):
    with pytest.warns(parser.ParserWarning, match="no statement printed"):
        assert parser.print_aggregate(tmp_path) is None
    assert capsys.readouterr().out == ""
    assert parser.aggregate_consumption(tmp_path) == (0.0, 0.0, {})  # the Python tool's shape


def test_get_all_logs_and_most_recent(tmp_path):
    for f in V2.iterdir():
        shutil.copy(f, tmp_path / f.name)
    output_logs, std_logs = parser.get_all_logs(tmp_path)
    assert [os.path.basename(p) for p in output_logs] == [f"{STEM}_carbontracker_output.log"]
    assert [os.path.basename(p) for p in std_logs] == [f"{STEM}_carbontracker.log"]
    std, out = parser.get_most_recent_logs(tmp_path)
    assert std == std_logs[0] and out == output_logs[0]


def test_a_truncated_log_raises_mismatched_epochs_as_the_python_tool_and_is_read_by_ours():
    # Cut inside epoch 3's gpu power line: 3 durations, 2 gpu powers.
    with pytest.raises(exceptions.MismatchedEpochsError, match="Found 2 power measurements and 3 duration"):
        parser.parse_all_logs(LOG_FIXTURES / "truncated")
    std = next((LOG_FIXTURES / "truncated").glob("*_carbontracker.log"))
    out = next((LOG_FIXTURES / "truncated").glob("*_carbontracker_output.log"))
    with pytest.warns(parser.ParserWarning, match="truncated"):
        energies = parser.get_epoch_energies(LOG_FIXTURES / "truncated", std, out)
    assert energies["gpu"][:2] == [pytest.approx(100.0 * 5.0)] * 2 and energies["gpu"][2] is None
    with pytest.warns(parser.ParserWarning, match="truncated"):
        kwh, _, _ = parser.aggregate_consumption(LOG_FIXTURES / "truncated")
    assert kwh == pytest.approx(0.000724166667)  # its prediction: the actual block was cut


def test_unpaired_logs_are_left_out_as_by_the_python_tool():
    with pytest.warns(parser.ParserWarning, match="no standard log with the same stem"):
        runs = parser.parse_all_logs(LOG_FIXTURES / "mismatched")
    assert [os.path.basename(r["output_filename"]).split("_")[0] for r in runs] == ["1111.1"]
    assert runs[0]["standard_filename"].endswith("1111.1_2025-05-01T100000Z_carbontracker.log")
