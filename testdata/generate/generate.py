#!/usr/bin/env python3
"""Generate the kyso test corpus: testdata/pki/, testdata/corpus/ (+ truth files, MANIFEST.md).

Usage:  pip install -r requirements.txt && python3 generate.py
"""
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile

import img2pdf
import numpy as np
import pikepdf
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import appearance  # noqa: E402
import docs  # noqa: E402
import pki  # noqa: E402
import scan  # noqa: E402
import signing  # noqa: E402

TESTDATA = os.path.dirname(HERE)
CORPUS = os.path.join(TESTDATA, "corpus")
BROKEN = os.path.join(CORPUS, "broken")
PKI_DIR = os.path.join(TESTDATA, "pki")
WORK = tempfile.mkdtemp(prefix="kyso-gen-")
JPEG_Q = 75

MANIFEST = []   # (file, what it tests, verdict)


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def tmp(name):
    return os.path.join(WORK, name)


def mediaboxes(path):
    out = run("pdfinfo", "-f", "1", "-l", "999", path)
    return [(round(float(w), 2), round(float(h), 2))
            for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out)]


def page_text(p):
    return "\n".join(p["lines"])


def bd_pages(pdf, pages):
    boxes = mediaboxes(pdf)
    res = []
    for i, p in enumerate(pages):
        res.append({"index": i, "kind": "blank" if p["blank"] else "born_digital", "dpi": None,
                    "width_px": None, "height_px": None, "width_pt": boxes[i][0], "height_pt": boxes[i][1],
                    "text": page_text(p), "rotation": 0, "skew_deg": 0.0, "seals": [],
                    "handwritten_signatures": []})
    return res


def scan_page_entry(i, kind, dpi, img, box, text, rotation, skew, seals, signs):
    return {"index": i, "kind": kind, "dpi": dpi, "width_px": img.size[0], "height_px": img.size[1],
            "width_pt": box[0] if box else None, "height_pt": box[1] if box else None, "text": text,
            "rotation": rotation, "skew_deg": skew, "seals": seals, "handwritten_signatures": signs}


