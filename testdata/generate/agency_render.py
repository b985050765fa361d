"""Draws a headers.py spec as a PDF, two ways:

* render_reportlab(): the header as two centred columns drawn with reportlab (docs.Renderer);
* build_docx() + libreoffice_pdf(): a .docx made with python-docx whose header is a borderless
  two-column table (left cell 45 %, each cell's lines top-aligned in it, as Word documents set
  it), converted by LibreOffice, so that the text layer is the one an office suite writes.

Both honour the spec's layout choices (rules drawn or typed, motto column offset, number and
date on one baseline or not, Kính gửi forms, signer block). measure() reads back from the PDF
what the layout really became (is the date on the number's baseline? where is the signer's
name, for the seal and the handwriting of a scan?).
"""
import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

import docs
import headers as H

R, B, I, BI = docs.R, docs.B, docs.I, docs.BI
PAGE_W, PAGE_H = docs.PAGE_W, docs.PAGE_H
HEAD_X0, HEAD_W = 18 * mm, 174 * mm          # header band: left cell 45 %, right cell 55 %
LEFT_W = HEAD_W * 0.45
STEP = 15                                     # header line step (points)
TYPED = {"typed_underscore": "_", "typed_dash": "\u2014"}


def typed_rule(kind, width, size):
    """'______' or '————' about `width` points wide, as typists type a rule."""
    ch = TYPED[kind]
    n = max(4, int(width / pdfmetrics.stringWidth(ch, R, size)))
    return ch * n


# --------------------------------------------------------------------------------------------
# reportlab
# --------------------------------------------------------------------------------------------
# The blocks of a Decree 30 page in reading order: the header's left column (agency, number,
# V/v), its right column (national title, motto, date), the title, subject, Kính gửi and body,
# then the foot's left column (Nơi nhận) and its right column (the signer block). Page numbers
# (from page 2 on) stand at the top.
READING_ORDER = ("page_number", "agency", "motto", "body", "recipients", "signer")


def render_reportlab(spec, path, page_blocks=None):
    """Draw `spec` into `path`; returns the number of pages. With a list `page_blocks`, appends
    to it, per page, the strings drawn as (block, text) pairs, block from READING_ORDER."""
    L = spec["layout"]
    r = docs.Renderer(path)
    r.block = "agency"
    r.c.setCreator("kyso agency corpus generator")
    top = r.y
    lcx = HEAD_X0 + LEFT_W / 2 + L["shift"]
    rcx = HEAD_X0 + LEFT_W + (HEAD_W - LEFT_W) / 2 + L["shift"] / 2
    off = L["motto_offset"]
    # ---- left column: parent, agency, rule, number, V/v
    y = top - 12 - max(0, -off) * STEP
    for ln in spec["parent_lines"]:
        r.text_c(ln, lcx, y, R, L["parent_size"])
        y -= STEP
    for ln in spec["agency_lines"]:
        r.text_c(ln, lcx, y, B, L["agency_size"])
        y -= STEP
    aw = max(pdfmetrics.stringWidth(ln, B, L["agency_size"]) for ln in spec["agency_lines"])
    rule = L["agency_rule"]
    if rule == "line":
        r.rule(lcx, y + 9, aw * L["rule_frac"] + 20)
        y -= 8
    elif rule in TYPED:
        r.text_c(typed_rule(rule, aw * L["rule_frac"] + 20, 12), lcx, y + 6, R, 12)
        y -= 12
    num_y = y
    # ---- right column: national title, motto, rule
    r.block = "motto"
    y = top - 12 - max(0, off) * STEP
    r.text_c(H.NATIONAL, rcx, y, B, L["national_size"])
    y -= STEP
    r.text_c(H.MOTTO, rcx, y, B, 13)
    mw = pdfmetrics.stringWidth(H.MOTTO, B, 13)
    rule = L["motto_rule"]
    if rule == "line":
        r.rule(rcx, y - 4, mw)
        y -= 8
    elif rule in TYPED:
        r.text_c(typed_rule(rule, mw, 13), rcx, y - 9, R, 13)
        y -= 14
    date_y = y - STEP - 4
    if L["date_align"] == "number":    # as a 2-row table sets them: number and date on one line
        num_y = date_y = min(num_y, date_y)
    # ---- number, V/v (left), date (right)
    y = num_y
    r.block = "agency"
    r.text_c(spec["number_line"], lcx, num_y, R, 13)
    y -= STEP
    for ln in spec["vv_lines"]:
        r.text_c(ln, lcx, y, R, 12)
        y -= 14
    left_bottom = y
    r.block = "motto"
    r.text_c(spec["date_line"], rcx, date_y, I, L["date_size"])
    r.block = "body"
    r.y = min(left_bottom, date_y - STEP) - 14
    cx = (M_LEFT + PAGE_W - M_RIGHT) / 2
    if spec["doc_type"]:
        r.text_c(spec["doc_type"], cx, r.y, B, 14)
        r.y -= 17
        for ln in spec["subject_lines"]:
            r.text_c(ln, cx, r.y, B, 14)
            r.y -= 17
        r.y -= 4
        if L["agency_rule"] != "none":
            r.rule(cx, r.y + 10, 40 * mm)
        r.y -= 10
    _kinh_gui_reportlab(r, spec, L, cx)
    _body_reportlab(r, spec, L, cx)
    _signer_reportlab(r, spec, L)
    r.save()
    if page_blocks is not None:
        page_blocks.extend(p["blocks"] for p in r.pages)
    return len(r.pages)


