"""Vietnamese administrative documents (Decree 30/2020/ND-CP layout) rendered with reportlab.

render() returns, per page, the exact text lines drawn (in a fixed logical order:
page number, left header column, right header column, title, body, "Nơi nhận" block,
signer block) and the positions (PDF points, origin bottom-left) of the signer block,
which the scan simulator uses to place the seal and the handwritten signature.
"""
import os

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/liberation2", "LiberationSerif", "Regular", "Bold", "Italic", "BoldItalic"),
    ("/usr/share/fonts/truetype/liberation", "LiberationSerif", "Regular", "Bold", "Italic", "BoldItalic"),
    ("/usr/share/fonts/truetype/noto", "NotoSerif", "Regular", "Bold", "Italic", "BoldItalic"),
]
R, B, I, BI = "KysoSerif", "KysoSerif-Bold", "KysoSerif-Italic", "KysoSerif-BoldItalic"
FONT_FILE = None


def register_fonts():
    global FONT_FILE
    if FONT_FILE:
        return FONT_FILE
    for d, base, *styles in FONT_CANDIDATES:
        paths = [os.path.join(d, f"{base}-{s}.ttf") for s in styles]
        if all(os.path.exists(p) for p in paths):
            for name, p in zip((R, B, I, BI), paths):
                pdfmetrics.registerFont(TTFont(name, p))
            FONT_FILE = paths[0]
            return FONT_FILE
    raise SystemExit("No Vietnamese-capable serif TTF found (install fonts-liberation2 or fonts-noto-core)")


PAGE_W, PAGE_H = A4
M_LEFT, M_RIGHT, M_TOP, M_BOTTOM = 30 * mm, 20 * mm, 20 * mm, 20 * mm
BODY_SIZE, LEADING, PARA_GAP, INDENT = 13, 17, 5, 10 * mm
LEFT_CX = 57 * mm                  # centre of left header column (~45% column)
RIGHT_CX = 142 * mm                # centre of right header column
SIG_CX = 145 * mm                  # centre of signer block
SIG_GAP = 30 * mm                  # space for seal + handwritten signature


def wrap(text, font, size, width):
    words, lines, cur = text.split(), [], ""
    for w in words:
        t = w if not cur else cur + " " + w
        if pdfmetrics.stringWidth(t, font, size) <= width:
            cur = t
        else:
            lines.append(cur)
            cur = w
    if cur:
        lines.append(cur)
    return lines


class Renderer:
    def __init__(self, path, compress=True):
        register_fonts()
        self.c = canvas.Canvas(path, pagesize=A4, invariant=1, pageCompression=1 if compress else 0,
                                  initialFontName=R, initialFontSize=BODY_SIZE, initialLeading=LEADING)
        self.c.setTitle("")
        self.c.setAuthor("")
        self.c.setCreator("kyso testdata generator")
        self.c.setProducer("ReportLab")
        self.pages = []            # list of dicts: lines, sig, blocks
        # The reading-order block the next strings belong to (set by renderers that know their
        # layout, e.g. agency_render: agency, motto, body, recipients, signer); None otherwise.
        self.block = None
        self._new_page(first=True)

    def _new_page(self, first=False):
        if not first:
            self.c.showPage()
        self.page = {"lines": [], "sig": None, "blocks": []}
        self.pages.append(self.page)
        self.y = PAGE_H - M_TOP
        n = len(self.pages)
        if n > 1:                       # page number, centred at the top from page 2 on
            block, self.block = self.block, "page_number"
            self.text_c(str(n), PAGE_W / 2, PAGE_H - 12 * mm, R, 12)
            self.block = block
            self.y = PAGE_H - M_TOP - 4 * mm

    def text(self, s, x, y, font, size):
        self.c.setFont(font, size)
        self.c.drawString(x, y, s)
        self.page["lines"].append(s)
        self.page["blocks"].append((self.block, s))

    def text_c(self, s, cx, y, font, size):
        self.c.setFont(font, size)
        self.c.drawCentredString(cx, y, s)
        self.page["lines"].append(s)
        self.page["blocks"].append((self.block, s))

    def rule(self, cx, y, w):
        self.c.setLineWidth(0.6)
        self.c.line(cx - w / 2, y, cx + w / 2, y)

    def need(self, h):
        if self.y - h < M_BOTTOM:
            self._new_page()

    def blank_page(self):
        """Append a page with no content at all."""
        self.c.showPage()
        self.page = {"lines": [], "sig": None, "blank": True, "blocks": []}
        self.pages.append(self.page)

    def save(self):
        self.c.showPage()
        self.c.save()


