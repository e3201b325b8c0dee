#!/usr/bin/env bash
# run.sh HARNESS SECONDS WORKDIR [libFuzzer options...] - one `make fuzz` run.
#
# Fuzzes WORKDIR/fuzz_HARNESS for SECONDS over tests/fuzz/corpus/HARNESS,
# with fresh finds going to a scratch directory. Then the corpus is
# minimized: everything (old corpus and new finds) is merged into an empty
# directory, which keeps a small set with the same coverage, and that set
# replaces the corpus, except the seeds (seed-*, bench-*: made by
# `make fuzz-seeds`), which always stay under their own names. (Not after
# a crash: then new finds are only added.) Crashes,
# leaks and hangs land in tests/fuzz/regressions/HARNESS-*. Exits with the
# fuzzer's status (non-zero when it found something).
set -u
h=$1
secs=$2
work=$3
shift 3
bin=$work/fuzz_$h
src=tests/fuzz
corpus=$src/corpus/$h
new=$work/new-$h
merged=$work/merged-$h

case $h in
module) maxlen=4096 ;;
*) maxlen=512 ;;
esac
mkdir -p "$corpus" "$src/regressions" "$new"
echo "fuzz: $h for $secs s"
"$bin" "$@" -max_len=$maxlen -max_total_time="$secs" -artifact_prefix="$src/regressions/$h-" \
	$( [ -f "$src/$h.dict" ] && echo "-dict=$src/$h.dict" ) "$new" "$corpus"
rc=$?

# With a crash found, inputs that hit it would drop out of a minimized
# corpus: then only add the new finds, and minimize once it is fixed.
if [ $rc -ne 0 ]; then
	"$bin" "$@" -merge=1 -max_len=$maxlen -artifact_prefix="$work/merge-$h-" "$corpus" "$new" >"$work/merge-$h.log" 2>&1
	rm -rf "$new"
	echo "fuzz: $h: found a problem (see tests/fuzz/regressions/$h-*); new inputs added," \
		"corpus not minimized; fuzzer exit $rc"
	exit $rc
fi
rm -rf "$merged"
mkdir -p "$merged"
if ! "$bin" "$@" -merge=1 -max_len=$maxlen -artifact_prefix="$work/merge-$h-" "$merged" "$corpus" "$new" >"$work/merge-$h.log" 2>&1; then
	echo "fuzz: $h: merge failed (see $work/merge-$h.log); corpus left as it was"
	exit 1
fi
# libFuzzer names files by the SHA-1 of their contents: skip seed copies.
seeds=$(cd "$corpus" && sha1sum seed-* bench-* 2>/dev/null | cut -d' ' -f1)
find "$corpus" -maxdepth 1 -type f ! -name 'seed-*' ! -name 'bench-*' -delete
for f in "$merged"/*; do
	[ -e "$f" ] || continue
	grep -qx "$(basename "$f")" <<<"$seeds" || cp "$f" "$corpus/"
done
rm -rf "$new" "$merged"
echo "fuzz: $h: corpus $(ls "$corpus" | wc -l) files, $(cat "$corpus"/* | wc -c) bytes;" \
	"fuzzer exit $rc"
exit $rc
