"""Exceptions of the carbontracker package.

Ours: ConfigError (a ValueError naming the parameter and the fix), TrackerError (an internal
error surfaced with ignore_errors=False), StopTraining and BudgetExceeded (the training must
stop; raised after the final report was written).

The Python carbontracker's exception classes all exist, with the same names, each a subclass of
the Python tool's base (Exception) through CarbonTrackerError, so ``except`` clauses written for
it keep working. Each can be raised with no arguments and takes the Python tool's keyword
arguments (``IntelRaplPermissionError(file_names=[...])``, ``UnitError(expected_unit=...,
received_unit=..., message=...)``). Raised here: ComponentNameError (an unknown name in
``components``), NoComponentsAvailableError (nothing asked for can be measured, at construction),
FetcherNameError (``set_api_keys`` with an unknown provider name, at the call) and the parser's
MismatchedLogFilesError / MismatchedEpochsError; the others are never raised (their causes are
reported as "not measured" with the reason, or as warnings), kept for ``except`` clauses.
"""


class CarbonTrackerError(Exception):
    """Base class of the errors this package raises (ConfigError is also a ValueError)."""


class ConfigError(CarbonTrackerError, ValueError):
    """An invalid constructor parameter. ``parameter`` names it; the message says the fix."""

    def __init__(self, message=None, parameter=None):
        super().__init__(*(() if message is None else (message,)))
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

    def __init__(self, message=None, event=None):
        super().__init__(*(() if message is None else (message,)))
        self.event = event or {}


# --- the Python carbontracker's names (carbontracker/exceptions.py) ---


class ComponentNameError(ConfigError):
    """An unknown name in ``components`` (the Python tool: "No component found with name 'x'.")."""


class NoComponentsAvailableError(ConfigError):
    """Nothing that ``components`` asks for can be measured here (e.g. components="gpu" without
    a usable GPU). Raised at construction; the message names each source's reason and the fix.
    (The Python tool raises it in its monitoring thread and then exits the process with 70.)"""

    DEFAULT_MESSAGE = (
        "No components were available. CarbonTracker supports Intel CPUs with the RAPL interface and NVIDIA GPUs."
    )

    def __init__(self, msg=DEFAULT_MESSAGE, *args):
        super().__init__(msg, "components")
        self.args = (msg, *args)


class UnitError(CarbonTrackerError):
    """The unit received is not the unit expected."""

    def __init__(self, expected_unit=None, received_unit=None, message=None):
        super().__init__(*(() if message is None else (message,)))
        self.expected_unit = expected_unit
        self.received_unit = received_unit
        self.message = message


class IntelRaplPermissionError(CarbonTrackerError):
    """RAPL energy files are not readable; ``file_names`` lists them (fix: read permission)."""

    def __init__(self, file_names=None):
        self.file_names = list(file_names) if file_names is not None else []
        super().__init__(*((f"cannot read {', '.join(self.file_names)}",) if self.file_names else ()))


class GPUPowerUsageRetrievalError(CarbonTrackerError):
    pass


class CarbonIntensityFetcherError(CarbonTrackerError):
    pass


class IPLocationError(CarbonTrackerError):
    pass


class GPUError(CarbonTrackerError):
    pass


class CPUError(CarbonTrackerError):
    pass


class FetcherNameError(ConfigError):
    """``set_api_keys`` named no known provider ("Invalid API name 'x' given."). Raised at the
    call; the Python tool exits the process with status 70 instead."""


class MismatchedLogFilesError(CarbonTrackerError):
    pass


class MismatchedEpochsError(CarbonTrackerError):
    pass
