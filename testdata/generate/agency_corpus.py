#!/usr/bin/env python3
"""Layout-variety corpus (issue 15, item 6): Vietnamese administrative documents from 16
issuing agencies whose headers vary as real ones do, each with `<file>.truth.json`.

    python3 agency_corpus.py --fixtures               # testdata/agencies/ (committed; tests read it)
    python3 agency_corpus.py OUT_DIR [--count N] [--seed S] [--without-libreoffice]   # bench corpus
    python3 agency_corpus.py OUT_DIR --scans [--count N] [--seed S]   # degraded-scan OCR bench corpus

Deterministic for a seed: the plan and every document come from numpy default_rng (document i
from default_rng([seed, i])), reportlab runs with invariant=1, img2pdf with nodate, LibreOffice's
PDFs get their dates set to the issue date and a content-derived ID. Not byte-stable: pyHanko
signatures (signing time) and keys that pki.ensure() had to issue.

What varies, and in which proportions (a plan spreads each choice over the documents by largest
remainder and shuffles it, so the shares hold exactly, not just on average):

Agencies: the 16 of headers.AGENCIES, n/16 documents each (±1). Per agency, its symbols (doc
types), agency-name wraps (1, 2 or 3 lines) and parent-line forms are taken in turn.
Born-digital / scanned: fixtures 40 / 22 of 62; bench 50 % / 50 %.
Renderer: header as two drawn columns (reportlab) or as a borderless 2-column Word table
(python-docx, converted by LibreOffice): fixtures 12 of 40 born-digital and 3 of 22 scanned
through LibreOffice; bench 30 % of born-digital and 20 % of scanned.
Header layout (all documents): rule under the agency drawn 45 %, none 30 % (the number line then
sits right under the agency block), typed "____" 15 %, typed "————" 10 %; rule under the motto
drawn 60 %, none 20 %, typed "____" 12 %, typed "————" 8 %; motto column offset 0 lines 50 %,
+1 20 %, +2 15 %, -1 15 %; date line placed on the number's baseline 50 % (possible only when
the columns allow it: the truth records what the PDF shows, `number_date:same_baseline` or
`number_date:own_baseline`) or flowing under the motto 50 %.
Signer block: authority "TM." 30 %, "KT." 35 %, "TL." 15 %, none 20 % asked for; an agency uses
what it has for the doc type (no "TL." on decisions, resolutions, circulars, submissions).
Công văn: "V/v" subject of 1-2 lines under the number; Kính gửi on one line 40 %, a "- " list
under the label 35 %, the list starting on the label's line 25 %. Tờ trình: Kính gửi on one line.
Number with the year ("56/2022/TT-BTC"): every THÔNG TƯ, about half the NGHỊ QUYẾT and a
quarter of the UBND decisions (drawn per document). Every month zero-padded ("tháng 08") in
12 % of documents (Decree 30 pads only days < 10 and months 1-2).
Dates: 2019-01-01 .. 2024-12-28 uniform, 4 % in January-February 2025 (before the 2025 mergers,
so the names are right for their time).
Pages (aimed at by the number of body paragraphs; the truth holds the real count): born-digital
1/2/3 pages 50/30/20 %; scanned fixtures 77/14/9 %, scanned bench 50/30/20 %.

Scans (each page rasterised by pdftoppm, then scan.simulate: red seal and blue handwritten
signature on the last page, skew, blur, noise):
Colour: bench gray 60 %, RGB 25 %, bilevel 15 %; fixtures gray 50 %, bilevel 36 %, RGB 14 %
(bilevel G4 pages are a tenth of a gray JPEG's size, which keeps the fixtures under 9 MB).
Resolution: bench 200 / 300 dpi 50/50; fixtures 200 dpi, bilevel half at 300 dpi.
Skew: uniform in [-3°, +3°], one per document. Turned pages (90/180/270°, taken in turn): 5 % of
scanned pages (at least two). Slight perspective (corners moved up to 0.8 %): 10 % of scans.
Noise: light (σ 2, blur 0.5) / medium (σ 4.5, blur 0.8, dust) / heavy (σ 8, blur 1.2, dust,
paper texture): bench 40/40/20 % in every colour mode; fixtures light only for gray and RGB
(JPEG size), 40/40/20 % for bilevel.
JPEG quality uniform in [55, 85] (bench), [58, 62] (fixtures).
Containers (shares aimed at, within what each document allows): bench PDF 50 %, multi-page
TIFF 20 %, JPEG 18 %, PNG 12 %; fixtures PDF 50 %, TIFF 15 %, JPEG 20 %, PNG 15 %. PNG and JPEG
hold one-page documents only; JPEG is never bilevel; PNG is bilevel (1-bit) or, in the bench,
gray; fixture TIFFs are bilevel or gray. Bilevel pages are CCITT G4 in PDF and TIFF; gray and
RGB pages are JPEG in PDF (img2pdf) and in TIFF (compression 7). Signed scans are PDFs.

Signatures (pyHanko, as signing.py): 8 documents when N >= 32 (fewer below): 3 born-digital
with a personal then an organisation signature (fully_signed), 3 born-digital with the
organisation's only (org_signed_only), 2 scans with the organisation's (scanned_org_signed).
Two certificates spell the organisation unlike the header ("UBND Thành phố Hà Nội",
"So Ke hoach va Dau tu TP.HCM"). Certificates: testdata/pki/, added by pki.ensure().

Degraded-scan OCR bench (--scans, benches/degraded_bench.sh; issue 17): 84 documents (seed 17),
every one scanned, with the bench's shares above for colour, resolution, noise, JPEG quality,
pages, containers, turned pages and perspective; the two scanned signed documents; reportlab
only. Its truths add, per page, `page_texts` (the strings drawn, in reading order by blocks: the
page number, the header's agency column with number and V/v, its motto column with the date,
the title, subject, Kính gửi and body, then Nơi nhận and its list, then the signer block; one
string a line, blocks separated by an empty line) and `page_marks` ({seals, signatures}: the
boxes of the seal and the hand signature scan.simulate stamped, moved with the perspective and
the page's turn, in the pixels of the stored page). Other reportlab scans get them too.

Self-checks (asserting): every truth line of every born-digital PDF and of every scan's source
PDF is in `pdftotext -layout`'s output; the number, date and signer lines are found with
`pdftotext -bbox`; each signature validates (pyHanko) with the roles the verdict implies; image
encodings are what the truth says (`pdfimages -list`, PIL); with --fixtures, all 16 agencies
have >= 3 documents, each header variant occurs >= 3 times and testdata/agencies/ is <= 9 MB.
"""
import argparse
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
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import agency_render as AR  # noqa: E402
import docs  # noqa: E402
import headers as H  # noqa: E402
import pki  # noqa: E402
import scan  # noqa: E402
import signing  # noqa: E402

