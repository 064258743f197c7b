"""Issue 12, the API surface: requested components, monitor_epochs, attributes, set_api_keys,
exceptions and the names third-party code imports, each checked against the Python
carbontracker's documented and observed behaviour (its source read, not copied).

Where a number is asserted the PUE is set (pue=1.0) so the test holds whatever the default is.
Every provider URL points at a local server or a closed local port (tests/python/conftest.py)."""

import http.server
import inspect
import os
import threading
import time

import pytest

from conftest import SIM, log_files, read_log
from carbontracker import exceptions
from carbontracker.tracker import CarbonTracker

FIXED = dict(intensity_g_per_kwh=100, verbose=0)


def train(tracker, epochs, seconds=0.05):
    for _ in range(epochs):
        tracker.epoch_start()
        time.sleep(seconds)
        tracker.epoch_end()


# ---- Requested components -------------------------------------------------------------------


def test_gpu_without_a_usable_gpu_raises_no_components_available_error_at_construction(tmp_path):
    # conftest: no libnvidia-ml. The Python tool raises this class (in its thread, then exits 70).
    with pytest.raises(exceptions.NoComponentsAvailableError) as info:
        CarbonTracker(epochs=2, components="gpu", log_dir=tmp_path / "logs", **FIXED)
    e = info.value
    assert isinstance(e, Exception) and isinstance(e, exceptions.ConfigError)
    assert e.parameter == "components"
    assert "nothing can be measured" in str(e) and "nvml" in str(e) and "fix:" in str(e)
    assert not (tmp_path / "logs").exists() or not any((tmp_path / "logs").iterdir())


def test_sim_cpu_with_components_cpu_is_the_simulated_cpu_alone():
    # The Python tool: the simulated CPU replaces the whole "cpu" component (tdp x util).
    t = CarbonTracker(epochs=1, components="cpu", sim_cpu="Sim CPU", sim_cpu_tdp=80, sim_cpu_util=0.5, pue=1.0,
                      update_interval=0.1, **FIXED)
    train(t, 1, 0.3)
    t.stop()
    s = t.snapshot()
    assert s["components"]["cpu"]["devices"][0]["name"] == "Sim CPU"
    assert s["components"]["dram"]["present"] is False
    energy = s["total"]["energy_j"]
    assert energy["dram"] == 0.0
    assert energy["cpu"] == pytest.approx(40.0 * s["total"]["duration_s"], rel=1e-9)
    assert energy["total"] == pytest.approx(energy["cpu"], rel=1e-12)
    assert s["total"]["facility_energy_j"] == pytest.approx(energy["total"], rel=1e-12)  # pue=1.0


def test_sim_cpu_with_components_all_adds_the_dram_estimate_as_its_own_device(capsys):
    t = CarbonTracker(epochs=1, components="all", sim_cpu="Sim CPU", sim_cpu_tdp=80, sim_cpu_util=0.5, pue=1.0,
                      update_interval=0.1, intensity_g_per_kwh=100)
    train(t, 1, 0.3)
    t.stop()
    s = t.snapshot()
    dram = s["components"]["dram"]
    assert dram["present"] and dram["methods"] == ["estimated"]
    assert [d["name"] for d in dram["devices"]] == ["dram"]
    energy = s["total"]["energy_j"]
    assert energy["cpu"] == pytest.approx(40.0 * s["total"]["duration_s"], rel=1e-9)
    assert energy["dram"] > 0
    assert energy["total"] == pytest.approx(energy["cpu"] + energy["dram"], rel=1e-12)
    out = capsys.readouterr().out
    assert "CPU with device(s) Sim CPU, dram (dram-estimate)." in out


# ---- monitor_epochs -------------------------------------------------------------------------


def test_monitor_epochs_minus_1_stays_and_monitors_past_epochs_until_stop(tmp_path):
    t = CarbonTracker(epochs=3, log_dir=tmp_path, pue=1.0, **FIXED, **SIM)
    assert t.monitor_epochs == -1
    train(t, 5)
    assert not t.deleted and t.snapshot()["finished"] is False  # the Python tool reports at stop()
    assert t.epoch_counter == 5
    assert "Actual consumption" not in read_log(tmp_path, "_output")
    t.stop()
    assert t.deleted and t.monitor_epochs == -1
    assert t.epoch_counter == 5  # no epoch was in progress
    s = t.snapshot()
    assert len(s["epochs"]) == 5 and s["finished"]
    out = read_log(tmp_path, "_output")
    assert "Predicted consumption for 3 epoch(s):" in out
    assert "Actual consumption for 5 epoch(s):" in out


