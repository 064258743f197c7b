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
import threading
import weakref

from carbontracker._paths import checked_path
from carbontracker.exceptions import ConfigError, StopTraining

__all__ = ["CarbonTracker", "CarbonTrackerThread", "CarbonIntensityThread"]

# Ours, after the Python tool's parameters: name -> default (None: the C++ default).
_OUR_OPTIONS = (
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
        sample_every=None,
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
        prometheus=None,
        pushgateway=None,
        job_id=None,
        rank=None,
        local_rank=None,
        world_size=None,
        job_wait_s=None,
        report_every_rank=None,
    ):
        # The Python tool's attributes, for code that reads them: every constructor argument as
        # given (monitor_epochs=-1 stays -1: monitoring then goes on until stop()).
        self.epochs = epochs
        self.epochs_before_pred = epochs_before_pred
        self.monitor_epochs = monitor_epochs
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
        self.sim_cpu = sim_cpu
        self.sim_cpu_tdp = sim_cpu_tdp
        self.sim_cpu_util = sim_cpu_util
        self.sim_gpu = sim_gpu
        self.sim_gpu_watts = sim_gpu_watts
        self.sim_gpu_util = sim_gpu_util
        self.deleted = False
        self.epoch_counter = 0
        self._in_epoch = False

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
            setattr(self, name, ours[name])  # as given (None: the default)
        for name in ("log_dir", "summary_json"):  # a NUL would cut the path in C++
            options[name] = checked_path(options[name], name, ConfigError)

        # The compiled module is loaded here, not at import: `import carbontracker.tracker`
        # stays cheap for scripts that only construct a tracker under some condition.
        from carbontracker import _carbontracker

        self._native = _carbontracker.Tracker(options, api_keys)
        self._finalizer = weakref.finalize(self, _stop_at_exit, self._native, os.getpid())

    # --- the Python tool's methods ---

    def epoch_start(self):
        """Starts an epoch (a no-op once monitoring has finished, as in the Python tool)."""
        if self.deleted:
            return
        self._native.epoch_start()
        self.epoch_counter += 1
        self._in_epoch = True

    def epoch_end(self):
        """Ends the epoch: logs it, prints the prediction after epochs_before_pred epochs and
        the final report after monitor_epochs. Raises BudgetExceeded when a budget stops the
        training; exits with status 0 when stop_and_confirm is answered n (as the Python tool)."""
        self._in_epoch = False
        try:
            finished = self._native.epoch_end()
        except StopTraining as e:
            self._finished()
            if type(e) is StopTraining:  # the user's "n": the Python tool's sys.exit(0)
                raise SystemExit(0) from None
            raise
        if finished:
            self._finished()

    def stop(self):
        """Ends monitoring now: the final report (the epoch in progress is reported as
        interrupted), logs closed, summary_json written. Idempotent.

        As in the Python tool, epoch_counter is decremented when stop() ends the monitoring and
        an epoch was in progress: it then counts the epochs the actual figures cover (the Python
        tool decrements it even after a completed epoch; see docs/python.md)."""
        if not self.deleted and self._in_epoch:
            self.epoch_counter -= 1
            self._in_epoch = False
        try:
            self._native.stop()
        finally:
            self._finished()

    def set_api_keys(self, api_keys):
        """Replaces the intensity providers' keys, e.g. {"electricitymaps": "KEY"}; the next
        intensity fetch uses them. An unknown provider name raises FetcherNameError (nothing is
        changed then); the Python tool exits the process with status 70 instead."""
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
        if self._in_epoch:
            self._in_epoch = False
            self.epoch_counter -= 1

    def iter_epochs(self, iterable=None):
        """Yields the items of `iterable` (default: range(epochs)), each inside an epoch::

            for epoch in tracker.iter_epochs():
                train_one_epoch()

        Leaving the loop early (break, or an exception in its body) ends the current epoch
        normally: its work was done and its energy spent. When the loop runs to its end, the
        training is over: stop() writes the final report (with monitor_epochs=-1, monitoring
        would otherwise go on until stop()).
        """
        for item in range(self.epochs) if iterable is None else iterable:
            self.epoch_start()
            try:
                yield item
            finally:
                self.epoch_end()
        self.stop()

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


class _MeasuredInCpp:
    """The Python tool's threads exist here only for ``import`` and ``isinstance``: measuring
    and intensity fetching run on the C++ core's threads, started by CarbonTracker. Creating one
    raises NotImplementedError saying so (docs/python.md)."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            f"carbontracker.tracker.{type(self).__name__} is a compatibility name only: measuring and "
            "intensity fetching run on the C++ core's own threads, started by CarbonTracker(...); "
            "construct a CarbonTracker instead"
        )


class CarbonTrackerThread(_MeasuredInCpp, threading.Thread):
    """The Python tool's measuring thread (compatibility name; see _MeasuredInCpp)."""


class CarbonIntensityThread(_MeasuredInCpp, threading.Thread):
    """The Python tool's intensity-fetching thread (compatibility name; see _MeasuredInCpp)."""


def _runs_in_cpp(cls, name):
    def method(self, *args, **kwargs):
        raise NotImplementedError(f"{cls.__name__}.{name} runs in the C++ core here")

    method.__name__ = method.__qualname__ = name
    return method


# The Python tool's method names, so that code which reads or replaces one (seen in public scripts:
# `CarbonTrackerThread._log_components_info = fixed`, to decode device names) imports and runs. The
# C++ core never calls them: a replacement has no effect (docs/python.md).
for _cls, _names in (
    (CarbonTrackerThread, ("begin", "epoch_start", "epoch_end", "_log_components_info",
                           "_log_epoch_measurements", "_components_remove_unavailable",
                           "_components_init", "_components_shutdown", "_collect_measurements",
                           "total_energy_per_epoch", "_handle_error")),
    (CarbonIntensityThread, ("_fetch_carbon_intensity", "predict_carbon_intensity",
                             "average_carbon_intensity")),
):
    for _name in _names:
        setattr(_cls, _name, _runs_in_cpp(_cls, _name))
del _cls, _names, _name
