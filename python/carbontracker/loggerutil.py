"""The Python carbontracker's ``carbontracker.loggerutil`` names, for scripts that import them.

Our tracker writes its console messages and the three log files from the C++ core
(CarbonTracker does not use this module). What is here works on its own:

- convert_to_timestring(seconds, add_milliseconds=False): "H:MM:SS" or "H:MM:SS.ss", as the
  Python tool formats durations in its reports and epoch blocks (negative: a leading "-").
- Logger(log_dir=None, verbose=0, log_prefix="", logger_id="root"): a logger with the Python
  tool's interface (output, info, err_debug, err_info, err_warn, err_critical) writing files of the
  Python tool's naming <prefix_><pid>.<logger_id>_<date>_carbontracker{,_output,_err}.log in
  log_dir, for code that writes its own lines next to ours. Its first lines state the version and
  that no PUE is applied by this logger itself.
- TrackerFormatter, VerboseFilter: the logging helpers Logger uses.
"""

import datetime
import logging
import os
import pathlib
import sys

__all__ = ["convert_to_timestring", "Logger", "TrackerFormatter", "VerboseFilter"]


def convert_to_timestring(seconds, add_milliseconds=False):
    """Seconds as "H:MM:SS" (rounded to whole seconds) or, with add_milliseconds, "H:MM:SS.ss"."""
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    minutes, secs = divmod(seconds, 60)
    if add_milliseconds:
        if f"{secs:05.2f}".startswith("60"):  # 59.996 s prints as the next minute
            minutes, secs = minutes + 1, 0
    else:
        secs = int(round(secs))
        if secs == 60:
            minutes, secs = minutes + 1, 0
    hours, minutes = divmod(int(minutes), 60)
    if add_milliseconds:
        return f"{sign}{int(hours):d}:{minutes:02d}:{secs:05.2f}"
    return f"{sign}{int(hours):d}:{minutes:02d}:{secs:02d}"


class TrackerFormatter(logging.Formatter):
    """Times as local "YYYY-MM-DD HH:MM:SS" (no milliseconds), as in the Python tool's log lines."""

    converter = datetime.datetime.fromtimestamp

    def formatTime(self, record, datefmt=None):
        return self.converter(record.created).strftime(datefmt or "%Y-%m-%d %H:%M:%S")


class VerboseFilter(logging.Filter):
    """Passes records only when verbose > 0 (the console copy of output messages)."""

    def __init__(self, verbose):
        super().__init__()
        self.verbose = verbose

    def filter(self, record):
        return self.verbose > 0


class Logger:
    """The Python tool's Logger interface; see the module docstring."""

    msg_prepend = "CarbonTracker: "

    def __init__(self, log_dir=None, verbose=0, log_prefix="", logger_id="root"):
        self.verbose = verbose
        self.log_dir = log_dir
        name = f"{log_prefix + '_' if log_prefix else ''}{os.getpid()}.{logger_id}"
        self.logger = self._fresh(name)
        self.logger_output = self._fresh(f"carbontracker.{logger_id}.output")
        self.logger_err = self._fresh(f"carbontracker.{logger_id}.err")

        console = logging.StreamHandler(sys.stdout)
        console.setLevel(logging.INFO)
        console.setFormatter(logging.Formatter("{message}", style="{"))
        console.addFilter(VerboseFilter(verbose))
        self.logger_output.addHandler(console)
        err_console = logging.StreamHandler(sys.stdout)
        err_console.setLevel(logging.INFO)
        err_console.setFormatter(logging.Formatter("CarbonTracker: {levelname} - {message}", style="{"))
        self.logger_err.addHandler(err_console)

        if log_dir is not None:
            pathlib.Path(log_dir).mkdir(parents=True, exist_ok=True)
            stem = os.path.join(os.fspath(log_dir), f"{name}_{datetime.datetime.now():%Y-%m-%dT%H%M%SZ}_carbontracker")
            lines = TrackerFormatter(fmt="%(asctime)s - %(message)s")
            for target, suffix, level, fmt, delay in (
                (self.logger_output, "_output.log", logging.INFO, lines, False),
                (self.logger, ".log", logging.DEBUG, lines, False),
                (self.logger_err, "_err.log", logging.DEBUG,
                 logging.Formatter("{asctime} - {threadName} - {levelname} - {message}", style="{"), True),
            ):
                handler = logging.FileHandler(stem + suffix, delay=delay)
                handler.setLevel(level)
                handler.setFormatter(fmt)
                target.addHandler(handler)

        from carbontracker._version import __version__

        self.info(f"carbontracker version {__version__}")
        self.info("This logger applies no PUE itself; the tracker's own logs state the PUE it applies.")

    @staticmethod
    def _fresh(name):
        log = logging.getLogger(name)
        log.propagate = False
        log.setLevel(logging.DEBUG)
        return log

    def output(self, msg, verbose_level=0):
        self.logger_output.info(self.msg_prepend + msg)

    def info(self, msg):
        self.logger.info(msg)

    def err_debug(self, msg):
        self.logger_err.debug(msg)

    def err_info(self, msg):
        self.logger_err.info(msg)

    def err_warn(self, msg):
        self.logger_err.warning(msg)

    def err_critical(self, msg):
        self.logger_err.critical(msg)