def test_stop_during_an_epoch_lowers_epoch_counter_as_the_python_tool(tmp_path):
    t = CarbonTracker(epochs=10, log_dir=tmp_path, **FIXED, **SIM)
    train(t, 3)
    t.epoch_start()
    assert t.epoch_counter == 4
    t.stop()
    assert t.epoch_counter == 3  # the interrupted epoch is not counted
    assert "Actual consumption for 3 epoch(s):" in read_log(tmp_path, "_output")
    assert "Training was interrupted before all 10 epochs were monitored." in read_log(tmp_path, "")
    t.stop()
    assert t.epoch_counter == 3  # idempotent


def test_an_explicit_monitor_epochs_ends_monitoring_there():
    t = CarbonTracker(epochs=5, monitor_epochs=2, **FIXED, **SIM)
    train(t, 2)
    assert t.deleted and t.monitor_epochs == 2 and len(t.snapshot()["epochs"]) == 2
    t.epoch_start()  # a no-op once finished, as in the Python tool
    assert t.epoch_counter == 2


# ---- Every constructor argument is an attribute of the same name ----------------------------


def test_every_constructor_argument_is_an_attribute_with_the_value_given(tmp_path):
    given = dict(
        epochs=7, epochs_before_pred=2, monitor_epochs=-1, update_interval=2, interpretable=False,
        stop_and_confirm=False, ignore_errors=True, components="cpu", devices_by_pid=True,
        log_dir=str(tmp_path), log_file_prefix="exp", verbose=0, decimal_precision=4,
        api_keys={"electricitymaps": "KEY"}, sim_cpu="Sim CPU", sim_cpu_tdp=90, sim_cpu_util=0.25,
        sim_gpu="Sim GPU", sim_gpu_watts=300, sim_gpu_util=0.75,
        pue=1.2, max_energy_kwh=10.0, max_co2eq_g=1000.0, max_duration_s=3600.0, budget_action="warn",
        intensity_g_per_kwh=100, country="DK", provider="none", geolocate=False, intensity_refresh_s=600,
        summary_json=str(tmp_path / "s.json"), prediction_confidence=0.8,
    )
    t = CarbonTracker(**given)
    try:
        for name, value in given.items():
            assert getattr(t, name) == value, name
        not_given = {"sample_every", "zone", "cloud", "gb_postcode", "prometheus", "pushgateway", "job_id", "rank", "local_rank",
                     "world_size", "job_wait_s", "report_every_rank"}
        for name in not_given:  # not given: None (the default applies)
            assert getattr(t, name) is None, name
        params = inspect.signature(CarbonTracker.__init__).parameters
        assert set(params) - {"self"} == set(given) | not_given
        assert (t.epoch_counter, t.deleted) == (0, False)
    finally:
        t.stop()


# ---- set_api_keys -----------------------------------------------------------------------------


def test_set_api_keys_with_an_unknown_provider_raises_fetcher_name_error_at_the_call():
    t = CarbonTracker(epochs=2, **FIXED, **SIM)
    try:
        with pytest.raises(exceptions.FetcherNameError) as info:
            t.set_api_keys({"electricitymaps": "KEY", "co2signal": "KEY"})
        assert "api name 'co2signal'" in str(info.value).lower()
        assert "KEY" not in str(info.value)
        assert t.api_keys is None  # nothing changed
        t.set_api_keys({"ElectricityMaps": "KEY"})  # the Python tool lower-cases the name
        assert t.api_keys == {"ElectricityMaps": "KEY"}
    finally:
        t.stop()


