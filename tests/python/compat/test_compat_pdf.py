"""The Python tool's `carbontracker --report LOG --output report.pdf` writes a PDF report (the Python
tool: reportlab, default output carbon_report.pdf). Ours runs the built CLI as a child process and
reads the file back with a real PDF reader, poppler's pdfinfo and pdftotext (poppler-utils)."""

import math
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import LOG_FIXTURES

# The built CLI: CT_CLI, else next to the build tree's Python package (PYTHONPATH=<build>/python).
CLI = Path(
    os.environ.get("CT_CLI")
    or Path(os.environ.get("PYTHONPATH", "build/default/python").split(os.pathsep)[0]).parent / "carbontracker"
)
PYTHON_V2 = LOG_FIXTURES / "python-v2"
STD_LOG = PYTHON_V2 / "4242.517230_2025-11-18T155354Z_carbontracker.log"


def run_cli(*args, cwd):
    assert CLI.exists(), f"{CLI}: build the carbontracker_cli target first"
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def pdf_pages(path):
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


def pdf_text(path, *, layout=False, page=None):
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    if page:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run(args + [str(path), "-"], capture_output=True, text=True, check=True).stdout


def squeeze(text):
    return re.sub(r"\s+", " ", text)


def sig3(value):
    """Three significant digits, as the report prints them."""
    return f"{value:.{max(0, 2 - math.floor(math.log10(abs(value))))}f}"


def test_report_output_pdf_writes_a_pdf_with_the_runs_figures(tmp_path):
    result = run_cli("--report", str(STD_LOG), "--output", "report.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert not (tmp_path / "report.html").exists()  # no longer HTML under another name
    assert pdf_pages(pdf) >= 2
    text = squeeze(pdf_text(pdf))
    assert "Run 1: 4242.517230_2025-11-18T155354Z" in text
    # Like the Python tool, read from the standard log alone: its epochs give 12.2 Wh and 1.75 g at
    # 143.3 g/kWh (the output log next to it printed 0.012185397089 kWh and 1.746 g).
    layout = pdf_text(pdf, layout=True)
    assert re.search(r"(?m)^facility energy\s+12\.2 Wh", layout)
    assert re.search(r"(?m)^CO2eq\s+1\.75 g CO2eq", layout)
    # Every epoch as a row: the text log's average power x duration, x its PUE of 1.58.
    for index, seconds, gpu_w, cpu_w in [(1, 33.57, 250.12, 23.05), (2, 34.01, 251.5, 23.4), (3, 33.90, 249.8, 22.9)]:
        wh = (gpu_w + cpu_w) * seconds / 3600 * 1.58
        assert re.search(rf"(?m)^\s*{index}\s+{sig3(seconds)} s\s+{sig3(wh)} Wh\s", layout), (index, sig3(wh))
    assert "logged (average power x duration)" in text
    assert "(text logs do not split it)" in text
    # The charts, drawn from the same SVG as the HTML report: their axis labels are text.
    for label in ("Energy per epoch", "epochs finished", "gCO2eq/kWh", "Cumulative CO2eq"):
        assert label in text, label
    assert "Ember (yearly electricity data), processed by Our World in Data" in text


def test_report_without_output_writes_carbon_report_pdf(tmp_path):
    result = run_cli("--report", str(STD_LOG), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "carbon_report.pdf").read_bytes().startswith(b"%PDF-")
    assert "carbon_report.pdf" in result.stderr


def test_report_of_a_real_python_tool_log(tmp_path):
    log = next((LOG_FIXTURES / "python-real-complete").glob("*_carbontracker.log"))
    result = run_cli("--report", str(log), "--output", "real.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = squeeze(pdf_text(tmp_path / "real.pdf"))
    assert "carbontracker-python" in text or "carbontracker-text" in text
    assert "Epochs" in text and "logged (average power x duration)" in text


def write_long_python_log(directory, epochs):
    """A Python carbontracker v2 log pair of `epochs` epochs of 59 s at 200 W gpu + 20 W cpu."""
    stem = "4343.1_2025-11-19T000000Z"
    lines = [
        "2025-11-19 00:00:00 - carbontracker version 2.4.3",
        "2025-11-19 00:00:00 - Only predicted and actual consumptions are multiplied by a PUE coefficient of 1.58 "
        "(Daniel Bizo, 2023, Uptime Institute Global Data Center Survey).",
        "2025-11-19 00:00:00 - The following components were found: GPU with device(s) Sim GPU. "
        "CPU with device(s) cpu:0.",
    ]
    for i in range(1, epochs + 1):
        lines += [
            f"2025-11-19 00:00:00 - Epoch {i}:",
            "2025-11-19 00:00:00 - Duration: 0:00:59.00",
            "2025-11-19 00:00:00 - Average power usage (W) for gpu: 200.0",
            "2025-11-19 00:00:00 - Average power usage (W) for cpu: 20.0",
        ]
    (directory / f"{stem}_carbontracker.log").write_text("\n".join(lines) + "\n")
    seconds = 59 * epochs
    kwh = 220 * seconds / 3.6e6 * 1.58
    (directory / f"{stem}_carbontracker_output.log").write_text(
        "2025-11-19 00:00:00 - CarbonTracker: \n"
        f"Actual consumption for {epochs} epoch(s):\n"
        f"\tTime:\t{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}\n"
        f"\tEnergy:\t{kwh:.12f} kWh\n"
        f"\tCO2eq:\t{kwh * 100:.12f} g\n"
        "2025-11-19 00:00:00 - CarbonTracker: Finished monitoring.\n"
    )
    return directory / f"{stem}_carbontracker.log"


def test_a_long_run_paginates_with_every_epoch_row(tmp_path):
    log = write_long_python_log(tmp_path, 150)
    result = run_cli("--report", str(log), "--output", "long.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "long.pdf"
    pages = pdf_pages(pdf)
    assert pages >= 5
    rows = set()
    for page in range(1, pages + 1):
        found = {int(m) for m in re.findall(r"(?m)^\s*(\d+)\s+59\.0 s\s", pdf_text(pdf, layout=True, page=page))}
        if found:
            assert "of which" in pdf_text(pdf, page=page), f"page {page}: epoch rows without the table header"
        rows |= found
    assert rows == set(range(1, 151))
