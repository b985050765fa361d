#!/usr/bin/env python3
"""Bench corpus for `--ocr zones` against `--ocr full`: scanned Decree 30 documents of several
pages, each with a `<file>.truth.json` holding its metadata ground truth and verdict.

    python3 benches/zones_corpus.py OUT_DIR [COPIES]

Every document of testdata/generate/docs.py is rendered with its body lengthened to 3-5 pages
(an ordinary decision or report), rasterised at 200 or 300 dpi, given a seal and a
handwritten signature on the last page and the noise of a scanner, and wrapped into a JPEG PDF
with img2pdf. COPIES (default 1) repeats the set with other body lengths and seeds.
Needs the generator's Python packages (testdata/generate/requirements.txt) and pdftoppm.
"""
import json
import os
import sys
import tempfile

import img2pdf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "testdata", "generate"))
import docs  # noqa: E402
import long_scans  # noqa: E402


def main():
    out = sys.argv[1]
    copies = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="kyso-zones-")
    for n in range(copies * len(docs.DOCS)):
        key, d, dpi = long_scans.document(n)
        name = f"{n:03d}-{key}.pdf"
        if os.path.exists(os.path.join(out, name + ".truth.json")):
            # Made by an earlier (interrupted or smaller) run: document n depends on n alone.
            continue
        pdf = os.path.join(work, f"{n:03d}-{key}-source.pdf")
        images, dpi = long_scans.scanned_pages(n, pdf)
        files = []
        for i, img in enumerate(images):
            f = os.path.join(work, f"{n:03d}-{key}-{i}.jpg")
            img.save(f, quality=long_scans.JPEG_QUALITY, dpi=(dpi, dpi))
            files.append(f)
        with open(os.path.join(out, name), "wb") as o:
            o.write(img2pdf.convert(files, nodate=True, engine=img2pdf.Engine.internal))
        truth = {"file": name, "pages": len(images), "dpi": dpi, "metadata": docs.metadata(d),
                 "verdict": "scanned_unsigned"}
        with open(os.path.join(out, name + ".truth.json"), "w", encoding="utf-8") as f:
            json.dump(truth, f, ensure_ascii=False, indent=2, sort_keys=True)
        print(f"{name}: {len(images)} pages at {dpi} dpi", file=sys.stderr)


if __name__ == "__main__":
    main()
