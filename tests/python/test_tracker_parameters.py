"""CarbonTracker's constructor: the Python tool's parameters, names, order and defaults; ours as
keyword-only arguments; every invalid value raises ConfigError (a ValueError) naming it."""

import inspect

import pytest
from conftest import SIM

from carbontracker.exceptions import ComponentNameError, ConfigError
from carbontracker.tracker import CarbonTracker

PYTHON_TOOL_SIGNATURE = [
    ("epochs", inspect.Parameter.empty),
    ("epochs_before_pred", 1),
    ("monitor_epochs", -1),
    ("update_interval", 1),
    ("interpretable", True),
    ("stop_and_confirm", False),
    ("ignore_errors", False),
    ("components", "all"),
    ("devices_by_pid", False),
    ("log_dir", None),
    ("log_file_prefix", ""),
    ("verbose", 1),
    ("decimal_precision", 12),
    ("api_keys", None),
    ("sim_cpu", None),
    ("sim_cpu_tdp", None),
    ("sim_cpu_util", None),
    ("sim_gpu", None),
    ("sim_gpu_watts", None),
    ("sim_gpu_util", None),
]

OURS = [
    "pue",
    "sample_every",
    "max_energy_kwh",
    "max_co2eq_g",
    "max_duration_s",
    "budget_action",
    "intensity_g_per_kwh",
    "country",
    "zone",
    "cloud",
    "gb_postcode",
    "provider",
    "geolocate",
    "intensity_refresh_s",
    "summary_json",
    "prediction_confidence",
    "prometheus",
    "pushgateway",
    "job_id",
    "rank",
    "local_rank",
    "world_size",
    "job_wait_s",
    "report_every_rank",
]


