"""CarbonTracker in one process: console through sys.stdout, logs read back by the parser,
snapshot(), the context manager, iter_epochs(), budgets and ignore_errors."""

import json
import shutil
import threading
import time

import pytest
from conftest import SIM, log_files, read_log

from carbontracker import _carbontracker, parser
from carbontracker.exceptions import BudgetExceeded, TrackerError
from carbontracker.tracker import CarbonTracker

SNAPSHOT_KEYS = {
    "version",
    "carbontracker_version",
    "pue",
    "pue_source",
    "components",
    "epochs",
    "epochs_in_blocks",
    "epoch_blocks",
    "interrupted_epoch",
    "total",
    "whole_run",
    "intensity",
    "prediction",
    "paper_prediction",
    "prediction_history",
    "predictions_made",
    "budget_events",
    "stopped_by_budget",
    "finished",
    "warnings",
    "command",
    "planned_epochs",
    "setup",
    "wrap_up",
}


def train(tracker, epochs, seconds=0.05):
    for _ in range(epochs):
        tracker.epoch_start()
        time.sleep(seconds)
        tracker.epoch_end()


def test_console_goes_to_sys_stdout_with_the_python_tools_messages(capsys, tmp_path):
    t = CarbonTracker(epochs=2, log_dir=tmp_path, intensity_g_per_kwh=100, **SIM)
    train(t, 2)
    assert not t.deleted  # monitor_epochs=-1: monitoring goes on until stop(), as the Python tool
    t.stop()
    out = capsys.readouterr().out
    assert "CarbonTracker: The following components were found: GPU with device(s) Sim GPU." in out
    assert "Predicted consumption for 2 epoch(s):" in out
    assert "Actual consumption for 2 epoch(s):" in out
    assert "\tEnergy:\t" in out and " kWh" in out and "km travelled by car" in out
    assert "CarbonTracker: Finished monitoring." in out
    assert t.deleted and t.epoch_counter == 2  # no epoch was in progress
    t.stop()  # a no-op now
    assert capsys.readouterr().out == ""


def test_verbose_0_prints_nothing_but_still_logs(capsys, tmp_path):
    t = CarbonTracker(epochs=1, log_dir=tmp_path, verbose=0, intensity_g_per_kwh=100, **SIM)
    train(t, 1)
    t.stop()
    assert capsys.readouterr().out == ""
    assert "Actual consumption for 1 epoch(s):" in read_log(tmp_path, "_output")


def test_logs_written_by_the_module_are_read_back_by_its_parser(tmp_path):
    t = CarbonTracker(epochs=3, log_dir=tmp_path, log_file_prefix="exp", verbose=0, intensity_g_per_kwh=100,
                      decimal_precision=6, **SIM)
    train(t, 3, 0.1)
    t.stop()
    snap = t.snapshot()
    std = log_files(tmp_path, "")
    assert len(std) == 1 and std[0].name.startswith("exp_")

    runs = parser.parse_all_logs(tmp_path)
    assert len(runs) == 1
    run = runs[0]
    assert run["early_stop"] is False
    assert run["actual"]["epochs"] == 3  # the Python parser said 1 here
    assert run["pred"]["epochs"] == 3
    kwh = snap["total"]["facility_energy_j"] / 3.6e6
    assert run["actual"]["energy (kWh)"] == pytest.approx(kwh, rel=1e-4, abs=1e-6)
    assert run["actual"]["co2eq (g)"] == pytest.approx(kwh * 100, rel=1e-3, abs=1e-6)
    gpu = run["components"]["gpu"]
    assert gpu["devices"] == ["Sim GPU"]
    assert gpu["avg_power_usages (W)"].shape == (3, 1)
    assert gpu["avg_power_usages (W)"][:, 0] == pytest.approx([125.0] * 3)
    assert gpu["epoch_durations (s)"] == pytest.approx([e["duration_s"] for e in snap["epochs"]], abs=0.01)

    kwh_total, g_total, equivalents = parser.aggregate_consumption(tmp_path)
    assert kwh_total == pytest.approx(kwh, rel=1e-6)  # from the event log: not rounded
    assert g_total == pytest.approx(kwh * 100, rel=1e-6)
    assert set(equivalents) == {"km travelled by car"}