TESTDATA = os.path.dirname(HERE)
FIXTURES = os.path.join(TESTDATA, "agencies")
PKI_DIR = os.path.join(TESTDATA, "pki")
FIXTURE_BUDGET = 9 * 1024 * 1024

PROFILES = {
    "fixtures": dict(
        count=62, seed=15, born_digital=40 / 62, lo_born=0.3, lo_scan=0.15,
        pages_born={1: 0.5, 2: 0.3, 3: 0.2}, pages_scan={1: 0.77, 2: 0.14, 3: 0.09},
        colour={"gray": 0.5, "bilevel": 0.36, "rgb": 0.14},
        dpi={"gray": {200: 1.0}, "rgb": {200: 1.0}, "bilevel": {200: 0.5, 300: 0.5}},
        jpeg_q=(58, 62),
        noise={"gray": {"light": 1.0}, "rgb": {"light": 1.0},
               "bilevel": {"light": 0.4, "medium": 0.4, "heavy": 0.2}},
        container={"pdf": 0.5, "tiff": 0.15, "jpeg": 0.2, "png": 0.15}, png_colours=("bilevel",),
        tiff_colours=("bilevel", "gray")),
    "bench": dict(
        count=72, seed=2020, born_digital=0.5, lo_born=0.3, lo_scan=0.2,
        pages_born={1: 0.5, 2: 0.3, 3: 0.2}, pages_scan={1: 0.5, 2: 0.3, 3: 0.2},
        colour={"gray": 0.6, "rgb": 0.25, "bilevel": 0.15},
        dpi={c: {200: 0.5, 300: 0.5} for c in ("gray", "rgb", "bilevel")},
        jpeg_q=(55, 85), noise={c: {"light": 0.4, "medium": 0.4, "heavy": 0.2} for c in ("gray", "rgb", "bilevel")},
        container={"pdf": 0.5, "tiff": 0.2, "jpeg": 0.18, "png": 0.12}, png_colours=("bilevel", "gray"),
        tiff_colours=("bilevel", "gray", "rgb")),
}
# The degraded-scan OCR bench (issue 17): a paper backlog, so every document is a scan, in the
# bench's proportions of colour, resolution, noise, pages, turned pages and perspective. Drawn
# by reportlab only: its renderer knows which block every string belongs to, which gives each
# page's text in reading order (`page_texts`); LibreOffice's layout is not known string by string.
PROFILES["scans"] = dict(PROFILES["bench"], count=84, seed=17, born_digital=0.0, lo_born=0.0, lo_scan=0.0)
LAYOUT = dict(
    agency_rule={"line": 0.45, "none": 0.30, "typed_underscore": 0.15, "typed_dash": 0.10},
    motto_rule={"line": 0.60, "none": 0.20, "typed_underscore": 0.12, "typed_dash": 0.08},
    motto_offset={0: 0.5, 1: 0.2, 2: 0.15, -1: 0.15},
    date_align={"number": 0.5, "flow": 0.5},
    auth_pref={"TM.": 0.30, "KT.": 0.35, "TL.": 0.15, None: 0.20},
    pad_month={True: 0.12, False: 0.88},
)
KINH_GUI = {"single": 0.4, "list": 0.35, "list_inline": 0.25}
NOISE = {"light": dict(noise_sigma=2.0, blur=0.5),
         "medium": dict(noise_sigma=4.5, blur=0.8, speckles=60),
         "heavy": dict(noise_sigma=8.0, blur=1.2, speckles=250, texture=6.0)}