M_LEFT, M_RIGHT = docs.M_LEFT, docs.M_RIGHT


def _kinh_gui_reportlab(r, spec, L, cx):
    if not spec["kinh_gui_lines"]:
        return
    size = 14 if L["body_size"] == 14 else 13
    r.y -= 4
    if spec["kinh_gui"] == "single":
        ln = spec["kinh_gui_lines"][0]
        s = H.fit_size(ln, R, H.TEXT_W, (size, 13, 12))
        r.text_c(ln, cx, r.y, R, s)
        r.y -= 20
        return
    items = ["- " + a for a in spec["addressees"]]
    iw = max(pdfmetrics.stringWidth(i, R, size) for i in items)
    label_w = pdfmetrics.stringWidth("Kính gửi:", R, size)
    ix = min(M_LEFT + 45 * mm, PAGE_W - M_RIGHT - iw)
    if spec["kinh_gui"] == "list":
        r.text("Kính gửi:", ix - label_w - 25 * mm if ix - label_w - 25 * mm > M_LEFT else M_LEFT, r.y, R, size)
        r.y -= size + 5
    else:      # list_inline: the first addressee on the label's line, the others under it
        r.text("Kính gửi:", ix - label_w - 4 * mm, r.y, R, size)
    for it in items:
        r.text(it, ix, r.y, R, size)
        r.y -= size + 5
    r.y -= 8


def _body_reportlab(r, spec, L, cx):
    size = L["body_size"]
    lead = size + 4
    cw = PAGE_W - M_LEFT - M_RIGHT
    for kind, txt in H.body(spec):
        if kind == "center":
            r.need(lead)
            r.text_c(txt, cx, r.y, B, 13)
            r.y -= lead + 5
            continue
        font = I if kind == "italic" else R
        lines = docs.wrap(txt, font, size, cw - docs.INDENT)
        first, rest = lines[0], " ".join(lines[1:])
        lines = [first] + (docs.wrap(rest, font, size, cw) if rest else [])
        for i, ln in enumerate(lines):
            r.need(lead)
            r.text(ln, M_LEFT + (docs.INDENT if i == 0 else 0), r.y, font, size)
            r.y -= lead
        r.y -= 5


def _signer_reportlab(r, spec, L):
    sig_lines = ([spec["authority_line"]] if spec["authority_line"] else []) + spec["title_lines"]
    block_h = max(16 * len(sig_lines) + docs.SIG_GAP + 20, 13 * (len(spec["recipients"]) + 1))
    r.need(block_h)
    y0 = r.y - 4
    y = y0
    r.block = "recipients"
    r.text("Nơi nhận:", M_LEFT - 8 * mm, y, BI, 12)
    y -= 13
    for rc in spec["recipients"]:
        r.text(f"- {rc}", M_LEFT - 8 * mm, y, R, 11)
        y -= 13
    y = y0
    r.block = "signer"
    scx = docs.SIG_CX + L["shift"]
    for ln in sig_lines:
        r.text_c(ln, scx, y, B, 13)
        y -= 16
    y -= docs.SIG_GAP
    r.text_c(spec["signer_name"], scx, y, B, 13)


