#!/bin/bash
# Server CPU time per request (user + system, every thread, from /proc/PID/stat) under wrk (REST) or h2load (gRPC),
# for one build of mls or for a bare baseline. Throughput on this 2-core machine swings by +-5% even for the same build;
# CPU per request is the steadier measure when comparing two builds. Interleave them: see ab.sh beside this file.
#
# usage: bench/tools/cpu-per-request.sh DIR rest|grpc-typed|grpc-raw [SECONDS]
#   DIR: a checkout of mls, built (dist/); the mnist_sklearn one-row request of `npm run bench` is sent.
#   BASELINE=1: run the bare baseline of that transport from DIR/bench/baseline instead of mls.
#   DEBUG=1: mls with --debug (the access log on; the log goes to a file) instead of --no-debug.
#   prints: rps=... n=... cpu_us_per_req=...
set -euo pipefail
dir=$(cd "$1" && pwd); kind=$2; secs=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
node --input-type=module -e "
import {readFileSync, writeFileSync} from 'node:fs'
const set = JSON.parse(readFileSync('$dir/examples/multi-model/models/mnist_sklearn/test-set.json', 'utf8'))
const input = set.request.inputs[0]
const row = input.data.slice(0, 64)
writeFileSync('$work/body.json', JSON.stringify({inputs: [{name: input.name, shape: [1, 64], datatype: input.datatype, data: row}]}))
if ('$kind' !== 'rest') {
  const {inferFrame} = await import('$dir/bench/lib/grpc.js')
  writeFileSync('$work/frame.bin', inferFrame('$kind' === 'grpc-raw' ? 'raw' : 'typed', row))
}"
port=$((20000 + RANDOM % 20000))
debug=--no-debug; [ -n "${DEBUG:-}" ] && debug=--debug
cd "$dir"
if [ "$kind" = rest ]; then
  if [ -n "${BASELINE:-}" ]; then PORT=$port node bench/baseline/fastify-onnx.js >"$work/log" 2>&1 &
  else node bin/run.js start examples/multi-model --host 127.0.0.1 --http-port $port --grpc-port 0 --metrics-port 0 $debug >"$work/log" 2>&1 & fi
else
  if [ -n "${BASELINE:-}" ]; then PORT=$port node bench/baseline/grpc-onnx.js >"$work/log" 2>&1 &
  else node bin/run.js start examples/multi-model --host 127.0.0.1 --http-port 0 --grpc-port $port --metrics-port 0 $debug >"$work/log" 2>&1 & fi
fi
pid=$!
trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 600); do grep -q "listening" "$work/log" && break; sleep 0.1; done
[ "$kind" = rest ] || sleep 0.5 # mls logs gRPC after REST; models are loaded before either listens
load() {
  if [ "$kind" = rest ]; then
    BODY_FILE="$work/body.json" wrk -t1 -c50 -d"$1"s -s "$dir/bench/post.lua" "http://127.0.0.1:$port/v2/models/mnist_sklearn/versions/v1.0.0/infer"
  else
    h2load -t1 -c50 -m1 -D"$1" -d "$work/frame.bin" -H 'content-type: application/grpc' -H 'te: trailers' "http://127.0.0.1:$port/inference.GRPCInferenceService/ModelInfer"
  fi
}
load 1 >/dev/null # warm-up
read -r u1 s1 < <(awk '{print $14, $15}' /proc/$pid/stat)
out=$(load "$secs")
read -r u2 s2 < <(awk '{print $14, $15}' /proc/$pid/stat)
if [ "$kind" = rest ]; then
  n=$(echo "$out" | awk '/requests in/{print $1}'); rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
else
  n=$(echo "$out" | awk '/^requests:/{print $8}'); rps=$(echo "$out" | awk '/^finished in/{print $4}')
fi
tick=$(getconf CLK_TCK)
echo "rps=$rps n=$n cpu_us_per_req=$(echo "scale=1; (($u2-$u1)+($s2-$s1))*1000000/$tick/$n" | bc)"