def test_snapshot_is_a_dict_with_the_summary_keys(tmp_path):
    t = CarbonTracker(epochs=2, verbose=0, summary_json=tmp_path / "s.json", intensity_g_per_kwh=100, **SIM)
    train(t, 1)
    snap = t.snapshot()
    assert set(snap) == SNAPSHOT_KEYS
    assert len(snap["epochs"]) == 1 and snap["finished"] is False
    assert snap["epochs"][0]["index"] == 1
    assert snap["prediction"]["epochs"] == 2
    assert snap["intensity"]["g_per_kwh"] == pytest.approx(100)
    assert set(snap["components"]) >= {"gpu", "cpu"}
    t.stop()
    final = t.snapshot()
    assert final["finished"] is True
    with open(tmp_path / "s.json") as f:
        assert json.load(f)["total"]["epochs"] == final["total"]["epochs"] == 1


def test_context_manager_stops_on_exit(tmp_path):
    with CarbonTracker(epochs=5, log_dir=tmp_path, verbose=0, intensity_g_per_kwh=100, **SIM) as t:
        train(t, 2)
        assert not t.deleted
    assert t.deleted and t.snapshot()["finished"]
    assert "Training was interrupted before all 5 epochs were monitored." in read_log(tmp_path, "")
    assert "Actual consumption for 2 epoch(s):" in read_log(tmp_path, "_output")


def test_context_manager_stops_on_an_exception_and_lets_it_through(tmp_path):
    with pytest.raises(KeyError):
        with CarbonTracker(epochs=5, log_dir=tmp_path, verbose=0, intensity_g_per_kwh=100, **SIM) as t:
            t.epoch_start()
            raise KeyError("boom")
    snap = t.snapshot()
    assert snap["finished"] and snap["interrupted_epoch"]["index"] == 1
    assert "Actual consumption" in read_log(tmp_path, "_output")


def test_iter_epochs_wraps_each_item_in_an_epoch():
    t = CarbonTracker(epochs=3, verbose=0, intensity_g_per_kwh=100, **SIM)
    seen = []
    for e in t.iter_epochs():
        seen.append(e)
        assert t.epoch_counter == e + 1
    assert seen == [0, 1, 2]
    assert [e["index"] for e in t.snapshot()["epochs"]] == [1, 2, 3]
    assert t.deleted


def test_iter_epochs_over_an_iterable_and_break_ends_the_epoch():
    t = CarbonTracker(epochs=10, verbose=0, intensity_g_per_kwh=100, **SIM)
    for lr in t.iter_epochs([0.1, 0.01, 0.001]):
        if lr == 0.01:
            break
    snap = t.snapshot()
    assert len(snap["epochs"]) == 2
    t.stop()


def test_budget_stop_raises_budget_exceeded_after_the_final_report(tmp_path, capsys):
    t = CarbonTracker(epochs=100, log_dir=tmp_path, max_energy_kwh=1e-5, budget_action="stop",
                      intensity_g_per_kwh=100, **SIM)
    with pytest.raises(BudgetExceeded) as info:
        train(t, 100, 0.02)
    ev = info.value.event
    assert ev["limit"] == "max_energy_kwh" and ev["outcome"] == "stopped" and ev["basis"] == "predicted"
    assert ev["limit_value"] == 1e-5
    snap = t.snapshot()
    assert snap["stopped_by_budget"] and snap["finished"] and len(snap["epochs"]) == 1
    assert t.deleted
    assert "Actual consumption for 1 epoch(s):" in read_log(tmp_path, "_output")
    assert "Budget:" in capsys.readouterr().out


def test_budget_ask_uses_input_and_n_raises_budget_exceeded(monkeypatch, capsys):
    answers = iter(["what?", "n"])
    monkeypatch.setattr("builtins.input", lambda *a: next(answers))
    t = CarbonTracker(epochs=100, max_energy_kwh=1e-5, budget_action="ask", intensity_g_per_kwh=100, **SIM)
    with pytest.raises(BudgetExceeded):
        train(t, 100, 0.02)
    out = capsys.readouterr().out
    assert "Continue training (y/n)?" in out and "Input not recognized" in out and "Quitting..." in out
    assert t.snapshot()["budget_events"][0]["outcome"] == "stopped"


