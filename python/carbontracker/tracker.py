"""CarbonTracker: the Python carbontracker's class, on the C++ tracker.

Same constructor parameters, defaults and methods as the Python tool (epoch_start, epoch_end,
stop, set_api_keys); ours are keyword-only parameters after them (pue, budgets, location,
summary_json, ...) and snapshot(), the context manager and iter_epochs().

Behaviour (docs/python.md):
- The C++ tracker writes the same console messages and log files; its console goes to
  sys.stdout, and stop_and_confirm / budget_action="ask" read the answer with input().
- stop_and_confirm answered "n": the final report is written, then SystemExit(0), as the
  Python tool's sys.exit(0). A budget that stops the training raises BudgetExceeded, also after
  the final report.
- ignore_errors=False: an internal error raises TrackerError from the next API call; the
  interpreter is never killed. ignore_errors=True: it is printed as a warning.
- If stop() is never called (Ctrl-C, an exception, the end of the script), it runs at
  interpreter exit (weakref.finalize), so the final report is still written. No signal handler
  is installed.
- The GIL is released while the C++ side works; its sampler thread never runs Python.
"""

import os
import weakref

from carbontracker._paths import checked_path
from carbontracker.exceptions import ConfigError, StopTraining

__all__ = ["CarbonTracker"]

# Ours, after the Python tool's parameters: name -> default (None: the C++ default).
_OUR_OPTIONS = (
    "pue",
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
)


def _stop_at_exit(native, owner_pid):
    # Runs from weakref.finalize: when the CarbonTracker is collected or at interpreter exit
    # (also after Ctrl-C). An error must not hide the report or the user's own traceback.
    # A forked child that exits normally inherits this hook: the report is the parent's.
    import os

    if os.getpid() != owner_pid:
        return
    try:
        native.stop()
    except BaseException as e:  # noqa: BLE001 - nothing may escape a finalizer
        import sys

        print(f"CarbonTracker: error while stopping: {e}", file=sys.stderr)


