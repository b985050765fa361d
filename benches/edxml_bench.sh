#!/usr/bin/env bash
# edXML bench: N exchange packages against their attachments as loose files (issue 20: reading
# a package may cost at most 5% over reading its attachments loose). Both sides are scanned with
# `--ocr none` by the same binary, into a fresh --out each time, ROUNDS times, interleaved
# (loose then packages, packages then loose, ...) so that a machine's drift hits both alike.
# Prints each run, the median of each side and the ratio packages/loose measured here.
# Usage: benches/edxml_bench.sh [N] [ROUNDS]   (default 1000 packages, 3 rounds)
#
# The corpus is made by the committed generator, testdata/generate/edxml.py --bench, into
# out/bench-edxml/ (not committed): every third package carries two PDF attachments, the others
# one; the loose side holds the same attachment bytes, one file each.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000}"
ROUNDS="${2:-3}"
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

# run SIDE: one timed scan of $corpus/SIDE into a fresh folder; prints the seconds.
run() {
  local side=$1 rc=0
  rm -rf "$work/$side"
  sync
  /usr/bin/time -f "%e" -o "$work/time" \
    "$KYSO" scan "$corpus/$side" --out "$work/$side" --ocr none --quiet || rc=$?
  [ "$rc" -le 1 ] || { echo "kyso scan $side failed with exit code $rc" >&2; exit 1; }
  local lines
  lines=$(wc -l < "$work/$side/documents.jsonl")
  [ "$lines" -eq "$docs" ] || { echo "$side: $lines records, expected $docs" >&2; exit 1; }
  cat "$work/time"
}

loose=(); packages=()
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then order="loose packages"; else order="packages loose"; fi
  for side in $order; do
    s=$(run "$side")
    echo "round $r: $side ${s}s"
    if [ "$side" = loose ]; then loose+=("$s"); else packages+=("$s"); fi
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
loose = [float(x) for x in sys.argv[3].split()]
packed = [float(x) for x in sys.argv[4].split()]
l, p = statistics.median(loose), statistics.median(packed)
print(f"loose files: median {l:.2f} s ({docs / l:.0f} documents/s) of {len(loose)} runs")
print(f"packages:    median {p:.2f} s ({docs / p:.0f} documents/s, {n / p:.0f} packages/s) of {len(packed)} runs")
ratio = p / l
print(f"ratio packages/loose: {ratio:.3f} ({(ratio - 1) * 100:+.1f}%; target: at most +5%)")
PY
