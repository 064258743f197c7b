"""Issue 12, the third-party pattern test: the carbontracker calls that common integrations make,
run unchanged on this package.

Each integration below is written the way such code is written for the Python carbontracker (a
Hugging Face TrainerCallback, a PyTorch Lightning Callback, an MLflow logging loop that reads the
log files, a config-driven constructor with every parameter), using only the Python tool's API.
No framework is imported: each callback class has the hook methods the framework calls, and a
plain loop calls them in the framework's documented order with arguments of the same shape
(transformers' CallbackHandler passes args, state, control and keyword arguments; Lightning
passes trainer and pl_module). Asserted: what such code reads back (console, log files, parser
results, attributes) is there and consistent; the numbers compared come from the same run, so
they hold whatever the PUE default is.
"""

import glob
import os
import time
from types import SimpleNamespace

import pytest

from conftest import SIM, log_files, read_log
from carbontracker import parser
from carbontracker.tracker import CarbonTracker


def busy(seconds=0.05):
    time.sleep(seconds)
    return 0.5


# =============================================================================================
# Hugging Face: a TrainerCallback as third-party projects write it.
# =============================================================================================


class CarbonTrackerHFCallback:  # would subclass transformers.TrainerCallback
    def __init__(self, log_dir, **carbontracker_kwargs):
        self.log_dir = log_dir
        self.kwargs = carbontracker_kwargs
        self.tracker = None

    def on_train_begin(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            self.tracker = CarbonTracker(epochs=int(args.num_train_epochs), log_dir=self.log_dir,
                                         log_file_prefix=args.run_name, **self.kwargs)

    def on_epoch_begin(self, args, state, control, **kwargs):
        if self.tracker is not None:
            self.tracker.epoch_start()

    def on_epoch_end(self, args, state, control, **kwargs):
        if self.tracker is not None:
            self.tracker.epoch_end()

    def on_train_end(self, args, state, control, **kwargs):
        if self.tracker is not None:
            self.tracker.stop()


def hf_train(callbacks, num_train_epochs, steps_per_epoch=2, stop_after_epochs=None):
    """transformers.Trainer's event order for a training run, without transformers."""
    args = SimpleNamespace(num_train_epochs=float(num_train_epochs), run_name="hf", output_dir="out")
    state = SimpleNamespace(epoch=0.0, global_step=0, is_world_process_zero=True, log_history=[])
    control = SimpleNamespace(should_training_stop=False, should_log=False, should_save=False)
    extra = dict(model=object(), tokenizer=None, optimizer=object(), lr_scheduler=object(), train_dataloader=[])

    def event(name, **kw):
        for cb in callbacks:
            hook = getattr(cb, name, None)
            if hook is not None:
                hook(args, state, control, **extra, **kw)

    event("on_init_end")
    event("on_train_begin")
    for epoch in range(num_train_epochs):
        event("on_epoch_begin")
        for _ in range(steps_per_epoch):
            event("on_step_begin")
            state.global_step += 1
            busy(0.02)
            event("on_step_end")
        state.epoch = float(epoch + 1)
        event("on_log", logs={"loss": 0.5})
        event("on_epoch_end")
        if stop_after_epochs is not None and epoch + 1 >= stop_after_epochs:
            control.should_training_stop = True
        if control.should_training_stop:
            break
    event("on_train_end")


def test_hugging_face_trainer_callback(tmp_path, capsys):
    cb = CarbonTrackerHFCallback(str(tmp_path), update_interval=1, verbose=1, **SIM)
    hf_train([cb], num_train_epochs=3)
    out = capsys.readouterr().out
    assert "CarbonTracker: The following components were found:" in out
    assert "Predicted consumption for 3 epoch(s):" in out
    assert "Actual consumption for 3 epoch(s):" in out
    assert cb.tracker.deleted and cb.tracker.epoch_counter == 3
    std = log_files(tmp_path, "")
    assert len(std) == 1 and std[0].name.startswith("hf_")
    run = parser.parse_all_logs(str(tmp_path))[0]
    assert run["early_stop"] is False and run["actual"]["epochs"] == 3
    assert run["actual"]["energy (kWh)"] == pytest.approx(
        cb.tracker.snapshot()["total"]["facility_energy_j"] / 3.6e6, rel=1e-3, abs=1e-9)


def test_hugging_face_early_stopping_reports_the_epochs_run(tmp_path):
    cb = CarbonTrackerHFCallback(str(tmp_path), verbose=0, **SIM)
    hf_train([cb], num_train_epochs=5, stop_after_epochs=2)
    assert "Actual consumption for 2 epoch(s):" in read_log(tmp_path, "_output")
    assert "Training was interrupted before all" in read_log(tmp_path, "")
    run = parser.parse_all_logs(str(tmp_path))[0]
    assert run["early_stop"] is True and run["actual"]["epochs"] == 2


# =============================================================================================
# PyTorch Lightning: a Callback as third-party projects write it.
# =============================================================================================


class CarbonTrackerLightningCallback:  # would subclass lightning.pytorch.Callback
    def __init__(self, **carbontracker_kwargs):
        self.kwargs = carbontracker_kwargs
        self.tracker = None

    def on_fit_start(self, trainer, pl_module):
        if trainer.is_global_zero:
            self.tracker = CarbonTracker(epochs=trainer.max_epochs, log_dir=trainer.log_dir, **self.kwargs)

    def on_train_epoch_start(self, trainer, pl_module):
        if self.tracker:
            self.tracker.epoch_start()

    def on_train_epoch_end(self, trainer, pl_module):
        if self.tracker:
            self.tracker.epoch_end()
            pl_module.log("epochs_tracked", self.tracker.epoch_counter)

    def on_fit_end(self, trainer, pl_module):
        if self.tracker:
            self.tracker.stop()

    def on_exception(self, trainer, pl_module, exception):
        if self.tracker:
            self.tracker.stop()


class FakeModule:
    def __init__(self):
        self.logged = {}

    def log(self, name, value, **kwargs):
        self.logged[name] = value

    def training_step(self, batch, batch_idx):
        return busy(0.02)


def lightning_fit(callbacks, module, max_epochs, log_dir, fail_in_epoch=None, should_stop_after=None):
    """lightning.pytorch.Trainer.fit's hook order, without lightning; an exception in a training
    step goes to every callback's on_exception, then propagates (as Lightning does)."""
    trainer = SimpleNamespace(max_epochs=max_epochs, current_epoch=0, global_rank=0, is_global_zero=True,
                              log_dir=str(log_dir), should_stop=False)

    def hook(name, *args):
        for cb in callbacks:
            fn = getattr(cb, name, None)
            if fn is not None:
                fn(trainer, module, *args)

    try:
        hook("setup", "fit")
        hook("on_fit_start")
        hook("on_train_start")
        for epoch in range(max_epochs):
            trainer.current_epoch = epoch
            hook("on_train_epoch_start")
            for batch_idx in range(2):
                hook("on_train_batch_start", None, batch_idx)
                if fail_in_epoch == epoch + 1:
                    raise RuntimeError("CUDA out of memory (simulated)")
                module.training_step(None, batch_idx)
                hook("on_train_batch_end", None, None, batch_idx)
            hook("on_train_epoch_end")
            if should_stop_after is not None and epoch + 1 >= should_stop_after:
                trainer.should_stop = True
            if trainer.should_stop:
                break
        hook("on_train_end")
        hook("on_fit_end")
    except BaseException as e:
        hook("on_exception", e)
        raise
    finally:
        hook("teardown", "fit")


def test_lightning_callback(tmp_path):
    module = FakeModule()
    cb = CarbonTrackerLightningCallback(verbose=0, **SIM)
    lightning_fit([cb], module, max_epochs=3, log_dir=tmp_path)
    assert module.logged["epochs_tracked"] == 3
    assert cb.tracker.deleted
    run = parser.parse_all_logs(str(tmp_path))[0]
    assert run["actual"]["epochs"] == 3 and run["pred"]["epochs"] == 3
    assert sorted(run["components"]) == ["cpu", "gpu"]
    assert run["components"]["gpu"]["devices"] == ["Sim GPU"]


def test_lightning_exception_still_writes_the_report(tmp_path):
    cb = CarbonTrackerLightningCallback(verbose=0, **SIM)
    with pytest.raises(RuntimeError, match="out of memory"):
        lightning_fit([cb], FakeModule(), max_epochs=4, log_dir=tmp_path, fail_in_epoch=3)
    assert cb.tracker.deleted and cb.tracker.epoch_counter == 2  # the failed epoch is not counted
    snap = cb.tracker.snapshot()
    assert snap["finished"] and snap["interrupted_epoch"]["index"] == 3
    assert "Actual consumption for 2 epoch(s):" in read_log(tmp_path, "_output")


# =============================================================================================
# MLflow: a training loop that logs its metrics and reads carbontracker's log files.
# =============================================================================================


class FakeMlflow:
    """mlflow's module-level logging calls, recorded."""

    def __init__(self):
        self.params, self.metrics, self.artifacts = {}, {}, []

    def start_run(self, run_name=None):
        mlflow = self

        class Run:
            def __enter__(self):
                return SimpleNamespace(info=SimpleNamespace(run_name=run_name))

            def __exit__(self, *exc):
                mlflow.ended = True
                return False

        return Run()

    def log_params(self, params):
        self.params.update(params)

    def log_metric(self, key, value, step=None):
        self.metrics.setdefault(key, []).append((step, value))

    def log_artifact(self, path):
        assert os.path.isfile(path), path
        self.artifacts.append(path)


def mlflow_training(mlflow, log_dir, epochs):
    tracker = CarbonTracker(epochs=epochs, log_dir=log_dir, verbose=0, **SIM)
    with mlflow.start_run(run_name="ct"):
        mlflow.log_params({"epochs": epochs, "carbontracker_components": tracker.components})
        for epoch in range(epochs):
            tracker.epoch_start()
            loss = busy(0.05)
            tracker.epoch_end()
            mlflow.log_metric("loss", loss, step=epoch)
            # The standard log is written per epoch: read this run's durations and power so far.
            std_log, _ = parser.get_most_recent_logs(log_dir)
            with open(std_log) as f:
                std = f.read()
            mlflow.log_metric("epoch_duration_s", parser.get_epoch_durations(std)[-1], step=epoch)
            mlflow.log_metric("gpu_power_w", parser.get_avg_power_usages(std)["gpu"][-1][0], step=epoch)
        tracker.stop()
        for run in parser.parse_all_logs(log_dir):
            mlflow.log_metric("energy_kwh", run["actual"]["energy (kWh)"])
            mlflow.log_metric("co2eq_g", run["actual"]["co2eq (g)"])
        energy_kwh, co2eq_g, equivalents = parser.aggregate_consumption(log_dir)
        mlflow.log_metric("total_energy_kwh", energy_kwh)
        for path in glob.glob(os.path.join(log_dir, "*.log")):
            mlflow.log_artifact(path)
    return tracker


def test_mlflow_loop_reads_the_log_files(tmp_path):
    mlflow = FakeMlflow()
    tracker = mlflow_training(mlflow, str(tmp_path), epochs=3)
    assert mlflow.ended and mlflow.params == {"epochs": 3, "carbontracker_components": "all"}
    assert [s for s, _ in mlflow.metrics["epoch_duration_s"]] == [0, 1, 2]
    durations = [d for _, d in mlflow.metrics["epoch_duration_s"]]
    assert durations == pytest.approx([e["duration_s"] for e in tracker.snapshot()["epochs"]], abs=0.01)
    assert [w for _, w in mlflow.metrics["gpu_power_w"]] == pytest.approx([125.0] * 3)  # 250 W x 0.5
    (_, kwh), = mlflow.metrics["energy_kwh"]
    (_, total), = mlflow.metrics["total_energy_kwh"]
    facility_kwh = tracker.snapshot()["total"]["facility_energy_j"] / 3.6e6
    assert kwh == pytest.approx(facility_kwh, rel=1e-3, abs=1e-9)
    assert total == pytest.approx(facility_kwh, rel=1e-3, abs=1e-9)
    names = sorted(os.path.basename(p).split("_carbontracker")[1] for p in mlflow.artifacts)
    assert names == [".log", "_output.log"]  # no _err.log: nothing went wrong


# =============================================================================================
# A config-driven constructor with every parameter (YAML / Hydra / argparse style).
# =============================================================================================

CONFIG = {  # e.g. a `carbontracker:` section of a YAML file, every parameter of the Python tool
    "epochs": 3,
    "epochs_before_pred": 1,
    "monitor_epochs": -1,
    "update_interval": 1,
    "interpretable": True,
    "stop_and_confirm": False,
    "ignore_errors": False,
    "components": "all",
    "devices_by_pid": False,
    "log_dir": None,  # filled in by the test
    "log_file_prefix": "cfg",
    "verbose": 1,
    "decimal_precision": 6,
    "api_keys": None,
    "sim_cpu": "Sim CPU",
    "sim_cpu_tdp": 65,
    "sim_cpu_util": 0.5,
    "sim_gpu": "Sim GPU",
    "sim_gpu_watts": 250,
    "sim_gpu_util": 0.5,
}


def run_configured(tracker):
    for _ in range(tracker.epochs):
        tracker.epoch_start()
        busy(0.03)
        tracker.epoch_end()
    tracker.stop()


def test_config_driven_constructor_with_every_parameter_by_keyword(tmp_path, capsys):
    cfg = dict(CONFIG, log_dir=str(tmp_path))
    tracker = CarbonTracker(**cfg)
    for key, value in cfg.items():
        assert getattr(tracker, key) == value, key
    run_configured(tracker)
    out = capsys.readouterr().out
    assert "Actual consumption for 3 epoch(s):" in out
    assert "\tEnergy:\t" in out and out.split("\tEnergy:\t")[1].split(" kWh")[0].count(".") == 1
    assert len(out.split("\tEnergy:\t")[1].split(" kWh")[0].split(".")[1]) == 6  # decimal_precision
    assert log_files(tmp_path, "")[0].name.startswith("cfg_")


def test_config_driven_constructor_with_every_parameter_by_position(tmp_path):
    # Older scripts pass the Python tool's parameters positionally, in its order.
    cfg = dict(CONFIG, log_dir=str(tmp_path), verbose=0)
    tracker = CarbonTracker(*cfg.values())
    assert [getattr(tracker, k) for k in cfg] == list(cfg.values())
    run_configured(tracker)
    assert parser.parse_all_logs(str(tmp_path))[0]["actual"]["epochs"] == 3
