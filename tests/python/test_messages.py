"""Error messages from hostile parameters: bounded in size, valid text, never an api key."""

import pytest

from carbontracker.exceptions import ConfigError
from carbontracker.tracker import CarbonTracker

SECRET = "sk-live-7f3a9c0d2e8b41"


@pytest.mark.parametrize(
    "kwargs, named",
    [
        (dict(epochs="x" * (10 << 20)), "epochs"),
        (dict(epochs=1, budget_action="y" * (10 << 20)), "budget_action"),
        (dict(epochs=1, update_interval="\u00e9" * 301), "update_interval"),
    ],
)
def test_a_huge_bad_value_is_not_echoed_whole(tmp_path, kwargs, named):
    with pytest.raises(ConfigError) as e:
        CarbonTracker(log_dir=str(tmp_path), **kwargs)
    message = str(e.value)
    assert named in message
    assert len(message.encode()) < 2100, message[:300]
    message.encode("utf-8")  # a str, so always valid; the cut did not split a character


def test_a_bad_api_keys_value_is_never_echoed(tmp_path):
    with pytest.raises(ConfigError) as e:
        CarbonTracker(epochs=1, log_dir=str(tmp_path), api_keys={"electricitymaps": SECRET, "watttime": 5})
    assert SECRET not in str(e.value)
    assert SECRET[:12] not in str(e.value)
