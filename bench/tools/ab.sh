#!/bin/bash
# Interleaved A/B of two or more builds (or a build and a baseline): ROUNDS rounds, each running every command once in
# turn, then the median req/s and CPU us/request per label. Interleaving spreads the machine's drift over all sides.
#
# usage: bench/tools/ab.sh ROUNDS "LABEL::COMMAND" ...
#   e.g. bench/tools/ab.sh 4 "before::bench/tools/cpu-per-request.sh ../mls-old rest 4" \
#                            "after::bench/tools/cpu-per-request.sh . rest 4" \
#                            "fastify::BASELINE=1 bench/tools/cpu-per-request.sh . rest 4"
set -uo pipefail
rounds=$1; shift
declare -A R C
for _ in $(seq "$rounds"); do
  for spec in "$@"; do
    label=${spec%%::*}; cmd=${spec#*::}
    out=$(eval "$cmd")
    R[$label]="${R[$label]:-} $(echo "$out" | sed -n 's/.*rps=\([0-9.]*\).*/\1/p')"
    C[$label]="${C[$label]:-} $(echo "$out" | sed -n 's/.*cpu_us_per_req=\([0-9.]*\).*/\1/p')"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
for spec in "$@"; do
  label=${spec%%::*}
  echo "$label: req/s median $(echo ${R[$label]} | median) [${R[$label]} ]  CPU us/request median $(echo ${C[$label]} | median) [${C[$label]} ]"
done