def render(doc, path, compress=True, blank_last_page=False, overrides=None):
    """Render `doc` (see DOCS) into `path`. Returns list of page dicts."""
    d = dict(doc)
    if overrides:
        d.update(overrides)
    r = Renderer(path, compress)
    top = r.y
    # ---- left header column
    y = top - 12
    if d.get("parent_agency"):
        r.text_c(d["parent_agency"], LEFT_CX, y, R, 12)
        y -= 15
    for ln in d["agency_lines"]:
        r.text_c(ln, LEFT_CX, y, B, 12.5)
        y -= 15
    aw = max(pdfmetrics.stringWidth(ln, B, 12.5) for ln in d["agency_lines"])
    r.rule(LEFT_CX, y + 8, aw / 3)
    y -= 10
    num_y = y
    r.text_c(f"Số: {d['number']}/{d['symbol']}", LEFT_CX, y, R, 13)
    y -= 15
    if d["doc_type"] is None:          # công văn: subject under the number
        for ln in wrap(d["subject"], R, 12, 72 * mm):
            r.text_c(ln, LEFT_CX, y, R, 12)
            y -= 14
    for mark in (d.get("urgency"), d.get("confidentiality")):
        if mark:
            y -= 4
            w = pdfmetrics.stringWidth(mark, B, 13)
            r.text_c(mark, LEFT_CX, y, B, 13)
            r.c.setLineWidth(0.8)
            r.c.rect(LEFT_CX - w / 2 - 4, y - 4, w + 8, 17)
            y -= 19
    left_bottom = y
    # ---- right header column
    y = top - 12
    r.text_c("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", RIGHT_CX, y, B, 12)
    y -= 15
    motto = "Độc lập - Tự do - Hạnh phúc"
    r.text_c(motto, RIGHT_CX, y, B, 13)
    r.rule(RIGHT_CX, y - 4, pdfmetrics.stringWidth(motto, B, 13))
    yy, mm_, dd = d["date"]
    r.text_c(f"{d['place']}, ngày {dd:02d} tháng {mm_:02d} năm {yy}", RIGHT_CX, num_y, I, 13)
    r.y = min(left_bottom, num_y - 15) - 14
    # ---- title
    if d["doc_type"]:
        r.text_c(d["doc_type"], PAGE_W / 2 + (M_LEFT - M_RIGHT) / 2 * 0, r.y, B, 14)
        r.y -= 17
        for ln in wrap(d["subject"], B, 14, 130 * mm):
            r.text_c(ln, PAGE_W / 2, r.y, B, 14)
            r.y -= 17
        r.rule(PAGE_W / 2, r.y + 12, 40 * mm)
        r.y -= 12
    # ---- body
    cw = PAGE_W - M_LEFT - M_RIGHT
    for kind, txt in d["body"]:
        if kind == "center":                 # centred bold line ("QUYẾT ĐỊNH:")
            r.need(LEADING)
            r.text_c(txt, PAGE_W / 2, r.y, B, 13)
            r.y -= LEADING + PARA_GAP
            continue
        font = I if kind == "italic" else R
        lines = wrap(txt, font, BODY_SIZE, cw - INDENT)
        first, rest = lines[0], " ".join(lines[1:])
        lines = [first] + (wrap(rest, font, BODY_SIZE, cw) if rest else [])
        for i, ln in enumerate(lines):
            r.need(LEADING)
            r.text(ln, M_LEFT + (INDENT if i == 0 else 0), r.y, font, BODY_SIZE)
            r.y -= LEADING
        r.y -= PARA_GAP
    # ---- bottom: recipients (left) and signer block (right)
    sig_lines = [ln for ln in (d.get("authority_line"), d["signer_title"]) if ln]
    block_h = 16 * len(sig_lines) + SIG_GAP + 20
    r.need(block_h)
    y0 = r.y - 4
    y = y0
    r.text(d.get("recipients_label", "Nơi nhận:"), M_LEFT - 10 * mm, y, BI, 12)
    y -= 13
    for rc in d["recipients"]:
        r.text(f"- {rc}", M_LEFT - 10 * mm, y, R, 11)
        y -= 13
    y = y0
    for ln in sig_lines:
        r.text_c(ln, SIG_CX, y, B, 13)
        y -= 16
    title_bottom = y + 16 - 4
    y -= SIG_GAP
    r.text_c(d["signer_name"], SIG_CX, y, B, 13)
    name_w = pdfmetrics.stringWidth(d["signer_name"], B, 13)
    r.page["sig"] = {"cx": SIG_CX, "title_bottom": title_bottom, "name_baseline": y,
                     "name_top": y + 10, "name_w": name_w}
    if blank_last_page:
        r.blank_page()
    r.save()
    return [{"lines": p["lines"], "sig": p["sig"], "blank": bool(p.get("blank"))} for p in r.pages]


