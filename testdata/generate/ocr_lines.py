"""OCR line fixtures: testdata/ocr/.

    cd testdata/generate && python3 ocr_lines.py

archive-line.png: the "Nơi nhận:" list of the last page of the zones bench's document 7
(long_scans.document(7): the Sở Y tế notice, 300 dpi, through the bench's JPEG), cut from the
left half of the page with the body's last line above it, and saved as 8-bit gray. Tesseract 5.3
(vie+eng) reads the list's last line, "- Lưu: VT, VP.", as noise when it reads the cut as a
page, and right when it reads that line alone (kyso, which reads the page with its paper evened
out, reads it right in the page too); tests/ocr_reread.rs checks that kyso ends with
the right reading. Without the body line above, the page pass reads the list right: the
misreading depends on the context. archive-line.list.txt holds the list's text (not the body
line's, so it is no ground truth for the whole cut).
"""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import docs  # noqa: E402
import long_scans  # noqa: E402

OUT = os.path.join(HERE, "..", "ocr")


def main():
    os.makedirs(OUT, exist_ok=True)
    docs.register_fonts()
    n = 7
    key, d, dpi = long_scans.document(n)
    assert dpi == 300, dpi
    with tempfile.TemporaryDirectory() as td:
        images, _ = long_scans.scanned_pages(n, os.path.join(td, f"{key}.pdf"))
    last = long_scans.as_scanned(images[-1])
    w, h = last.size
    crop = last.crop((0, int(h * 0.46), w // 2, int(h * 0.62))).convert("L")
    crop.save(os.path.join(OUT, "archive-line.png"), dpi=(dpi, dpi), optimize=True)
    meta = docs.metadata(d)
    text = "Nơi nhận:\n" + "".join(f"- {r}\n" for r in meta["recipients"])
    with open(os.path.join(OUT, "archive-line.list.txt"), "w", encoding="utf-8") as f:
        f.write(text)
    print(f"archive-line.png: {crop.size[0]}x{crop.size[1]} from document {n} ({key}), {dpi} dpi")


if __name__ == "__main__":
    main()
