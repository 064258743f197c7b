#!/bin/sh
# node_exec.sh CMD ARGS...: runs CMD as if on the simulated node named by SLURMD_NODENAME (set by
# slurmd in every task) or else CT_RIG_NODE (set by the test, e.g. for a torchrun launcher).
# CT_RIG_ROOT, CT_RIG_PROCFS and CT_RIG_NVML come from the test (fake_nodes.py, FakeNodes.env).
set -eu
node=${SLURMD_NODENAME:-${CT_RIG_NODE:?node_exec.sh: neither SLURMD_NODENAME nor CT_RIG_NODE is set}}
dir=$CT_RIG_ROOT/$node
[ -d "$dir" ] || { echo "node_exec.sh: no fake node $dir" >&2; exit 97; }
export CT_RIG_NODE=$node
# Two simulated nodes on one machine are two hosts; CT_RIG_REAL_HOST=1 keeps the machine's own
# identity (host name and machine id), for one node per machine.
if [ "${CT_RIG_REAL_HOST:-}" = 1 ]; then unset CARBONTRACKER_NODE; else export CARBONTRACKER_NODE=$node; fi
# The job's claims in the rig's own run directory (one per simulated machine, shared by its
# nodes), not /tmp/carbontracker-<uid>, which other tests may use with the same job id.
export CARBONTRACKER_RUN_DIR=$CT_RIG_ROOT/run
export CARBONTRACKER_SYSFS_ROOT=$dir/sys
export CARBONTRACKER_PROCFS_ROOT=$CT_RIG_PROCFS
export CARBONTRACKER_NVML_LIBRARY=$CT_RIG_NVML
export CARBONTRACKER_FAKE_NVML_CONFIG=$dir/gpus.conf
# No network: a fixed intensity, and every provider at a closed local port.
export CARBONTRACKER_INTENSITY_G_PER_KWH=400
for p in ELECTRICITYMAPS ENERGIDATASERVICE CARBONINTENSITY_UK WATTTIME GEOLOCATION; do
  export CARBONTRACKER_${p}_URL=http://127.0.0.1:9
done
unset CUDA_VISIBLE_DEVICES
exec "$@"
