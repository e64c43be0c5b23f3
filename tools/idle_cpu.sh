#!/usr/bin/env bash
# The runnable jar's CPU on an idle stream: the generator off, the embedded broker and MongoDB (both ends of every
# fetch in the app's process), CPU time from /proc over a span after a warm-up. Extra JVM options (-D...) are passed
# on, e.g. to compare consumer settings:
#
#   tools/idle_cpu.sh target/interaction-pulse.jar 19100 -Dcamel.component.kafka.fetch-wait-max-ms=500
#
# The port base and the three ports after it are the embedded broker's, its controller's, MongoDB's and HTTP's.
set -euo pipefail
jar=$1; port=$2; shift 2
warmup=${WARMUP_SECONDS:-45}; span=${SPAN_SECONDS:-30}
dir=$(mktemp -d)
java -XX:+UseParallelGC -Dgenerator.enabled=false -Dpulse.data-dir="$dir/data" \
  -Dkafka.embedded.port="$port" -Dkafka.embedded.controller-port=$((port + 1)) \
  -Dmongodb.embedded.port=$((port + 2)) -Dcamel.server.port=$((port + 3)) "$@" -jar "$jar" > "$dir/app.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
sleep "$warmup"   # a measuring span, not synchronisation: the app is left to settle before it starts
before=$(ticks)
sleep "$span"
after=$(ticks)
hz=$(getconf CLK_TCK)
awk -v d=$((after - before)) -v hz="$hz" -v s="$span" -v opts="$*" \
  'BEGIN { printf "idle app CPU over %d s: %.2f s, %.1f %% of a core (%s)\n", s, d / hz, 100 * d / hz / s, opts }'
echo "app log: $dir/app.log"
