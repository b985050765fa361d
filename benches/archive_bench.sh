#!/usr/bin/env bash
# The archive copy's cost: full-mode OCR with its usual text output (the baseline) against the
# same scan also writing a signed PDF/A copy of every document (`--outputs text,pdfa
# --sign-with testdata/pki/archive/org-archive.p12`, PAdES B-B), in one run, on the bench
# corpus of benches/zones_corpus.py (scanned Decree 30 documents of 3 to 5 pages).
#
#   benches/archive_bench.sh [COPIES] [ROUNDS]     (default 1 copy → 9 documents; 2 rounds)
#
# The two configurations alternate ROUNDS times and the fastest run of each is kept, so that a
# neighbour's compile on the shared machine does not land on one side only. The target
# (issue 19) is at most 10% over the baseline. Needs what benches/zones_bench.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
COPIES=${1:-1}
ROUNDS=${2:-2}
OUT=out/bench-archive
CORPUS=out/bench-zones/corpus-$COPIES
KYSO=target/release/kyso
JOBS=$(nproc)
cargo build --release --quiet
if [ ! -f "$CORPUS/.done" ]; then
  echo "== generating the bench corpus ($COPIES copies) into $CORPUS"
  python3 benches/zones_corpus.py "$CORPUS" "$COPIES"
  touch "$CORPUS/.done"
fi
mkdir -p "$OUT"
export KYSO_SIGN_PASSWORD=kyso-demo
run() { # name, extra flags...
  local name=$1 round=$2; shift 2
  rm -rf "$OUT/$name"
  /usr/bin/time -f "%e %M" -o "$OUT/$name.$round.time" \
    "$KYSO" scan "$CORPUS" --out "$OUT/$name" --ocr full --jobs "$JOBS" --quiet \
    --exclude '*.truth.json' "$@" || [ $? -eq 1 ]
}
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: baseline (--outputs text)"
  run baseline "$round" --outputs text
  echo "== round $round: signed PDF/A copies (--outputs text,pdfa --sign-with)"
  run pdfa "$round" --outputs text,pdfa --sign-with testdata/pki/archive/org-archive.p12
done
python3 - "$OUT" "$ROUNDS" <<'PY'
import glob, json, os, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def best(name):
    runs = [tuple(map(float, open(f"{out}/{name}.{r}.time").read().split())) for r in range(1, rounds + 1)]
    return min(runs), runs
(b, b_kb), b_all = best("baseline")
(p, p_kb), p_all = best("pdfa")
docs = [json.loads(l) for l in open(f"{out}/pdfa/documents.jsonl")]
pages = sum(len(d["pages"]) for d in docs)
copies = glob.glob(f"{out}/pdfa/pdfa/*.pdf")
errors = sum(bool(d["errors"]) for d in docs)
size = sum(os.path.getsize(c) for c in copies)
print(f"documents {len(docs)}, pages {pages}, signed PDF/A copies written {len(copies)}, "
      f"documents with errors {errors}")
print(f"| run | wall s (best of {rounds}) | all runs | peak RSS MiB |")
print("| --- | --- | --- | --- |")
print(f"| baseline: --outputs text | {b:.1f} | {', '.join(f'{r[0]:.1f}' for r in b_all)} | {b_kb/1024:.0f} |")
print(f"| --outputs text,pdfa --sign-with (B-B) | {p:.1f} | {', '.join(f'{r[0]:.1f}' for r in p_all)} | {p_kb/1024:.0f} |")
print(f"ratio signed PDF/A / baseline: {p / b:.3f} (target <= 1.10); copies {size / 1e6:.1f} MB, "
      f"{size / max(pages, 1) / 1e3:.0f} kB a page")
PY
