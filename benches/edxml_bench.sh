#!/usr/bin/env bash
# edXML bench: N exchange packages against their attachments as loose files (issue 20: reading
# a package may cost at most 5% over reading its attachments loose). Both sides are scanned with
# `--ocr none` by the same binary, into a fresh --out each time, ROUNDS times, interleaved
# (loose then packages, packages then loose, ...) so that a machine's drift hits both alike.
# Prints each run's wall and CPU time (user + system), the median of each side and the ratios
# packages/loose measured here: wall time is what a batch waits, CPU time what it costs, and
# the one to read on a machine other jobs share.
# Usage: benches/edxml_bench.sh [N] [ROUNDS]   (default 1000 packages, 5 rounds)
#
# The corpus is made by the committed generator, testdata/generate/edxml.py --bench, into
# out/bench-edxml/ (not committed): every third package carries two PDF attachments, the others
# one; the loose side holds the same attachment bytes, one file each.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000}"
ROUNDS="${2:-5}"
# KYSO=path/to/kyso benches another build instead of building the release.
if [ -z "${KYSO:-}" ]; then
  cargo build --release --quiet
  KYSO="$PWD/target/release/kyso"
fi
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (apt-get install time)"; exit 2; }

corpus=out/bench-edxml
rm -rf "$corpus"
python3 testdata/generate/edxml.py --bench "$N" "$corpus"
docs=$(find "$corpus/loose" -type f | wc -l)
pkg_mb=$(( $(du -sb "$corpus/packages" | cut -f1) / 1024 / 1024 ))
loose_mb=$(( $(du -sb "$corpus/loose" | cut -f1) / 1024 / 1024 ))
echo "packages: $N ($pkg_mb MiB), attachments: $docs ($loose_mb MiB as loose PDFs), $(nproc) cores, --ocr none"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# run SIDE: one timed scan of $corpus/SIDE into a fresh folder; prints "wall cpu" seconds.
run() {
  local side=$1 rc=0
  rm -rf "$work/$side"
  sync
  /usr/bin/time -f "%e %U %S" -o "$work/time" \
    "$KYSO" scan "$corpus/$side" --out "$work/$side" --ocr none --quiet || rc=$?
  [ "$rc" -le 1 ] || { echo "kyso scan $side failed with exit code $rc" >&2; exit 1; }
  local lines
  lines=$(wc -l < "$work/$side/documents.jsonl")
  [ "$lines" -eq "$docs" ] || { echo "$side: $lines records, expected $docs" >&2; exit 1; }
  read -r wall user sys < "$work/time"
  echo "$wall $(python3 -c "print(round($user + $sys, 2))")"
}

loose=(); packages=()
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then order="loose packages"; else order="packages loose"; fi
  for side in $order; do
    read -r wall cpu < <(run "$side")
    echo "round $r: $side ${wall} s wall, ${cpu} s CPU"
    if [ "$side" = loose ]; then loose+=("$wall/$cpu"); else packages+=("$wall/$cpu"); fi
  done
done

# The attachments read from packages get the verdicts their loose copies get.
python3 - "$work/loose/documents.jsonl" "$work/packages/documents.jsonl" <<'PY'
import json, sys
def verdicts(path, key):
    return {key(r): r.get("verdict") for r in map(json.loads, open(path, encoding="utf-8"))}
loose = verdicts(sys.argv[1], lambda r: r["path"].rsplit("/", 1)[1])
packed = verdicts(sys.argv[2], lambda r: r["path"].rsplit("/", 1)[1])
differ = [k for k in loose if packed.get(k) != loose[k]]
if differ:
    sys.exit(f"{len(differ)} attachments got another verdict in a package, e.g. {differ[0]}")
PY

python3 - "$N" "$docs" "${loose[*]}" "${packages[*]}" <<'PY'
import statistics, sys
n, docs = int(sys.argv[1]), int(sys.argv[2])
side = lambda arg: [tuple(float(v) for v in run.split("/")) for run in arg.split()]
loose, packed = side(sys.argv[3]), side(sys.argv[4])
med = lambda runs, i: statistics.median(r[i] for r in runs)
lw, lc, pw, pc = med(loose, 0), med(loose, 1), med(packed, 0), med(packed, 1)
print(f"loose files: median {lw:.2f} s wall ({docs / lw:.0f} documents/s), {lc:.2f} s CPU, of {len(loose)} runs")
print(f"packages:    median {pw:.2f} s wall ({docs / pw:.0f} documents/s, {n / pw:.0f} packages/s), {pc:.2f} s CPU, of {len(packed)} runs")
for what, ratio in (("wall", pw / lw), ("CPU", pc / lc)):
    print(f"ratio packages/loose, {what} time: {ratio:.3f} ({(ratio - 1) * 100:+.1f}%; target: at most +5%)")
PY
