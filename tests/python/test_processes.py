"""CarbonTracker in child interpreters: the real stdin, Ctrl-C, and the end of a script that
never calls stop()."""

import signal
import subprocess
import sys
import textwrap
import time

from conftest import log_files, read_log, run_python

PRELUDE = textwrap.dedent(
    """
    import sys, time
    from carbontracker.tracker import CarbonTracker
    SIM = dict(sim_cpu="Sim CPU", sim_cpu_tdp=65, sim_gpu="Sim GPU", sim_gpu_watts=250, intensity_g_per_kwh=100)
    log_dir = sys.argv[1]
    """
)


def test_stop_and_confirm_answered_n_on_stdin_exits_0_after_the_report(tmp_path):
    code = PRELUDE + textwrap.dedent(
        """
        t = CarbonTracker(epochs=5, log_dir=log_dir, stop_and_confirm=True, **SIM)
        for epoch in range(5):
            t.epoch_start()
            time.sleep(0.05)
            t.epoch_end()
            print(f"trained epoch {epoch + 1}")
        print("not reached")
        """
    )
    r = run_python(["-c", code, str(tmp_path)], stdin="perhaps\nn\n")
    assert r.returncode == 0, r.stderr
    assert "Continue training (y/n)?" in r.stdout
    assert "Input not recognized. Try again (y/n):" in r.stdout
    assert "Quitting..." in r.stdout
    assert "trained epoch" not in r.stdout and "not reached" not in r.stdout
    out = read_log(tmp_path, "_output")
    assert "Actual consumption for 1 epoch(s):" in out and "Quitting..." in out


def test_stop_and_confirm_answered_y_continues(tmp_path):
    code = PRELUDE + textwrap.dedent(
        """
        t = CarbonTracker(epochs=2, log_dir=log_dir, stop_and_confirm=True, **SIM)
        for epoch in range(2):
            t.epoch_start()
            t.epoch_end()
        print("done")
        """
    )
    r = run_python(["-c", code, str(tmp_path)], stdin="y\n")
    assert r.returncode == 0, r.stderr
    # monitor_epochs=-1: monitoring goes on until stop(); without one, the report comes at exit.
    assert r.stdout.index("Continuing...") < r.stdout.index("done") < r.stdout.index("Actual consumption for 2")
    assert "Actual consumption for 2 epoch(s):" in read_log(tmp_path, "_output")


def test_ctrl_c_in_the_training_loop_still_writes_the_final_report(tmp_path):
    code = PRELUDE + textwrap.dedent(
        """
        t = CarbonTracker(epochs=1000, log_dir=log_dir, **SIM)
        for epoch in range(1000):
            t.epoch_start()
            if epoch == 2:
                print("ready", flush=True)
            time.sleep(0.05)
            t.epoch_end()
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        line = ""
        while "ready" not in line and time.monotonic() < deadline:
            line = child.stdout.readline()
        assert "ready" in line
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode != 0 and "KeyboardInterrupt" in err  # Python's own handler ran
    assert "Finished monitoring." in out
    std = read_log(tmp_path, "")
    assert "Training was interrupted before all 1000 epochs were monitored." in std
    output = read_log(tmp_path, "_output")
    assert "Actual consumption for" in output and "Finished monitoring." in output


def test_a_script_that_never_calls_stop_gets_its_report_at_exit(tmp_path):
    code = PRELUDE + textwrap.dedent(
        """
        t = CarbonTracker(epochs=3, log_dir=log_dir, **SIM)
        t.epoch_start()
        t.epoch_end()
        """
    )
    r = run_python(["-c", code, str(tmp_path)])
    assert r.returncode == 0, r.stderr
    assert "Actual consumption for 1 epoch(s):" in r.stdout
    assert "Training was interrupted before all 3 epochs were monitored." in read_log(tmp_path, "")
    assert len(log_files(tmp_path, "_output")) == 1


def test_an_uncaught_exception_still_gets_the_report(tmp_path):
    code = PRELUDE + textwrap.dedent(
        """
        t = CarbonTracker(epochs=3, log_dir=log_dir, **SIM)
        t.epoch_start()
        raise RuntimeError("training crashed")
        """
    )
    r = run_python(["-c", code, str(tmp_path)])
    assert r.returncode == 1 and "training crashed" in r.stderr
    assert "Actual consumption for 0 epoch(s):" in read_log(tmp_path, "_output") or "Actual consumption" in r.stdout
    assert "Finished monitoring." in r.stdout


def test_a_forked_child_neither_reports_nor_hangs_and_cannot_use_the_tracker(tmp_path):
    code = PRELUDE + textwrap.dedent(
        """
        import os
        from carbontracker.exceptions import TrackerError
        t = CarbonTracker(epochs=3, log_dir=log_dir, **SIM)
        t.epoch_start()
        pid = os.fork()
        if pid == 0:
            try:
                t.epoch_end()
                print("child: no error")
            except TrackerError as e:
                print("child: TrackerError", "forked child" in str(e))
            sys.stdout.flush()
            sys.exit(0)  # a normal exit: atexit hooks and destructors run in the child
        _, status = os.waitpid(pid, 0)
        print("child exit", os.waitstatus_to_exitcode(status))
        t.epoch_end()
        t.stop()
        """
    )
    r = run_python(["-c", code, str(tmp_path)], timeout=30)
    assert r.returncode == 0, r.stderr
    assert "child: TrackerError True" in r.stdout and "child exit 0" in r.stdout
    assert r.stdout.count("Finished monitoring.") == 1
    assert "Actual consumption for 1 epoch(s):" in read_log(tmp_path, "_output")


def test_sigkill_leaves_logs_with_every_epoch_that_epoch_end_returned_for(tmp_path):
    # epoch_end writes the epoch's records to the kernel (write(2), no fsync) before it returns:
    # whatever the moment of a SIGKILL, the event log and the std log hold every epoch the
    # script saw epoch_end return for (it prints the number after the call). Epochs are short
    # so that the kill often lands inside epoch_end or its writes.
    import json
    import os
    import random

    code = PRELUDE + textwrap.dedent(
        """
        t = CarbonTracker(epochs=100000, log_dir=log_dir, epochs_before_pred=2, verbose=0, **SIM)
        epoch = 0
        while True:
            t.epoch_start()
            epoch += 1
            t.epoch_end()
            sys.stdout.write(f"{epoch}\\n")
            sys.stdout.flush()
        """
    )
    rng = random.Random(15)
    for round_ in range(6):
        log_dir = tmp_path / f"run{round_}"
        child = subprocess.Popen(
            [sys.executable, "-c", code, str(log_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        acked = 0
        try:
            target = rng.randint(1, 300)
            deadline = time.monotonic() + 60
            while acked < target and time.monotonic() < deadline:
                line = child.stdout.readline()
                if not line:
                    break
                acked = int(line)
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
        assert acked >= 1, child.stderr.read()
        events = list(log_dir.glob("*_carbontracker_events.jsonl"))
        assert len(events) == 1, events
        lines = events[0].read_text().split("\n")
        # Only the last line may be cut (the kill came during a write); every finished line parses.
        epochs = set()
        for line in lines[:-1]:
            record = json.loads(line)
            if record["type"] == "epoch":
                epochs.add(record["epoch"]["index"])
        assert set(range(1, acked + 1)) <= epochs, (round_, acked, sorted(epochs)[-3:])
        std = read_log(log_dir, "")
        for n in (1, acked):
            assert f" - Epoch {n}:\n" in std, (round_, n)
