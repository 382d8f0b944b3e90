#!/usr/bin/env bash
# Runs the side-by-side benchmarks, summarises them with benchstat (pinned)
# and prints a table of ns/op, cpu-ns/op, B/op, allocs/op and the ratios, on
# cpu-ns/op, to the raw rows, then where each goal of README.md stands.
#
#   ./run.sh                    # all rows, -count 6 -benchtime 200ms
#   BENCH='Verify/HS256' ./run.sh
#   COUNT=10 BENCHTIME=1s ./run.sh --update-readme
#   CPUS=1,2,4 ./run.sh         # the -cpu list of the parallel rows
#
# cpu-ns/op is the process's user+system CPU time per op (getrusage); on a
# loaded machine it leaves out the time spent waiting for a core, which
# ns/op counts. The parallel rows (BenchmarkVerifyParallel) run with -cpu
# $CPUS (1,2 unless set); all others with the default GOMAXPROCS. Read the
# scaling as ns/op at -cpu 1 divided by ns/op at -cpu 2 (the throughput
# gained by a second core; 2 is perfect), and check that cpu-ns/op stays
# flat: a rise is CPU spent on contention.
#
# Outputs go to results/: latest.txt (the raw go test output, which benchstat
# can compare with a later run), latest.md (machine, table, targets).
# --update-readme also writes latest.md into README.md between its markers.
set -euo pipefail
cd "$(dirname "$0")"

BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-200ms}
BENCH=${BENCH:-.}
CPUS=${CPUS:-1,2}
PARALLEL=BenchmarkVerifyParallel
UPDATE_README=0
for arg in "$@"; do
	case $arg in
	--update-readme) UPDATE_README=1 ;;
	*) echo "usage: $0 [--update-readme]" >&2; exit 2 ;;
	esac
done
if [ "$COUNT" -lt 6 ]; then
	echo "run.sh: COUNT must be at least 6 for benchstat's confidence intervals" >&2
	exit 2
fi

mkdir -p results
out=results/latest.txt
md=results/latest.md

# One test binary, run COUNT times over the whole selection rather than
# with -count, so that load from elsewhere on the machine falls on every row
# alike instead of on the rows that happened to run while it lasted: the
# targets are ratios of a few percent between rows.
bin=$(mktemp -d)/benchmarks.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" .
# The sanity tests run first: no benchmark may measure a failing path.
"$bin" -test.count=1 -test.run '^(TestSanity|TestSize)'
# The top-level benchmarks other than the parallel ones, as a -test.skip
# pattern for the parallel pass.
others=$("$bin" -test.list '^Benchmark' | grep -vx "$PARALLEL" | paste -sd'|')
: >"$out"
for i in $(seq "$COUNT"); do
	echo "run.sh: run $i of $COUNT" >&2
	"$bin" -test.run '^$' -test.bench "$BENCH" -test.skip "^$PARALLEL\$" \
		-test.benchmem -test.count 1 -test.benchtime "$BENCHTIME" | tee -a "$out"
	"$bin" -test.run '^$' -test.bench "$BENCH" -test.skip "^($others)\$" -test.cpu "$CPUS" \
		-test.benchmem -test.count 1 -test.benchtime "$BENCHTIME" | tee -a "$out"
done

cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
	echo "Ran $(date -u +%Y-%m-%d) on $(nproc) CPUs, ${cpu:-unknown CPU}, $(go version | cut -d' ' -f3-)."
	echo "Command: \`COUNT=$COUNT BENCHTIME=$BENCHTIME BENCH='$BENCH' ./run.sh\` (medians of $COUNT interleaved runs; ± is benchstat's 95% confidence interval)."
	echo
	go run "$BENCHSTAT" -format csv "$out" 2>/dev/null | go run ./internal/benchtable -rounds "$out"
} >"$md"

echo
go run "$BENCHSTAT" "$out" 2>/dev/null
echo
cat "$md"

if [ "$UPDATE_README" = 1 ]; then
	begin='<!-- results:begin -->'
	end='<!-- results:end -->'
	grep -q "$begin" README.md && grep -q "$end" README.md || {
		echo "run.sh: README.md lacks the $begin / $end markers" >&2
		exit 1
	}
	awk -v begin="$begin" -v end="$end" -v md="$md" '
		$0 == begin { print; while ((getline line < md) > 0) print line; skip = 1; next }
		$0 == end { skip = 0 }
		!skip { print }
	' README.md >README.md.tmp
	mv README.md.tmp README.md
	echo "run.sh: README.md updated"
fi
