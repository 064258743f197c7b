"""CarbonTracker across os.fork(): the child inherits the parent's tracker, including log lines
still in the stdio buffers; it must never write them (nor anything else) to the parent's logs."""

import textwrap

from conftest import log_files, run_python

PRELUDE = textwrap.dedent(
    """
    import os, sys
    from carbontracker.tracker import CarbonTracker
    from carbontracker.exceptions import TrackerError
    SIM = dict(sim_cpu="Sim CPU", sim_cpu_tdp=65, sim_gpu="Sim GPU", sim_gpu_watts=250, intensity_g_per_kwh=100)
    log_dir = sys.argv[1]
    """
)


def all_log_text(log_dir):
    return {p.name: p.read_text() for p in log_files(log_dir, "") + log_files(log_dir, "_output")}


def test_a_forked_child_never_writes_the_parents_buffered_records(tmp_path):
    code = PRELUDE + textwrap.dedent(
        """
        t = CarbonTracker(epochs=3, log_dir=log_dir, **SIM)
        t.epoch_start()
        t.discard_epoch()   # a log line that is not flushed yet: it sits in the stdio buffer
        t.epoch_start()
        pid = os.fork()
        if pid == 0:
            for call in (t.epoch_end, t.stop):
                try:
                    call()
                except TrackerError:
                    pass
            sys.exit(0)     # a normal exit: the C library flushes every open stdio stream
        _, status = os.waitpid(pid, 0)
        print("child exit", os.waitstatus_to_exitcode(status))
        t.epoch_end()
        t.stop()
        """
    )
    r = run_python(["-c", code, str(tmp_path)], timeout=60)
    assert r.returncode == 0, r.stderr
    assert "child exit 0" in r.stdout
    logs = all_log_text(tmp_path)
    assert len(logs) == 2, logs.keys()
    std_log = next(text for name, text in logs.items() if not name.endswith("_output.log"))
    output_log = next(text for name, text in logs.items() if name.endswith("_output.log"))
    # Written once, by the parent, although the child exited while it was still buffered.
    assert std_log.count("Epoch 1 discarded") == 1, std_log
    assert std_log.count("Monitoring thread started.") == 1, std_log
    assert output_log.count("Actual consumption for 1 epoch(s):") == 1, output_log


def test_a_forked_child_that_exits_without_touching_the_tracker_writes_nothing(tmp_path):
    code = PRELUDE + textwrap.dedent(
        """
        t = CarbonTracker(epochs=2, log_dir=log_dir, **SIM)
        t.epoch_start()
        t.discard_epoch()
        before = {n: os.path.getsize(os.path.join(log_dir, n)) for n in os.listdir(log_dir)}
        pid = os.fork()
        if pid == 0:
            sys.exit(0)     # interpreter finalisation, weakref.finalize, exit(): none may write
        os.waitpid(pid, 0)
        after = {n: os.path.getsize(os.path.join(log_dir, n)) for n in os.listdir(log_dir)}
        print("unchanged", before == after)
        t.stop()
        """
    )
    r = run_python(["-c", code, str(tmp_path)], timeout=60)
    assert r.returncode == 0, r.stderr
    assert "unchanged True" in r.stdout
    std_log = next(p for p in log_files(tmp_path, "") if not p.name.endswith("_output.log")).read_text()
    assert std_log.count("Epoch 1 discarded") == 1, std_log
