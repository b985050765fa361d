#!/usr/bin/env python3
"""Writes the small seed inputs of the fuzz targets (each a few KB) with Pillow and img2pdf.

Run from this folder: python3 make_seeds.py. The PDF and CMS seeds are copied from
testdata/ (pyHanko-signed fixtures) by the script too, so every seed has a known origin.
"""
import io
import shutil
from pathlib import Path

import img2pdf
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
TESTDATA = HERE.parent.parent / "testdata"


def page(w=48, h=64, mode="L"):
    im = Image.new(mode, (w, h), "white")
    d = ImageDraw.Draw(im)
    d.rectangle([4, 4, w - 5, 12], fill="black")
    d.line([4, 20, w - 5, h - 5], fill="black", width=2)
    return im


def save(im, name, fmt, **kw):
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    (HERE / "image" / name).write_bytes(buf.getvalue())
    return buf.getvalue()


png = save(page(), "seed-gray.png", "PNG", dpi=(300, 300))
save(page(mode="RGB"), "seed-rgb.png", "PNG")
save(page().convert("P"), "seed-palette.png", "PNG")
jpg = save(page(mode="RGB"), "seed-rgb.jpg", "JPEG", quality=50, dpi=(200, 200))
save(page(), "seed-gray-progressive.jpg", "JPEG", quality=50, progressive=True)
bw = page().convert("1")
buf = io.BytesIO()
bw.save(buf, "TIFF", compression="group4", save_all=True, append_images=[page().convert("1")], dpi=(300, 300))
(HERE / "image" / "seed-g4-2pages.tif").write_bytes(buf.getvalue())
save(page(mode="RGB"), "seed-lzw.tif", "TIFF", compression="tiff_lzw")
save(page(mode="CMYK"), "seed-cmyk-deflate.tif", "TIFF", compression="tiff_adobe_deflate")
save(page(), "seed-packbits.tif", "TIFF", compression="packbits")

(HERE / "pdf" / "seed-scan-png.pdf").write_bytes(img2pdf.convert(png))
(HERE / "pdf" / "seed-scan-jpeg.pdf").write_bytes(img2pdf.convert(jpg))
g4 = io.BytesIO()
bw.save(g4, "TIFF", compression="group4")
(HERE / "pdf" / "seed-scan-ccitt.pdf").write_bytes(img2pdf.convert(g4.getvalue()))
for name in ["empty_field.pdf", "ecdsa_p256.pdf", "bytes_appended.pdf"]:
    shutil.copy(TESTDATA / "signatures" / name, HERE / "pdf" / f"seed-{name}")

shutil.copy(TESTDATA / "signatures" / "detached_content.txt.p7s", HERE / "cms" / "seed-detached.p7s")

# pdf_text: a content stream and a ToUnicode CMap, separated as the target expects.
content = b"BT /F2 12 Tf 72 720 Td (S\xf4: 123/Q\xd0-UBND) Tj ET\nBT /F1 12 Tf 72 700 Td <00010002> Tj 3 Tr [(a) -20 (b)] TJ ET"
cmap = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0001> <0053> <0002> <1ED1> endbfchar
1 beginbfrange <0010> <0020> <0041> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""
(HERE / "pdf_text" / "seed-type0.txt").write_bytes(content + b"\n%%CMAP\n" + cmap)
(HERE / "pdf_text" / "seed-plain.txt").write_bytes(b"BT /F1 10 Tf 1 0 0 1 50 50 Tm (QUY\xc9T \xd0\xccNH) Tj T* (abc) ' ET")

# The hostile-text payloads of testdata/hostile/ (issue 21), for the targets that check the
# output invariants: a Decree 30 page whose lines carry formulas, escapes, bidi overrides and
# markup (metadata_text), and a content stream whose ToUnicode CMap maps glyphs to ESC, BEL,
# U+202E, U+009B and NUL around a formula (pdf_text).
import json  # noqa: E402

payloads = json.loads((TESTDATA / "hostile" / "expected.json").read_text())
lines = ["UBND TỈNH BẮC GIANG", payloads["formula.pdf"]["payloads"]["agency"],
         "Số: 45/QĐ-STC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
         "Bắc Giang, ngày 09 tháng 05 năm 2024", "QUYẾT ĐỊNH",
         payloads["formula.pdf"]["payloads"]["subject"],
         payloads["ansi-bidi.pdf"]["payloads"]["subject"],
         payloads["markup.pdf"]["payloads"]["subject"],
         "Nơi nhận:", "- " + payloads["markup.pdf"]["payloads"]["recipient"],
         "KT. GIÁM ĐỐC", payloads["ansi-bidi.pdf"]["payloads"]["signer_title"],
         payloads["ansi-bidi.pdf"]["payloads"]["signer_name"]]
(HERE / "metadata_text" / "hostile.txt").write_text("\n".join(lines) + "\n")
content = b"BT /F1 12 Tf 72 720 Td <0001003D0031002B0031> Tj ET\nBT /F1 12 Tf 72 700 Td <0002000300040005> Tj ET"
cmap = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
5 beginbfchar <0001> <001B> <0002> <202E> <0003> <009B> <0004> <0007> <0005> <0000> endbfchar
1 beginbfrange <0020> <007E> <0020> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""
(HERE / "pdf_text" / "seed-hostile.txt").write_bytes(content + b"\n%%CMAP\n" + cmap)
