#!/usr/bin/env bash
# Inspector mode: `kyso scan --ocr zones` against `--ocr full` on the same scanned documents,
# in one run: documents/s, pages/s, metadata field accuracy per field, and verdict accuracy.
#
#   benches/zones_bench.sh [COPIES]     (default 6 → 54 documents of 3 to 5 pages)
#
# Six copies, because the target is per-field accuracy within 2 points of full OCR: with 18
# documents one document is 5.6 points, so any single OCR slip would decide it; with 54 it is
# 1.85 points.
#
# Needs the generator's Python packages (testdata/generate/requirements.txt), pdftoppm and
# /usr/bin/time. The corpus is made once under out/bench-zones/corpus-COPIES and reused
# (an interrupted generation resumes).
set -euo pipefail
cd "$(dirname "$0")/.."
COPIES=${1:-6}
OUT=out/bench-zones
CORPUS=$OUT/corpus-$COPIES
KYSO=target/release/kyso
JOBS=$(nproc)
cargo build --release --quiet
if [ ! -f "$CORPUS/.done" ]; then
  echo "== generating the bench corpus ($COPIES copies) into $CORPUS"
  python3 benches/zones_corpus.py "$CORPUS" "$COPIES"
  touch "$CORPUS/.done"
fi
for mode in full zones; do
  rm -rf "$OUT/$mode"
  echo "== kyso scan --ocr $mode --jobs $JOBS"
  /usr/bin/time -f "%e %M" -o "$OUT/$mode.time" \
    "$KYSO" scan "$CORPUS" --out "$OUT/$mode" --ocr "$mode" --jobs "$JOBS" --quiet \
    --exclude '*.truth.json' --outputs text || [ $? -eq 1 ]
done
python3 - "$OUT" "$CORPUS" <<'PY'
import json, os, sys, unicodedata
out, corpus = sys.argv[1], sys.argv[2]
FIELDS = ["agency", "parent_agency", "number", "symbol", "number_symbol", "doc_type", "place",
          "issue_date", "subject", "signer_name", "signer_title", "signing_authority",
          "recipients", "urgency", "confidentiality"]
def norm(v):
    if isinstance(v, list):
        return [norm(x) for x in v]
    return None if v is None else " ".join(unicodedata.normalize("NFC", str(v)).split())
rows = {}
for mode in ("full", "zones"):
    secs, rss_kb = open(f"{out}/{mode}.time").read().split()
    recs = [json.loads(l) for l in open(f"{out}/{mode}/documents.jsonl")]
    hits = {f: 0 for f in FIELDS}
    verdicts = 0
    pages = 0
    rows_by_file = {}
    for r in recs:
        rows_by_file[os.path.basename(r["path"])] = r
        t = json.load(open(os.path.join(corpus, os.path.basename(r["path"]) + ".truth.json")))
        pages += len(r["pages"])
        verdicts += r["verdict"] == t["verdict"]
        for f in FIELDS:
            got = (r["metadata"].get(f) or {}).get("value")
            # The record's signing_authority is the whole authority line ("KT. GIÁM ĐỐC").
            want = t["metadata"].get("authority_line" if f == "signing_authority" else f)
            hits[f] += norm(got) == norm(want)
    n = len(recs)
    rows[mode] = dict(secs=float(secs), rss=int(rss_kb) / 1024, n=n, pages=pages,
                      acc={f: hits[f] / n for f in FIELDS}, verdicts=verdicts / n,
                      by_file=rows_by_file)
f, z = rows["full"], rows["zones"]
print(f"\n{f['n']} documents, {f['pages']} pages\n")
print("| | --ocr full | --ocr zones | ratio |\n|---|---|---|---|")
print(f"| seconds | {f['secs']:.1f} | {z['secs']:.1f} | |")
print(f"| documents/s | {f['n']/f['secs']:.3f} | {z['n']/z['secs']:.3f} | {f['secs']/z['secs']:.2f}x |")
print(f"| pages/s | {f['pages']/f['secs']:.3f} | {z['pages']/z['secs']:.3f} | |")
print(f"| peak RSS (MiB) | {f['rss']:.0f} | {z['rss']:.0f} | |")
print(f"| verdict accuracy | {f['verdicts']:.3f} | {z['verdicts']:.3f} | |")
for k in FIELDS:
    print(f"| {k} | {f['acc'][k]:.3f} | {z['acc'][k]:.3f} | {100*(z['acc'][k]-f['acc'][k]):+.1f} pt |")
mean = lambda r: sum(r["acc"].values()) / len(FIELDS)
print(f"| mean field accuracy | {mean(f):.3f} | {mean(z):.3f} | {100*(mean(z)-mean(f)):+.1f} pt |")
same = sum(f["by_file"][k]["verdict"] == z["by_file"].get(k, {}).get("verdict") for k in f["by_file"])
print(f"\nverdicts identical in both modes: {same}/{f['n']}")
worst = min(100 * (z["acc"][k] - f["acc"][k]) for k in FIELDS)
print(f"largest per-field loss of zones against full: {worst:+.1f} pt (target: no worse than -2.0)")
print("\nfields that differ between the modes:")
for name in sorted(f["by_file"]):
    fr, zr = f["by_file"][name], z["by_file"].get(name)
    if zr is None:
        print(f"  {name}: missing in zones mode")
        continue
    for k in FIELDS:
        fv = (fr["metadata"].get(k) or {}).get("value")
        zv = (zr["metadata"].get(k) or {}).get("value")
        if norm(fv) != norm(zv):
            print(f"  {name} {k}: full {fv!r} / zones {zv!r}")
PY
