#!/usr/bin/python3
"""Dev-only: writes tests/fixtures/logs/python-real-<scenario>/ with the REAL Python carbontracker
and records what ITS parser returns for them in tests/fixtures/logs/python-real-expected/.

Not run by CI (CI has no Python carbontracker): the logs and the JSON are committed, and
tests/python/compat/test_compat_parser.py compares our parser with them.

    scripts/python-parser-fixtures.py logs none-power no-pred ...   # write the logs (real runs)
    scripts/python-parser-fixtures.py expect                        # record the parser's results

PYCT (default /work/pyct) is a checkout of lfwa/carbontracker with offline stand-ins for its
geocoder and pynvml imports in $PYCT/stubs (the IP lookup fails, no NVIDIA driver). Runs use a
simulated CPU (and GPU where said), update_interval=0.2 and busy-waiting epochs; each scenario is
a separate child process (its own pid, so its own file names).
"""

import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

PYCT = os.environ.get("PYCT", "/work/pyct")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOGS = os.path.join(ROOT, "tests", "fixtures", "logs")
EXPECTED = os.path.join(LOGS, "python-real-expected")


def _import_tool():
    sys.path[:0] = [os.path.join(PYCT, "stubs"), PYCT]


def _busy(seconds):
    t = time.time()
    while time.time() - t < seconds:
        pass


def _tracker(out, **extra):
    from carbontracker.tracker import CarbonTracker

    kw = dict(log_dir=out, sim_cpu="Sim CPU", sim_cpu_tdp=50, sim_cpu_util=0.8, update_interval=0.2, verbose=1)
    kw.update(extra)
    return CarbonTracker(**kw)


def _train(t, epochs, seconds=0.6):
    for _ in range(epochs):
        t.epoch_start()
        _busy(seconds)
        t.epoch_end()


class _KillAfter:
    """A logging handler: SIGKILLs this process after the nth record starting with prefix (the
    tool's own file handler, added before it, has written and flushed that record)."""

    def __new__(cls, prefix, nth):
        import logging

        class Handler(logging.Handler):
            seen = 0

            def emit(self, record):
                if record.getMessage().startswith(prefix):
                    Handler.seen += 1
                    if Handler.seen == nth:
                        os.kill(os.getpid(), signal.SIGKILL)

        return Handler()


def child(scenario, out):
    """One real run of the Python tool (in its own process)."""
    _import_tool()
    if scenario == "none-power":
        # Epoch 1 ends right after it starts: the sampler thread has not run yet, so the tool
        # logs "Average power usage (W) for <comp>: None" for both components.
        t = _tracker(out, epochs=3, sim_gpu="Sim GPU", sim_gpu_watts=200, sim_gpu_util=0.5)
        t.epoch_start()
        t.epoch_end()
        _train(t, 2)
        t.stop()
    elif scenario == "no-pred":
        t = _tracker(out, epochs=2, epochs_before_pred=0)
        _train(t, 2)
        t.stop()
    elif scenario in ("mismatched-epochs", "no-final-newline"):
        # Killed (SIGKILL) right after the tool wrote epoch 3's "Duration:" line, before its
        # power line (mismatched-epochs), or right after epoch 2's power line
        # (no-final-newline): a handler added after the tool's own file handler sends the signal.
        t = _tracker(out, epochs=4)
        prefix, nth = ("Duration:", 3) if scenario == "mismatched-epochs" else ("Average power usage", 2)
        t.logger.logger.addHandler(_KillAfter(prefix, nth))
        _train(t, 4)
        t.stop()
    elif scenario == "complete-2":
        t = _tracker(out, epochs=2)
        _train(t, 2, 0.4)
        t.stop()
    elif scenario == "monitor-all":
        # monitor_epochs == epochs and no stop(): "Actual consumption for 3 epoch(s)" beside
        # "Predicted consumption for 3 epoch(s)", no "Training was interrupted".
        t = _tracker(out, epochs=3, monitor_epochs=3)
        _train(t, 3)
    else:
        raise SystemExit(f"unknown scenario {scenario}")


def _run_child(scenario, out):
    subprocess.run([sys.executable, os.path.abspath(__file__), "child", scenario, out], check=False,
                   stdout=subprocess.DEVNULL)


def _logs_in(d):
    return sorted(f for f in os.listdir(d) if f.endswith(".log"))


