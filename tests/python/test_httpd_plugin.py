"""The Prometheus /metrics server is the plugin libcarbontracker_httpd.so beside the extension
(docs/prometheus.md): a process that does not set `prometheus` never maps it, nor cpp-httplib and
the TLS and compression libraries it links; one that does loads it from the package and serves;
a missing plugin is a ConfigError naming it. Each case runs in a fresh interpreter (this one may
have loaded the plugin already), found by the search, not by CARBONTRACKER_HTTPD_LIBRARY (the
session fixture clears every CARBONTRACKER_ variable)."""

import json
import os

from conftest import run_python

# Imports nothing that maps libssl itself (urllib.request does, through http.client) before the
# maps are read.
CHILD = r"""
import contextlib, io, json, os, re, sys
before = open("/proc/self/maps").read()
import carbontracker, carbontracker.tracker as ct
kw = dict(epochs=2, verbose=1, sim_cpu="Sim CPU", sim_cpu_tdp=65, intensity_g_per_kwh=100)
if len(sys.argv) > 1:
    kw["prometheus"] = sys.argv[1]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    t = ct.CarbonTracker(**kw)
    t.epoch_start()
    t.epoch_end()
maps = open("/proc/self/maps").read()
libs = ["libcarbontracker_httpd.so", "libcpp-httplib", "libssl.so", "libcrypto.so", "libbrotli"]
result = {
    "package": os.path.dirname(carbontracker.__file__),
    "mapped": {lib: lib in maps for lib in libs},
    "mapped_before": {lib: lib in before for lib in libs},
    "plugin_paths": sorted({l.split()[-1] for l in maps.splitlines() if l.endswith("libcarbontracker_httpd.so")}),
}
m = re.search(r"Prometheus metrics at (\S+)", out.getvalue())
if m:
    import urllib.request
    with urllib.request.urlopen(m.group(1), timeout=5) as r:
        result["body"] = r.read().decode()
with contextlib.redirect_stdout(io.StringIO()):
    t.stop()
print(json.dumps(result))
"""


def run_child(*args, env=None):
    r = run_python(["-c", CHILD, *args], env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_without_prometheus_nothing_of_the_server_is_mapped():
    r = run_child()
    for lib in ["libcarbontracker_httpd.so", "libcpp-httplib", "libbrotli"]:
        assert not r["mapped"][lib], r
    # The interpreter may map OpenSSL itself (it does not here, before the import): not ours then.
    for lib in ["libssl.so", "libcrypto.so"]:
        assert r["mapped"][lib] == r["mapped_before"][lib], r
    assert "body" not in r


def test_with_prometheus_the_plugin_is_loaded_from_the_package_and_serves():
    r = run_child("127.0.0.1:0")
    assert r["mapped"]["libcarbontracker_httpd.so"] and r["mapped"]["libcpp-httplib"], r
    assert r["plugin_paths"] == [os.path.join(r["package"], "libcarbontracker_httpd.so")], r
    assert 'carbontracker_energy_joules_total{component="cpu"' in r["body"]


def test_a_missing_plugin_is_a_config_error_naming_it():
    code = """
import sys
from carbontracker.tracker import CarbonTracker
from carbontracker.exceptions import ConfigError
try:
    CarbonTracker(epochs=1, verbose=0, prometheus="127.0.0.1:0", sim_cpu="c", sim_cpu_tdp=10)
except ConfigError as e:
    print(e.parameter)
    print(e)
    sys.exit(0)
sys.exit("no ConfigError")
"""
    r = run_python(code, env={"CARBONTRACKER_HTTPD_LIBRARY": "/nonexistent/libcarbontracker_httpd.so"})
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("prometheus\n"), r.stdout
    assert (
        "needs libcarbontracker_httpd.so, not found in /nonexistent/libcarbontracker_httpd.so; "
        "fix: reinstall carbontracker, or set CARBONTRACKER_HTTPD_LIBRARY" in r.stdout
    ), r.stdout
