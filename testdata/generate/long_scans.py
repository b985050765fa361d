"""Scanned Decree 30 documents of several pages, as an ordinary decision or report runs: the
fixture documents of docs.py with their bodies lengthened, rasterised at 200 or 300 dpi, with a
seal and a handwritten signature on the last page and a scanner's noise and skew.

Shared by the zones bench corpus (benches/zones_corpus.py) and the OCR line fixtures
(ocr_lines.py), so that a fixture cut from document n is the page the bench reads.
"""
import io
import os

import numpy as np
from PIL import Image

import docs
import scan

# The bench saves each page as a JPEG of this quality inside the PDF.
JPEG_QUALITY = 75


def keys():
    """The documents in the order the bench numbers them (document n is keys()[n % len])."""
    return sorted(docs.DOCS)


def document(n):
    """Document n's key, its lengthened doc dict and its scan resolution."""
    key = keys()[n % len(keys())]
    doc = docs.DOCS[key]
    extra = 8 + (n % 3) * 6           # 8, 14 or 20 more long paragraphs: 3 to 5 pages
    body = list(doc["body"])
    body[-1:-1] = [("normal", docs.P_LONG)] * extra
    dpi = 300 if n % 2 else 200
    return key, dict(doc, body=body), dpi


def scanned_pages(n, pdf):
    """Renders document n into `pdf` (reportlab) and returns its scanned pages as PIL images,
    with the number of pages and the scan resolution."""
    key, d, dpi = document(n)
    pages = docs.render(d, pdf)
    rng = np.random.default_rng(1000 + n)
    images = []
    for i, p in enumerate(pages):
        raster = scan.rasterize(pdf, i, dpi)
        img, _, _ = scan.simulate(raster, dpi, p["sig"], (d["seal_top"], d["seal_bottom"]), rng,
                                  skew_deg=float(rng.uniform(-1.2, 1.2)), noise_sigma=4.0)
        images.append(img)
    return images, dpi


def as_scanned(img):
    """The page as the bench's PDF holds it: through a JPEG of JPEG_QUALITY, decoded again."""
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=JPEG_QUALITY)
    buf.seek(0)
    return Image.open(buf).convert("RGB")
