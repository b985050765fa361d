#!/usr/bin/env bash
# Agency attribution on a layout-variety corpus: report rows against the true agencies, each
# document's placement in its agency's row, and field accuracy, in `--ocr full`, `--ocr zones`
# and (born-digital documents only) `--ocr none`, in one run.
#
#   benches/agency_bench.sh [COUNT] [SEED]     (default 72 documents, seed 1)
#
# The corpus is made by testdata/generate/agency_corpus.py (its parameters are in its
# docstring: 16 agencies, every header variant of issue 15, half born-digital, half scanned
# with gray/colour/bilevel, 200/300 dpi, skew, noise, JPEG, 1-3 pages) under
# out/bench-agency/corpus-COUNT-SEED and reused. It needs the generator's Python packages
# (testdata/generate/requirements.txt), LibreOffice (libreoffice-writer-nogui) and pdftoppm.
# The scores come from examples/agency_eval.rs, the same code tests/agency_attribution.rs runs
# on the committed fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-72}
SEED=${2:-1}
OUT=out/bench-agency
CORPUS=$OUT/corpus-$COUNT-$SEED
KYSO=target/release/kyso
JOBS=$(nproc)
cargo build --release --quiet
cargo build --release --quiet --example agency_eval
EVAL=target/release/examples/agency_eval
if [ ! -f "$CORPUS/.done" ]; then
  echo "== generating the bench corpus ($COUNT documents, seed $SEED) into $CORPUS"
  python3 testdata/generate/agency_corpus.py "$CORPUS" --count "$COUNT" --seed "$SEED"
  touch "$CORPUS/.done"
fi
for mode in full zones none; do
  rm -rf "$OUT/$mode"
  /usr/bin/time -f "%e %M" -o "$OUT/$mode.time" \
    "$KYSO" scan "$CORPUS" --out "$OUT/$mode" --ocr "$mode" --jobs "$JOBS" --quiet \
    --exclude '*.truth.json' --exclude '*.md' --outputs text || [ $? -eq 1 ]
  "$KYSO" report --from "$OUT/$mode" --format json,html --quiet >/dev/null
  read -r secs rss < "$OUT/$mode.time"
  echo "== --ocr $mode: ${secs} s, peak RSS $((rss / 1024)) MiB"
  if [ "$mode" = none ]; then
    "$EVAL" "$CORPUS" "$OUT/$mode" "--ocr none (born-digital)" born_digital
  else
    "$EVAL" "$CORPUS" "$OUT/$mode" "--ocr $mode"
  fi
done
