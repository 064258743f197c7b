"""Keyword arguments meet the same bounds as every other way of configuring the tracker
(docs/configuration.md#bounds): overflowing numbers, strings with NUL and a log_file_prefix
that would leave log_dir raise ConfigError (a ValueError) naming the parameter; nothing is
written outside log_dir."""

import math

import pytest

from carbontracker.exceptions import ConfigError
from carbontracker.tracker import CarbonTracker


def make(**kw):
    kw.setdefault("epochs", 2)
    kw.setdefault("verbose", 0)
    return CarbonTracker(**kw)


@pytest.mark.parametrize(
    "kw,parameter,words",
    [
        (dict(intensity_refresh_s=1e10), "intensity_refresh_s", "must be between 1 and 86400 s, got 10000000000"),
        (dict(intensity_refresh_s=math.inf), "intensity_refresh_s", "got inf"),
        (dict(max_duration_s=1e300), "max_duration_s", "at most 1e+09 s"),
        (dict(update_interval=float("nan")), "update_interval", "got nan"),
        (dict(epochs=10**30), "epochs", "must be between 1 and 1e+07"),
        (dict(pue=float("1e400")), "pue", "got inf"),
        (dict(prediction_confidence=1.0), "prediction_confidence", "between 0.5 and 0.999"),
        (dict(monitor_epochs=0), "monitor_epochs", "cannot be 0"),
        (dict(log_file_prefix="../escaped"), "log_file_prefix", "outside log_dir"),
        (dict(log_file_prefix="sub/dir"), "log_file_prefix", "outside log_dir"),
        (dict(log_file_prefix="a\0b"), "log_file_prefix", "NUL"),
        (dict(country="D\0K"), "country", "NUL"),
    ],
    ids=lambda v: str(v),
)
def test_out_of_range_and_hostile_values_name_the_parameter(tmp_path, kw, parameter, words):
    logs = tmp_path / "logs"
    with pytest.raises(ValueError) as info:
        make(log_dir=logs, **kw)
    assert isinstance(info.value, ConfigError)
    assert info.value.parameter == parameter
    assert words in str(info.value)
    assert "fix" in str(info.value)
    assert list(tmp_path.rglob("*")) == [], "nothing written inside or outside log_dir"


def test_a_nul_in_a_path_is_a_value_error(tmp_path):
    with pytest.raises(ValueError) as info:
        make(log_dir=str(tmp_path) + "/a\0b")
    assert info.value.parameter == "log_dir"
    with pytest.raises(ValueError):
        make(summary_json=str(tmp_path) + "/s\0.json")
    assert list(tmp_path.iterdir()) == []
