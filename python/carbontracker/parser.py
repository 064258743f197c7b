"""The Python carbontracker's log parser (carbontracker.parser), on the C++ log reader.

Same functions, return shapes and results as the Python tool on the same files (checked against
its own parser's results on logs its tracker wrote: tests/fixtures/logs/python-real-*). Where the
Python tool returned numpy arrays (parse_logs' "avg_power_usages (W)", "avg_energy_usages (J)",
"epoch_durations (s)") these are numpy arrays when numpy imports, else lists.

Kept different (docs/python.md, "Differences from the Python tool"): the actual epoch count is
read (it was always 1, so a finished run was aggregated from its prediction); every value of a
v1.x power array is read, and each value whole; a damaged run's NaN or negative energy is left
out of the totals instead of making them NaN; output and standard logs are paired by name;
problems found while reading are reported with warnings.warn (category ParserWarning).
Ours on top: get_epoch_energies, aggregate_consumption_details.
"""

import os
import re
import warnings

from carbontracker import exceptions

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
    "get_time",
    "get_stats",
    "parse_equivalents",
    "extract_measurements",
    "get_epoch_energies",
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
    of unequal length (a v1.x array of several devices beside a None's [0.0]) are padded with
    0.0, the value the Python tool gives None."""
    try:
        import numpy as np
    except ImportError:
        return rows
    if rows and isinstance(rows[0], list):
        width = max((len(r) for r in rows), default=0)
        if any(len(r) != width for r in rows):
            rows = [r + [0.0] * (width - len(r)) for r in rows]
    return np.array(rows, dtype=float)


def _python_shapes(components):
    """The native dicts as the Python tool's, in place: MismatchedEpochsError where it raised
    it, numpy arrays, our extra keys taken out (get_epoch_energies returns them)."""
    for comp in components.values():
        mismatch = comp.pop("_mismatch")
        del comp["_epoch_energy (J)"]
        if mismatch:
            raise exceptions.MismatchedEpochsError(mismatch)
        for key in ("avg_power_usages (W)", "avg_energy_usages (J)", "epoch_durations (s)"):
            if comp[key] is not None:
                comp[key] = _array(comp[key])


# --- whole directories ---


def parse_all_logs(log_dir):
    """One dict per pair of standard and output logs in log_dir (see get_all_logs):
    output_filename, standard_filename, components (as parse_logs), early_stop, actual and pred
    (get_consumption's dicts, or None). Raises MismatchedEpochsError as parse_logs does, and
    FileNotFoundError for a missing directory."""
    entries, issues = _native().parse_all_logs(checked_path(log_dir, "log_dir"))
    _warn(issues)
    for entry in entries:
        _python_shapes(entry["components"])
    return entries


def _native_parse_logs(log_dir, std_log_file, output_log_file):
    std = checked_path(std_log_file, "std_log_file")
    out = checked_path(output_log_file, "output_log_file")
    if std is not None and out is not None:
        open(std, "rb").close()  # the Python tool's FileNotFoundError / IsADirectoryError
    else:
        std, out = get_most_recent_logs(log_dir)  # as the Python tool (FileNotFoundError: none)
    components, issues = _native().parse_logs(checked_path(log_dir, "log_dir"), std, out)
    _warn(issues)
    return components


def parse_logs(log_dir, std_log_file=None, output_log_file=None):
    """{component: {"avg_power_usages (W)", "avg_energy_usages (J)", "epoch_durations (s)",
    "devices"}} for one run (default: the most recent logs in log_dir; both files are needed to
    choose, as in the Python tool). One power row per power line ([0.0] for None), one duration
    per Duration line; MismatchedEpochsError when a component's counts differ."""
    components = _native_parse_logs(log_dir, std_log_file, output_log_file)
    _python_shapes(components)
    return components


def get_epoch_energies(log_dir, std_log_file=None, output_log_file=None):
    """Ours: {component: [J per epoch]} for one run (files chosen as parse_logs): per "Epoch N:"
    block, the component's energy summed over its devices, without PUE; None where it is not
    known (a None or damaged power, a missing power line). Never raises MismatchedEpochsError:
    epochs are matched by their block, and an epoch without a Duration line is left out."""
    components = _native_parse_logs(log_dir, std_log_file, output_log_file)
    # NaN (unknown) -> None
    return {name: [None if e != e else e for e in comp["_epoch_energy (J)"]] for name, comp in components.items()}


def aggregate_consumption_details(log_dir):
    """aggregate_consumption with what it was based on: {"energy (kWh)", "co2eq (g)",
    "equivalents", "basis" ("actual", "predicted", "mixed" or "none"), "runs" [(file, basis)]
    where a run's basis is "actual", "predicted", "damaged" (a NaN, negative or missing energy:
    left out, with a ParserWarning naming file:line) or "none", and "sentence"}."""
    details = _native().aggregate_consumption(checked_path(log_dir, "log_dir"))
    _warn(details.pop("issues"))
    return details


def aggregate_consumption(log_dir):
    """(total energy in kWh, total CO2eq in g, {unit: total}) over every pair of logs in
    log_dir (an unpaired file is left out, as by get_all_logs): a run's actual figures when it
    stopped early or its actual block covers the epochs it predicted for, else its prediction (a
    run that monitored only its first epochs, as with the old default monitor_epochs=1, counts
    with its prediction for the whole training; so does a run without an actual block)."""
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


_OUTPUT_SUFFIX = "_carbontracker_output.log"
_STD_SUFFIX = "_carbontracker.log"


def _log_files(log_dir):
    """{stem: path} of the non-empty output and standard logs in log_dir (os.listdir's errors
    propagate, as in the Python tool)."""
    outputs, stds = {}, {}
    for name in sorted(os.listdir(log_dir)):
        path = os.path.join(log_dir, name)
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            continue
        if name.endswith(_OUTPUT_SUFFIX):
            outputs[name[: -len(_OUTPUT_SUFFIX)]] = path
        elif name.endswith(_STD_SUFFIX):
            stds[name[: -len(_STD_SUFFIX)]] = path
    return outputs, stds


def get_all_logs(log_dir):
    """(output_logs, std_logs): the non-empty log files in log_dir that have their partner
    (same stem), in the same order, sorted by name. A file without its partner is left out (a
    ParserWarning names it), as the Python tool leaves it out."""
    outputs, stds = _log_files(os.fspath(log_dir))
    for stem in sorted(set(outputs) ^ set(stds)):
        present, missing = (outputs[stem], "standard") if stem in outputs else (stds[stem], "output")
        warnings.warn(
            f"{present}: no {missing} log with the same stem: left out, as the Python tool's parser leaves it out",
            ParserWarning,
            stacklevel=2,
        )
    stems = sorted(set(outputs) & set(stds))
    return [outputs[s] for s in stems], [stds[s] for s in stems]


def get_most_recent_logs(log_dir):
    """(std_log, output_log): the most recently modified of each in log_dir."""
    outputs, stds = _log_files(os.fspath(log_dir))
    if not outputs or not stds:
        raise FileNotFoundError(f"no carbontracker logs in {os.fsdecode(log_dir)}")
    return max(stds.values(), key=os.path.getmtime), max(outputs.values(), key=os.path.getmtime)


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
    """{component: [[W, ...] per power line]} from a standard log's text (a None power: [0.0],
    as the Python tool; a value it cannot read, such as nan, is left out as there)."""
    return _native().get_avg_power_usages(std_log_data)


# --- pieces of a report block (the Python tool's helpers, same inputs and results) ---

_TIME_RE = re.compile(r"(\d+):(\d{2}):(\d\d?(?:\.\d{2})?)")


def get_time(time_str):
    """Seconds of the first "H:MM:SS" or "H:MM:SS.ss" in time_str, as a float; None without one."""
    m = _TIME_RE.search(time_str)
    if m is None:
        return None
    hours, minutes, seconds = (float(g) for g in m.groups())
    return hours * 3600 + minutes * 60 + seconds


def get_stats(groups):
    """(energy kWh, CO2eq g, equivalents) from a block's groups (epochs, time, energy, co2eq
    [, equivalents text]): floats, and parse_equivalents' dict or None without that text."""
    energy = float(groups[2])
    co2eq = float(groups[3])
    equivalents = parse_equivalents(groups[4]) if len(groups) > 4 and groups[4] is not None else None
    return energy, co2eq, equivalents


def parse_equivalents(lines):
    """{unit: value} from the lines after "This is equivalent to:" ("0.0123 km travelled by
    car" per line). A line whose number cannot be read is skipped with a ParserWarning."""
    equivalents = {}
    for line in lines.split("\n"):
        number, _, unit = line.partition(" ")
        if not number or not unit:
            if number.strip():
                warnings.warn(f"equivalent line {line!r} has no unit; skipped", ParserWarning, stacklevel=2)
            continue
        try:
            equivalents[unit.strip()] = float(number.strip())
        except ValueError:
            warnings.warn(
                f"Unable to convert '{number}' to float. Skipping this equivalent.", ParserWarning, stacklevel=2
            )
    return equivalents


def extract_measurements(match):
    """get_consumption's dict from a regular-expression match of a report block (anything with
    .groups(): (epochs, time, energy, co2eq, equivalents), or the same without the epochs, which
    then count as 1); None for no match."""
    if not match:
        return None
    groups = list(match.groups())
    if len(groups) == 4:
        groups = [1] + groups
    energy, co2eq, equivalents = get_stats(groups)
    return {
        "epochs": int(groups[0]),
        "duration (s)": get_time(groups[1]),
        "energy (kWh)": energy,
        "co2eq (g)": co2eq,
        "equivalents": equivalents,
    }