def test_budget_ask_answered_y_continues(monkeypatch):
    monkeypatch.setattr("builtins.input", lambda *a: "y")
    t = CarbonTracker(epochs=3, verbose=0, max_energy_kwh=1e-6, budget_action="ask", intensity_g_per_kwh=100, **SIM)
    train(t, 3, 0.02)
    snap = t.snapshot()
    assert len(snap["epochs"]) == 3 and not snap["stopped_by_budget"]
    assert snap["budget_events"][0]["outcome"] == "continued"


def test_stop_and_confirm_answered_n_exits_0_after_the_report(monkeypatch, tmp_path):
    monkeypatch.setattr("builtins.input", lambda *a: "n")
    t = CarbonTracker(epochs=5, log_dir=tmp_path, stop_and_confirm=True, verbose=0, intensity_g_per_kwh=100, **SIM)
    with pytest.raises(SystemExit) as info:
        train(t, 5)
    assert info.value.code == 0
    assert t.deleted
    out = read_log(tmp_path, "_output")
    assert "Predicted consumption for 5 epoch(s):" in out and "Actual consumption for 1 epoch(s):" in out


def test_ignore_errors_false_raises_tracker_error_from_the_next_call(tmp_path):
    (tmp_path / "out").mkdir()
    t = CarbonTracker(epochs=2, verbose=0, summary_json=tmp_path / "out" / "s.json", intensity_g_per_kwh=100, **SIM)
    train(t, 1)
    shutil.rmtree(tmp_path / "out")  # the summary can no longer be written
    with pytest.raises(TrackerError) as info:
        t.stop()
    assert "summary" in str(info.value) and "ignore_errors" in str(info.value)
    t.stop()  # raised once; the interpreter is alive and the tracker is finished
    assert t.snapshot()["finished"]


def test_ignore_errors_true_prints_a_warning_instead(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    t = CarbonTracker(epochs=2, ignore_errors=True, summary_json=tmp_path / "out" / "s.json",
                      intensity_g_per_kwh=100, **SIM)
    train(t, 1)
    shutil.rmtree(tmp_path / "out")
    t.stop()
    out = capsys.readouterr().out
    assert "could not write the summary" in out
    assert any("summary" in w for w in t.snapshot()["warnings"])


def test_gil_is_released_while_cpp_works(tmp_path):
    # A Python thread makes progress DURING one long C++ call (reading a 30000-epoch log);
    # with the GIL held it could not run at all until the call returned. The tracker's methods
    # release it through the same helper (tracker_binding.cpp: call()).
    lines = ["2025-01-01 00:00:00 - The following components were found: GPU with device(s) G. CPU with device(s) C."]
    for e in range(1, 30001):
        lines += [f"2025-01-01 00:00:00 - Epoch {e}:", "2025-01-01 00:00:00 - Duration: 0:00:01.00",
                  "2025-01-01 00:00:00 - Average power usage (W) for gpu: 100.0",
                  "2025-01-01 00:00:00 - Average power usage (W) for cpu: 10.0"]
    (tmp_path / "1.1_2025-01-01T000000Z_carbontracker.log").write_text("\n".join(lines) + "\n")
    (tmp_path / "1.1_2025-01-01T000000Z_carbontracker_output.log").write_text("")
    std_file = tmp_path / "1.1_2025-01-01T000000Z_carbontracker.log"
    ticks = []
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            ticks.append(time.perf_counter())

    th = threading.Thread(target=spin)
    th.start()
    try:
        time.sleep(0.01)
        t0 = time.perf_counter()
        logs, _ = _carbontracker.parse_logs(str(tmp_path), str(std_file), str(std_file))  # C++ only
        t1 = time.perf_counter()
    finally:
        stop.set()
        th.join()
    assert len(logs["gpu"]["epoch_durations (s)"]) == 30000
    during = [t for t in ticks if t0 + (t1 - t0) * 0.25 < t < t0 + (t1 - t0) * 0.75]
    assert t1 - t0 > 0.02 and during


def test_no_signal_handler_is_replaced():
    import signal

    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    t = CarbonTracker(epochs=1, verbose=0, intensity_g_per_kwh=100, **SIM)
    train(t, 1)
    assert {s: signal.getsignal(s) for s in before} == before
