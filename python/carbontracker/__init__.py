"""carbontracker: energy and carbon footprint of deep-learning training, on a C++ core.

A drop-in for the Python carbontracker::

    from carbontracker.tracker import CarbonTracker
    tracker = CarbonTracker(epochs=10)
    for epoch in range(10):
        tracker.epoch_start()
        train_one_epoch()
        tracker.epoch_end()
    tracker.stop()

Nothing is imported eagerly: ``import carbontracker`` loads neither the compiled module nor
numpy (see docs/python.md for the import-time budget).
"""

__all__ = ["tracker", "parser", "exceptions"]


from carbontracker._version import __version__  # noqa: E402,F401