class CarbonTracker:
    """Tracks and predicts the energy and carbon footprint of training.

    The Python carbontracker's parameters (same names, order and defaults), then ours as
    keyword-only arguments; every value is validated by the C++ tracker and an invalid one
    raises carbontracker.exceptions.ConfigError (a ValueError) naming the parameter and the fix.
    """

    def __init__(
        self,
        epochs,
        epochs_before_pred=1,
        monitor_epochs=-1,
        update_interval=1,
        interpretable=True,
        stop_and_confirm=False,
        ignore_errors=False,
        components="all",
        devices_by_pid=False,
        log_dir=None,
        log_file_prefix="",
        verbose=1,
        decimal_precision=12,
        api_keys=None,
        sim_cpu=None,
        sim_cpu_tdp=None,
        sim_cpu_util=None,
        sim_gpu=None,
        sim_gpu_watts=None,
        sim_gpu_util=None,
        *,
        pue=None,
        max_energy_kwh=None,
        max_co2eq_g=None,
        max_duration_s=None,
        budget_action=None,
        intensity_g_per_kwh=None,
        country=None,
        zone=None,
        cloud=None,
        gb_postcode=None,
        provider=None,
        geolocate=None,
        intensity_refresh_s=None,
        summary_json=None,
        prediction_confidence=None,
    ):
        # The Python tool's attributes, for code that reads them.
        self.epochs = epochs
        self.epochs_before_pred = epochs_before_pred
        self.monitor_epochs = epochs if monitor_epochs == -1 else monitor_epochs
        self.update_interval = update_interval
        self.interpretable = interpretable
        self.stop_and_confirm = stop_and_confirm
        self.ignore_errors = ignore_errors
        self.components = components
        self.devices_by_pid = devices_by_pid
        self.log_dir = log_dir
        self.log_file_prefix = log_file_prefix
        self.verbose = verbose
        self.decimal_precision = decimal_precision
        self.api_keys = api_keys
        self.deleted = False
        self.epoch_counter = 0

        options = {
            "epochs": epochs,
            "epochs_before_pred": epochs_before_pred,
            "monitor_epochs": monitor_epochs,
            "update_interval": update_interval,
            "interpretable": interpretable,
            "stop_and_confirm": stop_and_confirm,
            "ignore_errors": ignore_errors,
            "components": components,
            "devices_by_pid": devices_by_pid,
            "log_dir": log_dir,
            "log_file_prefix": log_file_prefix,
            "verbose": verbose,
            "decimal_precision": decimal_precision,
            "sim_cpu": sim_cpu,
            "sim_cpu_tdp": sim_cpu_tdp,
            "sim_cpu_util": sim_cpu_util,
            "sim_gpu": sim_gpu,
            "sim_gpu_watts": sim_gpu_watts,
            "sim_gpu_util": sim_gpu_util,
        }
        ours = locals()
        for name in _OUR_OPTIONS:
            options[name] = ours[name]
        for name in ("log_dir", "summary_json"):  # a NUL would cut the path in C++
            options[name] = checked_path(options[name], name, ConfigError)

        # The compiled module is loaded here, not at import: `import carbontracker.tracker`
        # stays cheap for scripts that only construct a tracker under some condition.
        from carbontracker import _carbontracker

        self._native = _carbontracker.Tracker(options, api_keys)
        self._finalizer = weakref.finalize(self, _stop_at_exit, self._native, os.getpid())

    # --- the Python tool's methods ---

    def epoch_start(self):
        """Starts an epoch."""
        self._native.epoch_start()
        self.epoch_counter += 1

    def epoch_end(self):
        """Ends the epoch: logs it, prints the prediction after epochs_before_pred epochs and
        the final report after monitor_epochs. Raises BudgetExceeded when a budget stops the
        training; exits with status 0 when stop_and_confirm is answered n (as the Python tool)."""
        try:
            self._native.epoch_end()
        except StopTraining as e:
            self._finished()
            if type(e) is StopTraining:  # the user's "n": the Python tool's sys.exit(0)
                raise SystemExit(0) from None
            raise
        if self._native.finished():
            self._finished()

    def stop(self):
        """Ends monitoring now: the final report (the epoch in progress is reported as
        interrupted), logs closed, summary_json written. Idempotent."""
        try:
            self._native.stop()
        finally:
            self._finished()

    def set_api_keys(self, api_keys):
        """Replaces the intensity providers' keys, e.g. {"electricitymaps": "KEY"}."""
        self._native.set_api_keys(api_keys)
        self.api_keys = api_keys

    # --- ours ---

    def snapshot(self):
        """The numbers so far as a dict (the summary_json document: epochs, total, whole_run,
        prediction, intensity, components, budget_events, warnings, finished, ...)."""
        return self._native.snapshot()

    def discard_epoch(self):
        """Drops the epoch in progress without recording it (its energy stays in whole_run)."""
        self._native.discard_epoch()

    def iter_epochs(self, iterable=None):
        """Yields the items of `iterable` (default: range(epochs)), each inside an epoch::

            for epoch in tracker.iter_epochs():
                train_one_epoch()

        Leaving the loop early (break, or an exception in its body) ends the current epoch
        normally: its work was done and its energy spent.
        """
        for item in range(self.epochs) if iterable is None else iterable:
            self.epoch_start()
            try:
                yield item
            finally:
                self.epoch_end()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.stop()
            return False
        # The body's exception is the one to see; a stop() failure is attached to it.
        try:
            self.stop()
        except Exception as stop_error:  # noqa: BLE001
            if hasattr(exc, "add_note"):
                exc.add_note(f"carbontracker: stop() also failed: {stop_error}")
        return False

    def _finished(self):
        if self._native.finished():
            self.deleted = True
            self._finalizer.detach()
