#!/usr/bin/env bash
# OCR throughput, accuracy and memory: plain tesseract vs OCRmyPDF vs kyso's OCR stage.
#
#   benches/ocr_bench.sh [PAGES_PER_DPI]      (default 30 → 60 pages: 30 at 200 dpi, 30 at 300 dpi)
#
# Needs: python3 with reportlab and Pillow, pdftoppm (poppler-utils), img2pdf, tesseract with
# tesseract-ocr-vie, ocrmypdf (apt-get install ocrmypdf), /usr/bin/time (apt-get install time).
# Everything it makes goes to out/bench/. All three systems use OMP_THREAD_LIMIT=1 and as many
# workers as cores, on the same page images, with -l vie.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-30}
CORES=$(nproc)
OUT=out/bench
rm -rf "$OUT"
mkdir -p "$OUT"/pages "$OUT"/a "$OUT"/b "$OUT"/c
export OMP_THREAD_LIMIT=1

echo "== generating $((N * 2)) A4 pages (Vietnamese administrative text) at 200 and 300 dpi"
python3 - "$OUT" "$N" <<'PY'
import random, sys
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
out, n = sys.argv[1], int(sys.argv[2])
pdfmetrics.registerFont(TTFont("Serif", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"))
random.seed(7)
words = ("Ủy ban nhân dân tỉnh quyết định về việc phê duyệt kế hoạch triển khai thực hiện "
         "nhiệm vụ năm học cán bộ công chức viên chức đơn vị sự nghiệp công lập căn cứ Luật "
         "Tổ chức chính quyền địa phương ngày tháng theo đề nghị của Giám đốc Sở Nội vụ các "
         "cơ quan tổ chức cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này kể từ "
         "ngày ký ban hành Điều Khoản báo cáo kết quả kinh phí ngân sách nhà nước").split()
c = canvas.Canvas(f"{out}/source.pdf", pagesize=A4)
for p in range(n):
    lines = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
             f"Số: {random.randint(1, 999)}/QĐ-UBND"]
    for _ in range(34):
        lines.append(" ".join(random.choice(words) for _ in range(random.randint(8, 11))))
    y = 800
    for i, line in enumerate(lines):
        c.setFont("Serif", 13 if i < 2 else 11)
        c.drawString(60, y, line)
        y -= 21
    with open(f"{out}/gt-{p:03d}.txt", "w") as f:
        f.write("\n".join(lines) + "\n")
    c.showPage()
c.save()
PY
for dpi in 200 300; do
  pdftoppm -r "$dpi" -gray -png "$OUT/source.pdf" "$OUT/pages/d$dpi"
done
# Make the renders look scanned: a little noise and a slight skew.
python3 - "$OUT" <<'PY'
import glob, os, random, sys
from PIL import Image, ImageFilter
out = sys.argv[1]
random.seed(3)
for path in sorted(glob.glob(f"{out}/pages/*.png")):
    im = Image.open(path).convert("L")
    dpi = int(os.path.basename(path)[1:4])
    im = im.rotate(random.uniform(-1.0, 1.0), resample=Image.BICUBIC, fillcolor=255)
    im = im.filter(ImageFilter.GaussianBlur(0.6))
    noise = Image.effect_noise(im.size, 18)
    im = Image.blend(im, noise, 0.08)
    im.save(path, dpi=(dpi, dpi))
    page = int(path.rsplit("-", 1)[1].split(".")[0]) - 1
    os.link(f"{out}/gt-{page:03d}.txt", path[:-4] + ".txt")
PY
ls "$OUT"/pages/*.png > "$OUT/pages.lst"
PAGES=$(wc -l < "$OUT/pages.lst")
echo "   $PAGES pages"

echo "== building kyso's example (release)"
cargo build --release --quiet --example ocr_pages
KYSO=target/release/examples/ocr_pages

measure() { # name, command...: wall seconds and peak RSS (KiB, largest single process)
  local name=$1; shift
  /usr/bin/time -v -o "$OUT/$name.time" "$@" > "$OUT/$name.log" 2>&1
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$OUT/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/$name.time")
  echo "$wall $rss" > "$OUT/$name.res"
}

echo "== (a) tesseract CLI, xargs -P $CORES"
measure a xargs -a "$OUT/pages.lst" -P "$CORES" -I{} sh -c \
  'tesseract "$1" "'"$OUT"'/a/$(basename "$1" .png)" -l vie >/dev/null 2>&1' _ {}

echo "== (b) OCRmyPDF -j $CORES (pages as image PDFs, one file per dpi)"
for dpi in 200 300; do img2pdf "$OUT"/pages/d$dpi-*.png -o "$OUT/b/in-$dpi.pdf"; done
measure b sh -c "for dpi in 200 300; do ocrmypdf -q -l vie -j $CORES --output-type pdf -O0 \
  --sidecar $OUT/b/side-\$dpi.txt $OUT/b/in-\$dpi.pdf $OUT/b/out-\$dpi.pdf || exit 1; done"
# Split the sidecars back into one text per page (pages are separated by form feeds).
python3 - "$OUT" <<'PY'
import glob, os, sys
out = sys.argv[1]
for dpi in (200, 300):
    names = sorted(os.path.basename(p)[:-4] for p in glob.glob(f"{out}/pages/d{dpi}-*.png"))
    parts = open(f"{out}/b/side-{dpi}.txt", encoding="utf-8").read().split("\f")
    for name, text in zip(names, parts):
        open(f"{out}/b/{name}.txt", "w", encoding="utf-8").write(text)
PY

echo "== (c) kyso scan --jobs $CORES (the whole pipeline: page kinds, signatures, OCR, text output)"
cargo build --release --quiet --bin kyso
measure c target/release/kyso scan "$OUT/pages" --out "$OUT/c-scan" --jobs "$CORES" --lang vie \
  --outputs text --exclude '*.txt' --quiet
# kyso names outputs by content hash; give each page's text its image's name for the CER step.
python3 - "$OUT" <<'PY'
import json, os, shutil, sys
out = sys.argv[1]
os.makedirs(f"{out}/c", exist_ok=True)
for line in open(f"{out}/c-scan/documents.jsonl", encoding="utf-8"):
    r = json.loads(line)
    stem = os.path.basename(r["path"])[:-4]
    shutil.copy(f"{out}/c-scan/text/{r['id']}.txt", f"{out}/c/{stem}.txt")
PY

cer() { "$KYSO" --cer-dir "$1" $(cat "$OUT/pages.lst") 2>/dev/null | tail -1; }
printf '\n%-34s %8s %9s %8s %12s\n' system seconds pages/s CER "peak RSS MiB"
declare -A PPS
for s in a b c; do
  read -r wall rss < "$OUT/$s.res"
  pps=$(awk -v p="$PAGES" -v w="$wall" 'BEGIN {printf "%.3f", p / w}')
  PPS[$s]=$pps
  case $s in a) label="tesseract CLI (xargs -P $CORES)";; b) label="ocrmypdf -j $CORES";; c) label="kyso scan --jobs $CORES";; esac
  printf '%-34s %8.1f %9s %8s %12.0f\n' "$label" "$wall" "$pps" "$(cer "$OUT/$s")" "$(awk -v r="$rss" 'BEGIN {print r / 1024}')"
done
awk -v a="${PPS[a]}" -v b="${PPS[b]}" -v c="${PPS[c]}" \
  'BEGIN {printf "\nthroughput ratios: kyso/tesseract %.2f, kyso/ocrmypdf %.2f, tesseract/ocrmypdf %.2f\n", c/a, c/b, a/b}'
echo "(peak RSS is the largest single process: for (a) one tesseract, for (b) the largest of OCRmyPDF's processes)"
