"""carbontracker.parser gives the Python carbontracker's results on the same files.

The logs under tests/fixtures/logs/python-real-<scenario>/ were written by the Python tool's own
tracker, and tests/fixtures/logs/python-real-expected/<scenario>.json holds what ITS parser
returned for them, function by function (both made once by scripts/python-parser-fixtures.py;
see tests/fixtures/logs/README.md). Every comparison here is against those recorded results.

Kept different, asserted as such (docs/python.md, "Differences from the Python tool"):
- the "epochs" of an actual block is the count the block states (the Python tool's regex
  captured none and always said 1); "Actual consumption:" without a count is 1 in both;
- so aggregate_consumption counts a run that monitored all the epochs it predicted for with its
  actual figures (python-real-monitor-all), where the Python tool counted its prediction.
"""

import json
import math
import os
import re
import warnings

import numpy as np
import pytest
from conftest import LOG_FIXTURES

from carbontracker import exceptions, parser

EXPECTED = LOG_FIXTURES / "python-real-expected"
SCENARIOS = sorted(p.stem for p in EXPECTED.glob("*.json"))
# Scenarios where the Python tool's aggregate took the prediction only because it read the
# actual epoch count as 1 (the documented difference).
AGGREGATE_DIFFERS = {"monitor-all"}


def expected(scenario):
    with open(EXPECTED / f"{scenario}.json") as f:
        return json.load(f)


def log_dir(scenario):
    return LOG_FIXTURES / f"python-real-{scenario}"


def plain(v):
    """Our results in the recorded form (numpy arrays as {"ndarray", "shape"}, paths as names)."""
    if isinstance(v, np.ndarray):
        return {"ndarray": v.tolist(), "shape": list(v.shape)}
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, str) and os.path.isabs(v):
        return os.path.basename(v)
    return v


def same(ours, theirs, where="result"):
    """Equal, floats to 1e-12 relative (both sides print 12 decimals; sums may differ in the last bit)."""
    if isinstance(theirs, float) or isinstance(ours, float):
        assert isinstance(ours, (int, float)) and not isinstance(ours, bool), f"{where}: {ours!r} != {theirs!r}"
        if math.isnan(theirs):
            assert math.isnan(ours), where
        else:
            assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15), f"{where}: {ours!r} != {theirs!r}"
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and set(ours) == set(theirs), f"{where}: keys {ours!r} != {theirs!r}"
        for k in theirs:
            same(ours[k], theirs[k], f"{where}[{k!r}]")
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), f"{where}: {ours!r} != {theirs!r}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            same(a, b, f"{where}[{i}]")
    else:
        assert ours == theirs and type(ours) is type(theirs), f"{where}: {ours!r} != {theirs!r}"


def call(fn, *args):
    """fn(*args) in the recorded form: {"value": ...} or {"raises": name, "message": str}."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", parser.ParserWarning)
            return {"value": plain(fn(*args))}
    except Exception as e:  # noqa: BLE001 - compared with what the Python tool raised
        return {"raises": type(e).__name__, "message": str(e)}


def stated_actual_epochs(output_text):
    """The epoch count an output log's actual block states (1 without one: epochs_before_pred=0)."""
    m = re.search(r"Actual consumption for (\d+) epoch", output_text)
    return int(m.group(1)) if m else 1


def with_stated_epochs(consumption_value, output_text):
    """The Python tool's get_consumption result with the actual "epochs" it cannot read (always
    1) replaced by the count the block states: the one documented difference."""
    actual, pred = consumption_value
    if actual is not None:
        actual = dict(actual, epochs=stated_actual_epochs(output_text))
    return [actual, pred]


def check(ours, theirs, where):
    if "raises" in theirs:
        assert ours.get("raises") == theirs["raises"], f"{where}: {ours} (the Python tool raised {theirs})"
        assert ours["message"] == theirs["message"], where
    else:
        assert "raises" not in ours, f"{where}: raised {ours}"
        same(ours["value"], theirs["value"], where)


class FakeMatch:
    """What extract_measurements uses of a re.Match: groups()."""

    def __init__(self, groups):
        self._groups = tuple(groups)

    def groups(self):
        return self._groups