ROTATION_SHARE, PERSPECTIVE_SHARE = 0.05, 0.10

# The signed documents: agency, origin, renderer, certificates (personal first), forced signer.
SIGNED = [
    dict(agency="uy-ban-nhan-dan/bac-giang", origin="born_digital", renderer="reportlab",
         certs=["personal-nguyen-van-an", "org-ubnd-bac-giang"], signer="Nguyễn Văn An", auth="TM."),
    dict(agency="so-y-te/ha-nam", origin="born_digital", renderer="libreoffice",
         certs=["personal-tran-thi-thu-ha", "org-so-y-te-ha-nam"], signer="Trần Thị Thu Hà", auth="KT."),
    dict(agency="bo-tai-chinh", origin="born_digital", renderer="reportlab",
         certs=["personal-pham-minh-tuan", "org-bo-tai-chinh"], signer="Phạm Minh Tuấn", auth="KT."),
    dict(agency="so-tai-chinh/bac-giang", origin="born_digital", renderer="reportlab",
         certs=["org-so-tai-chinh-bac-giang"]),
    dict(agency="uy-ban-nhan-dan/ha-noi", origin="born_digital", renderer="libreoffice",
         certs=["org-ubnd-ha-noi"], o_differs=True),
    dict(agency="so-thong-tin-va-truyen-thong/hai-phong", origin="born_digital", renderer="reportlab",
         certs=["org-so-thong-tin-va-truyen-thong-hai-phong"]),
    dict(agency="so-ke-hoach-va-dau-tu/ho-chi-minh", origin="scanned", renderer="reportlab",
         certs=["org-so-ke-hoach-va-dau-tu-ho-chi-minh"], o_differs=True),
    dict(agency="so-noi-vu/da-nang", origin="scanned", renderer="reportlab", certs=["org-so-noi-vu-da-nang"]),
]
EXISTING_CERTS = ("personal-nguyen-van-an", "org-ubnd-bac-giang", "org-so-tai-chinh-bac-giang")


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def pdf_pages(pdf):
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", pdf)).group(1))


def spread(n, weights, rng):
    """n values in the weights' proportions (largest remainder), shuffled."""
    keys = list(weights)
    w = np.array([weights[k] for k in keys], dtype=float)
    raw = w / w.sum() * n
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    out = [k for k, c in zip(keys, counts) for _ in range(int(c))]
    rng.shuffle(out)
    return out