# --------------------------------------------------------------------------------------------
# python-docx + LibreOffice
# --------------------------------------------------------------------------------------------
def _docx():
    import docx  # python-docx; imported here so that reportlab-only runs do not need it
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt
    return docx, WD_TABLE_ALIGNMENT, WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, OxmlElement, qn, Mm, Pt


def build_docx(spec, path):
    """A Word document of `spec`: header and signer block as borderless two-column tables."""
    docx, TA, AL, LS, OxmlElement, qn, Mm, Pt = _docx()
    L = spec["layout"]
    d = docx.Document()
    core = d.core_properties
    y, m, day = spec["date"]
    when = dt.datetime(y, m, day, 8, 30)
    core.author, core.last_modified_by, core.title, core.comments = "Văn thư", "Văn thư", "", ""
    core.created = core.modified = when
    core.revision = 1
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(20), Mm(20), Mm(30), Mm(20)
    sec.header_distance = Mm(10)
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    for att in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(att), "Times New Roman")
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.0

    def para(container, text, size, bold=False, italic=False, align="center", first=False, after=0,
             left=None, right=None, hanging=None, keep=False):
        p = container.paragraphs[0] if first else container.add_paragraph()
        p.alignment = {"center": AL.CENTER, "left": AL.LEFT, "justify": AL.JUSTIFY}[align]
        f = p.paragraph_format
        f.space_after = Pt(after)
        if left is not None:
            f.left_indent = left
        if right is not None:
            f.right_indent = right
        if hanging is not None:
            f.first_line_indent = -hanging
        if keep:
            f.keep_with_next = True
        parts = text if isinstance(text, list) else [text]
        for i, t in enumerate(parts):
            run = p.add_run(t)
            run.font.size = Pt(size)
            run.bold, run.italic = bold, italic
            if i < len(parts) - 1:
                run.add_break()
        return p

    def border_rule(container, width_pt, cell_w_pt, size=3):
        """An empty paragraph whose bottom border is the rule (a drawn line, centred)."""
        p = para(container, "", size)
        side = max(0.0, (cell_w_pt - width_pt) / 2)
        p.paragraph_format.left_indent = Pt(side)
        p.paragraph_format.right_indent = Pt(side)
        ppr = p._p.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        b = OxmlElement("w:bottom")
        for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
            b.set(qn(k), v)
        bdr.append(b)
        ppr.insert_element_before(bdr, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
                                  "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
                                  "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                                  "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                                  "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                                  "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
                                  "w:rPr", "w:sectPr", "w:pPrChange")
        return p

    def table(rows, widths_mm, indent_mm):
        t = d.add_table(rows=rows, cols=2)
        t.autofit = False
        t.alignment = TA.LEFT
        tblpr = t._tbl.tblPr
        ind = OxmlElement("w:tblInd")
        ind.set(qn("w:w"), str(int(indent_mm * 56.7)))
        ind.set(qn("w:type"), "dxa")
        tblpr.append(ind)
        lay = OxmlElement("w:tblLayout")
        lay.set(qn("w:type"), "fixed")
        tblpr.append(lay)
        for row in t.rows:
            for c, w in zip(row.cells, widths_mm):
                c.width = Mm(w)
        for gc, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
            gc.set(qn("w:w"), str(int(w * 56.7)))
        return t

    head_w = HEAD_W / mm
    lw, rw = head_w * 0.45, head_w * 0.55
    cell_pad = 2 * 1.9 * mm     # Word's default left + right cell margins
    two_rows = L["date_align"] == "number"    # row 2 holds the number and the date, side by side
    t = table(2 if two_rows else 1, (lw, rw), HEAD_X0 / mm - 30 + L["shift"] / mm)
    left, right = t.rows[0].cells
    off = L["motto_offset"]
    first_l = first_r = True
    for _ in range(max(0, -off)):
        para(left, "", 12, first=first_l)
        first_l = False
    for _ in range(max(0, off)):
        para(right, "", 12, first=first_r)
        first_r = False
    for ln in spec["parent_lines"]:
        para(left, ln, L["parent_size"], first=first_l)
        first_l = False
    for ln in spec["agency_lines"]:
        para(left, ln, L["agency_size"], bold=True, first=first_l)
        first_l = False
    aw = max(pdfmetrics.stringWidth(ln, B, L["agency_size"]) for ln in spec["agency_lines"])
    if L["agency_rule"] == "line":
        border_rule(left, aw * L["rule_frac"] + 20, lw * mm - cell_pad)
        para(left, "", 5)
    elif L["agency_rule"] in TYPED:
        para(left, typed_rule(L["agency_rule"], aw * L["rule_frac"] + 20, 12), 12)
    num_cell = t.rows[1].cells[0] if two_rows else left
    para(num_cell, spec["number_line"], 13, first=two_rows)
    if spec["vv_lines"]:
        para(num_cell, spec["vv_lines"], 12)
    para(right, H.NATIONAL, L["national_size"], bold=True, first=first_r)
    para(right, H.MOTTO, 13, bold=True)
    mw = pdfmetrics.stringWidth(H.MOTTO, B, 13)
    if L["motto_rule"] == "line":
        border_rule(right, mw, rw * mm - cell_pad)
    elif L["motto_rule"] in TYPED:
        para(right, typed_rule(L["motto_rule"], mw, 13), 13)
    date_cell = t.rows[1].cells[1] if two_rows else right
    if not two_rows:
        para(date_cell, "", 6)
    para(date_cell, spec["date_line"], L["date_size"], italic=True, first=two_rows)

    body_size = L["body_size"]
    para(d, "", 10)
    if spec["doc_type"]:
        para(d, spec["doc_type"], 14, bold=True, keep=True)
        para(d, spec["subject_lines"], 14, bold=True, keep=True)
        if L["agency_rule"] != "none":
            border_rule(d, 40 * mm, 160 * mm)
        para(d, "", 8)
    if spec["kinh_gui_lines"]:
        if spec["kinh_gui"] == "single":
            para(d, spec["kinh_gui_lines"][0],
                 H.fit_size(spec["kinh_gui_lines"][0], R, H.TEXT_W - 20, (body_size, 13, 12)), after=8)
        else:
            items = ["- " + a for a in spec["addressees"]]
            iw = max(pdfmetrics.stringWidth(i, R, body_size) for i in items)
            ix = min(45 * mm, 158 * mm - iw)
            if spec["kinh_gui"] == "list":
                para(d, "Kính gửi:", body_size, align="left", left=Pt(max(0, ix - 45 * mm)), after=4)
                for it in items:
                    para(d, it, body_size, align="left", left=Pt(ix), after=4)
            else:
                p = para(d, ["Kính gửi:\t" + items[0]], body_size, align="left", left=Pt(ix),
                         hanging=Pt(28 * mm), after=4)
                p.paragraph_format.tab_stops.add_tab_stop(Pt(ix))
                for it in items[1:]:
                    para(d, it, body_size, align="left", left=Pt(ix), after=4)
            para(d, "", 6)
    for kind, txt in H.body(spec):
        if kind == "center":
            para(d, txt, 13, bold=True, after=6)
        else:
            p = para(d, txt, body_size, italic=kind == "italic", align="justify", after=6)
            p.paragraph_format.first_line_indent = Mm(10)
            p.paragraph_format.line_spacing = 1.1
    # signer block: Nơi nhận | authority, title, (space), name; a row that is never split
    st = table(1, (lw, rw), HEAD_X0 / mm - 30)
    trpr = st.rows[0]._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    nl, sg = st.rows[0].cells
    para(nl, "Nơi nhận:", 12, bold=True, italic=True, align="left", first=True)
    for rc in spec["recipients"]:
        para(nl, f"- {rc}", 11, align="left")
    first = True
    for ln in ([spec["authority_line"]] if spec["authority_line"] else []) + spec["title_lines"]:
        para(sg, ln, 13, bold=True, first=first)
        first = False
    for _ in range(5):
        para(sg, "", 13)
    para(sg, spec["signer_name"], 13, bold=True)
    # page numbers from page 2 on, centred in the header (Decree 30)
    sec.different_first_page_header_footer = True
    hp = sec.header.paragraphs[0]
    hp.alignment = AL.CENTER
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    t_ = OxmlElement("w:t")
    t_.text = "2"
    run.append(t_)
    fld.append(run)
    hp._p.append(fld)
    d.save(path)