# --- every function, every scenario ---


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_text_function_gives_the_python_tools_results(scenario):
    exp = expected(scenario)
    for name, rec in exp["files"].items():
        text = (log_dir(scenario) / name).read_text()
        for fn in ("get_early_stop", "get_devices", "get_epoch_durations", "get_avg_power_usages"):
            check(call(getattr(parser, fn), text), rec[fn], f"{scenario}/{name}: {fn}")
        # The component dict is in the order of the log's components line, as there.
        assert list(parser.get_devices(text)) == list(rec["get_devices"]["value"]), f"{scenario}/{name}"
        theirs = dict(rec["get_consumption"])
        theirs["value"] = with_stated_epochs(theirs["value"], text)
        check(call(parser.get_consumption, text), theirs, f"{scenario}/{name}: get_consumption")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_directory_function_gives_the_python_tools_results(scenario):
    exp = expected(scenario)
    d = log_dir(scenario)
    check(call(parser.get_all_logs, d), exp["get_all_logs"], f"{scenario}: get_all_logs")
    for std_name, theirs in exp["parse_logs"].items():
        out = d / std_name.replace("_carbontracker.log", "_carbontracker_output.log")
        ours = call(parser.parse_logs, d, d / std_name, out if out.exists() else d / std_name)
        check(ours, theirs, f"{scenario}: parse_logs({std_name})")
        if "value" in theirs:
            assert list(ours["value"]) == list(theirs["value"]), f"{scenario}: parse_logs' component order"
    theirs = exp["parse_all_logs"]
    if "value" in theirs:
        theirs = {"value": [dict(e) for e in theirs["value"]]}
        for entry in theirs["value"]:
            text = (d / entry["output_filename"]).read_text()
            if entry["actual"] is not None:
                entry["actual"] = dict(entry["actual"], epochs=stated_actual_epochs(text))
    check(call(parser.parse_all_logs, d), theirs, f"{scenario}: parse_all_logs")
    if scenario not in AGGREGATE_DIFFERS:
        check(call(parser.aggregate_consumption, d), exp["aggregate_consumption"], f"{scenario}: aggregate_consumption")


# --- one test per item of issue 12's parser section ---


def test_get_time_get_stats_parse_equivalents_and_extract_measurements():
    checked = 0
    for scenario in SCENARIOS:
        for name, rec in expected(scenario)["files"].items():
            for m in rec["matches"]:
                if m is None:
                    continue
                groups = m["groups"]
                full = groups if len(groups) == 5 else [1] + groups
                where = f"{scenario}/{name} {groups}"
                check(call(parser.extract_measurements, FakeMatch(groups)), m["extract_measurements"], where)
                check(call(parser.get_time, full[1]), m["get_time"], where)
                check(call(parser.get_stats, full), m["get_stats"], where)
                if m["parse_equivalents"] is not None:
                    check(call(parser.parse_equivalents, full[4]), m["parse_equivalents"], where)
                checked += 1
    assert checked >= 15
    assert parser.extract_measurements(None) is None
    # Real re.Match objects work as well: a block's groups as the Python tool's helpers take them.
    m = re.search(r"for (\d+) epoch\(s\):\s+Time:\s+(\S+)\s+Energy:\s+(\S+) kWh\s+CO2eq:\s+(\S+) g()",
                  "for 4 epoch(s):\n\tTime:\t1:02:03\n\tEnergy:\t0.5 kWh\n\tCO2eq:\t12.5 g")
    assert parser.extract_measurements(m) == {
        "epochs": 4, "duration (s)": 3723.0, "energy (kWh)": 0.5, "co2eq (g)": 12.5, "equivalents": {}}
    assert parser.get_time("0:00:01.25") == 1.25 and parser.get_time("no time") is None
    for name in ("get_time", "get_stats", "parse_equivalents", "extract_measurements"):
        assert name in parser.__all__
    # A number that cannot be read is skipped with a warning (the Python tool printed one).
    with pytest.warns(parser.ParserWarning, match="Unable to convert 'lots'"):
        assert parser.parse_equivalents("lots km travelled by car\n0.5 km") == {"km": 0.5}


def test_get_all_logs_pairs_the_logs_and_drops_an_unpaired_one():
    for scenario, missing in (("unpaired-std", "output"), ("unpaired-output", "standard")):
        with pytest.warns(parser.ParserWarning, match=f"no {missing} log with the same stem"):
            result = {"value": plain(parser.get_all_logs(log_dir(scenario)))}
        check(result, expected(scenario)["get_all_logs"], scenario)
        outputs, stds = result["value"]
        assert len(outputs) == len(stds) == 2
        assert [o.split("_carbontracker")[0] for o in outputs] == [s.split("_carbontracker")[0] for s in stds]
        check(call(parser.aggregate_consumption, log_dir(scenario)), expected(scenario)["aggregate_consumption"], scenario)


