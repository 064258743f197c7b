"""Exceptions of the carbontracker package.

Ours: ConfigError (a ValueError naming the parameter and the fix), TrackerError (an internal
error surfaced with ignore_errors=False), StopTraining and BudgetExceeded (the training must
stop; raised after the final report was written).

The Python carbontracker's exception names are kept so ``except`` clauses written for it still
import; only ComponentNameError (an invalid ``components``) and the parser's two are raised.
"""


class CarbonTrackerError(Exception):
    """Base class of the errors this package raises (ConfigError is also a ValueError)."""


class ConfigError(CarbonTrackerError, ValueError):
    """An invalid constructor parameter. ``parameter`` names it; the message says the fix."""

    def __init__(self, message, parameter=None):
        super().__init__(message)
        self.parameter = parameter


class TrackerError(CarbonTrackerError, RuntimeError):
    """An internal failure (e.g. a log that can no longer be written), raised once by the next
    API call when ignore_errors=False. With ignore_errors=True it is printed as a warning."""


class StopTraining(CarbonTrackerError):
    """The training must stop. The final report has been written when this is raised."""


class BudgetExceeded(StopTraining):
    """A budget (max_energy_kwh, max_co2eq_g, max_duration_s) with budget_action="stop", or
    "ask" answered n, stopped the training. ``event`` is the budget event as a dict: limit,
    basis ("predicted" or "actual"), value, limit_value, action, outcome, message."""

    def __init__(self, message, event=None):
        super().__init__(message)
        self.event = event or {}


# --- the Python carbontracker's names (carbontracker/exceptions.py) ---


class ComponentNameError(ConfigError):
    """An unknown name in ``components``."""


class NoComponentsAvailableError(CarbonTrackerError):
    pass


class UnitError(CarbonTrackerError):
    pass


class IntelRaplPermissionError(CarbonTrackerError):
    pass


class GPUPowerUsageRetrievalError(CarbonTrackerError):
    pass


class FetcherNameError(CarbonTrackerError):
    pass


class GPUError(CarbonTrackerError):
    pass


class CPUError(CarbonTrackerError):
    pass


class MismatchedLogFilesError(CarbonTrackerError):
    pass


class MismatchedEpochsError(CarbonTrackerError):
    pass
