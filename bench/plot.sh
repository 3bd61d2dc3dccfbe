#!/usr/bin/env bash
# Plots docs/performance-history.tsv (bench/goals.sh --record) as docs/performance.png: the
# latency of `hostprocess run` against `runc run` (same run), and apply -> Running of 1 pod,
# one point per recorded run. Needs gnuplot (Debian gnuplot-nox: `scripts/setup.sh --dev`).
#
#   bench/plot.sh [HISTORY.tsv] [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
hist=${1:-docs/performance-history.tsv}
png=${2:-docs/performance.png}
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot not installed (apt-get install gnuplot-nox)" >&2; exit 2; }
[ -s "$hist" ] || { echo "plot.sh: no history in $hist (run bench/goals.sh --record)" >&2; exit 2; }
gnuplot <<GP
set terminal pngcairo size 900,480 noenhanced
set output "$png"
set datafile separator "\t"
set datafile missing "-"
set title "hostprocess vs runc: median wall time of a /bin/true pod (bench/goals.sh)"
set ylabel "ms"
set xlabel "recorded run (commit)"
set key below
set grid ytics
set yrange [0:*]
set xtics rotate by -30
plot "$hist" using 0:3:xtic(2) with linespoints lw 2 title "hostprocess run", \
     "" using 0:4 with linespoints lw 2 title "runc run", \
     "" using 0:8 with linespoints lw 2 title "hostprocess apply -> Running (1 pod)", \
     8 with lines dt 2 title "run goal (8 ms)", \
     15 with lines dt 3 title "apply goal (15 ms)"
GP
echo "plot.sh: wrote $png"
