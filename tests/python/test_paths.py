"""Paths with a NUL byte: refused with a ValueError before the C++ core sees them (it would cut
the path at the NUL and write, or read, somewhere else). Summaries: refused at construction
when they could not be written at the end."""

import os

import pytest

from carbontracker import parser
from carbontracker.exceptions import ConfigError
from carbontracker.tracker import CarbonTracker
from conftest import LOG_FIXTURES, SIM


@pytest.mark.parametrize("name", ["log_dir", "summary_json"])
@pytest.mark.parametrize("kind", [str, bytes, "pathlike"])
def test_a_tracker_path_with_a_nul_is_a_value_error_and_writes_nothing(tmp_path, name, kind):
    cut = tmp_path / "logs"  # where the C++ side would have written, cut at the NUL
    text = str(cut) + "\0.json"
    value = {str: text, bytes: os.fsencode(text)}.get(kind)
    if kind == "pathlike":

        class P:
            def __fspath__(self):
                return text

        value = P()
    with pytest.raises(ValueError) as info:
        CarbonTracker(epochs=1, verbose=0, intensity_g_per_kwh=100, **{name: value}, **SIM)
    assert isinstance(info.value, ConfigError) and info.value.parameter == name
    assert "NUL" in str(info.value) and "fix:" in str(info.value)
    assert not cut.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "call",
    [
        lambda p: parser.parse_all_logs(p),
        lambda p: parser.parse_logs(p),
        lambda p: parser.parse_logs(str(LOG_FIXTURES / "ours"), std_log_file=p),
        lambda p: parser.parse_logs(str(LOG_FIXTURES / "ours"), output_log_file=p),
        lambda p: parser.aggregate_consumption(p),
        lambda p: parser.print_aggregate(p),
        lambda p: parser.get_all_logs(p),
    ],
)
def test_a_parser_path_with_a_nul_is_a_value_error(call):
    # Cut at the NUL, this would be a real log directory: read silently instead of refused.
    with pytest.raises(ValueError, match="null|NUL"):
        call(str(LOG_FIXTURES / "ours") + "\0/elsewhere")


def test_a_directory_or_empty_summary_is_refused_at_construction(tmp_path):
    for bad, cause in ((tmp_path, "EISDIR"), ("", "empty"), (tmp_path / "no" / "s.json", "does not exist")):
        with pytest.raises(ConfigError) as info:
            CarbonTracker(epochs=1, verbose=0, intensity_g_per_kwh=100, summary_json=bad, **SIM)
        assert info.value.parameter == "summary_json"
        assert cause in str(info.value)