# --------------------------------------------------------------------------------------------
# Plan
# --------------------------------------------------------------------------------------------
def plan(n, prof, seed, with_lo=True):
    """The choices of every document (list of dicts), deterministic for (n, prof, seed)."""
    rng = np.random.default_rng(seed)
    signed = SIGNED[: min(len(SIGNED), n // 4)]
    if prof["born_digital"] == 0:
        signed = [s for s in SIGNED if s["origin"] == "scanned"]
    keys = [a["key"] for a in H.AGENCIES]
    order = list(keys)
    rng.shuffle(order)
    quota = {k: n // 16 + (1 if i < n % 16 else 0) for i, k in enumerate(order)}
    items = []
    for s in signed:
        items.append(dict(agency=s["agency"], origin=s["origin"], renderer=s["renderer"], sign=s))
        quota[s["agency"]] -= 1
    rest = [k for k in keys for _ in range(max(0, quota[k]))]
    rest = rest[: n - len(items)]
    rng.shuffle(rest)
    n_bd = round(n * prof["born_digital"])
    bd_left = n_bd - sum(1 for it in items if it["origin"] == "born_digital")
    origins = spread(len(rest), {"born_digital": bd_left, "scanned": len(rest) - bd_left}, rng)
    items += [dict(agency=k, origin=o, renderer=None, sign=None) for k, o in zip(rest, origins)]
    for origin, share in (("born_digital", prof["lo_born"]), ("scanned", prof["lo_scan"])):
        group = [it for it in items if it["origin"] == origin]
        lo = round(len(group) * share) - sum(1 for it in group if it["renderer"] == "libreoffice")
        free = [it for it in group if it["renderer"] is None]
        for it, r in zip(free, spread(len(free), {"libreoffice": max(0, lo), "reportlab": len(free) - max(0, lo)},
                                      rng)):
            it["renderer"] = r
    perm = rng.permutation(len(items))
    items = [items[i] for i in perm]
    if not with_lo:
        for it in items:
            it["renderer"] = "reportlab"

    # per agency: symbols, wraps and parent forms in turn
    seen = {}
    for it in items:
        a = H.BY_KEY[it["agency"]]
        c = seen.get(a["key"], 0)
        seen[a["key"]] = c + 1
        it["symbol"] = a["symbols"][c % len(a["symbols"])]
        it["wrap"] = c % len(a["wraps"])
        it["parent_form"] = a["parents"][c % len(a["parents"])]
    for dim, w in LAYOUT.items():
        for it, v in zip(items, spread(n, w, rng)):
            it[dim] = v
    cv = [it for it in items if H.doc_type_of(it["symbol"]) is None]
    for it, v in zip(cv, spread(len(cv), KINH_GUI, rng)):
        it["kinh_gui"] = v
    for it in items:
        it.setdefault("kinh_gui", None)
        s = it["symbol"].split("-")[0]
        it["with_year"] = (s == "TT" or (s == "NQ" and rng.random() < 0.5)
                           or (it["symbol"] == "QĐ-UBND" and rng.random() < 0.25))
        if rng.random() < 0.04:
            y, m = 2025, int(rng.integers(1, 3))
        else:
            y, m = int(rng.integers(2019, 2025)), int(rng.integers(1, 13))
        it["date"] = (y, m, int(rng.integers(1, 29)))
        if it["sign"]:
            it["signer"] = it["sign"].get("signer")
            if it["sign"].get("auth"):
                it["auth_pref"] = it["sign"]["auth"]
    for origin, key in (("born_digital", "pages_born"), ("scanned", "pages_scan")):
        group = [it for it in items if it["origin"] == origin]
        for it, p in zip(group, spread(len(group), prof[key], rng)):
            it["pages_target"] = p

    # scans
    sc = [it for it in items if it["origin"] == "scanned"]
    for it, c in zip(sc, spread(len(sc), prof["colour"], rng)):
        it["colour"] = c
    for c in prof["colour"]:
        group = [it for it in sc if it["colour"] == c]
        for it, d in zip(group, spread(len(group), prof["dpi"][c], rng)):
            it["dpi"] = d
    for c in prof["colour"]:
        group = [it for it in sc if it["colour"] == c]
        for it, lv in zip(group, spread(len(group), prof["noise"][c], rng)):
            it["noise"] = lv
    for it in sc:
        it["skew"] = round(float(rng.uniform(-3, 3)), 2)
        lo, hi = prof["jpeg_q"]
        it["jpeg_q"] = int(rng.integers(lo, hi + 1))
        it["perspective"] = False
        it["turns"] = {}
    for it in rng.permutation(len(sc))[: max(1, round(len(sc) * PERSPECTIVE_SHARE))] if sc else []:
        sc[it]["perspective"] = True
    _containers(sc, prof, rng)
    pages = [(i, p) for i, it in enumerate(sc) for p in range(it["pages_target"])]
    if pages:
        k = max(min(2, len(pages)), round(len(pages) * ROTATION_SHARE))
        for j, idx in enumerate(rng.permutation(len(pages))[:k]):
            i, p = pages[idx]
            sc[i]["turns"][p] = (90, 180, 270)[j % 3]
    return items


def _containers(sc, prof, rng):
    """Containers by deficit against the profile's shares, most constrained documents first."""
    want = {k: v * len(sc) for k, v in prof["container"].items()}
    got = {k: 0 for k in want}

    def allowed(it):
        if it["sign"]:
            return ["pdf"]
        ok = ["pdf"] + (["tiff"] if it["colour"] in prof["tiff_colours"] else [])
        if it["pages_target"] == 1:
            if it["colour"] != "bilevel":
                ok.append("jpeg")
            if it["colour"] in prof["png_colours"]:
                ok.append("png")
        return ok

    for it in sorted(sc, key=lambda it: (len(allowed(it)), float(rng.random()))):
        ok = allowed(it)
        best = max(ok, key=lambda k: (want[k] - got[k], -ok.index(k)))
        it["container"] = best
        got[best] += 1


# --------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------
def choose_filler(spec, target, rng, work):
    """The number of filler paragraphs that gives `target` pages with reportlab (a random one
    among those that do, so last pages are not all nearly empty); falls back to the nearest."""
    probe = os.path.join(work, "probe.pdf")
    counts = {}
    for k in range(0, 40):
        spec["filler"] = k
        counts[k] = AR.render_reportlab(spec, probe)
        if counts[k] > target:
            break
    good = [k for k, p in counts.items() if p == target]
    if not good:
        good = [min(counts, key=lambda k: (abs(counts[k] - target), k))]
    return good[int(rng.integers(len(good)))]


def name_of(i, it):
    slug = it["agency"].replace("/", ".")
    sym = H.fold(it["symbol"])
    return f"{i + 1:03d}-{'bd' if it['origin'] == 'born_digital' else 'scan'}-{slug}-{sym}"


def check_text(pdf, spec):
    """Every truth line, and the national title and motto, is in pdftotext -layout's output
    (whitespace collapsed): what the truth says was drawn, whole, in that PDF."""
    text = run("pdftotext", "-layout", pdf, "-")
    lines = [" ".join(ln.split()) for ln in text.splitlines()]
    for want in H.truth_lines(spec) + [H.NATIONAL, H.MOTTO]:
        w = " ".join(want.split())
        assert any(w in ln for ln in lines), f"{pdf}: truth line not in the text layer: {want!r}"


def perspective(img, rng, fill, boxes=()):
    """Move the corners by up to 0.8 % of the page: a sheet not quite flat on the glass. Returns
    the image and `boxes` ([x0, y0, x1, y1] in img's pixels) moved with it (their corners'
    bounding box)."""
    w, h = img.size
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    dst = [(x + float(rng.uniform(-0.008, 0.008)) * w, y + float(rng.uniform(-0.008, 0.008)) * h) for x, y in src]
    a = []
    for (x, y), (u, v) in zip(src, dst):     # coefficients map output (x, y) to input (u, v)
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    coeffs = np.linalg.solve(np.array(a, float), np.array([c for p in dst for c in p], float))
    out = img.transform((w, h), Image.PERSPECTIVE, tuple(coeffs), Image.BICUBIC, fillcolor=fill)
    inverse = np.linalg.inv(np.append(coeffs, 1.0).reshape(3, 3))   # input (u, v) -> output (x, y)
    moved = []
    for x0, y0, x1, y1 in boxes:
        pts = [inverse @ np.array([u, v, 1.0]) for u, v in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
        xs, ys = [p[0] / p[2] for p in pts], [p[1] / p[2] for p in pts]
        moved.append([max(0, int(min(xs))), max(0, int(min(ys))), min(w, int(round(max(xs)))),
                      min(h, int(round(max(ys))))])
    return out, moved


def turned_box(box, turn, w, h):
    """`box` on a w x h page after PIL's rotate(turn, expand=True) (counter-clockwise)."""
    x0, y0, x1, y1 = box
    if turn == 90:
        return [y0, w - x1, y1, w - x0]
    if turn == 180:
        return [w - x1, h - y1, w - x0, h - y0]
    if turn == 270:
        return [h - y1, x0, h - y0, x1]
    return list(box)


def page_texts(page_blocks):
    """Each page's text in reading order (agency_render.READING_ORDER): a block's strings one a
    line, blocks separated by an empty line."""
    out = []
    for blocks in page_blocks:
        parts = []
        for name in AR.READING_ORDER:
            lines = [t for b, t in blocks if b == name]
            if lines:
                parts.append("\n".join(lines))
        unknown = [t for b, t in blocks if b not in AR.READING_ORDER]
        assert not unknown, f"strings drawn outside any block: {unknown}"
        out.append("\n\n".join(parts))
    return out


def scan_pages(src, npages, it, a, sig, rng):
    """Rasterise + degrade every page; returns PIL images in the document's colour mode and, per
    page, the boxes of the seal and the hand signature stamped on it, in that image's pixels."""
    out, marks = [], []
    for p in range(npages):
        raster = scan.rasterize(src, p, it["dpi"])
        img, seals, signs = scan.simulate(raster, it["dpi"], sig if p == npages - 1 else None, a["seal"], rng,
                                          skew_deg=it["skew"], **NOISE[it["noise"]])
        boxes = [m["bbox"] for m in seals + signs]
        if it["perspective"]:
            img, boxes = perspective(img, rng, tuple(int(v) for v in scan.PAPER), boxes)
        if it["colour"] == "gray":
            img = img.convert("L")
        elif it["colour"] == "bilevel":
            img = scan.to_bilevel(img)
        turn = it["turns"].get(p)
        if turn:
            boxes = [turned_box(b, turn, *img.size) for b in boxes]
            img = img.rotate(turn, expand=True)    # counter-clockwise: upright needs `turn` clockwise
        out.append(img)
        marks.append(dict(seals=boxes[:len(seals)], signatures=boxes[len(seals):]))
    return out, marks


def save_scan(imgs, it, out, work):
    """Write the pages into the planned container; returns (format, encoding)."""
    dpi, q, c = it["dpi"], it["jpeg_q"], it["container"]
    base = os.path.join(work, os.path.basename(out))
    if c == "pdf":
        files = []
        for i, img in enumerate(imgs):
            if it["colour"] == "bilevel":
                f = f"{base}-{i}.tif"
                img.save(f, compression="group4", dpi=(dpi, dpi))
            else:
                f = f"{base}-{i}.jpg"
                img.save(f, quality=q, dpi=(dpi, dpi), optimize=True)
            files.append(f)
        with open(out, "wb") as o:
            o.write(img2pdf.convert(files, nodate=True, engine=img2pdf.Engine.internal))
        enc = "ccitt" if it["colour"] == "bilevel" else "jpeg"
        lst = run("pdfimages", "-list", out).strip().splitlines()[2:]
        assert len(lst) == len(imgs) and all(ln.split()[8] == enc for ln in lst), (out, lst)
        return "pdf", "ccitt_g4" if enc == "ccitt" else "jpeg"
    if c == "tiff":
        kw = dict(compression="group4") if it["colour"] == "bilevel" else dict(compression="jpeg", quality=q)
        imgs[0].save(out, save_all=True, append_images=imgs[1:], dpi=(dpi, dpi), **kw,
                     tiffinfo={305: "kyso agency corpus (simulated scan)"})
        with Image.open(out) as chk:
            assert chk.n_frames == len(imgs), out
            want = "group4" if it["colour"] == "bilevel" else "jpeg"
            assert chk.info.get("compression") == want, (out, chk.info.get("compression"))
        return "tiff", "ccitt_g4" if it["colour"] == "bilevel" else "jpeg"
    assert len(imgs) == 1, (out, c)
    if c == "jpeg":
        imgs[0].save(out, quality=q, dpi=(dpi, dpi), optimize=True)
        return "jpeg", "jpeg"
    imgs[0].save(out, dpi=(dpi, dpi), optimize=True)
    return "png", "png"


def sign_pdf(src, out, it, certs, root, place):
    tmp = src
    for i, name in enumerate(it["sign"]["certs"]):
        c = certs[name]
        field = "SigPersonal" if c["role"] == "personal" else "SigOrg"
        dst = out if i == len(it["sign"]["certs"]) - 1 else out + f".{i}.tmp"
        reason = "Ký ban hành văn bản" if field == "SigPersonal" else (
            "Sao y bản chính" if it["origin"] == "scanned" else "Đóng dấu cơ quan")
        signing.sign(tmp, dst, field, c["key"], c["cert"], root, reason=reason, location=place)
        if tmp != src:
            os.remove(tmp)
        tmp = dst
    sigs = signing.validate(out, root)
    assert sigs and all(s["bottom_line"] and not s["modified_after_signing"] for s in sigs), sigs
    return sigs


def verdict(origin, sigs):
    roles = {s["role"] for s in sigs}
    if origin == "scanned":
        assert roles <= {"organisation"}
        return "scanned_org_signed" if roles else "scanned_unsigned"
    if roles == {"personal", "organisation"}:
        return "fully_signed"
    assert roles <= {"organisation"}
    return "org_signed_only" if roles else "unsigned"


def generate(out_dir, prof, n, seed, with_lo=True):
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    docs.register_fonts()
    work = tempfile.mkdtemp(prefix="kyso-agencies-")
    items = plan(n, prof, seed, with_lo)
    need = sorted({c for it in items if it["sign"] for c in it["sign"]["certs"]} - set(EXISTING_CERTS))
    certs = pki.ensure(PKI_DIR, need) if need else {}
    for name in EXISTING_CERTS:
        certs[name] = {"cert": os.path.join(PKI_DIR, f"{name}.cert.pem"),
                       "key": os.path.join(PKI_DIR, f"{name}.key.pem"),
                       "role": pki.LEAVES[name][1]}
    root = os.path.join(PKI_DIR, "root-ca.cert.pem")

    # 1. specs, page counts, .docx files
    specs = []
    for i, it in enumerate(items):
        rng = np.random.default_rng([seed, i])
        a = H.BY_KEY[it["agency"]]
        spec = H.make_spec(a, it, rng)
        spec["filler"] = choose_filler(spec, it["pages_target"], rng, work)
        spec["rng"] = rng
        specs.append(spec)
    lo = [(i, s) for i, s in enumerate(specs) if s["renderer"] == "libreoffice"]
    lo_pdf = {}
    if lo:
        paths = []
        for i, s in lo:
            p = os.path.join(work, name_of(i, items[i]) + ".docx")
            AR.build_docx(s, p)
            paths.append(p)
        print(f"LibreOffice: converting {len(paths)} documents", file=sys.stderr)
        for (i, s), pdf in zip(lo, AR.libreoffice_pdf(paths, os.path.join(work, "lo"))):
            lo_pdf[i] = pdf

    # 2. render, scan, sign, truth
    os.makedirs(out_dir, exist_ok=True)
    truths = []
    for i, (it, spec) in enumerate(zip(items, specs)):
        a = H.BY_KEY[it["agency"]]
        rng = spec.pop("rng")
        name = name_of(i, it)
        src = os.path.join(work, name + ".src.pdf")
        blocks = []
        if spec["renderer"] == "libreoffice":
            AR.normalise_lo_pdf(lo_pdf[i], src, spec["date"])
        else:
            AR.render_reportlab(spec, src, blocks)
        npages = pdf_pages(src)
        check_text(src, spec)
        sig, same = AR.measure(spec, src, npages)
        tags = list(spec["tags"]) + ["number_date:same_baseline" if same else "number_date:own_baseline"]
        sigs = []
        if it["origin"] == "born_digital":
            out = os.path.join(out_dir, name + ".pdf")
            if it["sign"]:
                sigs = sign_pdf(src, out, it, certs, root, spec["place"])
            else:
                shutil.copy(src, out)
            fmt, enc = "pdf", None
            scan_info = dict(dpi=None, colour=None, skew_deg=0.0, rotation=0, page_rotations=[0] * npages,
                             perspective=False, noise=None, jpeg_quality=None)
        else:
            ext = {"pdf": "pdf", "tiff": "tif", "jpeg": "jpg", "png": "png"}[it["container"]]
            out = os.path.join(out_dir, f"{name}.{ext}")
            imgs, marks = scan_pages(src, npages, it, a, sig, rng)
            if len(imgs) > 1 and it["container"] in ("jpeg", "png"):
                it["container"] = "pdf"      # LibreOffice broke the page differently than planned
                out = os.path.join(out_dir, f"{name}.pdf")
            if it["sign"]:
                raw = os.path.join(work, name + ".scan.pdf")
                fmt, enc = save_scan(imgs, it, raw, work)
                sigs = sign_pdf(raw, out, it, certs, root, spec["place"])
            else:
                fmt, enc = save_scan(imgs, it, out, work)
            turns = [it["turns"].get(p, 0) for p in range(npages)]
            scan_info = dict(dpi=it["dpi"], colour=it["colour"], skew_deg=it["skew"],
                             rotation=max(turns), page_rotations=turns, perspective=it["perspective"],
                             noise=it["noise"], jpeg_quality=it["jpeg_q"] if enc == "jpeg" else None,
                             page_marks=marks)
            if it["perspective"]:
                tags.append("scan:perspective")
            if any(turns):
                tags.append("scan:turned_page")
        v = verdict(it["origin"], sigs)
        notes = []
        if it["sign"] and it["sign"].get("o_differs"):
            o = sigs[-1]["signer_o"]
            notes.append(f"The organisation certificate's O is spelled {o!r}, unlike the printed header "
                         f"{' / '.join(spec['parent_lines'] + spec['agency_lines'])!r}.")
            tags.append("certificate_o:spelled_differently")
        if blocks:
            assert len(blocks) == npages, (name, len(blocks), npages)
            scan_info["page_texts"] = page_texts(blocks)
        truth = dict(file=os.path.basename(out), format=fmt, encoding=enc, origin=it["origin"], pages=npages,
                     **scan_info, verdict=v, agency_key=a["key"], agency_name=a["name"], province=a["province"],
                     header_variant=sorted(set(tags)), metadata=H.metadata(spec), signatures=sigs,
                     notes=" ".join(notes) or None)
        with open(out + ".truth.json", "w", encoding="utf-8") as f:
            json.dump(truth, f, ensure_ascii=False, indent=2, sort_keys=True)
            f.write("\n")
        truths.append(truth)
        print(f"{truth['file']}: {npages} p, {v}", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    return truths


# --------------------------------------------------------------------------------------------
# Summary, manifest
# --------------------------------------------------------------------------------------------
def counts(truths, key):
    out = {}
    for t in truths:
        vals = key(t)
        for v in (vals if isinstance(vals, list) else [vals]):
            out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: str(kv[0])))


def summary(truths, out_dir):
    def show(title, c):
        print(f"{title}:")
        for k, v in c.items():
            print(f"  {v:4d}  {k}")
    print(f"{len(truths)} documents in {out_dir}")
    show("agencies", counts(truths, lambda t: t["agency_key"]))
    show("origins", counts(truths, lambda t: t["origin"]))
    show("formats", counts(truths, lambda t: f"{t['format']} ({t['encoding'] or 'text'})"))
    show("pages", counts(truths, lambda t: t["pages"]))
    show("doc types", counts(truths, lambda t: t["metadata"]["doc_type"]))
    show("verdicts", counts(truths, lambda t: t["verdict"]))
    sc = [t for t in truths if t["origin"] == "scanned"]
    show("scan colour", counts(sc, lambda t: t["colour"]))
    show("scan dpi", counts(sc, lambda t: t["dpi"]))
    show("scan noise", counts(sc, lambda t: t["noise"]))
    show("header variants", counts(truths, lambda t: t["header_variant"]))
    size = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
    print(f"size: {size / 1e6:.1f} MB")
    return size


def write_manifest(truths, out_dir):
    lines = ["# kyso layout-variety corpus (issue 15)", "",
             "Generated by `testdata/generate/agency_corpus.py --fixtures`; do not edit by hand. Every "
             "document has a `<file>.truth.json` beside it (format in `testdata/generate/README.md`, "
             "section \"Layout-variety corpus\").", "",
             "| File | Agency | Origin | Format | Pages | Verdict | Header variants |",
             "|---|---|---|---|---|---|---|"]
    for t in truths:
        fmt = t["format"] + (f", {t['colour']} {t['dpi']} dpi" if t["origin"] == "scanned" else "")
        var = ", ".join(v for v in t["header_variant"] if not v.startswith("renderer:"))
        lines.append(f"| `{t['file']}` | `{t['agency_key']}` | {t['origin']} | {fmt} | {t['pages']} | "
                     f"`{t['verdict']}` | {var} |")
    lines.append("")
    with open(os.path.join(out_dir, "MANIFEST.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def check_fixtures(truths, size):
    per_agency = counts(truths, lambda t: t["agency_key"])
    assert len(per_agency) == 16 and min(per_agency.values()) >= 3, per_agency
    variants = counts(truths, lambda t: t["header_variant"])
    wanted = ["agency_lines:1", "agency_lines:2", "agency_lines:3", "parent:ubnd-tinh",
              "parent:uy-ban-nhan-dan-tinh", "parent:ubnd-tp", "parent:ubnd-thanh-pho", "parent:none",
              "header:table_cells", "header:drawn_columns", "number_under_agency:tight", "agency_rule:line",
              "agency_rule:typed_underscore", "agency_rule:typed_dash", "motto_rule:line", "motto_rule:none",
              "motto_rule:typed_underscore", "motto_rule:typed_dash", "motto_offset:-1", "motto_offset:+0",
              "motto_offset:+1", "motto_offset:+2", "number_date:same_baseline", "number_date:own_baseline",
              "cong_van", "vv_lines:1", "vv_lines:2", "kinh_gui:single", "kinh_gui:list", "kinh_gui:list_inline",
              "authority:TM.", "authority:KT.", "authority:TL.", "authority:none"]
    low = {v: variants.get(v, 0) for v in wanted if variants.get(v, 0) < 3}
    assert not low, f"header variants occurring fewer than 3 times: {low}"
    types = counts(truths, lambda t: t["metadata"]["doc_type"])
    assert len(types) == 8, types
    assert set(counts(truths, lambda t: t["pages"])) == {1, 2, 3}
    lo = sum(1 for t in truths if "renderer:libreoffice" in t["header_variant"] and t["origin"] == "born_digital")
    assert lo >= 10, lo
    assert size <= FIXTURE_BUDGET, f"testdata/agencies is {size} bytes (budget {FIXTURE_BUDGET})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", nargs="?", help="where to write the bench corpus (outside the repo)")
    ap.add_argument("--fixtures", action="store_true", help="write the committed subset into testdata/agencies/")
    ap.add_argument("--scans", action="store_true",
                    help="the degraded-scan OCR bench corpus: every document scanned, reportlab only, "
                         "with each page's text (page_texts) and seal boxes (page_marks) in the truth")
    ap.add_argument("--count", type=int, help="number of documents (bench default 72)")
    ap.add_argument("--seed", type=int, help="seed (bench default 2020; fixtures 15)")
    ap.add_argument("--without-libreoffice", action="store_true",
                    help="draw the table-cell documents with reportlab too (when LibreOffice is missing)")
    args = ap.parse_args()
    if args.fixtures == bool(args.out_dir):
        ap.error("give either --fixtures or OUT_DIR")
    if args.fixtures and args.scans:
        ap.error("--scans makes a bench corpus: give OUT_DIR, not --fixtures")
    prof = PROFILES["fixtures" if args.fixtures else "scans" if args.scans else "bench"]
    n = args.count or prof["count"]
    seed = prof["seed"] if args.seed is None else args.seed
    if args.fixtures:
        if args.count or args.seed is not None or args.without_libreoffice:
            ap.error("--fixtures takes no --count, --seed or --without-libreoffice (the tests expect its set)")
        out_dir = FIXTURES
        if os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
    else:
        out_dir = args.out_dir
    truths = generate(out_dir, prof, n, seed, with_lo=not args.without_libreoffice)
    if args.fixtures:
        write_manifest(truths, out_dir)
    size = summary(truths, out_dir)
    if args.fixtures:
        check_fixtures(truths, size)


if __name__ == "__main__":
    main()
