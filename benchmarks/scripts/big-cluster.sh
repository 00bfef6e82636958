#!/usr/bin/env bash
# A big emulated Slurm cluster for the controller benchmark (`hpc-whisk controller-bench`):
# NODES nodes, each a real `slurmd -N` (about 5 MB each), and JOBS queued batch jobs (held, so they
# stay pending), on the Slurm the local cluster uses. Run as root.
#
#   benchmarks/scripts/big-cluster.sh up   DIR NODES JOBS   # e.g. /tmp/big 1000 10000
#   benchmarks/scripts/big-cluster.sh down DIR
#
# It starts `hpc-whisk local-cluster up --dir DIR --nodes 4` (private munged, ports, slurm.conf),
# stops that cluster's slurmctld and slurmd, widens the node line to n[1-NODES] with one port each,
# raises MaxJobCount, and starts slurmctld and one slurmd per node itself (pids under DIR/run).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cmd=${1:?up or down}; dir=${2:?DIR}
conf=$dir/slurm.conf
stop_all() {
  for pid in "$dir"/run/slurmd-*.pid "$dir"/run/slurmctld.pid; do
    [ -f "$pid" ] || continue
    p=$(cat "$pid"); kill "$p" 2>/dev/null || true; rm -f "$pid"
  done
}
if [ "$cmd" = down ]; then
  stop_all
  "$here"/bin/hpc-whisk local-cluster down --dir "$dir" || true
  exit 0
fi
nodes=${3:?NODES}; jobs=${4:?JOBS}
"$here"/bin/hpc-whisk local-cluster up --dir "$dir" --nodes 4 --no-install >/dev/null
stop_all
sleep 2
port=$(sed -n 's/^SlurmdPort=//p' "$conf")
sed -i -e "s/^NodeName=.*/NodeName=n[1-$nodes] NodeHostname=localhost Port=$port-$((port + nodes - 1)) CPUs=2 RealMemory=2000 State=UNKNOWN/" \
  -e "s/^PartitionName=batch Nodes=[^ ]*/PartitionName=batch Nodes=n[1-$nodes]/" \
  -e "s/^PartitionName=whisk Nodes=[^ ]*/PartitionName=whisk Nodes=n[1-$nodes]/" "$conf"
grep -q '^MaxJobCount=' "$conf" || echo "MaxJobCount=$((jobs * 2 + 1000))" >>"$conf"
grep -q '^SlurmctldParameters=' "$conf" || true
rm -rf "$dir"/state/*
/usr/sbin/slurmctld -f "$conf" -c -i
for i in $(seq 1 "$nodes"); do
  mkdir -p "$dir/spool/n$i"
  /usr/sbin/slurmd -f "$conf" -N "n$i"
  if (( i % 50 == 0 )); then sleep 1; fi
done
export SLURM_CONF=$conf
for _ in $(seq 1 300); do
  idle=$(sinfo -h -N -p batch -t idle -o %N | wc -l)
  [ "$idle" -ge "$nodes" ] && break
  sleep 2
done
echo "nodes idle: $idle of $nodes"
seq 1 "$jobs" | xargs -P 8 -n 100 sh -c 'for i; do sbatch -Q --hold -p batch -t 60 -J "batch-$i" --wrap true >/dev/null; done' _
echo "jobs queued: $(squeue -h -t PD -o %i | wc -l)"
