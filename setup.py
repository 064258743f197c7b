"""Builds the carbontracker Python package: the pure-Python files in python/carbontracker and the
extension carbontracker._carbontracker, compiled by this repository's CMake build.

    pip install --no-build-isolation .

needs only Debian packages (python3-setuptools, python3-pip, pybind11-dev, cmake, ninja-build
and the -dev packages of scripts/install-deps); nothing is downloaded. It also works in a venv
made with `/usr/bin/python3 -m venv --system-site-packages`.

Environment:
  CARBONTRACKER_CMAKE_BUILD_DIR  an already configured build tree (CARBONTRACKER_BUILD_PYTHON=ON)
                                 to build _carbontracker in, instead of configuring one; it is
                                 built, never reconfigured (used by the tests).
  CARBONTRACKER_BUILD_JOBS       parallel compile jobs (default: the CPU count).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = os.environ.get("CARBONTRACKER_CMAKE_BUILD_DIR")
        if build_dir:
            build_dir = Path(build_dir).resolve()
        else:
            build_dir = ROOT / "build" / f"python-package-{sys.implementation.cache_tag}"
            configure = [
                "cmake",
                "-S",
                str(ROOT),
                "-B",
                str(build_dir),
                "-DCMAKE_BUILD_TYPE=Release",
                "-DCARBONTRACKER_BUILD_PYTHON=ON",
                "-DCARBONTRACKER_BUILD_TESTS=OFF",
                "-DCARBONTRACKER_BUILD_BENCHMARKS=OFF",
                "-DCARBONTRACKER_BUILD_EXAMPLES=OFF",
                "-DCARBONTRACKER_SANITIZE=",
                f"-DPython_EXECUTABLE={sys.executable}",
            ]
            if shutil.which("ninja") and not (build_dir / "CMakeCache.txt").exists():
                configure += ["-G", "Ninja"]
            subprocess.check_call(configure)
        jobs = os.environ.get("CARBONTRACKER_BUILD_JOBS") or str(os.cpu_count() or 1)
        # _carbontracker depends on the /metrics server plugin, which the build copies beside it.
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "_carbontracker", "-j", jobs])

        dest = Path(self.get_ext_fullpath(ext.name))
        built = build_dir / "python" / "carbontracker" / dest.name
        # libcarbontracker_httpd.so: the Prometheus /metrics server, loaded from beside the
        # extension only when `prometheus` is set (docs/prometheus.md).
        plugin = built.parent / "libcarbontracker_httpd.so"
        for f in (built, plugin):
            if not f.is_file():
                raise RuntimeError(f"the CMake build did not produce {f}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, dest)
        shutil.copy2(plugin, dest.parent / plugin.name)


# setuptools' scratch files go under build/ (ignored by git), not next to the sources.
SCRATCH = ROOT / "build" / "python-setuptools"
SCRATCH.mkdir(parents=True, exist_ok=True)

setup(
    packages=["carbontracker"],
    package_dir={"": "python"},
    ext_modules=[CMakeExtension("carbontracker._carbontracker")],
    cmdclass={"build_ext": CMakeBuild},
    options={
        "build": {"build_base": str(SCRATCH)},
        "egg_info": {"egg_base": str(SCRATCH)},
    },
    zip_safe=False,
)
