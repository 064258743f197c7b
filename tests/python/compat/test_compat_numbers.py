"""Numbers, as the Python carbontracker gives them: every predicted and actual figure is facility
energy, device energy x PUE 1.58 (its constants.PUE_2023), and its std log says so in one sentence
with the source. pue=1.0 gives device energy; device energy is reported beside facility energy
(console, summary, event log) whatever the PUE."""

import json
import re
import time

import pytest
from conftest import SIM, log_files, read_log

from carbontracker import parser
from carbontracker.tracker import CarbonTracker

# The Python tool's std-log sentence (loggerutil.Logger._log_initial_info), word for word.
PYTHON_PUE_SENTENCE = (
    "Only predicted and actual consumptions are multiplied by a PUE coefficient of 1.58 "
    "(Daniel Bizo, 2023, Uptime Institute Global Data Center Survey)."
)


def train(tracker, epochs, seconds=0.05):
    for _ in range(epochs):
        tracker.epoch_start()
        time.sleep(seconds)
        tracker.epoch_end()


def run(tmp_path, **kw):
    kw.setdefault("verbose", 0)
    t = CarbonTracker(epochs=2, log_dir=tmp_path, intensity_g_per_kwh=100, decimal_precision=12,
                      summary_json=tmp_path / "summary.json", **SIM, **kw)
    train(t, 2)
    t.stop()
    return t.snapshot(), json.loads((tmp_path / "summary.json").read_text())


def block_kwh(output_log, title):
    m = re.search(re.escape(title) + r"\n\tTime:\t.*\n\tEnergy:\t([0-9.]+) kWh\n\tCO2eq:\t([0-9.]+) g", output_log)
    assert m, output_log
    return float(m.group(1)), float(m.group(2))


def test_default_pue_is_the_python_tools_1_58_on_actual_and_predicted_figures(tmp_path):
    snap, summary = run(tmp_path)
    assert snap["pue"] == 1.58 and summary["pue"] == 1.58
    total = summary["total"]
    device_j = total["energy_j"]["total"]
    assert device_j > 0
    assert total["facility_energy_j"] == pytest.approx(device_j * 1.58, rel=1e-12)
    assert total["energy_kwh"] == pytest.approx(device_j * 1.58 / 3.6e6, rel=1e-12)
    assert total["co2eq_g"] == pytest.approx(device_j * 1.58 / 3.6e6 * 100, rel=1e-9)
    for e in summary["epochs"]:
        assert e["facility_energy_j"] == pytest.approx(e["energy_j"]["total"] * 1.58, rel=1e-12)
    pred = summary["prediction"]
    assert pred["energy_kwh"] == pytest.approx(pred["device_energy_kwh"] * 1.58, rel=1e-12)

    # The Python-format output log carries the PUE-scaled figures, as the Python tool's does.
    out = read_log(tmp_path, "_output")
    kwh, g = block_kwh(out, "Actual consumption for 2 epoch(s):")
    assert kwh == pytest.approx(total["energy_kwh"], abs=1e-12)
    assert g == pytest.approx(total["co2eq_g"], abs=1e-9)
    kwh, _ = block_kwh(out, "Predicted consumption for 2 epoch(s):")
    assert kwh == pytest.approx(pred["energy_kwh"], abs=1e-12)
    # The Python tool's parser finds its blocks with case-insensitive expressions that start at the
    # first "actual consumption" in the output log: nothing else there may say it (the PUE
    # sentence does, so it stays in the std log, as in the Python tool).
    first = re.search(r"(?i)Actual consumption[\s\S]*?Time:\s*(.*)\n\s*Energy:\s*(.*)\s+kWh", out)
    assert float(first.group(2)) == pytest.approx(total["energy_kwh"], abs=1e-12)
    assert "PUE coefficient" not in out
    # ... and its parser (ours) reads them back unchanged.
    (logged,) = parser.parse_all_logs(tmp_path)
    assert logged["actual"]["energy (kWh)"] == pytest.approx(total["energy_kwh"], abs=1e-12)
    assert logged["pred"]["energy (kWh)"] == pytest.approx(pred["energy_kwh"], abs=1e-12)