class _TokenRecorder(http.server.BaseHTTPRequestHandler):
    tokens = []

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).tokens.append(self.headers.get("auth-token"))
        if self.headers.get("auth-token") == "NEW-KEY" and self.path.startswith("/carbon-intensity/latest"):
            body = (b'{"zone":"DE","carbonIntensity":321,"datetime":"2026-01-01T00:00:00.000Z",'
                    b'"updatedAt":"2026-01-01T00:00:00.000Z","isEstimated":false}')
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def electricity_maps(monkeypatch):
    _TokenRecorder.tokens = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TokenRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("CARBONTRACKER_ELECTRICITYMAPS_URL", f"http://127.0.0.1:{server.server_port}")
    yield _TokenRecorder.tokens
    server.shutdown()
    server.server_close()


def wait_for(predicate, timeout_s=30.0):
    """Polls until predicate() holds; bounded so a regression fails instead of hanging."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_a_key_set_after_construction_is_sent_by_the_next_fetch(electricity_maps):
    t = CarbonTracker(epochs=2, zone="DE", api_keys={"electricitymaps": "OLD-KEY"}, intensity_refresh_s=1,
                      verbose=0, **SIM)
    try:
        assert wait_for(lambda: "OLD-KEY" in electricity_maps), electricity_maps
        t.set_api_keys({"electricitymaps": "NEW-KEY"})
        assert wait_for(lambda: "NEW-KEY" in electricity_maps), electricity_maps
        first_new = electricity_maps.index("NEW-KEY")
        assert set(electricity_maps[first_new:]) == {"NEW-KEY"}
    finally:
        t.stop()


def test_a_key_for_a_zone_that_had_no_provider_starts_live_intensity(electricity_maps):
    t = CarbonTracker(epochs=50, zone="DE", verbose=0, **SIM)  # no key: the yearly table, nothing fetched
    try:
        before = t.snapshot()["intensity"]["source"]
        t.set_api_keys({"electricitymaps": "NEW-KEY"})
        assert wait_for(lambda: "NEW-KEY" in electricity_maps), electricity_maps

        def live():
            train(t, 1, 0.01)
            return "Electricity Maps" in t.snapshot()["intensity"]["source"]

        assert wait_for(live), t.snapshot()["intensity"]
        assert t.snapshot()["intensity"]["source"] != before
    finally:
        t.stop()


# ---- Exceptions -------------------------------------------------------------------------------

# The Python tool's carbontracker/exceptions.py: every class derives from Exception.
PYTHON_TOOL_EXCEPTIONS = [
    "NoComponentsAvailableError", "UnitError", "IntelRaplPermissionError", "GPUPowerUsageRetrievalError",
    "CarbonIntensityFetcherError", "IPLocationError", "GPUError", "CPUError", "ComponentNameError",
    "FetcherNameError", "MismatchedLogFilesError", "MismatchedEpochsError",
]


@pytest.mark.parametrize("name", PYTHON_TOOL_EXCEPTIONS)
def test_every_python_tool_exception_exists_derives_from_its_base_and_raises_without_arguments(name):
    cls = getattr(exceptions, name)
    assert cls.__name__ == name and issubclass(cls, Exception)
    with pytest.raises(cls):
        raise cls()
    try:  # an except clause for the Python tool's base catches it
        raise cls()
    except Exception as e:  # noqa: BLE001
        assert type(e) is cls


def test_exceptions_take_the_python_tools_keyword_arguments():
    e = exceptions.IntelRaplPermissionError(file_names=["/sys/class/powercap/intel-rapl:0/energy_uj"])
    assert e.file_names == ["/sys/class/powercap/intel-rapl:0/energy_uj"]
    e = exceptions.UnitError(expected_unit="W", received_unit="mW", message="unit mismatch")
    assert (e.expected_unit, e.received_unit, e.message) == ("W", "mW", "unit mismatch")
    assert exceptions.UnitError("W", "mW", "m").received_unit == "mW"  # positionally too
    e = exceptions.NoComponentsAvailableError()
    assert str(e) == ("No components were available. CarbonTracker supports Intel CPUs with the RAPL "
                      "interface and NVIDIA GPUs.")
    assert str(exceptions.NoComponentsAvailableError(msg="none here")) == "none here"
    assert str(exceptions.ComponentNameError("No component found with name 'tpu'.")) == \
        "No component found with name 'tpu'."
    assert str(exceptions.FetcherNameError("Invalid API name 'x' given.")) == "Invalid API name 'x' given."
    assert exceptions.MismatchedEpochsError("a", "b").args == ("a", "b")


# ---- Names third-party code imports -------------------------------------------------------------


def test_tracker_module_names_import():
    from carbontracker.tracker import CarbonIntensityThread, CarbonTracker as CT, CarbonTrackerThread

    assert CT is CarbonTracker
    assert issubclass(CarbonTrackerThread, threading.Thread)
    assert issubclass(CarbonIntensityThread, threading.Thread)
    with pytest.raises(NotImplementedError, match="construct a CarbonTracker"):
        CarbonTrackerThread(components=[], logger=None, ignore_errors=False, delete=lambda: None)


def test_code_that_replaces_a_thread_method_imports_and_runs(tmp_path):
    # Seen in a public script: it keeps CarbonTrackerThread._log_components_info and installs
    # its own (to decode device names). Here the C++ core logs the components: the names exist,
    # a replacement is never called, and the tracker runs as usual.
    from carbontracker.tracker import CarbonIntensityThread, CarbonTrackerThread

    original = CarbonTrackerThread._log_components_info
    called = []
    CarbonTrackerThread._log_components_info = lambda self: called.append(self)
    try:
        tracker = CarbonTracker(epochs=1, log_dir=str(tmp_path), verbose=0, **SIM)
        train(tracker, 1)
        tracker.stop()
    finally:
        CarbonTrackerThread._log_components_info = original
    assert called == []
    assert "Actual consumption" in read_log(tmp_path, "_output")
    for cls, name in ((CarbonTrackerThread, "epoch_end"), (CarbonIntensityThread, "average_carbon_intensity")):
        with pytest.raises(NotImplementedError, match="runs in the C\\+\\+ core"):
            getattr(cls, name)(None)


def test_constants_have_the_python_tools_names_and_values():
    from carbontracker.constants import PUE_2020, PUE_2021, PUE_2022, PUE_2023, WORLD_2019_CARBON_INTENSITY

    assert (PUE_2020, PUE_2021, PUE_2022, PUE_2023) == (1.59, 1.57, 1.55, 1.58)
    assert WORLD_2019_CARBON_INTENSITY == 481


@pytest.mark.parametrize("seconds,plain,with_ms", [
    # Values the Python tool's convert_to_timestring gives (run on /work/pyct while writing this).
    (0, "0:00:00", "0:00:00.00"),
    (59.6, "0:01:00", "0:00:59.60"),
    (59.996, "0:01:00", "0:01:00.00"),
    (3599.5, "1:00:00", "0:59:59.50"),
    (3725.25, "1:02:05", "1:02:05.25"),
    (-61, "-0:01:01", "-0:01:01.00"),
    (172805, "48:00:05", "48:00:05.00"),
])
def test_loggerutil_convert_to_timestring_formats_as_the_python_tool(seconds, plain, with_ms):
    from carbontracker.loggerutil import convert_to_timestring

    assert convert_to_timestring(seconds) == plain
    assert convert_to_timestring(seconds, True) == with_ms
    assert convert_to_timestring(seconds, add_milliseconds=True) == with_ms


def test_loggerutil_logger_writes_the_python_tools_three_files(tmp_path, capsys):
    from carbontracker.loggerutil import Logger

    log = Logger(log_dir=tmp_path, verbose=1, log_prefix="mine", logger_id="42")
    log.output("hello")
    log.info("std line")
    log.err_warn("careful")
    for h in log.logger.handlers + log.logger_output.handlers + log.logger_err.handlers:
        h.flush()
    assert "CarbonTracker: hello" in capsys.readouterr().out
    out = log_files(tmp_path, "_output")
    std = log_files(tmp_path, "")
    assert len(out) == 1 and out[0].name.startswith(f"mine_{os.getpid()}.42_")
    assert " - CarbonTracker: hello" in out[0].read_text()
    assert " - std line" in std[0].read_text() and "carbontracker version" in std[0].read_text()
    assert "WARNING - careful" in log_files(tmp_path, "_err")[0].read_text()