def libreoffice_pdf(docx_paths, outdir):
    """Convert .docx files with one LibreOffice process (sequentially: the machine is shared),
    then make the PDFs reproducible: document dates from the issue date, a content-derived ID."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("LibreOffice not found: apt-get install libreoffice-writer-nogui "
                         "(or pass --without-libreoffice to draw those documents with reportlab)")
    profile = tempfile.mkdtemp(prefix="kyso-lo-profile-")
    try:
        for i in range(0, len(docx_paths), 40):
            subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                            "--convert-to", "pdf:writer_pdf_Export", "--outdir", outdir, *docx_paths[i:i + 40]],
                           check=True, capture_output=True, timeout=1200)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = []
    for p in docx_paths:
        pdf = os.path.join(outdir, os.path.splitext(os.path.basename(p))[0] + ".pdf")
        if not os.path.exists(pdf):
            raise RuntimeError(f"LibreOffice did not convert {p}")
        out.append(pdf)
    return out


def normalise_lo_pdf(src, dst, date):
    """Keep LibreOffice's content (fonts, text layer, Producer) but fix the dates to the issue
    date and the ID to a hash of the content, so that a seed gives the same bytes."""
    import pikepdf
    y, m, d = date
    stamp = f"D:{y:04d}{m:02d}{d:02d}083000+07'00'"
    with pikepdf.open(src) as p:
        info = p.docinfo
        info["/CreationDate"] = pikepdf.String(stamp)
        if "/ModDate" in info:
            info["/ModDate"] = pikepdf.String(stamp)
        for k in ("/DocChecksum", "/ID"):    # both derive from the export time
            if k in p.trailer:
                del p.trailer[k]
        if "/Metadata" in p.Root:
            del p.Root["/Metadata"]
        p.save(dst, deterministic_id=True)


# --------------------------------------------------------------------------------------------
# Reading back
# --------------------------------------------------------------------------------------------
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def _unescape(s):
    return s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"') \
        .replace("&apos;", "'")


def words(pdf, page):
    """Words of one page (1-based) with boxes (points, origin top-left) and the page height."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), pdf, "-"],
                         check=True, capture_output=True, text=True).stdout
    ph = float(PAGE.search(out).group(2))
    return [(float(a), float(b), float(c), float(e), _unescape(t)) for a, b, c, e, t in WORD.findall(out)], ph