def metadata(doc, overrides=None):
    d = dict(doc)
    if overrides:
        d.update(overrides)
    yy, mm_, dd = d["date"]
    return {
        "parent_agency": d.get("parent_agency"),
        "agency": " ".join(d["agency_lines"]),
        "agency_key": d.get("agency_key"),
        "agency_name": d.get("agency_name"),
        "number": d["number"],
        "symbol": d["symbol"],
        "number_symbol": f"{d['number']}/{d['symbol']}",
        "doc_type": d["doc_type"] or "CÔNG VĂN",
        "place": d["place"],
        "issue_date": f"{yy:04d}-{mm_:02d}-{dd:02d}",
        "subject": d["subject"],
        "signer_name": d["signer_name"],
        "signer_title": d["signer_title"],
        "authority_line": d.get("authority_line"),
        "signing_authority": (d.get("authority_line") or "").split(" ")[0] or None,
        "recipients": list(d["recipients"]),
        "urgency": d.get("urgency"),
        "confidentiality": d.get("confidentiality"),
    }


# --------------------------------------------------------------------------------------------
# Document contents
# --------------------------------------------------------------------------------------------
# agency_key / agency_name: the canonical key and display name of the gazetteer's scheme
# (docs/gazetteer.md): `<body>/<province>` for bodies every province has, the body and its unit
# for those below the province.
UBND_BG = dict(parent_agency=None, agency_lines=["ỦY BAN NHÂN DÂN", "TỈNH BẮC GIANG"], place="Bắc Giang",
               agency_key="uy-ban-nhan-dan/bac-giang", agency_name="Ủy ban nhân dân tỉnh Bắc Giang",
               seal_top="ỦY BAN NHÂN DÂN TỈNH BẮC GIANG", seal_bottom="BẮC GIANG")
STC_BG = dict(parent_agency="UBND TỈNH BẮC GIANG", agency_lines=["SỞ TÀI CHÍNH"], place="Bắc Giang",
              agency_key="so-tai-chinh/bac-giang", agency_name="Sở Tài chính tỉnh Bắc Giang",
              seal_top="SỞ TÀI CHÍNH TỈNH BẮC GIANG", seal_bottom="BẮC GIANG")
LN_BG = dict(parent_agency=None, agency_lines=["ỦY BAN NHÂN DÂN", "HUYỆN LỤC NAM"], place="Lục Nam",
             agency_key="uy-ban-nhan-dan-huyen-luc-nam", agency_name="Ủy ban nhân dân huyện Lục Nam",
             seal_top="ỦY BAN NHÂN DÂN HUYỆN LỤC NAM", seal_bottom="TỈNH BẮC GIANG")
SYT_HN = dict(parent_agency="UBND TỈNH HÀ NAM", agency_lines=["SỞ Y TẾ"], place="Hà Nam",
              agency_key="so-y-te/ha-nam", agency_name="Sở Y tế tỉnh Hà Nam",
              seal_top="SỞ Y TẾ TỈNH HÀ NAM", seal_bottom="HÀ NAM")

P_LONG = ("Trong quá trình tổ chức thực hiện, các cơ quan, đơn vị có trách nhiệm rà soát, cập nhật "
          "danh mục nhiệm vụ, xác định rõ thời hạn hoàn thành, sản phẩm đầu ra và người chịu trách nhiệm; "
          "chủ động phối hợp với Sở Tài chính, Sở Kế hoạch và Đầu tư trong việc bố trí nguồn kinh phí, "
          "bảo đảm sử dụng ngân sách nhà nước đúng mục đích, tiết kiệm, hiệu quả và đúng quy định của "
          "pháp luật. Định kỳ hằng quý, trước ngày 15 của tháng cuối quý, các đơn vị tổng hợp kết quả "
          "thực hiện, khó khăn, vướng mắc và đề xuất giải pháp, gửi về Văn phòng Ủy ban nhân dân tỉnh "
          "để tổng hợp, báo cáo Chủ tịch Ủy ban nhân dân tỉnh. Trường hợp phát sinh vướng mắc vượt "
          "thẩm quyền, kịp thời báo cáo bằng văn bản để được xem xét, chỉ đạo giải quyết theo quy định.")