def write_truth(path, fmt, origin, pages, signatures, metadata, verdict, notes, expected_error=None, what=None):
    name = os.path.basename(path)
    truth = {"file": name, "format": fmt, "origin": origin, "pages": pages, "signatures": signatures,
             "metadata": metadata, "verdict": verdict, "expected_error": expected_error, "notes": notes}
    with open(path + ".truth.json", "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=2, sort_keys=True)
        f.write("\n")
    rel = os.path.relpath(path, CORPUS)
    MANIFEST.append((rel, what or notes, verdict, expected_error))


def seal_text(doc):
    return doc["seal_top"], doc["seal_bottom"]


def scanned(doc_key, pdf, pages, dpi, seed, skews, **kw):
    """Rasterise + simulate every page of `pdf`. Returns list of (img, seals, signs, skew, text)."""
    rng = np.random.default_rng(seed)
    doc = docs.DOCS.get(doc_key)
    out = []
    for i, p in enumerate(pages):
        raster = scan.rasterize(pdf, i, dpi)
        skew = skews[i % len(skews)]
        img, seals, signs = scan.simulate(raster, dpi, p["sig"], seal_text(doc) if doc else ("", ""), rng,
                                          skew_deg=skew, **kw)
        out.append((img, seals, signs, skew, page_text(p)))
    return out


LOSSLESS = dict(noise_sigma=0, texture=3.0, speckles=150)
LOSSY = dict(noise_sigma=4.0)


# ------------------------------------------------------------------------------------------------
def born_digital(paths):
    root = paths["root"]["cert"]
    personal = paths["personal-nguyen-van-an"]
    org_ubnd = paths["org-ubnd-bac-giang"]
    org_stc = paths["org-so-tai-chinh-bac-giang"]

    # bd-unsigned.pdf
    out = os.path.join(CORPUS, "bd-unsigned.pdf")
    pages = docs.render(docs.DOCS["qd-stc"], out)
    write_truth(out, "pdf", "born_digital", bd_pages(out, pages), [], docs.metadata(docs.DOCS["qd-stc"]),
                "unsigned", "1-page born-digital QUYẾT ĐỊNH of SỞ TÀI CHÍNH (Bắc Giang), no signature.",
                what="born-digital baseline, no signature")

    # bd-signed-full.pdf: personal then organisation signature (incremental updates)
    out = os.path.join(CORPUS, "bd-signed-full.pdf")
    pages = docs.render(docs.DOCS["qd-ubnd"], tmp("qd-ubnd.pdf"))
    signing.sign(tmp("qd-ubnd.pdf"), tmp("qd-ubnd-p.pdf"), "SigPersonal", personal["key"], personal["cert"], root,
                 reason="Ký ban hành văn bản", location="Bắc Giang")
    signing.sign(tmp("qd-ubnd-p.pdf"), out, "SigOrg", org_ubnd["key"], org_ubnd["cert"], root,
                 reason="Đóng dấu cơ quan", location="Bắc Giang")
    sigs = signing.validate(out, root)
    assert [s["field"] for s in sigs] == ["SigPersonal", "SigOrg"] and all(s["bottom_line"] for s in sigs), sigs
    write_truth(out, "pdf", "born_digital", bd_pages(out, pages), sigs, docs.metadata(docs.DOCS["qd-ubnd"]),
                "fully_signed",
                "2-page QUYẾT ĐỊNH of UBND tỉnh Bắc Giang. Revision 2 adds SigPersonal (Nguyễn Văn An), revision 3 "
                "adds SigOrg (UBND tỉnh Bắc Giang). SigPersonal coverage is entire_revision because the org "
                "signature was appended afterwards (allowed form-filling change).",
                what="personal + organisation signature, incremental updates")

    # bd-signed-org.pdf: organisation signature only
    out = os.path.join(CORPUS, "bd-signed-org.pdf")
    pages = docs.render(docs.DOCS["kh-stc"], tmp("kh-stc.pdf"))
    signing.sign(tmp("kh-stc.pdf"), out, "SigOrg", org_stc["key"], org_stc["cert"], root,
                 reason="Đóng dấu cơ quan", location="Bắc Giang")
    sigs = signing.validate(out, root)
    assert len(sigs) == 1 and sigs[0]["bottom_line"], sigs
    write_truth(out, "pdf", "born_digital", bd_pages(out, pages), sigs, docs.metadata(docs.DOCS["kh-stc"]),
                "org_signed_only", "KẾ HOẠCH of SỞ TÀI CHÍNH signed only with the Sở Tài chính organisation cert.",
                what="organisation signature only")

    # bd-signed-modified.pdf: signed twice, then page content replaced (amount changed)
    out = os.path.join(CORPUS, "bd-signed-modified.pdf")
    d = docs.DOCS["qd-ubnd-kp"]
    pages = docs.render(d, tmp("kp.pdf"))
    new_body = [(k, t.replace("1.350.000.000", "1.850.000.000")) for k, t in d["body"]]
    pages_mod = docs.render(d, tmp("kp-mod.pdf"), overrides={"body": new_body})
    signing.sign(tmp("kp.pdf"), tmp("kp-p.pdf"), "SigPersonal", personal["key"], personal["cert"], root,
                 reason="Ký ban hành văn bản", location="Bắc Giang")
    signing.sign(tmp("kp-p.pdf"), tmp("kp-po.pdf"), "SigOrg", org_ubnd["key"], org_ubnd["cert"], root,
                 reason="Đóng dấu cơ quan", location="Bắc Giang")
    signing.replace_page_content(tmp("kp-po.pdf"), out, 0, signing.page_content(tmp("kp-mod.pdf"), 0))
    txt = run("pdftotext", out, "-")
    assert "1.850.000.000" in txt and "1.350.000.000" not in txt, "modified amount not visible"
    sigs = signing.validate(out, root)
    assert all(s["intact"] and not s["bottom_line"] for s in sigs), sigs
    write_truth(out, "pdf", "born_digital", bd_pages(out, pages_mod), sigs, docs.metadata(d), "signature_invalid",
                "Signed (SigPersonal + SigOrg), then a 4th revision replaced page 1's content stream: the amount "
                "in Điều 1 changed from 1.350.000.000 to 1.850.000.000 đồng. Both signatures stay intact and "
                "cryptographically valid but pyHanko's difference analysis reports modification_level=other. "
                "`text` is the page as it renders now (the modified amount).",
                what="content changed by incremental update after signing")

    # bd-signed-corrupted.pdf: uncompressed content streams, bytes flipped inside the signed range
    out = os.path.join(CORPUS, "bd-signed-corrupted.pdf")
    pages = docs.render(docs.DOCS["qd-ubnd"], tmp("cor.pdf"), compress=False)
    signing.sign(tmp("cor.pdf"), tmp("cor-p.pdf"), "SigPersonal", personal["key"], personal["cert"], root,
                 reason="Ký ban hành văn bản", location="Bắc Giang")
    signing.sign(tmp("cor-p.pdf"), out, "SigOrg", org_ubnd["key"], org_ubnd["cert"], root,
                 reason="Đóng dấu cơ quan", location="Bắc Giang")
    changes = signing.corrupt_signed_range(out)
    sigs = signing.validate(out, root)
    assert all(not s["intact"] for s in sigs), sigs
    run("pdftotext", out, "/dev/null")
    write_truth(out, "pdf", "born_digital", bd_pages(out, pages), sigs, docs.metadata(docs.DOCS["qd-ubnd"]),
                "signature_invalid",
                "Same document as bd-signed-full.pdf but with uncompressed content streams; after signing, "
                f"{len(changes)} bytes (digits of Tm operands in page 1's content stream, offsets "
                f"{[c[0] for c in changes]}) were changed. Structure/xref intact; the text is unchanged (only "
                "glyph positions moved by <1pt); both signature digests fail (intact=false).",
                what="bytes flipped inside the signed byte range")

    # bd-with-blank.pdf
    out = os.path.join(CORPUS, "bd-with-blank.pdf")
    pages = docs.render(docs.DOCS["tb-syt"], tmp("blank.pdf"), blank_last_page=True)
    assert len(pages) == 2 and pages[1]["blank"]
    with pikepdf.open(tmp("blank.pdf")) as p:     # page 2: drop /Contents entirely
        del p.pages[1].obj["/Contents"]
        del p.pages[1].obj["/Resources"]
        p.pages[1].obj["/Resources"] = pikepdf.Dictionary()
        p.save(out, static_id=True, deterministic_id=False)
    assert run("pdftotext", "-f", "2", "-l", "2", out, "-").strip() == ""
    write_truth(out, "pdf", "born_digital", bd_pages(out, pages), [], docs.metadata(docs.DOCS["tb-syt"]),
                "unsigned", "THÔNG BÁO of SỞ Y TẾ (Hà Nam); page 2 is an empty A4 page: no /Contents entry and empty /Resources.",
                what="blank page detection")

    # bd-cong-van.pdf
    out = os.path.join(CORPUS, "bd-cong-van.pdf")
    pages = docs.render(docs.DOCS["cv-ln"], out)
    write_truth(out, "pdf", "born_digital", bd_pages(out, pages), [], docs.metadata(docs.DOCS["cv-ln"]),
                "unsigned", "CÔNG VĂN (no title line; subject is the V/v line under the number), urgency HỎA TỐC. "
                "metadata.doc_type is CÔNG VĂN by convention (inferred from the layout, not printed).",
                what="công văn layout (V/v subject, no title), HỎA TỐC mark")
    return paths


# ------------------------------------------------------------------------------------------------
def save_jpeg_pdf(imgs, dpi, out):
    files = []
    for i, img in enumerate(imgs):
        f = tmp(f"{os.path.basename(out)}-{i}.jpg")
        img.save(f, quality=JPEG_Q, dpi=(dpi, dpi), optimize=True)
        files.append(f)
    with open(out, "wb") as o:
        o.write(img2pdf.convert(files, nodate=True, engine=img2pdf.Engine.internal))
    return files


def check_images(pdf, encoding):
    lst = run("pdfimages", "-list", pdf).strip().splitlines()[2:]
    assert lst and all(ln.split()[8] == encoding for ln in lst), (pdf, lst)
    return lst


def scanned_fixtures(paths):
    root = paths["root"]["cert"]
    org_stc = paths["org-so-tai-chinh-bac-giang"]

    # scan-unsigned.pdf: 2 pages, colour JPEG 200 dpi
    out = os.path.join(CORPUS, "scan-unsigned.pdf")
    pages = docs.render(docs.DOCS["bc-ln"], tmp("bc-ln.pdf"))
    assert len(pages) == 2
    sc = scanned("bc-ln", tmp("bc-ln.pdf"), pages, 200, 101, [1.2, -0.8], **LOSSY)
    save_jpeg_pdf([s[0] for s in sc], 200, out)
    check_images(out, "jpeg")
    boxes = mediaboxes(out)
    pg = [scan_page_entry(i, "scanned", 200, s[0], boxes[i], s[4], 0, s[3], s[1], s[2]) for i, s in enumerate(sc)]
    write_truth(out, "pdf", "scanned", pg, [], docs.metadata(docs.DOCS["bc-ln"]), "scanned_unsigned",
                "2-page BÁO CÁO of UBND huyện Lục Nam, scanned colour, DCTDecode 200 dpi; seal + handwritten "
                "signature on page 2 (where the signer block is).", what="scanned PDF (JPEG), 2 pages")

    # scan-org-signed.pdf
    out = os.path.join(CORPUS, "scan-org-signed.pdf")
    pages = docs.render(docs.DOCS["qd-stc"], tmp("qd-stc.pdf"))
    sc = scanned("qd-stc", tmp("qd-stc.pdf"), pages, 200, 102, [-1.5], **LOSSY)
    save_jpeg_pdf([s[0] for s in sc], 200, tmp("scan-org.pdf"))
    signing.sign(tmp("scan-org.pdf"), out, "SigOrg", org_stc["key"], org_stc["cert"], root,
                 reason="Sao y bản chính", location="Bắc Giang")
    check_images(out, "jpeg")
    sigs = signing.validate(out, root)
    assert len(sigs) == 1 and sigs[0]["bottom_line"], sigs
    boxes = mediaboxes(out)
    pg = [scan_page_entry(i, "scanned", 200, s[0], boxes[i], s[4], 0, s[3], s[1], s[2]) for i, s in enumerate(sc)]
    write_truth(out, "pdf", "scanned", pg, sigs, docs.metadata(docs.DOCS["qd-stc"]), "scanned_org_signed",
                "Paper QUYẾT ĐỊNH (seal + wet signature) scanned at 200 dpi, then digitally signed with the Sở Tài "
                "chính organisation cert (invisible field SigOrg).", what="scan digitally signed by organisation")

    # scan-ccitt.pdf: bilevel G4 300 dpi
    out = os.path.join(CORPUS, "scan-ccitt.pdf")
    pages = docs.render(docs.DOCS["cv-ln"], tmp("cv-ln.pdf"))
    sc = scanned("cv-ln", tmp("cv-ln.pdf"), pages, 300, 103, [0.6], noise_sigma=4.0, blur=0.8)
    bw = scan.to_bilevel(sc[0][0])
    bw.save(tmp("ccitt.tif"), compression="group4", dpi=(300, 300))
    with open(out, "wb") as o:
        o.write(img2pdf.convert(tmp("ccitt.tif"), nodate=True, engine=img2pdf.Engine.internal))
    check_images(out, "ccitt")
    boxes = mediaboxes(out)
    s = sc[0]
    pg = [scan_page_entry(0, "scanned", 300, bw, boxes[0], s[4], 0, s[3], s[1], s[2])]
    write_truth(out, "pdf", "scanned", pg, [], docs.metadata(docs.DOCS["cv-ln"]), "scanned_unsigned",
                "Bilevel 300 dpi scan, CCITT Group 4 (CCITTFaxDecode). The red seal became black after "
                "thresholding; its box is still recorded.", what="CCITT G4 bilevel scan")

    # scan-flate.pdf: grayscale PNG 300 dpi -> FlateDecode
    out = os.path.join(CORPUS, "scan-flate.pdf")
    pages = docs.render(docs.DOCS["tt-syt"], tmp("tt-syt.pdf"))
    sc = scanned("tt-syt", tmp("tt-syt.pdf"), pages, 300, 104, [0.9], **LOSSLESS)
    g = sc[0][0].convert("L")
    g.save(tmp("flate.png"), dpi=(300, 300), compress_level=9)
    with open(out, "wb") as o:
        o.write(img2pdf.convert(tmp("flate.png"), nodate=True, engine=img2pdf.Engine.internal))
    check_images(out, "image")
    boxes = mediaboxes(out)
    s = sc[0]
    pg = [scan_page_entry(0, "scanned", 300, g, boxes[0], s[4], 0, s[3], s[1], s[2])]
    write_truth(out, "pdf", "scanned", pg, [], docs.metadata(docs.DOCS["tt-syt"]), "scanned_unsigned",
                "Grayscale 300 dpi scan of a TỜ TRÌNH marked MẬT, FlateDecode (pdfimages -list shows enc=image).",
                what="grayscale Flate scan, MẬT mark")

    # scan-ocred.pdf: tesseract's own PDF renderer (image + invisible text, render mode 3)
    out = os.path.join(CORPUS, "scan-ocred.pdf")
    pages = docs.render(docs.DOCS["tb-syt"], tmp("tb-syt.pdf"))
    sc = scanned("tb-syt", tmp("tb-syt.pdf"), pages, 200, 105, [0.7], **LOSSY)
    sc[0][0].save(tmp("ocr.jpg"), quality=JPEG_Q, dpi=(200, 200), optimize=True)
    subprocess.run(["tesseract", tmp("ocr.jpg"), tmp("ocr"), "-l", "vie", "--dpi", "200", "pdf"], check=True,
                   capture_output=True)
    shutil.copy(tmp("ocr.pdf"), out)
    check_images(out, "jpeg")
    assert "GlyphLessFont" in run("pdffonts", out)
    boxes = mediaboxes(out)
    s = sc[0]
    pg = [scan_page_entry(0, "scanned_with_text_layer", 200, s[0], boxes[0], s[4], 0, s[3], s[1], s[2])]
    write_truth(out, "pdf", "scanned", pg, [], docs.metadata(docs.DOCS["tb-syt"]), "scanned_unsigned",
                "JPEG scan with an invisible OCR text layer produced by `tesseract -l vie ... pdf` (GlyphLessFont, "
                "text render mode 3), like OCRmyPDF output. `text` is the true page text, not the OCR layer.",
                what="scanned page with invisible OCR text layer")

    # mixed.pdf: page 1 born-digital, page 2 scanned appendix
    out = os.path.join(CORPUS, "mixed.pdf")
    pages = docs.render(docs.DOCS["tb-stc"], tmp("tb-stc.pdf"))
    app = docs.render_appendix(tmp("appendix.pdf"))
    sc = scanned(None, tmp("appendix.pdf"), app, 200, 106, [-0.6], **LOSSY)
    save_jpeg_pdf([sc[0][0]], 200, tmp("appendix-scan.pdf"))
    run("qpdf", "--deterministic-id", "--empty", "--pages", tmp("tb-stc.pdf"), tmp("appendix-scan.pdf"), "--",
        out)
    boxes = mediaboxes(out)
    pg = bd_pages(tmp("tb-stc.pdf"), pages)
    s = sc[0]
    pg.append(scan_page_entry(1, "scanned", 200, s[0], boxes[1], s[4], 0, s[3], s[1], s[2]))
    write_truth(out, "pdf", "mixed", pg, [], docs.metadata(docs.DOCS["tb-stc"]), "unsigned",
                "Page 1 is the born-digital THÔNG BÁO (with its signer block, no digital signature); page 2 is a "
                "scanned appendix (PHỤ LỤC) without seal or signature. Verdict `unsigned`: the document carries no "
                "digital signature and its primary (signer) page is born-digital, so it is an unsigned electronic "
                "document rather than a scan of a signed paper original; the scanned page is only an attachment.",
                what="mixed born-digital + scanned pages")

    # scan-multipage.tif: 2 pages RGB, Deflate, 200 dpi, scanner tags
    out = os.path.join(CORPUS, "scan-multipage.tif")
    rng_pages = pages + app
    sc1 = scanned("tb-stc", tmp("tb-stc.pdf"), pages, 200, 107, [1.1], **LOSSLESS)
    sc2 = scanned(None, tmp("appendix.pdf"), app, 200, 108, [-0.5], **LOSSLESS)
    sc = sc1 + sc2
    assert len(rng_pages) == 2
    tags = {271: "Fujitsu", 272: "fi-7160", 305: "PaperStream Capture 2.9.0", 306: "2024:10:02 09:15:00"}
    sc[0][0].save(out, save_all=True, append_images=[sc[1][0]], compression="tiff_adobe_deflate",
                  dpi=(200, 200), tiffinfo=tags)
    with Image.open(out) as chk:
        assert chk.n_frames == 2 and chk.tag_v2.get(271) == "Fujitsu"
    pg = [scan_page_entry(i, "scanned", 200, s[0], None, s[4], 0, s[3], s[1], s[2]) for i, s in enumerate(sc)]
    write_truth(out, "tiff", "scanned", pg, [], docs.metadata(docs.DOCS["tb-stc"]), "scanned_unsigned",
                "2-page RGB TIFF (Adobe Deflate, 200 dpi, Make=Fujitsu, Model=fi-7160, Software=PaperStream "
                "Capture): page 1 the THÔNG BÁO with seal + signature, page 2 its appendix.",
                what="multi-page TIFF with scanner tags")

    # scan-page.png: 200 dpi pHYs
    out = os.path.join(CORPUS, "scan-page.png")
    d = docs.DOCS["qd-ubnd-kp"]
    pages = docs.render(d, tmp("kp2.pdf"))
    sc = scanned("qd-ubnd-kp", tmp("kp2.pdf"), pages, 200, 109, [-1.8], **LOSSLESS)
    sc[0][0].save(out, dpi=(200, 200), compress_level=9)
    s = sc[0]
    pg = [scan_page_entry(0, "scanned", 200, s[0], None, s[4], 0, s[3], s[1], s[2])]
    write_truth(out, "png", "scanned", pg, [], docs.metadata(d), "scanned_unsigned",
                "RGB PNG with pHYs = 200 dpi; QUYẾT ĐỊNH with KHẨN mark.", what="PNG scan with DPI")

    # scan-page.jpg: 300 dpi, EXIF
    out = os.path.join(CORPUS, "scan-page.jpg")
    d = docs.DOCS["kh-stc"]
    pages = docs.render(d, tmp("kh2.pdf"))
    sc = scanned("kh-stc", tmp("kh2.pdf"), pages, 300, 110, [0.5], **LOSSY)
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "imageRUNNER ADVANCE C5535"
    exif[0x0131] = "Canon Scan"
    exif[0x0132] = "2021:04:06 10:20:00"
    exif[0x011A] = 300
    exif[0x011B] = 300
    exif[0x0128] = 2
    sc[0][0].save(out, quality=JPEG_Q, dpi=(300, 300), exif=exif, optimize=True)
    s = sc[0]
    pg = [scan_page_entry(0, "scanned", 300, s[0], None, s[4], 0, s[3], s[1], s[2])]
    write_truth(out, "jpeg", "scanned", pg, [], docs.metadata(d), "scanned_unsigned",
                "Colour JPEG, JFIF density and EXIF X/YResolution 300 dpi, EXIF Make=Canon.",
                what="JPEG scan with EXIF")

    # scan-nodpi.png
    out = os.path.join(CORPUS, "scan-nodpi.png")
    d = docs.DOCS["tt-syt"]
    sc = scanned("tt-syt", tmp("tt-syt.pdf"), docs.render(d, tmp("tt2.pdf")), 200, 111, [1.6], **LOSSLESS)
    sc[0][0].save(out, compress_level=9)
    with Image.open(out) as chk:
        assert "dpi" not in chk.info
    s = sc[0]
    pg = [scan_page_entry(0, "scanned", None, s[0], None, s[4], 0, s[3], s[1], s[2])]
    write_truth(out, "png", "scanned", pg, [], docs.metadata(d), "scanned_unsigned",
                "PNG without pHYs (no DPI metadata); it was rasterised at 200 dpi.", what="image without DPI")

    # scan-rotated.png: upside down
    out = os.path.join(CORPUS, "scan-rotated.png")
    d = docs.DOCS["cv-ln"]
    sc = scanned("cv-ln", tmp("cv-ln.pdf"), docs.render(d, tmp("cv2.pdf")), 200, 112, [0.8], rotate180=True,
                 **LOSSLESS)
    sc[0][0].save(out, dpi=(200, 200), compress_level=9)
    s = sc[0]
    pg = [scan_page_entry(0, "scanned", 200, s[0], None, s[4], 180, s[3], s[1], s[2])]
    write_truth(out, "png", "scanned", pg, [], docs.metadata(d), "scanned_unsigned",
                "Page fed upside down: the stored raster must be rotated by 180° to read it. Boxes are in the "
                "stored (upside-down) raster.", what="upside-down scan (orientation detection)")


# ------------------------------------------------------------------------------------------------
def broken_fixtures():
    os.makedirs(BROKEN, exist_ok=True)
    src = os.path.join(CORPUS, "bd-unsigned.pdf")
    base_truth = json.load(open(src + ".truth.json", encoding="utf-8"))

    def broken(name, fmt, err, notes, what):
        write_truth(os.path.join(BROKEN, name), fmt, "unknown", [], [], None, "unreadable", notes, err, what)

    open(os.path.join(BROKEN, "empty.pdf"), "wb").close()
    broken("empty.pdf", "unknown", "empty_file", "0 bytes.", "empty file")

    data = open(src, "rb").read()
    open(os.path.join(BROKEN, "truncated.pdf"), "wb").write(data[:int(len(data) * 0.4)])
    broken("truncated.pdf", "pdf", "truncated", "First 40% of bd-unsigned.pdf: %PDF header, no xref/trailer/%%EOF.",
           "truncated PDF")

    with open(os.path.join(BROKEN, "not-a-pdf.pdf"), "w", encoding="utf-8") as f:
        f.write("Đây không phải là tệp PDF.\nThis is a plain text file with a .pdf extension.\n")
    broken("not-a-pdf.pdf", "unknown", "unsupported_format",
           "UTF-8 text with a .pdf extension; magic bytes are not %PDF. (`malformed` is an acceptable "
           "alternative if kyso trusts the extension.)", "wrong extension / no PDF magic")

    run("qpdf", "--encrypt", "secret", "kyso-owner", "256", "--", src, os.path.join(BROKEN, "password.pdf"))
    broken("password.pdf", "pdf", "encrypted", "bd-unsigned.pdf encrypted with AES-256, user password 'secret'.",
           "password-protected PDF")

    out = os.path.join(BROKEN, "owner-only.pdf")
    run("qpdf", "--encrypt", "", "kyso-owner", "256", "--modify=none", "--", src, out)
    run("pdftotext", out, "/dev/null")
    pages = base_truth["pages"]
    write_truth(out, "pdf", "born_digital", pages, [], base_truth["metadata"], "unsigned",
                "bd-unsigned.pdf encrypted (AES-256) with an EMPTY user password and owner password 'kyso-owner' "
                "(modify=none). Must open without a password and be processed normally.", None,
                "owner-password-only encryption (must open)")

    with open(os.path.join(BROKEN, "notes.txt"), "w", encoding="utf-8") as f:
        f.write("Ghi chú: tệp văn bản thuần, không phải tài liệu được hỗ trợ.\n")
    broken("notes.txt", "unknown", "unsupported_format", "Plain UTF-8 text file.", "unsupported file type")

    rnd = np.random.default_rng(7).integers(0, 256, size=4096, dtype=np.uint8).tobytes()
    rnd = b"\x00\x13" + rnd[2:]        # make sure it does not start with any known magic
    open(os.path.join(BROKEN, "random.bin"), "wb").write(rnd)
    broken("random.bin", "unknown", "unsupported_format", "4096 random bytes (seed 7).", "random bytes")

    hidden = os.path.join(CORPUS, ".hidden.pdf")
    shutil.copy(src, hidden)
    t = dict(base_truth)
    t["file"] = ".hidden.pdf"
    t["notes"] = ("Hidden file (dot-prefixed), byte-identical copy of bd-unsigned.pdf. kyso must skip it by "
                  "default; if hidden files are explicitly included it behaves like bd-unsigned.pdf.")
    with open(hidden + ".truth.json", "w", encoding="utf-8") as f:
        json.dump(t, f, ensure_ascii=False, indent=2, sort_keys=True)
        f.write("\n")
    MANIFEST.append((".hidden.pdf", "hidden file: must be skipped by default", "(skipped)", None))


def write_manifest():
    lines = ["# kyso test corpus", "",
             "Generated by `testdata/generate/generate.py` — do not edit by hand. Every fixture has a "
             "`<file>.truth.json` beside it (format described in `testdata/generate/README.md`).", "",
             "| File | Tests | Expected verdict | Expected error |", "|---|---|---|---|"]
    for f, what, verdict, err in MANIFEST:
        lines.append(f"| `{f}` | {what} | `{verdict}` | {('`' + err + '`') if err else '—'} |")
    lines.append("")
    with open(os.path.join(CORPUS, "MANIFEST.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


def main():
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    docs.register_fonts()
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    os.makedirs(CORPUS)
    paths = pki.build(PKI_DIR)
    born_digital(paths)
    appearance.make(sys.modules[__name__], paths)
    scanned_fixtures(paths)
    broken_fixtures()
    write_manifest()
    shutil.rmtree(WORK, ignore_errors=True)
    print(run("du", "-sh", TESTDATA).strip())


if __name__ == "__main__":
    main()
