#!/usr/bin/env bash
# Times `kyso verify --json` (release build) against poppler's `pdfsig` over the same signed
# PDFs: the fixtures repeated N times plus the real-world signed PDFs when present.
# Prints documents/s for both and the ratio. Usage: benches/verify_vs_pdfsig.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-20}"
cargo build --release --quiet
KYSO="$PWD/target/release/kyso"
command -v pdfsig >/dev/null || { echo "pdfsig not found (apt-get install poppler-utils)"; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
i=0
for rep in $(seq 1 "$N"); do
  for f in testdata/signatures/*.pdf testdata/signatures/*/*.pdf; do
    i=$((i + 1)); cp "$f" "$work/$i.pdf"
  done
done
RW="${KYSO_REALWORLD:-$PWD/../shared/realworld}"
if [ -f "$RW/labels.jsonl" ]; then
  while read -r p; do
    i=$((i + 1)); cp "$RW/$p" "$work/$i.pdf"
  done < <(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d=json.loads(l)
    if d.get("file_type")=="pdf" and d.get("n_signatures"): print(d["path"])' "$RW/labels.jsonl")
fi
files=("$work"/*.pdf)
n=${#files[@]}
echo "documents: $n"

# Both tools get one process per document, as a caller checking files one by one would.
kyso_cmd="for f in $work/*.pdf; do $KYSO verify --json \"\$f\" >/dev/null || true; done"
# kyso is a batch tool: one process for all files is how it is meant to run (pdfsig takes one
# file per call). The per-file loop above mostly measures process start-up, which for kyso
# includes loading Tesseract's shared libraries (about 20 ms).
kyso_batch_cmd="$KYSO verify --json $work/*.pdf >/dev/null || true"
pdfsig_cmd="for f in $work/*.pdf; do pdfsig \"\$f\" >/dev/null 2>&1 || true; done"

if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs 5 --export-json "$work/h.json" -n kyso "$kyso_cmd" -n pdfsig "$pdfsig_cmd" -n kyso-batch "$kyso_batch_cmd" >/dev/null
  read -r tk tp tb < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["mean"], r[1]["mean"], r[2]["mean"])' "$work/h.json")
else
  t() { local s e; s=$(date +%s.%N); bash -c "$1"; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
  tk=$(t "$kyso_cmd"); tp=$(t "$pdfsig_cmd"); tb=$(t "$kyso_batch_cmd")
fi
python3 - "$n" "$tk" "$tp" "$tb" <<'PY'
import sys
n, tk, tp, tb = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"kyso verify --json, one process per file: {n/tk:8.1f} documents/s ({tk:.2f} s)")
print(f"kyso verify --json, one process for all:  {n/tb:8.1f} documents/s ({tb:.2f} s)")
print(f"pdfsig, one process per file:             {n/tp:8.1f} documents/s ({tp:.2f} s)")
print(f"ratio kyso/pdfsig: per file {(n/tk)/(n/tp):.2f}x, batch {(n/tb)/(n/tp):.2f}x")
PY
