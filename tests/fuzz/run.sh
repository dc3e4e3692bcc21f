#!/bin/sh
# Run every libFuzzer target of `make fuzz` for SECONDS each, JOBS at a time.
#   tests/fuzz/run.sh FUZZDIR SECONDS [TARGET...]
# FUZZDIR holds the fuzz_* binaries, data/ and seeds/ (tests/fuzz/prepare.sh).
# Each target's corpus grows in FUZZDIR/corpus/<target> (seeded from
# seeds/<target> and the kept crashers of tests/fuzz/regress/<target>);
# findings go to FUZZDIR/crashes/<target>/. Prints one line per target
# (runs, coverage, corpus size) and exits 1 if any target found something.
set -eu
dir=$1
secs=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
targets=${*:-elf btf btf_ext core xz tar min_core_btf json manifest pick http multipart}
jobs=${JOBS:-2}
export BTFGEN_FUZZ_DATA="$dir/data"

run_one() {
	t=$1
	rm -rf "$dir/crashes/$t"
	mkdir -p "$dir/corpus/$t" "$dir/crashes/$t"
	# libFuzzer stops at the first finding and saves the input
	/usr/bin/time -f "cpu-seconds %U %S" "$dir/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
		-artifact_prefix="$dir/crashes/$t/" -print_final_stats=1 \
		"$dir/corpus/$t" "$dir/seeds/$t" "$top/tests/fuzz/regress/$t" \
		>"$dir/$t.log" 2>&1 || true
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$t.log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$dir/$t.log" | tail -n 1)
	cpu=$(awk '/^cpu-seconds/ { printf "%.0f", $2 + $3 }' "$dir/$t.log")
	found=$(find "$dir/crashes/$t" -type f | wc -l)
	echo "fuzz_$t: ${secs}s wall, ${cpu:-?} CPU-s, ${runs:-?} runs, ${cov:-cov: ?}, corpus $(ls "$dir/corpus/$t" | wc -l), findings $found"
	[ "$found" -eq 0 ] || {
		grep -m 3 -E 'ERROR|SUMMARY|runtime error' "$dir/$t.log" | sed "s/^/  fuzz_$t: /"
		return 1
	}
}

rc=0
pids=""
n=0
for t in $targets; do
	mkdir -p "$top/tests/fuzz/regress/$t"
	run_one "$t" >"$dir/$t.summary" 2>&1 &
	pids="$pids $!"
	n=$((n + 1))
	if [ "$n" -ge "$jobs" ]; then
		for p in $pids; do wait "$p" || rc=1; done
		pids=""
		n=0
	fi
done
for p in $pids; do wait "$p" || rc=1; done
for t in $targets; do cat "$dir/$t.summary"; done
exit $rc
