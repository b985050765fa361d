#!/usr/bin/env bash
# OCR on degraded scans (issue 17), in one run: kyso against plain `tesseract -l vie` on the same
# pages, and kyso's inspector mode against its full mode on the same documents.
#
#   benches/degraded_bench.sh [COUNT] [SEED]     (default 84 documents, seed 17: about 140 pages)
#
# The corpus is a paper backlog made by testdata/generate/agency_corpus.py --scans (every
# document scanned; gray 60 %, colour 25 %, bilevel G4 15 %; 200/300 dpi; skew up to 3°; 5 % of
# pages turned 90/180/270°; 10 % with perspective; light/medium/heavy noise 40/40/20 %; JPEG
# quality 55-85; 1/2/3 pages 50/30/20 %; PDF, TIFF, JPEG, PNG), made once under
# out/bench-degraded/corpus-COUNT-SEED and reused. Its truth holds each page's text in reading
# order by blocks and the boxes of the seals stamped on it.
#
# Reports:
#   1. pages/s of `kyso scan --ocr full --outputs text` and of plain tesseract (xargs -P JOBS,
#      OMP_THREAD_LIMIT=1, `-l vie --dpi` the page's resolution, each page as its own image file
#      extracted beforehand: pdfimages keeps a PDF's JPEG bytes, TIFF pages become PNG);
#   2. CER, WER and bag-of-words F1 of both against the truth (examples/ocr_score.rs), overall
#      and per kind of page;
#   3. kyso's per-stage time per page, from the records' ocr.pages[].ms;
#   4. `--ocr zones` against `--ocr full`: documents/s, verdicts, field accuracy;
#   5. seals found on gray, bilevel and colour pages against the truth boxes (IoU >= 0.5), and
#      seals reported on pages that have none.
# Needs the generator's Python packages (testdata/generate/requirements.txt), pdftoppm,
# pdfimages, tesseract with tesseract-ocr-vie and /usr/bin/time (make bench-setup).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-84}
SEED=${2:-17}
OUT=out/bench-degraded
CORPUS=$OUT/corpus-$COUNT-$SEED
KYSO=target/release/kyso
JOBS=$(nproc)
export OMP_THREAD_LIMIT=1
cargo build --release --quiet
cargo build --release --quiet --example ocr_score
if [ ! -f "$CORPUS/.done" ]; then
  echo "== generating the degraded-scan corpus ($COUNT documents, seed $SEED) into $CORPUS"
  python3 testdata/generate/agency_corpus.py "$CORPUS" --scans --count "$COUNT" --seed "$SEED" >/dev/null
  touch "$CORPUS/.done"
fi
rm -rf "$OUT/pages" "$OUT/ref" "$OUT/tess" "$OUT/hyp-full" "$OUT/full" "$OUT/zones"
mkdir -p "$OUT/pages" "$OUT/ref" "$OUT/tess"

echo "== pages for plain tesseract, and each page's truth"
python3 - "$CORPUS" "$OUT" <<'PY'
import glob, json, os, subprocess, sys, tempfile
from PIL import Image
corpus, out = sys.argv[1], sys.argv[2]
lst = []
for tf in sorted(glob.glob(f"{corpus}/*.truth.json")):
    t = json.load(open(tf, encoding="utf-8"))
    src = os.path.join(corpus, t["file"])
    stem = os.path.splitext(t["file"])[0]
    for i, text in enumerate(t["page_texts"]):
        open(f"{out}/ref/{stem}-p{i + 1}.txt", "w", encoding="utf-8").write(text + "\n")
    pages = []
    if t["format"] == "pdf":
        with tempfile.TemporaryDirectory() as td:
            subprocess.run(["pdfimages", "-j", "-tiff", src, f"{td}/i"], check=True)
            got = sorted(os.listdir(td))
            assert len(got) == t["pages"], (src, got)
            for i, name in enumerate(got):
                dst = f"{out}/pages/{stem}-p{i + 1}{os.path.splitext(name)[1]}"
                os.replace(os.path.join(td, name), dst)
                pages.append(dst)
    elif t["format"] == "tiff":
        with Image.open(src) as im:
            for i in range(t["pages"]):
                im.seek(i)
                dst = f"{out}/pages/{stem}-p{i + 1}.png"
                im.save(dst, dpi=(t["dpi"], t["dpi"]))
                pages.append(dst)
    else:
        dst = f"{out}/pages/{stem}-p1{os.path.splitext(src)[1]}"
        os.link(src, dst)
        pages.append(dst)
    lst += [f"{p} {t['dpi']}" for p in pages]