def write_logs(scenario):
    out = os.path.join(LOGS, f"python-real-{scenario}")
    shutil.rmtree(out, ignore_errors=True)
    if scenario == "none-power":
        for _ in range(20):  # the race is won almost always; retry until both lines say None
            shutil.rmtree(out, ignore_errors=True)
            _run_child(scenario, out)
            std = [f for f in _logs_in(out) if f.endswith("_carbontracker.log")][0]
            text = open(os.path.join(out, std)).read()
            if re.search(r"for cpu: None", text) and re.search(r"for gpu: None", text):
                break
        else:
            raise SystemExit("no None power line in 20 runs")
    elif scenario in ("unpaired-std", "unpaired-output"):
        # Three finished runs; then one run's output log (or standard log) is deleted, as when
        # a file is lost or copied without its partner. Nothing else is changed.
        for _ in range(3):
            _run_child("complete-2", out)
            time.sleep(1.1)  # distinct file times
        stems = sorted({f.split("_carbontracker")[0] for f in _logs_in(out)})
        victim = "_carbontracker_output.log" if scenario == "unpaired-std" else "_carbontracker.log"
        os.remove(os.path.join(out, stems[1] + victim))
    elif scenario == "no-final-newline":
        # A run killed right after epoch 2's power line (its output log then ends with the
        # prediction's equivalents line), whose two logs then lost their final newline (as after
        # an editor or a copy tool that strips it): the last line of each carries data. The text
        # is otherwise unchanged.
        _run_child(scenario, out)
        for f in _logs_in(out):
            if f.endswith("_err.log"):
                continue
            p = os.path.join(out, f)
            data = open(p, "rb").read()
            assert data.endswith(b"\n")
            open(p, "wb").write(data[:-1])
    else:
        _run_child(scenario, out)
    print(out, _logs_in(out))


# --- the real parser's results ---


def _plain(v):
    try:
        import numpy as np

        if isinstance(v, np.ndarray):
            return {"ndarray": v.tolist(), "shape": list(v.shape)}
    except ImportError:
        pass
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, str) and os.path.isabs(v):
        return os.path.basename(v)
    return v


def _call(fn, *args):
    try:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            result = {"value": _plain(fn(*args))}
        if out.getvalue():
            result["stdout"] = out.getvalue()
        return result
    except Exception as e:  # noqa: BLE001 - recorded, that is the point
        return {"raises": type(e).__name__, "message": str(e)}


def _matches(parser, text):
    """The re.Match objects get_consumption finds (actual, pred), by watching re.search."""
    seen = []
    orig = parser.re.search

    def spy(pattern, string, flags=0):
        m = orig(pattern, string, flags)
        seen.append(m)
        return m

    parser.re.search = spy
    try:
        parser.get_consumption(text)
    finally:
        parser.re.search = orig
    return seen[:2]  # then get_time's own searches


def expect(scenario_dir):
    _import_tool()
    from carbontracker import parser

    d = os.path.join(LOGS, scenario_dir)
    rec = {
        "generated_by": "scripts/python-parser-fixtures.py expect (the Python carbontracker's own parser.py)",
        "get_all_logs": _call(parser.get_all_logs, d),
        "parse_all_logs": _call(parser.parse_all_logs, d),
        "aggregate_consumption": _call(parser.aggregate_consumption, d),
        "print_aggregate": _call(parser.print_aggregate, d),
        "files": {},
        "parse_logs": {},
    }
    for f in _logs_in(d):
        if f.endswith("_err.log"):
            continue
        text = open(os.path.join(d, f)).read()
        entry = {
            "get_consumption": _call(parser.get_consumption, text),
            "get_early_stop": _call(parser.get_early_stop, text),
            "get_devices": _call(parser.get_devices, text),
            "get_epoch_durations": _call(parser.get_epoch_durations, text),
            "get_avg_power_usages": _call(parser.get_avg_power_usages, text),
            "matches": [],
        }
        for m in _matches(parser, text):
            if m is None:
                entry["matches"].append(None)
                continue
            groups = list(m.groups())
            full = groups if len(groups) == 5 else [1] + groups
            entry["matches"].append(
                {
                    "groups": groups,
                    "extract_measurements": _call(parser.extract_measurements, m),
                    "get_time": _call(parser.get_time, full[1]),
                    "get_stats": _call(parser.get_stats, full),
                    "parse_equivalents": None if full[4] is None else _call(parser.parse_equivalents, full[4]),
                }
            )
        rec["files"][f] = entry
    out_logs = [f for f in _logs_in(d) if f.endswith("_carbontracker_output.log")]
    for f in _logs_in(d):
        if f.endswith("_carbontracker.log"):
            stem = f[: -len("_carbontracker.log")]
            partner = stem + "_carbontracker_output.log"
            out = os.path.join(d, partner) if partner in out_logs else os.path.join(d, f)
            rec["parse_logs"][f] = _call(parser.parse_logs, d, os.path.join(d, f), out)
    os.makedirs(EXPECTED, exist_ok=True)
    name = scenario_dir[len("python-real-"):]
    with open(os.path.join(EXPECTED, name + ".json"), "w") as fh:
        json.dump(rec, fh, indent=1)  # key order kept: the dicts' order is compared
        fh.write("\n")
    print(os.path.join(EXPECTED, name + ".json"))


def main(argv):
    if argv[:1] == ["child"]:
        child(argv[1], argv[2])
    elif argv[:1] == ["logs"]:
        for s in argv[1:]:
            write_logs(s)
    elif argv[:1] == ["expect"]:
        for d in sorted(os.listdir(LOGS)):
            if d.startswith("python-real-") and d != "python-real-expected":
                expect(d)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