def _find_seq(ws, tokens, start=0):
    for i in range(start, len(ws) - len(tokens) + 1):
        if all(ws[i + j][4] == t for j, t in enumerate(tokens)):
            return i
    return None


def measure(spec, pdf, pages):
    """What the layout became: the signer block's position on the last page (PDF points,
    origin bottom-left, as scan.simulate wants it) and whether the date sits on the number's
    baseline. Raises if either cannot be found (the self-check of the drawing)."""
    ws, ph = words(pdf, 1)
    num = _find_seq(ws, spec["number_line"].split())
    date = _find_seq(ws, spec["date_line"].split())
    assert num is not None and date is not None, (pdf, spec["number_line"], spec["date_line"])
    same = abs(ws[num][3] - ws[date][3]) < 2.0
    ws, ph = words(pdf, pages)
    name = spec["signer_name"].split()
    i = _find_seq(ws, name)
    assert i is not None, (pdf, spec["signer_name"])
    title = spec["title_lines"][-1].split()
    j = None
    k = 0
    while True:            # the last occurrence of the title line above the name
        f = _find_seq(ws, title, k)
        if f is None or ws[f][1] > ws[i][1]:
            break
        j, k = f, f + 1
    assert j is not None, (pdf, spec["title_lines"])
    x0, x1 = ws[i][0], ws[i + len(name) - 1][2]
    sig = {"cx": (x0 + x1) / 2, "title_bottom": ph - ws[j][3], "name_baseline": ph - ws[i][3] + 3,
           "name_top": ph - ws[i][1], "name_w": x1 - x0}
    return sig, same