open(f"{out}/pages.lst", "w").write("\n".join(lst) + "\n")
PY
PAGES=$(wc -l < "$OUT/pages.lst")
DOCS=$(ls "$CORPUS"/*.truth.json | wc -l)
echo "   $DOCS documents, $PAGES pages"

measure() { # name, command...: wall seconds, peak RSS (KiB, largest single process), CPU seconds
  local name=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$OUT/$name.time" "$@" > "$OUT/$name.log" 2>&1 || [ $? -eq 1 ]
}

echo "== plain tesseract -l vie, xargs -P $JOBS"
measure tess xargs -a "$OUT/pages.lst" -P "$JOBS" -L 1 sh -c \
  'tesseract "$1" "'"$OUT"'/tess/$(basename "${1%.*}")" -l vie --dpi "$2" >/dev/null 2>&1' _
for mode in full zones; do
  echo "== kyso scan --ocr $mode --jobs $JOBS --outputs text"
  measure "$mode" "$KYSO" scan "$CORPUS" --out "$OUT/$mode" --ocr "$mode" --jobs "$JOBS" --quiet \
    --exclude '*.truth.json' --outputs text
done

python3 - "$CORPUS" "$OUT" "$PAGES" > "$OUT/manifest.tsv" <<'PY'
import glob, json, os, sys
corpus, out, pages = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(f"{out}/hyp-full", exist_ok=True)
recs = {os.path.basename(json.loads(l)["path"]): json.loads(l) for l in open(f"{out}/full/documents.jsonl")}
for tf in sorted(glob.glob(f"{corpus}/*.truth.json")):
    t = json.load(open(tf, encoding="utf-8"))
    stem = os.path.splitext(t["file"])[0]
    r = recs[t["file"]]
    path = f"{out}/full/text/{r['id']}.txt"
    texts = open(path, encoding="utf-8").read().split("\f") if os.path.exists(path) else []
    for i in range(t["pages"]):
        hyp = f"{out}/hyp-full/{stem}-p{i + 1}.txt"
        open(hyp, "w", encoding="utf-8").write(texts[i] if i < len(texts) else "")
        ref = f"{out}/ref/{stem}-p{i + 1}.txt"
        tess = f"{out}/tess/{stem}-p{i + 1}.txt"
        kinds = ["all", t["colour"], f"{t['dpi']} dpi", f"{t['noise']} noise"]
        if t["page_rotations"][i]:
            kinds.append("turned page")
        if abs(t["skew_deg"]) >= 2:
            kinds.append("skew >= 2°")
        for k in kinds:
            print(f"tesseract|{k}\t{ref}\t{tess}")
            print(f"kyso|{k}\t{ref}\t{hyp}")
PY
target/release/examples/ocr_score "$OUT/manifest.tsv" > "$OUT/scores.jsonl"

python3 - "$CORPUS" "$OUT" "$PAGES" "$DOCS" "$JOBS" <<'PY'
import glob, json, os, sys, unicodedata
corpus, out, pages, docs, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def timing(name):
    secs, rss, user, system = open(f"{out}/{name}.time").read().split()[-4:]
    return float(secs), int(rss) / 1024
def cpu(name):
    # User + system seconds of the command and every process it waited for (xargs waits for
    # each tesseract): steadier than wall time when the machine is shared.
    user, system = open(f"{out}/{name}.time").read().split()[-2:]
    return float(user) + float(system)
truths = {json.load(open(f, encoding="utf-8"))["file"]: json.load(open(f, encoding="utf-8"))
          for f in glob.glob(f"{corpus}/*.truth.json")}
recs = {m: {os.path.basename(json.loads(l)["path"]): json.loads(l) for l in open(f"{out}/{m}/documents.jsonl")}
        for m in ("full", "zones")}
scores = {}
for line in open(f"{out}/scores.jsonl"):
    s = json.loads(line)
    system, kind = s["label"].split("|")
    scores.setdefault(kind, {})[system] = s

ts, trss = timing("tess")
fs, frss = timing("full")
zs, zrss = timing("zones")
print(f"\n{docs} documents, {pages} pages ({corpus}), {jobs} workers each\n")
print("| system | seconds | pages/s | vs tesseract | CPU s | vs tesseract (CPU) | CER | WER | bag-of-words F1 | peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|---|---|")
for label, secs, rss, key in (("plain `tesseract -l vie`", ts, trss, "tesseract"),
                              ("`kyso scan --ocr full`", fs, frss, "kyso")):
    a = scores["all"][key]
    c = cpu("tess" if key == "tesseract" else "full")
    print(f"| {label} | {secs:.1f} | {pages / secs:.3f} | {ts / secs:.2f}x | {c:.1f} | {cpu('tess') / c:.2f}x | {100 * a['cer']:.2f}% | "
          f"{100 * a['wer']:.2f}% | {a['bow_f1']:.3f} | {rss:.0f} |")
print("\nCER by kind of page (tesseract → kyso):\n")
print("| pages | n | tesseract CER | kyso CER | tesseract F1 | kyso F1 |\n|---|---|---|---|---|---|")
for kind in sorted(k for k in scores if k != "all"):
    t, k = scores[kind]["tesseract"], scores[kind]["kyso"]
    print(f"| {kind} | {t['pages']} | {100 * t['cer']:.2f}% | {100 * k['cer']:.2f}% | {t['bow_f1']:.3f} | {k['bow_f1']:.3f} |")

# Per-stage time, full mode, from the records.
STAGES = ["decode", "prepare", "orientation", "deskew", "layout", "recognise", "second_reading", "marks", "writers"]
tot = {s: 0 for s in STAGES}
n = 0
for r in recs["full"].values():
    for p in (r.get("ocr") or {}).get("pages", []):
        if p.get("ms"):
            n += 1
            for s in STAGES:
                tot[s] += p["ms"].get(s, 0)
all_ms = sum(tot.values())
print(f"\nkyso --ocr full, time per page by stage ({n} pages, worker time):\n")
print("| stage | ms/page | share |\n|---|---|---|")
for s in STAGES:
    print(f"| {s} | {tot[s] / max(n, 1):.0f} | {100 * tot[s] / max(all_ms, 1):.1f}% |")
print(f"| total | {all_ms / max(n, 1):.0f} | |")

# Zones against full.
FIELDS = ["agency", "number", "symbol", "number_symbol", "doc_type", "place", "issue_date", "subject",
          "signer_name", "signer_title", "signing_authority", "recipients"]
def norm(v):
    if isinstance(v, list):
        return [norm(x) for x in v]
    return None if v is None else " ".join(unicodedata.normalize("NFC", str(v)).split())
def want(t, f):
    return t["metadata"].get("authority_line" if f == "signing_authority" else f)
acc = {}
for m in ("full", "zones"):
    hits = {f: 0 for f in FIELDS}
    for name, r in recs[m].items():
        for f in FIELDS:
            hits[f] += norm((r["metadata"].get(f) or {}).get("value")) == norm(want(truths[name], f))
    acc[m] = {f: hits[f] / len(recs[m]) for f in FIELDS}
same = sum(recs["full"][k]["verdict"] == recs["zones"].get(k, {}).get("verdict") for k in recs["full"])
right = {m: sum(r["verdict"] == truths[k]["verdict"] for k, r in recs[m].items()) for m in recs}
print(f"\n--ocr zones against --ocr full ({docs} documents of 1-3 pages):\n")
print("| | full | zones | |\n|---|---|---|---|")
print(f"| seconds | {fs:.1f} | {zs:.1f} | |")
print(f"| documents/s | {docs / fs:.3f} | {docs / zs:.3f} | {fs / zs:.2f}x |")
print(f"| CPU seconds | {cpu('full'):.1f} | {cpu('zones'):.1f} | {cpu('full') / cpu('zones'):.2f}x |")
print(f"| verdicts right | {right['full']}/{docs} | {right['zones']}/{docs} | identical: {same}/{docs} |")
for f in FIELDS:
    print(f"| {f} | {acc['full'][f]:.3f} | {acc['zones'][f]:.3f} | {100 * (acc['zones'][f] - acc['full'][f]):+.1f} pt |")
worst = min(100 * (acc["zones"][f] - acc["full"][f]) for f in FIELDS)
fallbacks = {}
for r in recs["zones"].values():
    for p in (r.get("ocr") or {}).get("pages", []):
        fb = (p.get("zones") or {}).get("fallback")
        key = p["status"] if not fb else "fallback: " + fb.split(";")[0]
        fallbacks[key] = fallbacks.get(key, 0) + 1
print("\nzones mode pages: " + ", ".join(f"{v} {k}" for k, v in sorted(fallbacks.items())))

# Seals against the truth boxes.
def iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0
seal = {}
for name, r in recs["full"].items():
    t = truths[name]
    found = {}
    for e in r["evidence"]:
        if e["kind"] == "seal":
            found.setdefault(e["page"], []).append(e["bbox"])
    for i, marks in enumerate(t["page_marks"]):
        c = seal.setdefault(t["colour"], dict(seals=0, found=0, pages_without=0, false=0))
        got = found.get(i, [])
        hit = [g for g in got if any(iou(g, s) >= 0.5 for s in marks["seals"])]
        c["seals"] += len(marks["seals"])
        c["found"] += min(len(hit), len(marks["seals"]))
        c["false"] += len(got) - len(hit)
        c["pages_without"] += not marks["seals"]
print("\nseals (IoU >= 0.5 with the stamped seal's box):\n")
print("| scans | seals stamped | found | pages without a seal | false seals (any page) |\n|---|---|---|---|---|")
for c in ("gray", "bilevel", "rgb"):
    v = seal.get(c)
    if v:
        print(f"| {c} | {v['seals']} | {v['found']} ({100 * v['found'] / max(v['seals'], 1):.0f}%) | "
              f"{v['pages_without']} | {v['false']} |")

a = scores["all"]
g = seal.get("gray", dict(seals=0, found=0, false=0))
print("\ntargets:")
for ok, what in (
        (ts / fs >= 1.0, f"full mode pages/s {ts / fs:.2f}x plain tesseract (>= 1.0; CPU time {cpu('tess') / cpu('full'):.2f}x)"),
        (a["kyso"]["cer"] <= 0.045, f"CER {100 * a['kyso']['cer']:.2f}% (<= 4.5%)"),
        (a["kyso"]["bow_f1"] >= 0.975, f"bag-of-words F1 {a['kyso']['bow_f1']:.3f} (>= 0.975)"),
        (fs / zs >= 3.5, f"zones {fs / zs:.2f}x full (>= 3.5; CPU time {cpu('full') / cpu('zones'):.2f}x)"),
        (same == docs and worst >= -2.0, f"zones: verdicts identical {same}/{docs}, largest field loss {worst:+.1f} pt (>= -2.0)"),
        (g["found"] >= 0.9 * g["seals"] and g["false"] == 0,
         f"seals on gray scans {g['found']}/{g['seals']} (>= 90%), false {g['false']} (0)")):
    print(f"  {'met ' if ok else 'MISSED'}  {what}")
PY
