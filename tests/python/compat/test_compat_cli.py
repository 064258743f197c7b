"""The Python carbontracker's command-line forms, run on the built `carbontracker` binary as a
real child process (docs/cli.md, "The Python tool's form").

The expected splits and sentences below were recorded from the real Python tool (lfwa/carbontracker
8beb2b9, cli.py with argparse's parse_known_args, Python 3.11) on the same arguments and the same
fixture logs; they are data here, the tool itself is not needed to run these tests.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
LOGS = REPO / "tests" / "fixtures" / "logs"


def _cli_path():
    # CT_CLI overrides; otherwise the build tree's binary next to the package under test
    # (PYTHONPATH = <build>/python, the binary is <build>/carbontracker).
    if os.environ.get("CT_CLI"):
        return Path(os.environ["CT_CLI"])
    import carbontracker

    return Path(carbontracker.__file__).resolve().parents[2] / "carbontracker"


CLI = _cli_path()

# A command that writes the arguments it was given (as JSON) to the file named by $ARGV_OUT.
SCRIPT = "import json, os, sys\nopen(os.environ['ARGV_OUT'], 'w').write(json.dumps(sys.argv[1:]))\n"


@pytest.fixture(scope="module", autouse=True)
def built_cli():
    if not CLI.is_file():
        pytest.fail(f"{CLI} is not built: build the target carbontracker_cli (or set CT_CLI to the binary)")


@pytest.fixture
def work(tmp_path):
    (tmp_path / "train.py").write_text(SCRIPT)
    return tmp_path


def carbontracker(args, cwd, env=None, timeout=60):
    full_env = dict(os.environ)
    # A fixed intensity: no location lookup; pue 1 is not settable in this form, so no number
    # below depends on the PUE default.
    full_env.update({"CARBONTRACKER_INTENSITY_G_PER_KWH": "100", "ARGV_OUT": str(cwd / "argv.json")})
    full_env.update(env or {})
    return subprocess.run([str(CLI), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=full_env)


def command_argv(cwd):
    """What the command received, or None when it did not run."""
    out = cwd / "argv.json"
    return json.loads(out.read_text()) if out.exists() else None


def output_log(log_dir):
    files = sorted(Path(log_dir).glob("*_carbontracker_output.log"))
    assert len(files) == 1, files
    return files[0].read_text()


def prog(argv):
    """train.py in a recorded argument list becomes this interpreter running the script."""
    out = []
    for a in argv:
        out += [sys.executable, "train.py"] if a == "train.py" else [a]
    return out


# (arguments after `carbontracker`, the Python tool's --log_dir, what the command got after train.py).
# Recorded from the real tool: parse_known_args takes its options anywhere, by unique prefix too.
RECORDED_SPLITS = [
    (["train.py", "--log_dir", "L", "--epochs", "100"], "L", ["--epochs", "100"]),
    (["--log_dir", "L", "train.py", "--lr", "0.1"], "L", ["--lr", "0.1"]),
    (["train.py", "--lr", "0.1", "--log_dir=L", "--seed", "1"], "L", ["--lr", "0.1", "--seed", "1"]),
    (["train.py", "--log", "L", "--epochs", "3"], "L", ["--epochs", "3"]),  # --log: a unique prefix of --log_dir
    (["train.py", "--log_dir", "a", "--log_dir", "b"], "b", []),  # the last one counts
    (["train.py", "--log_dir", "-5", "-x"], "-5", ["-x"]),  # a negative number is a value
    (["train.py", "--log_dir", "-.5", "-y"], "-.5", ["-y"]),
    (["train.py", "--log_dir", "-x y"], "-x y", []),  # a word with a space is a value
    # After the command's own `--`, nothing is ours; the `--` itself reaches the command.
    (["train.py", "--", "--log_dir", "x"], "logs", ["--", "--log_dir", "x"]),
]


@pytest.mark.parametrize("argv,log_dir,command_args", RECORDED_SPLITS)
def test_options_are_taken_from_anywhere_on_the_line_as_the_python_tool_does(work, argv, log_dir, command_args):
    r = carbontracker(prog(argv), work)
    assert r.returncode == 0, r.stderr
    assert command_argv(work) == command_args
    # The log went where the Python tool's --log_dir said (its default: ./logs).
    assert "Actual consumption for 1 epoch(s):" in output_log(work / log_dir)


def test_simulated_hardware_options_between_the_commands_own(work):
    # Recorded: known sim_cpu "Sim CPU", sim_cpu_tdp 50, sim_cpu_util 0.5 (--sim-cpu-u: a prefix);
    # remaining train.py --epochs 3.
    argv = ["train.py", "--sim-cpu", "Sim CPU", "--epochs", "3", "--sim-cpu-tdp", "50", "--sim-cpu-u", "0.5"]
    r = carbontracker(prog(argv) + ["--log_dir", "L"], work)
    assert r.returncode == 0, r.stderr
    assert command_argv(work) == ["--epochs", "3"]
    assert "Sim CPU" in output_log(work / "L")
    assert "--sim-cpu-u was read as --sim-cpu-util" in r.stderr, "a prefix taken as ours is never silent"


def test_output_without_report_is_taken_and_said(work):
    # Recorded: known output "o.txt", remaining train.py. The Python tool takes it silently.
    r = carbontracker(prog(["train.py", "--output", "o.txt", "--log_dir", "L"]), work)
    assert r.returncode == 0, r.stderr
    assert command_argv(work) == []
    assert "--output o.txt was read as carbontracker's" in r.stderr
    assert "put it after --" in r.stderr


def test_a_leading_double_dash_only_ends_our_options(work):
    # The Python tool keeps it and tries to run a program named "--" (FileNotFoundError): a
    # documented difference, the command runs.
    r = carbontracker(["--log_dir", "L", "--", *prog(["train.py", "--log_dir", "x"])], work)
    assert r.returncode == 0, r.stderr
    assert command_argv(work) == ["--log_dir", "x"]
    assert (work / "L").is_dir() and not (work / "x").exists()


@pytest.mark.parametrize(
    "argv,message",
    [
        # Recorded: "error: ambiguous option: --sim could match --sim-cpu, --sim-cpu-tdp, ...", status 2.
        (["train.py", "--sim", "5"], "ambiguous option: --sim could match --sim-cpu, --sim-cpu-tdp, --sim-cpu-util"),
        # Recorded: "error: argument --log_dir: expected one argument", status 2.
        (["train.py", "--log_dir"], "argument --log_dir: expected one argument"),
        (["train.py", "--log_dir", "--lr"], "argument --log_dir: expected one argument"),
        (["train.py", "--log_dir", "-5."], "argument --log_dir: expected one argument"),  # no number
    ],
)
def test_usage_errors_of_the_python_form_run_nothing(work, argv, message):
    r = carbontracker(prog(argv), work)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert command_argv(work) is None, "nothing was run"
    assert not (work / "logs").exists(), "nothing was measured"


@pytest.mark.parametrize("argv", [["train.py", "--log_dir=", "x"], ["train.py", "--log_dir", "", "x"], ["train.py", "--log="]])
def test_an_empty_value_is_refused_not_taken_from_the_command(work, argv):
    # argparse takes "" (then the Python tool writes no log at all); an empty value
    # must never make the command's next word ours.
    r = carbontracker(prog(argv), work)
    assert r.returncode == 2, r.stderr
    assert "argument --log_dir: an empty value" in r.stderr
    assert command_argv(work) is None


def test_the_commands_exit_status_is_returned(work):
    # The Python tool prints the error and exits 0 (documented difference): a failed training
    # must fail the job that ran it.
    (work / "fail.py").write_text("import sys\nsys.exit(3)\n")
    r = carbontracker([sys.executable, "fail.py", "--log_dir", "L"], work)
    assert r.returncode == 3, r.stderr
    assert "Actual consumption for 1 epoch(s):" in output_log(work / "L"), "the run is still measured and logged"


def test_options_without_a_command_run_nothing(work):
    # The Python tool measures an empty epoch here; nothing to measure is said, not logged as 0.
    r = carbontracker(["--log_dir", "L"], work)
    assert r.returncode == 2
    assert "no command to run" in r.stderr
    assert not (work / "L").exists()


@pytest.mark.parametrize("flag", ["-h", "--help", "--he"])
def test_help_anywhere_prints_help_and_runs_nothing(work, flag):
    # Recorded: argparse prints its help and exits 0 wherever -h is (and for --he, a prefix).
    r = carbontracker(prog(["train.py", "--epochs", "3", flag]), work)
    assert r.returncode == 0, r.stderr
    assert "Usage: carbontracker" in r.stdout
    assert "--parse DIR" in r.stdout, "the help names the Python tool's forms"
    assert command_argv(work) is None


def test_the_native_run_form_keeps_strict_separation(work):
    # Without `--`, options after the command are refused (nothing runs)...
    r = carbontracker(["run", *prog(["train.py", "--log-dir", "x"])], work)
    assert r.returncode == 2
    assert "put -- before the command" in r.stderr
    assert command_argv(work) is None
    # ...and after it, every option is the command's, the Python tool's names too.
    r = carbontracker(["run", "--log-dir", "L", "--", *prog(["train.py", "--log_dir", "x", "--parse", "y"])], work)
    assert r.returncode == 0, r.stderr
    assert command_argv(work) == ["--log_dir", "x", "--parse", "y"]


def test_api_keys_given_by_a_prefix_are_hidden_from_the_process_list(work):
    # The command reads carbontracker's own command line (its parent) from /proc.
    (work / "ps.py").write_text(
        "import os\nopen(os.environ['ARGV_OUT'], 'w').write(repr(open(f'/proc/{os.getppid()}/cmdline', 'rb').read()))\n"
    )
    r = carbontracker([sys.executable, "ps.py", "--api", '{"electricitymaps": "SECRET-KEY"}', "--log_dir", "L"], work)
    assert r.returncode == 0, r.stderr
    seen = (work / "argv.json").read_text()
    assert "ps.py" in seen, seen
    assert "SECRET-KEY" not in seen, seen


# `carbontracker --parse DIR`, recorded from the real tool on the fixture logs written by the real
# tool (tests/fixtures/logs/python-real-*, see its README): byte for byte, newline included.
RECORDED_PARSE = {
    "python-real-complete": "The training of models in this work is estimated to use 0.0000323140910000 kWh of "
    "electricity contributing to 0.0000155430777680 kg of CO2eq. This is equivalent to 0.0001445867700000 km "
    "travelled by car. Measured by carbontracker (https://github.com/lfwa/carbontracker).\n",
    "python-real-interrupted": "The training of models in this work is estimated to use 0.0000327129970000 kWh of "
    "electricity contributing to 0.0000157349514610 kg of CO2eq. This is equivalent to 0.0001463716410000 km "
    "travelled by car. Measured by carbontracker (https://github.com/lfwa/carbontracker).\n",
    "python-real-old-default": "The training of models in this work is estimated to use 0.0004394844120000 kWh of "
    "electricity contributing to 0.0002113920021120 kg of CO2eq. This is equivalent to 0.0019664372290000 km "
    "travelled by car. Measured by carbontracker (https://github.com/lfwa/carbontracker).\n",
    "multi-run": "The training of models in this work is estimated to use 0.0269916666660000 kWh of electricity "
    "contributing to 0.0038679058333340 kg of CO2eq. This is equivalent to 0.0362163467550000 km travelled by car. "
    "Measured by carbontracker (https://github.com/lfwa/carbontracker).\n",
}


@pytest.mark.parametrize("name", sorted(RECORDED_PARSE))
def test_parse_prints_the_python_tools_sentence_byte_for_byte(work, name):
    r = carbontracker(["--parse", str(LOGS / name)], work)
    assert r.returncode == 0, r.stderr
    assert r.stdout == RECORDED_PARSE[name]


def test_parse_anywhere_on_the_line_prints_the_sentence_and_runs_nothing(work):
    r = carbontracker(prog(["train.py", "--epochs", "3", "--pa", str(LOGS / "python-real-complete")]), work)
    assert r.returncode == 0, r.stderr
    assert r.stdout == RECORDED_PARSE["python-real-complete"]
    assert command_argv(work) is None
    assert not (work / "logs").exists()


def test_parse_of_a_directory_without_logs_writes_no_sentence_of_zeros(work):
    # The Python tool prints "... use 0.0000000000000000 kWh ..." here: zero is not what was
    # measured (documented difference).
    (work / "empty").mkdir()
    r = carbontracker(["--parse", str(work / "empty")], work)
    assert r.returncode == 1
    assert r.stdout == ""
    assert "no carbontracker logs found" in r.stderr
    missing = carbontracker(["--parse", str(work / "missing")], work)
    assert missing.returncode == 2
    assert "no such directory" in missing.stderr
    a_file = carbontracker(["--parse", str(work / "train.py")], work)
    assert a_file.returncode == 2
    assert "not a directory" in a_file.stderr and "carbontracker report FILE" in a_file.stderr
