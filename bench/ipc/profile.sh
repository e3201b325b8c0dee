#!/bin/sh
# bench/ipc/profile.sh - where one message round trip spends its host
# instructions (`make bench-ipc-profile BENCH_IPC_ROW=guest-call`).
#
#   profile.sh IPCDIR PROCDIR ROW [N1 N2]
#
# Runs the bench-ipc driver twice under callgrind (the whole driver: for
# native-queue the host's wr_next_message and wr_answer count too) with
# BENCH_IPC_N=N1 and N2 round trips (default 3000 and 9000: by then
# the event ring nobody drains is full, as in the timed runs),
# and prints, per function, (count at N2 - count at N1) / (N2 - N1): the
# cost of one round trip in steady state, start-up and exit cancelled out.
# Inclusive counts first (a function and all it calls), then self counts.
# Instruction counts, not time: they do not depend on the machine's load.
set -eu
dir=$1 procdir=$2 row=$3 n1=${4:-3000} n2=${5:-9000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipc-profile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

for n in "$n1" "$n2"; do
	BENCH_REPS=1 BENCH_IPC_N=$n valgrind --tool=callgrind \
		--callgrind-out-file="$tmp/cg.$n" "$dir/driver" "$dir" "$procdir" "$row" \
		>"$tmp/out.$n" 2>&1 || { cat "$tmp/out.$n"; exit 1; }
done

# "Ir (pct) file:function [object]" lines of callgrind_annotate, one per
# function (the inclusive listing names some twice: absolute and relative).
costs() {
	callgrind_annotate --auto=no --threshold=100 "$@" |
		awk -v root="$(pwd)/" 'match($0, /^ *[0-9,]+ \([ 0-9.]+%\) +/) {
			v = $1; gsub(",", "", v); f = substr($0, RLENGTH + 1)
			sub(/ \[[^]]*\]$/, "", f)
			if (index(f, root) == 1) f = substr(f, length(root) + 1)
			if (f !~ /[?][?][?]|below main|libc_start|^bench\/ipc\/driver.c:main$/ && v + 0 > s[f] + 0)
				s[f] = v }
			END { for (f in s) print s[f] "\t" f }'
}

diff_costs() {
	awk -F '\t' -v d=$((n2 - n1)) 'NR == FNR { a[$2] = $1; next }
		{ b[$2] = $1 }
		END { for (f in b) { v = (b[f] - a[f]) / d; if (v >= 20) printf "%9.0f  %s\n", v, f } }' \
		"$1" "$2" | sort -rn | head -"$3"
}

for n in "$n1" "$n2"; do
	costs --inclusive=yes "$tmp/cg.$n" >"$tmp/incl.$n"
	costs "$tmp/cg.$n" >"$tmp/self.$n"
done
echo "host instructions per round trip, $row ($n1 -> $n2 round trips):"
echo "-- inclusive"
diff_costs "$tmp/incl.$n1" "$tmp/incl.$n2" 40
echo "-- self"
diff_costs "$tmp/self.$n1" "$tmp/self.$n2" 25