DOCS = {
    # 2-page decision of the provincial People's Committee
    "qd-ubnd": dict(UBND_BG, number="1578", symbol="QĐ-UBND", doc_type="QUYẾT ĐỊNH",
                    subject="Về việc phê duyệt Kế hoạch chuyển đổi số tỉnh Bắc Giang năm 2024",
                    date=(2024, 3, 15), urgency=None, confidentiality=None,
                    body=[
                        ("center", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH BẮC GIANG"),
                        ("italic", "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; "
                                   "Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ "
                                   "chức chính quyền địa phương ngày 22 tháng 11 năm 2019;"),
                        ("italic", "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ "
                                   "về công tác văn thư;"),
                        ("italic", "Theo đề nghị của Giám đốc Sở Thông tin và Truyền thông tại Tờ trình số "
                                   "47/TTr-STTTT ngày 08 tháng 3 năm 2024."),
                        ("center", "QUYẾT ĐỊNH:"),
                        ("normal", "Điều 1. Phê duyệt Kế hoạch chuyển đổi số tỉnh Bắc Giang năm 2024 kèm theo "
                                   "Quyết định này, với tổng kinh phí thực hiện là 12.500.000.000 đồng (Mười hai "
                                   "tỷ năm trăm triệu đồng) từ nguồn ngân sách tỉnh."),
                        ("normal", "Điều 2. Giao Sở Thông tin và Truyền thông chủ trì, phối hợp với các sở, ban, "
                                   "ngành và Ủy ban nhân dân các huyện, thành phố tổ chức triển khai thực hiện Kế "
                                   "hoạch; theo dõi, đôn đốc, kiểm tra và báo cáo kết quả thực hiện."),
                        ("normal", P_LONG),
                        ("normal", P_LONG.replace("hằng quý, trước ngày 15 của tháng cuối quý",
                                                  "sáu tháng và hằng năm")),
                        ("normal", "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban "
                                   "nhân dân tỉnh; Giám đốc các sở: Thông tin và Truyền thông, Tài chính, Kế "
                                   "hoạch và Đầu tư; Chủ tịch Ủy ban nhân dân các huyện, thành phố và các cơ "
                                   "quan, đơn vị có liên quan chịu trách nhiệm thi hành Quyết định này."),
                    ],
                    recipients=["Như Điều 3;", "TT Tỉnh ủy, TT HĐND tỉnh;", "Chủ tịch, các PCT UBND tỉnh;",
                                "Lưu: VT, KGVX."],
                    authority_line="TM. ỦY BAN NHÂN DÂN", signer_title="CHỦ TỊCH", signer_name="Nguyễn Văn An"),
    # 1-page decision of the Department of Finance
    "qd-stc": dict(STC_BG, number="123", symbol="QĐ-STC", doc_type="QUYẾT ĐỊNH",
                   subject="Về việc phê duyệt dự toán kinh phí tổ chức tập huấn nghiệp vụ kế toán năm 2019",
                   date=(2019, 8, 20), urgency=None, confidentiality=None,
                   body=[
                       ("center", "GIÁM ĐỐC SỞ TÀI CHÍNH"),
                       ("italic", "Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015;"),
                       ("italic", "Xét đề nghị của Trưởng phòng Quản lý ngân sách."),
                       ("center", "QUYẾT ĐỊNH:"),
                       ("normal", "Điều 1. Phê duyệt dự toán kinh phí tổ chức tập huấn nghiệp vụ kế toán năm "
                                  "2019 cho cán bộ các đơn vị sự nghiệp trực thuộc với tổng số tiền là "
                                  "245.800.000 đồng."),
                       ("normal", "Điều 2. Văn phòng Sở chịu trách nhiệm quản lý, sử dụng và thanh quyết toán "
                                  "kinh phí theo đúng quy định hiện hành."),
                       ("normal", "Điều 3. Chánh Văn phòng Sở, Trưởng phòng Quản lý ngân sách và các cá nhân "
                                  "có liên quan chịu trách nhiệm thi hành Quyết định này."),
                   ],
                   recipients=["Như Điều 3;", "Lưu: VT, TH."],
                   authority_line="KT. GIÁM ĐỐC", signer_title="PHÓ GIÁM ĐỐC", signer_name="Trần Thị Bình"),
    # Department of Finance plan (used for org-only signature)
    "kh-stc": dict(STC_BG, number="87", symbol="KH-STC", doc_type="KẾ HOẠCH",
                   subject="Kiểm tra công tác quản lý tài chính tại các đơn vị sự nghiệp công lập năm 2021",
                   date=(2021, 4, 6), urgency=None, confidentiality=None,
                   body=[
                       ("normal", "Thực hiện Chương trình công tác năm 2021, Sở Tài chính xây dựng Kế hoạch "
                                  "kiểm tra công tác quản lý tài chính tại các đơn vị sự nghiệp công lập như sau:"),
                       ("normal", "I. MỤC ĐÍCH, YÊU CẦU"),
                       ("normal", "Đánh giá việc chấp hành chế độ, chính sách tài chính, kế toán; kịp thời phát "
                                  "hiện và chấn chỉnh những sai sót trong quản lý, sử dụng ngân sách."),
                       ("normal", "II. NỘI DUNG VÀ THỜI GIAN KIỂM TRA"),
                       ("normal", "Kiểm tra việc lập, chấp hành dự toán và quyết toán ngân sách năm 2020 tại 12 "
                                  "đơn vị; thời gian thực hiện từ ngày 15 tháng 4 đến ngày 30 tháng 6 năm 2021."),
                   ],
                   recipients=["UBND tỉnh (b/c);", "Các đơn vị được kiểm tra;", "Lưu: VT, TCHCSN."],
                   authority_line="KT. GIÁM ĐỐC", signer_title="PHÓ GIÁM ĐỐC", signer_name="Trần Thị Bình"),
    # decision with an amount that gets altered after signing
    "qd-ubnd-kp": dict(UBND_BG, number="2468", symbol="QĐ-UBND", doc_type="QUYẾT ĐỊNH",
                       subject="Về việc hỗ trợ kinh phí khắc phục hậu quả mưa lũ năm 2023",
                       date=(2023, 9, 17), urgency="KHẨN", confidentiality=None,
                       body=[
                           ("center", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH BẮC GIANG"),
                           ("italic", "Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015;"),
                           ("italic", "Theo đề nghị của Giám đốc Sở Tài chính."),
                           ("center", "QUYẾT ĐỊNH:"),
                           ("normal", "Điều 1. Hỗ trợ kinh phí cho Ủy ban nhân dân huyện Lục Nam để khắc phục hậu "
                                      "quả mưa lũ, số tiền: 1.350.000.000 đồng từ nguồn dự phòng ngân sách tỉnh."),
                           ("normal", "Điều 2. Ủy ban nhân dân huyện Lục Nam quản lý, sử dụng kinh phí đúng mục "
                                      "đích, thanh quyết toán theo quy định."),
                           ("normal", "Điều 3. Quyết định này có hiệu lực kể từ ngày ký."),
                       ],
                       recipients=["Như Điều 3;", "Sở Tài chính;", "Lưu: VT, KT."],
                       authority_line="TM. ỦY BAN NHÂN DÂN", signer_title="CHỦ TỊCH",
                       signer_name="Nguyễn Văn An"),
    # official letter (công văn) of the district
    "cv-ln": dict(LN_BG, number="456", symbol="UBND-VP", doc_type=None,
                  subject="V/v tăng cường công tác phòng, chống dịch bệnh trên địa bàn huyện",
                  date=(2020, 2, 3), urgency="HỎA TỐC", confidentiality=None,
                  body=[
                      ("normal", "Kính gửi: Ủy ban nhân dân các xã, thị trấn."),
                      ("normal", "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh Bắc Giang về việc tăng cường các "
                                 "biện pháp phòng, chống dịch bệnh, Ủy ban nhân dân huyện Lục Nam yêu cầu Chủ "
                                 "tịch Ủy ban nhân dân các xã, thị trấn khẩn trương thực hiện tốt các nội dung sau:"),
                      ("normal", "1. Tổ chức tuyên truyền sâu rộng đến nhân dân về các biện pháp phòng bệnh; "
                                 "không hoang mang, lo lắng nhưng không được chủ quan."),
                      ("normal", "2. Rà soát, lập danh sách các trường hợp đi về từ vùng có dịch, báo cáo Trung "
                                 "tâm Y tế huyện trước 16 giờ hằng ngày."),
                      ("normal", "Ủy ban nhân dân huyện yêu cầu các đơn vị nghiêm túc triển khai thực hiện."),
                  ],
                  recipients=["Như trên;", "TT Huyện ủy, TT HĐND huyện;", "Lưu: VT, VP."],
                  authority_line="KT. CHỦ TỊCH", signer_title="PHÓ CHỦ TỊCH", signer_name="Lê Minh Cường"),
    # district report, 2 pages (scanned)
    "bc-ln": dict(LN_BG, number="215", symbol="BC-UBND", doc_type="BÁO CÁO",
                  subject="Kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội 6 tháng đầu năm 2022",
                  date=(2022, 6, 28), urgency=None, confidentiality=None,
                  body=[
                      ("normal", "Thực hiện Văn bản số 1024/UBND-TH ngày 10 tháng 6 năm 2022 của Ủy ban nhân "
                                 "dân tỉnh, Ủy ban nhân dân huyện Lục Nam báo cáo kết quả thực hiện nhiệm vụ 6 "
                                 "tháng đầu năm 2022 như sau:"),
                      ("normal", "1. Tổng giá trị sản xuất trên địa bàn ước đạt 8.750 tỷ đồng, tăng 9,2% so "
                                 "với cùng kỳ; thu ngân sách nhà nước đạt 61,5% dự toán giao."),
                      ("normal", P_LONG),
                      ("normal", "2. Công tác cải cách hành chính tiếp tục được quan tâm; tỷ lệ hồ sơ giải quyết "
                                 "đúng hạn đạt 98,7%; 100% văn bản đi được ký số và gửi trên môi trường điện tử."),
                      ("normal", P_LONG.replace("Sở Tài chính, Sở Kế hoạch và Đầu tư",
                                                "Phòng Tài chính - Kế hoạch huyện")),
                      ("normal", "Trên đây là báo cáo kết quả thực hiện nhiệm vụ 6 tháng đầu năm 2022 của Ủy "
                                 "ban nhân dân huyện Lục Nam./."),
                  ],
                  recipients=["UBND tỉnh;", "Sở Kế hoạch và Đầu tư;", "Lưu: VT, TH."],
                  authority_line="TM. ỦY BAN NHÂN DÂN", signer_title="CHỦ TỊCH", signer_name="Hoàng Văn Dũng"),
    # Hà Nam health department notice
    "tb-syt": dict(SYT_HN, number="392", symbol="TB-SYT", doc_type="THÔNG BÁO",
                   subject="Kết luận của Giám đốc Sở tại cuộc họp giao ban công tác y tế tháng 11 năm 2023",
                   date=(2023, 11, 24), urgency=None, confidentiality=None,
                   body=[
                       ("normal", "Ngày 22 tháng 11 năm 2023, Giám đốc Sở Y tế chủ trì cuộc họp giao ban công tác "
                                  "y tế. Sau khi nghe báo cáo và ý kiến của các đơn vị, Giám đốc Sở kết luận:"),
                       ("normal", "1. Các bệnh viện tuyến tỉnh bảo đảm đủ thuốc, vật tư y tế phục vụ khám bệnh, "
                                  "chữa bệnh; không để người bệnh phải tự mua thuốc trong danh mục bảo hiểm."),
                       ("normal", "2. Trung tâm Kiểm soát bệnh tật tỉnh theo dõi chặt chẽ tình hình dịch sốt xuất "
                                  "huyết, tay chân miệng; báo cáo kịp thời các ổ dịch mới phát sinh."),
                       ("normal", "Sở Y tế thông báo để các đơn vị biết, thực hiện./."),
                   ],
                   recipients=["Các đơn vị trực thuộc;", "Lưu: VT, VP."],
                   authority_line="KT. GIÁM ĐỐC", signer_title="PHÓ GIÁM ĐỐC", signer_name="Phạm Thị Hương"),
    # Hà Nam health department submission (tờ trình), confidential
    "tt-syt": dict(SYT_HN, number="58", symbol="TTr-SYT", doc_type="TỜ TRÌNH",
                   subject="Đề nghị phê duyệt danh mục mua sắm trang thiết bị y tế năm 2024",
                   date=(2024, 1, 9), urgency=None, confidentiality="MẬT",
                   body=[
                       ("normal", "Kính gửi: Ủy ban nhân dân tỉnh Hà Nam."),
                       ("normal", "Căn cứ nhu cầu thực tế của các cơ sở khám bệnh, chữa bệnh trên địa bàn tỉnh, "
                                  "Sở Y tế kính trình Ủy ban nhân dân tỉnh xem xét, phê duyệt danh mục mua sắm "
                                  "trang thiết bị y tế năm 2024 với tổng giá trị dự kiến 18.600.000.000 đồng."),
                       ("normal", "Danh mục gồm 36 loại trang thiết bị, ưu tiên cho Bệnh viện Đa khoa tỉnh và "
                                  "các Trung tâm Y tế huyện, thị xã."),
                       ("normal", "Sở Y tế kính trình Ủy ban nhân dân tỉnh xem xét, quyết định./."),
                   ],
                   recipients=["Như trên;", "Lưu: VT, KHTC."],
                   authority_line=None, signer_title="GIÁM ĐỐC", signer_name="Đỗ Quang Huy"),
    # appendix page used as the scanned half of mixed.pdf
    "tb-stc": dict(STC_BG, number="311", symbol="TB-STC", doc_type="THÔNG BÁO",
                   subject="Thẩm định giá gói thầu mua sắm máy tính phục vụ chuyển đổi số",
                   date=(2024, 10, 2), urgency=None, confidentiality=None,
                   body=[
                       ("normal", "Căn cứ hồ sơ đề nghị thẩm định giá của Văn phòng Ủy ban nhân dân tỉnh, Sở "
                                  "Tài chính thông báo kết quả thẩm định giá như sau:"),
                       ("normal", "1. Tài sản thẩm định: 150 bộ máy tính để bàn và 20 máy in, chi tiết tại Phụ "
                                  "lục kèm theo Thông báo này."),
                       ("normal", "2. Giá trị tài sản thẩm định: 2.475.000.000 đồng (đã bao gồm thuế giá trị "
                                  "gia tăng)."),
                       ("normal", "3. Thông báo này có giá trị trong thời hạn 06 tháng kể từ ngày ký."),
                   ],
                   recipients=["Văn phòng UBND tỉnh;", "Lưu: VT, GCS."],
                   authority_line="KT. GIÁM ĐỐC", signer_title="PHÓ GIÁM ĐỐC", signer_name="Trần Thị Bình"),
}

APPENDIX_LINES = [
    ("center", "PHỤ LỤC"),
    ("center", "DANH MỤC TÀI SẢN THẨM ĐỊNH GIÁ"),
    ("italic", "(Kèm theo Thông báo số 311/TB-STC ngày 02 tháng 10 năm 2024 của Sở Tài chính)"),
    ("normal", "1. Máy tính để bàn cấu hình Core i5, RAM 16 GB, SSD 512 GB, màn hình 23,8 inch: 150 bộ, "
               "đơn giá 14.500.000 đồng, thành tiền 2.175.000.000 đồng."),
    ("normal", "2. Máy in laser đen trắng khổ A4, in hai mặt tự động: 20 chiếc, đơn giá 15.000.000 đồng, "
               "thành tiền 300.000.000 đồng."),
    ("normal", "Tổng cộng: 2.475.000.000 đồng (Hai tỷ bốn trăm bảy mươi lăm triệu đồng)."),
]


def render_appendix(path):
    """A one-page appendix without header or signer block. Returns its text lines."""
    r = Renderer(path)
    r.y = PAGE_H - M_TOP - 20
    cw = PAGE_W - M_LEFT - M_RIGHT
    for kind, txt in APPENDIX_LINES:
        if kind == "center":
            r.text_c(txt, PAGE_W / 2, r.y, B, 14)
            r.y -= 19
            continue
        font = I if kind == "italic" else R
        for i, ln in enumerate(wrap(txt, font, BODY_SIZE, cw)):
            r.text(ln, M_LEFT, r.y, font, BODY_SIZE)
            r.y -= LEADING
        r.y -= PARA_GAP
    r.save()
    return [{"lines": p["lines"], "sig": None, "blank": False} for p in r.pages]