def test_a_none_power_is_zero_and_parse_logs_has_the_python_tools_shapes():
    exp = expected("none-power")
    d = log_dir("none-power")
    std_name = next(iter(exp["parse_logs"]))
    std_text = (d / std_name).read_text()
    assert "for gpu: None" in std_text and "for cpu: None" in std_text
    powers = parser.get_avg_power_usages(std_text)
    assert powers["gpu"][0] == [0.0] and powers["cpu"][0] == [0.0]
    check(call(parser.get_avg_power_usages, std_text), exp["files"][std_name]["get_avg_power_usages"], "powers")
    out = d / std_name.replace("_carbontracker.log", "_carbontracker_output.log")
    logs = parser.parse_logs(d, d / std_name, out)
    for comp in ("gpu", "cpu"):
        assert set(logs[comp]) == {"avg_power_usages (W)", "avg_energy_usages (J)", "epoch_durations (s)", "devices"}
        assert logs[comp]["avg_power_usages (W)"].shape == (3, 1)
        assert logs[comp]["avg_energy_usages (J)"].shape == (3, 1)
        assert logs[comp]["epoch_durations (s)"].shape == (3,)
        assert not np.isnan(logs[comp]["avg_energy_usages (J)"]).any()
    check({"value": plain(logs)}, exp["parse_logs"][std_name], "parse_logs")
    # Ours, moved out of parse_logs: per-epoch energy, with the None epoch unknown (not 0 J).
    energies = parser.get_epoch_energies(d, d / std_name, out)
    assert energies["gpu"][0] is None and energies["cpu"][0] is None
    assert energies["gpu"][1:] == [pytest.approx(100.0 * 0.6)] * 2
    assert energies["cpu"][1:] == [pytest.approx(40.0 * 0.6)] * 2


def test_parse_logs_raises_mismatched_epochs_where_the_python_tool_does(tmp_path):
    exp = expected("mismatched-epochs")
    d = log_dir("mismatched-epochs")
    (std_name, theirs), = exp["parse_logs"].items()
    assert theirs["raises"] == "MismatchedEpochsError"
    out = d / std_name.replace("_carbontracker.log", "_carbontracker_output.log")
    with pytest.raises(exceptions.MismatchedEpochsError) as e:
        parser.parse_logs(d, d / std_name, out)
    assert str(e.value) == theirs["message"]
    with pytest.raises(exceptions.MismatchedEpochsError):
        parser.parse_all_logs(d)
    # Ours reads what is there.
    assert parser.get_epoch_energies(d, d / std_name, out)["cpu"] == [pytest.approx(40.0 * 0.6)] * 2 + [None]

    # Power lines written before their epoch's "Epoch N:" line belong to that epoch: no
    # mismatch (the Python tool counts lines, not blocks) and the right epoch in ours.
    std = tmp_path / "1.1_2025-01-01T000000Z_carbontracker.log"
    std.write_text(
        "2025-01-01 00:00:00 - The following components were found: GPU with device(s) G.\n"
        "2025-01-01 00:00:00 - Epoch 1:\n2025-01-01 00:00:02 - Duration: 0:00:02.00\n"
        "2025-01-01 00:00:02 - Average power usage (W) for gpu: 10.0\n"
        "2025-01-01 00:00:05 - Average power usage (W) for gpu: 20.0\n"
        "2025-01-01 00:00:05 - Epoch 2:\n2025-01-01 00:00:05 - Duration: 0:00:03.00\n")
    out = tmp_path / "1.1_2025-01-01T000000Z_carbontracker_output.log"
    out.write_text("2025-01-01 00:00:05 - CarbonTracker: Finished monitoring.\n")
    logs = parser.parse_logs(tmp_path, std, out)
    assert logs["gpu"]["avg_energy_usages (J)"].tolist() == [[20.0], [60.0]]
    assert parser.get_epoch_energies(tmp_path, std, out) == {"gpu": [20.0, 60.0]}


