"""The Python carbontracker's log parser (carbontracker.parser), on the C++ log reader.

Same functions and return shapes; reads our logs and the Python tool's (v1.x and v2.x). Where
the Python tool returned numpy arrays (parse_logs' "avg_power_usages (W)", "avg_energy_usages (J)",
"epoch_durations (s)") these are numpy arrays when numpy imports, else lists.

Defects of the Python parser fixed here (details in docs/python.md): the actual epoch count is
read (it was always 1); every device's power in a v1.x array is kept (only the first was); a
logged None is unknown (NaN) for its own component instead of 0 W for every component; an
incomplete log is read as far as it goes instead of raising MismatchedEpochsError; output and
standard logs are paired by name, not by position. Problems found while reading are reported
with warnings.warn (category ParserWarning) instead of exceptions.
"""

import os
import re
import warnings

from carbontracker._paths import checked_path

__all__ = [
    "parse_all_logs",
    "parse_logs",
    "aggregate_consumption",
    "aggregate_consumption_details",
    "print_aggregate",
    "get_all_logs",
    "get_most_recent_logs",
    "get_consumption",
    "get_early_stop",
    "get_devices",
    "get_epoch_durations",
    "get_avg_power_usages",
    "ParserWarning",
]


class ParserWarning(UserWarning):
    """A log could not be read completely (truncated, damaged, or its partner file missing)."""


def _native():
    from carbontracker import _carbontracker

    return _carbontracker


def _warn(issues):
    for file, line, message in issues:
        where = f"{file}:{line}" if line else file
        warnings.warn(f"{where}: {message}" if where else message, ParserWarning, stacklevel=3)


def _array(rows):
    """A list of per-epoch value lists as the Python tool's numpy array (epochs x values). Rows
    of unequal length (a None power is an empty row) are padded with NaN: unknown, not 0."""
    try:
        import numpy as np
    except ImportError:
        return rows
    if rows and isinstance(rows[0], list):
        width = max((len(r) for r in rows), default=0)
        if any(len(r) != width for r in rows):
            rows = [r + [float("nan")] * (width - len(r)) for r in rows]
    return np.array(rows, dtype=float)


def _with_arrays(components):
    for comp in components.values():
        for key in ("avg_power_usages (W)", "avg_energy_usages (J)", "epoch_durations (s)"):
            if comp[key] is not None:
                comp[key] = _array(comp[key])
    return components


# --- whole directories ---


def parse_all_logs(log_dir):
    """One dict per run in log_dir: output_filename, standard_filename, components (as
    parse_logs), early_stop, actual and pred (get_consumption's dicts, or None)."""
    entries, issues = _native().parse_all_logs(checked_path(log_dir, "log_dir"))
    _warn(issues)
    for entry in entries:
        _with_arrays(entry["components"])
    return entries


def parse_logs(log_dir, std_log_file=None, output_log_file=None):
    """{component: {"avg_power_usages (W)", "avg_energy_usages (J)", "epoch_durations (s)",
    "devices"}} for one run (default: the most recent logs in log_dir). Added key:
    "epoch_energy (J)", the component's energy per epoch summed over its devices."""
    std = "" if std_log_file is None else checked_path(std_log_file, "std_log_file")
    out = "" if output_log_file is None else checked_path(output_log_file, "output_log_file")
    components, issues = _native().parse_logs(checked_path(log_dir, "log_dir"), std, out)
    _warn(issues)
    return _with_arrays(components)


def aggregate_consumption_details(log_dir):
    """aggregate_consumption with what it was based on: {"energy (kWh)", "co2eq (g)",
    "equivalents", "basis" ("actual", "predicted", "mixed" or "none"), "runs" [(file, basis)]
    where a run's basis is "actual", "predicted", "damaged" (a NaN, negative or missing energy:
    left out, with a ParserWarning naming file:line) or "none", and "sentence"}."""
    details = _native().aggregate_consumption(checked_path(log_dir, "log_dir"))
    _warn(details.pop("issues"))
    return details


def aggregate_consumption(log_dir):
    """(total energy in kWh, total CO2eq in g, {unit: total}) over every run in log_dir: a
    run's actual figures when it stopped early or its actual block covers the epochs it
    predicted for, else its prediction (a run that monitored only its first epochs, as with
    the old default monitor_epochs=1, counts with its prediction for the whole training)."""
    d = aggregate_consumption_details(log_dir)
    return d["energy (kWh)"], d["co2eq (g)"], d["equivalents"]


def print_aggregate(log_dir):
    """Prints the Python tool's sentence for the runs in log_dir. With no usable run (an empty
    directory, or only damaged figures) it prints nothing and warns (ParserWarning), where the
    Python tool printed a statement of zeros."""
    details = aggregate_consumption_details(log_dir)
    if details["basis"] == "none":
        warnings.warn(
            f"{os.fsdecode(log_dir)}: no run with a usable energy figure (no carbontracker logs, or only "
            "damaged ones): no statement printed",
            ParserWarning,
            stacklevel=2,
        )
        return
    print(details["sentence"])


def get_all_logs(log_dir):
    """(output_logs, std_logs): the non-empty log files in log_dir, sorted by name."""
    output_re = re.compile(r".*carbontracker_output\.log$")
    std_re = re.compile(r".*carbontracker\.log$")
    files = sorted(os.listdir(log_dir))
    paths = [os.path.join(log_dir, f) for f in files]
    paths = [p for p in paths if os.path.isfile(p) and os.path.getsize(p) > 0]
    output_logs = [p for p in paths if output_re.match(os.path.basename(p))]
    std_logs = [p for p in paths if std_re.match(os.path.basename(p))]
    return output_logs, std_logs


def get_most_recent_logs(log_dir):
    """(std_log, output_log): the most recently modified of each in log_dir."""
    output_logs, std_logs = get_all_logs(log_dir)
    if not output_logs or not std_logs:
        raise FileNotFoundError(f"no carbontracker logs in {log_dir}")
    return max(std_logs, key=os.path.getmtime), max(output_logs, key=os.path.getmtime)


# --- one log's text ---


def get_consumption(output_log_data):
    """(actual, pred) from an output log's text; each {"epochs", "duration (s)",
    "energy (kWh)", "co2eq (g)", "equivalents"} or None."""
    return _native().get_consumption(output_log_data)


def get_early_stop(std_log_data):
    """True when the standard log says the training was interrupted."""
    return _native().get_early_stop(std_log_data)


def get_devices(std_log_data):
    """{"gpu": [device, ...], "cpu": [...]} from a standard log's text."""
    return _native().get_devices(std_log_data)


def get_epoch_durations(std_log_data):
    """Every epoch's duration in seconds, from a standard log's text."""
    return _native().get_epoch_durations(std_log_data)


def get_avg_power_usages(std_log_data):
    """{component: [[W, ...] per epoch]} from a standard log's text (a None power: [])."""
    return _native().get_avg_power_usages(std_log_data)