def test_signature_is_the_python_tools_then_ours_keyword_only():
    params = list(inspect.signature(CarbonTracker.__init__).parameters.values())[1:]
    positional = [(p.name, p.default) for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    assert positional == PYTHON_TOOL_SIGNATURE
    keyword_only = [p.name for p in params if p.kind == p.KEYWORD_ONLY]
    assert keyword_only == OURS
    assert all(p.default is None for p in params if p.kind == p.KEYWORD_ONLY)


def make(**kw):
    kw.setdefault("epochs", 2)
    kw.setdefault("verbose", 0)
    return CarbonTracker(**kw)


def test_defaults_construct_and_expose_the_python_tools_attributes():
    t = CarbonTracker(epochs=3, verbose=0)
    try:
        assert (t.epochs, t.epochs_before_pred, t.monitor_epochs) == (3, 1, -1)
        assert (t.update_interval, t.interpretable, t.stop_and_confirm, t.ignore_errors) == (1, True, False, False)
        assert (t.components, t.devices_by_pid, t.log_dir, t.log_file_prefix) == ("all", False, None, "")
        assert (t.verbose, t.decimal_precision, t.api_keys, t.deleted) == (0, 12, None, False)
        snap = t.snapshot()
        assert snap["pue"] == 1.58  # the Python tool's PUE_2023
        assert snap["finished"] is False
    finally:
        t.stop()
    assert t.deleted


VALID = [
    dict(epochs_before_pred=0),
    dict(epochs_before_pred=-1),
    dict(epochs_before_pred=2, monitor_epochs=2),
    dict(monitor_epochs=1),
    dict(update_interval=0.5),
    dict(interpretable=False),
    dict(stop_and_confirm=True),
    dict(ignore_errors=True),
    # Nothing measurable for components="gpu" without a GPU is an error (docs/tracker.md): simulate one.
    dict(components="gpu", sim_gpu="Sim GPU", sim_gpu_watts=250),
    dict(components="cpu"),
    dict(components=" GPU, cpu "),
    dict(devices_by_pid=True),
    dict(log_file_prefix="exp"),
    dict(verbose=2),
    dict(decimal_precision=3),
    dict(api_keys={"electricitymaps": "KEY"}),
    dict(SIM, sim_cpu_util=0.25, sim_gpu_util=1.0),
    dict(pue=1.58),
    dict(max_energy_kwh=1.0, max_co2eq_g=10.0, max_duration_s=3600, budget_action="stop"),
    dict(budget_action="ask"),
    dict(intensity_g_per_kwh=120.5),
    dict(country="DK"),
    dict(country="Denmark"),
    dict(cloud="gcp:europe-west1"),
    dict(zone="DK-DK2"),
    dict(country="GB", gb_postcode="RG10"),
    dict(country="DK", provider="none"),
    dict(country="DK", provider="energidataservice"),
    dict(geolocate=False),
    dict(intensity_refresh_s=60),
    dict(prediction_confidence=0.8),
]


@pytest.mark.parametrize("kw", VALID, ids=lambda kw: ",".join(kw))
def test_valid_parameters_are_accepted(kw, tmp_path):
    t = make(**kw)
    t.stop()
    assert t.snapshot()["finished"] is True


def test_log_dir_and_summary_json_accept_paths(tmp_path):
    t = make(log_dir=tmp_path / "logs", summary_json=tmp_path / "s.json")
    t.stop()
    assert (tmp_path / "s.json").is_file()
    assert list((tmp_path / "logs").glob("*_carbontracker.log"))


INVALID = [
    (dict(epochs=0), "epochs"),
    (dict(epochs="ten"), "epochs"),
    (dict(epochs=2.5), "epochs"),
    (dict(epochs_before_pred=-2), "epochs_before_pred"),
    (dict(epochs_before_pred=3), "epochs_before_pred"),
    (dict(monitor_epochs=0), "monitor_epochs"),
    (dict(monitor_epochs=-5), "monitor_epochs"),
    (dict(epochs_before_pred=2, monitor_epochs=1), "monitor_epochs"),
    (dict(update_interval=0), "update_interval"),
    (dict(update_interval=-1), "update_interval"),
    (dict(update_interval=float("nan")), "update_interval"),
    (dict(interpretable="maybe"), "interpretable"),
    (dict(decimal_precision=-1), "decimal_precision"),
    (dict(decimal_precision=40), "decimal_precision"),
    (dict(api_keys=["KEY"]), "api_keys"),
    (dict(api_keys={"electricitymaps": 42}), "api_keys"),
    (dict(sim_cpu="Sim CPU"), "sim_cpu_tdp"),
    (dict(sim_cpu="Sim CPU", sim_cpu_tdp=-3), "sim_cpu_tdp"),
    (dict(sim_cpu="Sim CPU", sim_cpu_tdp=65, sim_cpu_util=1.5), "sim_cpu_util"),
    (dict(sim_gpu="Sim GPU"), "sim_gpu_watts"),
    (dict(sim_gpu="Sim GPU", sim_gpu_watts=250, sim_gpu_util=-0.1), "sim_gpu_util"),
    (dict(pue=0.5), "pue"),
    (dict(max_energy_kwh=-1), "max_energy_kwh"),
    (dict(max_co2eq_g=0), "max_co2eq_g"),
    (dict(max_duration_s=-10), "max_duration_s"),
    (dict(budget_action="explode"), "budget_action"),
    (dict(intensity_g_per_kwh=-5), "intensity_g_per_kwh"),
    (dict(prediction_confidence=1.5), "prediction_confidence"),
    (dict(pue=object()), "pue"),
    (dict(provider="no-such-provider"), "provider"),
    (dict(country="Atlantis"), "location"),
    (dict(components="gpu"), "components"),  # no GPU here: nothing measurable is refused
]


@pytest.mark.parametrize("kw,parameter", INVALID, ids=lambda v: str(v))
def test_invalid_parameters_raise_config_error_naming_them(kw, parameter):
    with pytest.raises(ValueError) as info:
        make(**kw)
    assert isinstance(info.value, ConfigError)
    assert info.value.parameter == parameter
    assert parameter in str(info.value)
    assert "fix" in str(info.value) or "give" in str(info.value)


def test_unknown_component_is_the_python_tools_component_name_error():
    with pytest.raises(ComponentNameError) as info:
        make(components="tpu")
    assert info.value.parameter == "components"
    assert "tpu" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_log_dir_that_is_a_file_is_rejected(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ConfigError) as info:
        make(log_dir=f)
    assert info.value.parameter == "log_dir"


def test_summary_json_in_a_missing_directory_is_rejected(tmp_path):
    with pytest.raises(ConfigError) as info:
        make(summary_json=tmp_path / "missing" / "s.json")
    assert info.value.parameter == "summary_json"


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError):
        make(no_such_option=1)


def test_set_api_keys_validates_and_replaces():
    t = make()
    try:
        t.set_api_keys({"electricitymaps": "OTHER"})
        assert t.api_keys == {"electricitymaps": "OTHER"}
        with pytest.raises(ConfigError) as info:
            t.set_api_keys("KEY")
        assert info.value.parameter == "api_keys"
    finally:
        t.stop()


def test_prometheus_serves_metrics_and_a_bad_address_raises_config_error(capsys):
    import re
    import urllib.request

    t = CarbonTracker(epochs=1, verbose=1, prometheus="127.0.0.1:0", **SIM)
    try:
        out = capsys.readouterr().out
        m = re.search(r"carbontracker: Prometheus metrics at (http://127\.0\.0\.1:\d+/metrics)", out)
        assert m, out
        with urllib.request.urlopen(m.group(1), timeout=5) as r:
            assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
            body = r.read().decode()
        assert 'carbontracker_energy_joules_total{component="gpu"' in body
        assert 'carbontracker_info{version="' in body
    finally:
        t.stop()
    with pytest.raises(ConfigError, match="prometheus"):
        make(prometheus="no-port-here", **SIM)