def test_aggregate_consumption_chooses_actual_or_predicted_as_the_python_tool(capsys):
    for scenario in SCENARIOS:
        if scenario in AGGREGATE_DIFFERS:
            continue
        exp = expected(scenario)
        check(call(parser.aggregate_consumption, log_dir(scenario)), exp["aggregate_consumption"], scenario)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", parser.ParserWarning)
            parser.print_aggregate(log_dir(scenario))
        assert capsys.readouterr().out == exp["print_aggregate"]["stdout"], scenario
    # monitor_epochs=1 (old default), 6 of 40 epochs trained, not interrupted: the prediction.
    assert parser.aggregate_consumption_details(log_dir("old-default"))["basis"] == "predicted"
    # Interrupted: the actual figures, although they cover fewer epochs than predicted.
    assert parser.aggregate_consumption_details(log_dir("interrupted"))["basis"] == "actual"
    # Kept different: actual for 3 of 3 predicted epochs counts its actual figures; the Python
    # tool read the actual block as 1 epoch and counted the prediction.
    ours = parser.aggregate_consumption(log_dir("monitor-all"))
    theirs = expected("monitor-all")
    (run,) = theirs["parse_all_logs"]["value"]
    assert theirs["aggregate_consumption"]["value"][0] == pytest.approx(run["pred"]["energy (kWh)"])
    assert ours[0] == pytest.approx(run["actual"]["energy (kWh)"], rel=1e-12)
    assert ours[1] == pytest.approx(run["actual"]["co2eq (g)"], rel=1e-12)


def test_actual_consumption_without_an_epoch_count_is_one_epoch():
    exp = expected("no-pred")
    (name,) = [n for n in exp["files"] if n.endswith("_output.log")]
    text = (log_dir("no-pred") / name).read_text()
    assert "Actual consumption:\n" in text
    actual, pred = parser.get_consumption(text)
    assert pred is None and actual["epochs"] == 1
    check(call(parser.get_consumption, text), exp["files"][name]["get_consumption"], "no-pred")
    check(call(parser.aggregate_consumption, log_dir("no-pred")), exp["aggregate_consumption"], "no-pred")


def test_a_missing_directory_raises_file_not_found(tmp_path):
    missing = tmp_path / "no-such-dir"
    for fn in (parser.parse_all_logs, parser.parse_logs, parser.aggregate_consumption, parser.print_aggregate,
               parser.get_all_logs, parser.get_most_recent_logs, parser.aggregate_consumption_details,
               parser.get_epoch_energies):
        with pytest.raises(FileNotFoundError) as e:
            fn(missing)
        assert e.value.filename is not None and os.fspath(missing) in str(e.value), fn.__name__
    # Explicit files that do not exist: the same error, as the Python tool's open().
    with pytest.raises(FileNotFoundError):
        parser.parse_logs(tmp_path, tmp_path / "x_carbontracker.log", tmp_path / "x_carbontracker_output.log")
    # A directory without logs: FileNotFoundError naming it (the Python tool: IndexError).
    with pytest.raises(FileNotFoundError, match="no carbontracker logs in"):
        parser.parse_logs(tmp_path)
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(NotADirectoryError):
        parser.parse_all_logs(not_a_dir)


def test_the_last_line_of_a_file_without_a_final_newline_is_parsed():
    exp = expected("no-final-newline")
    d = log_dir("no-final-newline")
    std_name = next(iter(exp["parse_logs"]))
    out_name = std_name.replace("_carbontracker.log", "_carbontracker_output.log")
    std_text, out_text = (d / std_name).read_text(), (d / out_name).read_text()
    assert not std_text.endswith("\n") and std_text.rsplit("\n", 1)[1].endswith("for cpu: 40.0")
    assert not out_text.endswith("\n") and out_text.rsplit("\n", 1)[1].endswith("km travelled by car")
    # The last power line and the last equivalents line are read.
    assert len(parser.get_avg_power_usages(std_text)["cpu"]) == 2
    _, pred = parser.get_consumption(out_text)
    assert set(pred["equivalents"]) == {"km travelled by car"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", parser.ParserWarning)  # nothing is reported as truncated
        logs = parser.parse_logs(d, d / std_name, d / out_name)
        runs = parser.parse_all_logs(d)
    check({"value": plain(logs)}, exp["parse_logs"][std_name], "parse_logs")
    check({"value": plain(runs)}, exp["parse_all_logs"], "parse_all_logs")
    check(call(parser.aggregate_consumption, d), exp["aggregate_consumption"], "aggregate_consumption")