def test_the_std_log_states_the_pue_in_the_python_tools_words_with_its_source(tmp_path):
    run(tmp_path)
    std = read_log(tmp_path, "").splitlines()
    # As the Python tool: the version line, then the PUE sentence, both "YYYY-MM-DD HH:MM:SS - ".
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - carbontracker version .*", std[0]), std[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - " + re.escape(PYTHON_PUE_SENTENCE), std[1]), std[1]
    # The Python tool's report reads the value back with this expression.
    assert re.search(r"PUE coefficient of ([\d\.]+)", "\n".join(std)).group(1) == "1.58"


def test_the_console_states_it_too(tmp_path, capsys):
    run(tmp_path, verbose=1)
    out = capsys.readouterr().out
    assert "CarbonTracker: " + PYTHON_PUE_SENTENCE + "\n" in out
    assert "Predicted device energy " in out
    assert "Facility energy (device energy x PUE 1.58, an estimate of the data centre's use)" in out


def test_pue_1_gives_device_energy_and_says_so(tmp_path, capsys):
    snap, summary = run(tmp_path, pue=1.0, verbose=1)
    total = summary["total"]
    assert summary["pue"] == 1.0
    assert summary["pue_source"] == "user setting: device energy only"
    assert total["facility_energy_j"] == pytest.approx(total["energy_j"]["total"], rel=1e-15)
    kwh, _ = block_kwh(read_log(tmp_path, "_output"), "Actual consumption for 2 epoch(s):")
    assert kwh == pytest.approx(total["energy_j"]["total"] / 3.6e6, abs=1e-12)
    std = read_log(tmp_path, "")
    assert (
        "multiplied by a PUE coefficient of 1.0 (set by the user: 1.0 reports device energy, what the devices used; "
        "the default is 1.58, Daniel Bizo, 2023, Uptime Institute Global Data Center Survey)." in std
    )
    out = capsys.readouterr().out
    assert "PUE 1.0: the Energy and CO2eq above are device energy." in out
    assert "Predicted device energy" not in out  # the prediction block is device energy already


def test_another_pue_names_the_value_who_chose_it_and_how_to_get_device_energy(tmp_path):
    _, summary = run(tmp_path, pue=1.2)
    assert summary["pue_source"] == "user setting"
    assert summary["total"]["facility_energy_j"] == pytest.approx(summary["total"]["energy_j"]["total"] * 1.2)
    std = read_log(tmp_path, "")
    assert (
        "multiplied by a PUE coefficient of 1.2 (set by the user; pue 1.0 reports device energy, what the devices "
        "used; the default is 1.58, Daniel Bizo, 2023, Uptime Institute Global Data Center Survey)." in std
    )


def test_device_energy_is_reported_beside_facility_energy(tmp_path, capsys):
    _, summary = run(tmp_path, verbose=1)
    out = capsys.readouterr().out
    device_kwh = summary["total"]["energy_j"]["total"] / 3.6e6
    facility_kwh = summary["total"]["energy_kwh"]
    # Console, after the "Actual consumption" block: both figures, labelled.
    m = re.search(r"Device energy ([0-9.]+) kWh, all of it (?:measured|estimated).*? Facility energy \(device energy "
                  r"x PUE 1\.58, an estimate of the data centre's use\) ([0-9.]+) kWh", out)
    assert m, out
    assert float(m.group(1)) == pytest.approx(device_kwh, abs=1e-9)
    assert float(m.group(2)) == pytest.approx(facility_kwh, abs=1e-6)
    # After the prediction block: the device energy it stands for.
    m = re.search(r"Predicted device energy ([0-9.]+) kWh", out)
    assert m and float(m.group(1)) == pytest.approx(summary["prediction"]["device_energy_kwh"], abs=1e-9)
    # The event log: run_start names the PUE and its source; each epoch carries both energies.
    (events,) = [p for p in tmp_path.iterdir() if p.name.endswith("_carbontracker_events.jsonl")]
    records = [json.loads(line) for line in events.read_text().splitlines()]
    start = records[0]
    assert start["type"] == "run_start" and start["pue"] == 1.58
    assert "Daniel Bizo, 2023, Uptime Institute Global Data Center Survey" in start["pue_source"]
    epochs = [r["epoch"] for r in records if r["type"] == "epoch"]
    assert len(epochs) == 2
    for e in epochs:
        assert e["facility_energy_j"] == pytest.approx(e["energy_j"]["total"] * 1.58, rel=1e-12)
    assert len(log_files(tmp_path, "")) == 1
