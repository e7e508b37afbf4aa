#!/usr/bin/env bash
# Runs KafkaClusterFaultTest (a broker killed with kill -9, a consumer process crashed mid-batch)
# N times in a row, each in a fresh Maven run, and counts passes. A soak check kept out of
# `mvn verify` (about 90 s a run). Usage, from the repository root:
#   oms-adapters/oms-kafka/scripts/fault-loop.sh [runs=20] [test class=KafkaClusterFaultTest]
# Logs of failed runs are kept in target/fault-loop/.
set -u
runs=${1:-20}
test=${2:-KafkaClusterFaultTest}
out=oms-adapters/oms-kafka/target/fault-loop
mkdir -p "$out"
passed=0
start=$(date +%s)
for i in $(seq 1 "$runs"); do
  t0=$(date +%s)
  if mvn -B verify -pl oms-adapters/oms-kafka -am -Djacoco.skip=true -Dtest="$test" \
      -Dsurefire.failIfNoSpecifiedTests=false > "$out/run-$i.log" 2>&1; then
    passed=$((passed + 1)); verdict=pass; rm -f "$out/run-$i.log"
  else
    verdict="FAIL (log: $out/run-$i.log)"
  fi
  echo "run $i/$runs: $verdict in $(( $(date +%s) - t0 )) s; $passed passed so far"
done
echo "$test: $passed of $runs runs passed in $(( $(date +%s) - start )) s"
[ "$passed" -eq "$runs" ]
