"""What the layout-variety corpus (agency_corpus.py) prints: 16 issuing agencies with the header
forms real documents of theirs use, and the document contents (symbols, subjects, bodies,
addressees, recipients, signer blocks) that vary around them.

A document is described by a *spec* (a plain dict, see make_spec()) holding every printed line
and the layout choices; agency_render.py draws a spec with reportlab or through a .docx and
LibreOffice, and truth() turns it into the ground truth's metadata. Nothing here draws.

Agency keys follow the scheme of issue 15: a province key is the folded province name without
"tỉnh"/"thành phố" (đ→d, no tones, lower case, hyphens); a local body is `<body>/<province>`,
a central body has its own key. fold() derives the keys and the table is checked against it.
"""
import unicodedata

# --------------------------------------------------------------------------------------------
# Provinces and agencies
# --------------------------------------------------------------------------------------------


def fold(s):
    """'Sở Tài chính' -> 'so-tai-chinh' (the key scheme's folding)."""
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
    out, dash = [], False
    for c in s:
        if c.isalnum():
            out.append(c)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


# name, "tỉnh"/"thành phố", how documents print the place in the date line
PROVINCES = {
    "bac-giang": ("Bắc Giang", "tỉnh", ["Bắc Giang"]),
    "hai-phong": ("Hải Phòng", "thành phố", ["Hải Phòng"]),
    "quang-tri": ("Quảng Trị", "tỉnh", ["Quảng Trị"]),
    "ha-nam": ("Hà Nam", "tỉnh", ["Hà Nam"]),
    "da-nang": ("Đà Nẵng", "thành phố", ["Đà Nẵng"]),
    "nghe-an": ("Nghệ An", "tỉnh", ["Nghệ An"]),
    "ha-noi": ("Hà Nội", "thành phố", ["Hà Nội"]),
    "ho-chi-minh": ("Hồ Chí Minh", "thành phố", ["Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh"]),
}
for _k, (_n, _t, _p) in PROVINCES.items():
    assert fold(_n) == _k, (_k, _n)


def province_display(pk):
    """'tỉnh Bắc Giang', 'thành phố Hải Phòng', 'Thành phố Hồ Chí Minh' (a proper name there)."""
    name, typ, _ = PROVINCES[pk]
    return "Thành phố Hồ Chí Minh" if pk == "ho-chi-minh" else f"{typ} {name}"


def province_upper(pk):
    name, typ, _ = PROVINCES[pk]
    return f"{typ} {name}".upper()


# Parent line forms: tag -> how it prints for a province key. Two-line forms are printed as two
# lines when they do not fit the left column (agency_render decides; the truth joins them).
PARENT_FORMS = {
    "ubnd-tinh": lambda pk: f"UBND TỈNH {PROVINCES[pk][0].upper()}",
    "uy-ban-nhan-dan-tinh": lambda pk: f"ỦY BAN NHÂN DÂN TỈNH {PROVINCES[pk][0].upper()}",
    "ubnd-thanh-pho": lambda pk: f"UBND THÀNH PHỐ {PROVINCES[pk][0].upper()}",
    "ubnd-tp": lambda pk: f"UBND TP. {PROVINCES[pk][0].upper()}",
    "uy-ban-nhan-dan-thanh-pho": lambda pk: f"ỦY BAN NHÂN DÂN THÀNH PHỐ {PROVINCES[pk][0].upper()}",
}

# Signer blocks: (authority line or None, signer's own title) by kind of body.
AUTH_UBND = [("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), (None, "CHỦ TỊCH")]
AUTH_HDND = [("TM. HỘI ĐỒNG NHÂN DÂN", "CHỦ TỊCH"), ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
             ("TM. THƯỜNG TRỰC HĐND", "CHỦ TỊCH")]
AUTH_SO = [("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), (None, "GIÁM ĐỐC"), ("TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG")]


def auth_bo(vu_title):
    return [("KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"), (None, "BỘ TRƯỞNG"), ("TL. BỘ TRƯỞNG", vu_title)]


AUTH_VPCP = [("KT. BỘ TRƯỞNG, CHỦ NHIỆM", "PHÓ CHỦ NHIỆM"), (None, "BỘ TRƯỞNG, CHỦ NHIỆM"),
             ("TL. BỘ TRƯỞNG, CHỦ NHIỆM", "VỤ TRƯỞNG VỤ KHOA GIÁO - VĂN XÃ")]

# Symbol -> doc type (None = công văn, whose type is not printed).
DOC_TYPE_OF = {"QĐ": "QUYẾT ĐỊNH", "TB": "THÔNG BÁO", "BC": "BÁO CÁO", "KH": "KẾ HOẠCH", "TTr": "TỜ TRÌNH",
               "NQ": "NGHỊ QUYẾT", "TT": "THÔNG TƯ"}


def doc_type_of(symbol):
    return DOC_TYPE_OF.get(symbol.split("-")[0])


def _agency(key, name, kind, province, wraps, parents, symbols, places, auth, head, seal, dept):
    return dict(key=key, name=name, kind=kind, province=province, wraps=wraps, parents=parents,
                symbols=symbols, places=places, auth=auth, head=head, seal=seal, dept=dept)


def _ubnd(pk):
    n = PROVINCES[pk][0]
    up = province_upper(pk)
    return _agency(f"uy-ban-nhan-dan/{pk}", f"Ủy ban nhân dân {province_display(pk)}", "ubnd", pk,
                   [["ỦY BAN NHÂN DÂN", up]], [None], None, PROVINCES[pk][2], AUTH_UBND,
                   f"CHỦ TỊCH ỦY BAN NHÂN DÂN {up}", ("ỦY BAN NHÂN DÂN " + up, n.upper()), "KT")


def _hdnd(pk):
    n = PROVINCES[pk][0]
    up = province_upper(pk)
    return _agency(f"hoi-dong-nhan-dan/{pk}", f"Hội đồng nhân dân {province_display(pk)}", "hdnd", pk,
                   [["HỘI ĐỒNG NHÂN DÂN", up]], [None], None, PROVINCES[pk][2], AUTH_HDND,
                   f"HỘI ĐỒNG NHÂN DÂN {up}", ("HỘI ĐỒNG NHÂN DÂN " + up, n.upper()), "CTHĐND")


def _so(body, pk, wraps, parents, symbols, dept):
    name = DEPARTMENT_NAMES[body]
    return _agency(f"{fold(name)}/{pk}", f"{name} {province_display(pk)}", "so", pk, wraps, parents,
                   symbols, PROVINCES[pk][2], AUTH_SO, f"GIÁM ĐỐC {body}",
                   (body, PROVINCES[pk][0].upper()), dept)


DEPARTMENT_NAMES = {
    "SỞ TÀI CHÍNH": "Sở Tài chính",
    "SỞ THÔNG TIN VÀ TRUYỀN THÔNG": "Sở Thông tin và Truyền thông",
    "SỞ Y TẾ": "Sở Y tế",
    "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN": "Sở Nông nghiệp và Phát triển nông thôn",
    "SỞ GIÁO DỤC VÀ ĐÀO TẠO": "Sở Giáo dục và Đào tạo",
    "SỞ NỘI VỤ": "Sở Nội vụ",
    "SỞ KẾ HOẠCH VÀ ĐẦU TƯ": "Sở Kế hoạch và Đầu tư",
}


def _bo(key, name, printed, symbols, vu, dept):
    return _agency(key, name, "bo", None, [[printed]], [None], symbols, ["Hà Nội"], auth_bo(vu),
                   f"BỘ TRƯỞNG {printed}", (printed, "HÀ NỘI"), dept)


AGENCIES = [
    dict(_ubnd("bac-giang"), symbols=["KH-UBND", "UBND-KT", "QĐ-UBND"]),
    _so("SỞ TÀI CHÍNH", "bac-giang", [["SỞ TÀI CHÍNH"]], ["ubnd-tinh", "uy-ban-nhan-dan-tinh"],
        ["TB-STC", "STC-QLNS", "QĐ-STC"], "QLNS"),
    _so("SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "hai-phong",
        [["SỞ THÔNG TIN VÀ", "TRUYỀN THÔNG"], ["SỞ THÔNG TIN VÀ", "TRUYỀN THÔNG"],
         ["SỞ THÔNG TIN VÀ TRUYỀN THÔNG"]],
        ["ubnd-thanh-pho", "ubnd-tp"], ["KH-STTTT", "STTTT-BCVT"], "BCVT"),
    _so("SỞ Y TẾ", "ha-nam", [["SỞ Y TẾ"]], ["ubnd-tinh", "uy-ban-nhan-dan-tinh"],
        ["TTr-SYT", "SYT-NVY", "TB-SYT"], "NVY"),
    dict(_hdnd("quang-tri"), symbols=["NQ-HĐND", "BC-HĐND"]),
    _so("SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "quang-tri",
        [["SỞ NÔNG NGHIỆP", "VÀ PHÁT TRIỂN", "NÔNG THÔN"], ["SỞ NÔNG NGHIỆP", "VÀ PHÁT TRIỂN", "NÔNG THÔN"],
         ["SỞ NÔNG NGHIỆP VÀ", "PHÁT TRIỂN NÔNG THÔN"]],
        ["ubnd-tinh"], ["QĐ-SNN", "SNN-KH"], "KH"),
    dict(_ubnd("quang-tri"), symbols=["QĐ-UBND", "UBND-VX"], dept="VX"),
    _bo("bo-tai-chinh", "Bộ Tài chính", "BỘ TÀI CHÍNH", ["TT-BTC", "BTC-NSNN", "QĐ-BTC"],
        "VỤ TRƯỞNG VỤ NGÂN SÁCH NHÀ NƯỚC", "NSNN"),
    _agency("van-phong-chinh-phu", "Văn phòng Chính phủ", "vpcp", None, [["VĂN PHÒNG CHÍNH PHỦ"]], [None],
            ["TB-VPCP", "VPCP-KGVX"], ["Hà Nội"], AUTH_VPCP, "BỘ TRƯỞNG, CHỦ NHIỆM VĂN PHÒNG CHÍNH PHỦ",
            ("VĂN PHÒNG CHÍNH PHỦ", "HÀ NỘI"), "KGVX"),
    _bo("bo-noi-vu", "Bộ Nội vụ", "BỘ NỘI VỤ", ["QĐ-BNV", "BNV-CCVC"],
        "VỤ TRƯỞNG VỤ CÔNG CHỨC - VIÊN CHỨC", "CCVC"),
    _so("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "nghe-an", [["SỞ GIÁO DỤC", "VÀ ĐÀO TẠO"], ["SỞ GIÁO DỤC VÀ ĐÀO TẠO"]],
        ["ubnd-tinh", "uy-ban-nhan-dan-tinh"], ["KH-SGDĐT", "SGDĐT-GDTrH"], "GDTrH"),
    _so("SỞ NỘI VỤ", "da-nang", [["SỞ NỘI VỤ"]], ["ubnd-thanh-pho", "ubnd-tp"], ["BC-SNV", "SNV-CCVC"], "CCVC"),
    dict(_ubnd("ha-noi"), symbols=["QĐ-UBND", "UBND-KT"]),
    _so("SỞ KẾ HOẠCH VÀ ĐẦU TƯ", "ho-chi-minh", [["SỞ KẾ HOẠCH VÀ ĐẦU TƯ"], ["SỞ KẾ HOẠCH", "VÀ ĐẦU TƯ"]],
        ["uy-ban-nhan-dan-thanh-pho", "ubnd-tp"], ["SKHĐT-ĐKKD"], "ĐKKD"),
    dict(_hdnd("bac-giang"), symbols=["NQ-HĐND"]),
    _bo("bo-y-te", "Bộ Y tế", "BỘ Y TẾ", ["QĐ-BYT", "BYT-KCB"], "CỤC TRƯỞNG CỤC QUẢN LÝ KHÁM, CHỮA BỆNH", "KCB"),
]
BY_KEY = {a["key"]: a for a in AGENCIES}
assert len(BY_KEY) == 16
for _a in AGENCIES:
    if _a["province"]:
        assert _a["key"].endswith("/" + _a["province"]), _a["key"]
    assert _a["symbols"], _a["key"]

# --------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------
NAMES = [
    "Nguyễn Văn Hùng", "Trần Thị Thu Hà", "Lê Quang Vinh", "Phạm Minh Tuấn", "Hoàng Thị Lan Anh",
    "Vũ Đức Thắng", "Đặng Văn Khoa", "Bùi Thị Ngọc Ánh", "Đỗ Mạnh Cường", "Ngô Thanh Tùng",
    "Dương Văn Thái", "Lý Thị Hồng Nhung", "Trịnh Xuân Trường", "Phan Thị Mỹ Dung", "Huỳnh Văn Lợi",
    "Võ Thị Kim Oanh", "Đinh Công Sơn", "Tạ Quang Huy", "Lương Thị Thảo", "Hồ Sỹ Nguyên",
    "Châu Minh Đức", "Kiều Thị Phương", "Nguyễn Thị Hải Yến", "Lâm Quốc Bảo", "Đoàn Hữu Nghĩa",
    "Mạc Thị Huệ",
]

# --------------------------------------------------------------------------------------------
# Contents
# --------------------------------------------------------------------------------------------
# Subjects by symbol (exact) or by doc type. {prov} = "tỉnh Bắc Giang", {y} = year, {y1}-{y2}
# school/crop years. Công văn subjects carry their "V/v ".
SUBJECTS = {
    "QĐ-UBND": ["Về việc phê duyệt Kế hoạch chuyển đổi số {prov} năm {y}",
                "Về việc giao chỉ tiêu kế hoạch phát triển kinh tế - xã hội năm {y}",
                "Ban hành Quy định phân cấp quản lý, sử dụng tài sản công thuộc phạm vi quản lý của {prov}",
                "Về việc công bố danh mục thủ tục hành chính được sửa đổi, bổ sung trong lĩnh vực đất đai"],
    "QĐ-STC": ["Về việc phê duyệt dự toán kinh phí tổ chức tập huấn nghiệp vụ kế toán năm {y}",
               "Về việc thành lập Đoàn kiểm tra công tác quyết toán ngân sách năm {y}"],
    "QĐ-SNN": ["Về việc phê duyệt phương án phòng, chống thiên tai năm {y}",
               "Về việc ban hành Quy chế làm việc của Sở Nông nghiệp và Phát triển nông thôn"],
    "QĐ-BTC": ["Về việc công bố thủ tục hành chính mới ban hành trong lĩnh vực quản lý ngân sách nhà nước",
               "Về việc giao dự toán thu, chi ngân sách nhà nước năm {y}"],
    "QĐ-BNV": ["Về việc ban hành Kế hoạch cải cách hành chính của Bộ Nội vụ năm {y}",
               "Về việc phê duyệt danh sách công chức được nâng bậc lương trước thời hạn năm {y}"],
    "QĐ-BYT": ["Về việc ban hành tài liệu chuyên môn Hướng dẫn chẩn đoán và điều trị bệnh sốt xuất huyết Dengue",
               "Về việc phê duyệt Kế hoạch truyền thông phòng, chống dịch bệnh năm {y}"],
    "NQ-HĐND": ["Quy định mức chi hỗ trợ cho công tác phổ cập giáo dục trên địa bàn {prov}",
                "Về việc thông qua danh mục dự án cần thu hồi đất năm {y}",
                "Về kế hoạch đầu tư công trung hạn giai đoạn 2021 - 2025",
                "Quy định chính sách hỗ trợ phát triển sản xuất nông nghiệp hàng hóa tập trung giai đoạn "
                "2022 - 2025"],
    "TT-BTC": ["Quy định mức thu, chế độ thu, nộp, quản lý và sử dụng phí thẩm định cấp giấy phép",
               "Hướng dẫn quản lý, sử dụng kinh phí chi thường xuyên thực hiện nhiệm vụ chuyển đổi số",
               "Hướng dẫn lập dự toán, quản lý, sử dụng và quyết toán kinh phí bảo đảm trật tự an toàn giao thông"],
    "TB-STC": ["Kết quả thẩm định giá gói thầu mua sắm máy tính phục vụ chuyển đổi số",
               "Lịch tiếp công dân định kỳ của lãnh đạo Sở quý {q} năm {y}"],
    "TB-SYT": ["Kết luận của Giám đốc Sở tại cuộc họp giao ban công tác y tế tháng {m} năm {y}",
               "Lịch trực cấp cứu, khám bệnh, chữa bệnh dịp nghỉ Tết Nguyên đán"],
    "TB-VPCP": ["Kết luận của Phó Thủ tướng Chính phủ tại cuộc họp về công tác phòng, chống thiên tai",
                "Ý kiến kết luận của Thủ tướng Chính phủ tại buổi làm việc với lãnh đạo {prov}"],
    "BC-HĐND": ["Kết quả giám sát việc giải quyết kiến nghị của cử tri gửi đến kỳ họp thứ {n}",
                "Kết quả hoạt động của Hội đồng nhân dân tỉnh năm {y}"],
    "BC-SNV": ["Kết quả tuyển dụng công chức, viên chức năm {y}",
               "Tình hình thực hiện công tác cải cách hành chính năm {y}"],
    "KH-UBND": ["Triển khai thực hiện Đề án phát triển ứng dụng dữ liệu về dân cư năm {y}",
                "Tuyên truyền cải cách hành chính trên địa bàn {prov} năm {y}"],
    "KH-STTTT": ["Bảo đảm an toàn thông tin mạng cho hệ thống thông tin của các cơ quan nhà nước năm {y}",
                 "Triển khai chữ ký số chuyên dùng công vụ năm {y}"],
    "KH-SGDĐT": ["Tổ chức kỳ thi chọn học sinh giỏi cấp tỉnh lớp 12 năm học {y1} - {y2}",
                 "Kiểm tra công tác chuẩn bị năm học mới {y1} - {y2}"],
    "TTr-SYT": ["Đề nghị phê duyệt danh mục mua sắm trang thiết bị y tế năm {y}",
                "Về việc đề nghị ban hành Quyết định quy định giá dịch vụ khám bệnh, chữa bệnh"],
    "UBND-KT": ["V/v đẩy nhanh tiến độ giải ngân vốn đầu tư công năm {y}", "V/v quyết toán vốn đầu tư công",
                "V/v tăng cường quản lý giá, bình ổn thị trường dịp cuối năm"],
    "STC-QLNS": ["V/v hướng dẫn xây dựng dự toán ngân sách năm {y}", "V/v dự toán ngân sách năm {y}",
                 "V/v đôn đốc quyết toán kinh phí chương trình mục tiêu quốc gia"],
    "STTTT-BCVT": ["V/v bảo đảm an toàn thông tin mạng", "V/v báo cáo tình hình sử dụng chữ ký số năm {y}"],
    "SYT-NVY": ["V/v tăng cường phòng, chống sốt xuất huyết", "V/v phòng, chống dịch sởi",
                "V/v triển khai khám sức khỏe định kỳ cho học sinh"],
    "SNN-KH": ["V/v sản xuất vụ Đông Xuân {y1} - {y2}", "V/v triển khai kế hoạch sản xuất vụ Đông Xuân {y1} - {y2}",
               "V/v báo cáo thiệt hại do mưa lũ và đề xuất hỗ trợ khắc phục"],
    "UBND-VX": ["V/v tăng cường công tác bảo đảm an toàn thực phẩm", "V/v tổ chức Tết Nguyên đán",
                "V/v tổ chức các hoạt động dịp Tết Nguyên đán"],
    "BTC-NSNN": ["V/v bổ sung dự toán chi ngân sách nhà nước năm {y}", "V/v quyết toán ngân sách năm {y}",
                 "V/v hướng dẫn thực hiện chế độ báo cáo quyết toán ngân sách"],
    "VPCP-KGVX": ["V/v triển khai ý kiến chỉ đạo của Thủ tướng Chính phủ", "V/v đôn đốc cải cách hành chính",
                  "V/v đôn đốc thực hiện cải cách hành chính"],
    "BNV-CCVC": ["V/v tuyển dụng công chức năm {y}", "V/v tuyển dụng công chức, viên chức năm {y}",
                 "V/v đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức năm {y}"],
    "SGDĐT-GDTrH": ["V/v dạy học hai buổi/ngày",
                    "V/v hướng dẫn thực hiện nhiệm vụ giáo dục trung học năm học {y1} - {y2}",
                    "V/v tổ chức dạy học hai buổi/ngày"],
    "SNV-CCVC": ["V/v đánh giá, xếp loại chất lượng công chức năm {y}", "V/v cử công chức đi bồi dưỡng"],
    "SKHĐT-ĐKKD": ["V/v đăng ký doanh nghiệp", "V/v đăng ký thay đổi nội dung đăng ký doanh nghiệp",
                   "V/v cung cấp thông tin doanh nghiệp phục vụ công tác thanh tra"],
    "BYT-KCB": ["V/v triển khai bệnh án điện tử", "V/v tăng cường công tác khám bệnh, chữa bệnh dịp Tết Nguyên đán",
                "V/v triển khai bệnh án điện tử tại các cơ sở khám bệnh, chữa bệnh"],
}

# Kính gửi: single addressees (printed on the label's line) and lists (by the kind of body).
ADDRESSEE_SINGLE = {
    "ubnd": ["Bộ Kế hoạch và Đầu tư.", "Sở Tài chính {prov}.", "Ủy ban nhân dân các {districts}."],
    "hdnd": ["Ủy ban nhân dân {prov}."],
    "so": ["Ủy ban nhân dân {prov}.", "Sở Tài chính {prov}.", "Các phòng, ban thuộc Sở."],
    "bo": ["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương.", "Văn phòng Chính phủ."],
    "vpcp": ["Bộ Tài chính.", "Ủy ban nhân dân {prov}."],
}
ADDRESSEE_LIST = {
    "ubnd": ["Các sở, ban, ngành {prov_short};", "Ủy ban nhân dân các {districts};",
             "Các doanh nghiệp nhà nước trên địa bàn."],
    "hdnd": ["Thường trực Hội đồng nhân dân các huyện, thị xã;", "Ủy ban nhân dân {prov}."],
    "so": ["Các phòng, ban thuộc Sở;", "Các đơn vị sự nghiệp trực thuộc;",
           "Phòng chuyên môn thuộc UBND các {districts}."],
    "bo": ["Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ;",
           "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương."],
    "vpcp": ["Bộ Tài chính;", "Bộ Nội vụ;", "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương."],
}

RECIPIENTS = {
    "ubnd": [["Như Điều 3;", "TT {uy}, TT HĐND {prov_short} (b/c);", "Chủ tịch, các PCT UBND {prov_short};",
              "Lưu: VT, {dept}."], ["Như trên;", "Chủ tịch UBND {prov_short} (b/c);", "Lưu: VT, {dept}."]],
    "hdnd": [["Ủy ban Thường vụ Quốc hội;", "Chính phủ;", "TT {uy}, UBND {prov_short};", "Lưu: VT, {dept}."],
             ["Như trên;", "Đại biểu HĐND {prov_short};", "Lưu: VT."]],
    "so": [["Như trên;", "UBND {prov_short} (b/c);", "Giám đốc, các PGĐ Sở;", "Lưu: VT, {dept}."],
           ["Như Điều 3;", "Lưu: VT, {dept}."]],
    "bo": [["Như trên;", "Bộ trưởng (để b/c);", "Các Thứ trưởng;", "Lưu: VT, {dept}."],
           ["Văn phòng Chính phủ;", "Công báo;", "Cổng thông tin điện tử Chính phủ;", "Lưu: VT, {dept}."]],
    "vpcp": [["Như trên;", "Thủ tướng, các Phó Thủ tướng Chính phủ;", "VPCP: BTCN, các PCN;",
              "Lưu: VT, {dept}."], ["Như trên;", "Lưu: VT, {dept}."]],
}

FILLER = [
    "Trong quá trình tổ chức thực hiện, các cơ quan, đơn vị có trách nhiệm rà soát, cập nhật danh mục "
    "nhiệm vụ, xác định rõ thời hạn hoàn thành, sản phẩm đầu ra và người chịu trách nhiệm; chủ động phối "
    "hợp với các cơ quan liên quan trong việc bố trí nguồn kinh phí, bảo đảm sử dụng ngân sách nhà nước "
    "đúng mục đích, tiết kiệm, hiệu quả và đúng quy định của pháp luật.",
    "Định kỳ hằng quý, trước ngày 15 của tháng cuối quý, các đơn vị tổng hợp kết quả thực hiện, khó khăn, "
    "vướng mắc và đề xuất giải pháp, gửi về cơ quan chủ trì để tổng hợp, báo cáo cấp có thẩm quyền. "
    "Trường hợp phát sinh vướng mắc vượt thẩm quyền, kịp thời báo cáo bằng văn bản để được xem xét, chỉ "
    "đạo giải quyết theo quy định.",
    "Đẩy mạnh ứng dụng công nghệ thông tin trong hoạt động của cơ quan nhà nước; 100% văn bản đi, trừ văn "
    "bản mật, được ký số và gửi, nhận trên môi trường điện tử; hồ sơ công việc được xử lý trên hệ thống "
    "quản lý văn bản và điều hành, bảo đảm liên thông bốn cấp chính quyền.",
    "Tăng cường công tác thanh tra, kiểm tra việc chấp hành các quy định của pháp luật; kịp thời phát hiện, "
    "chấn chỉnh những sai sót, xử lý nghiêm các trường hợp vi phạm; công khai kết quả xử lý để nâng cao "
    "tính răn đe, phòng ngừa.",
    "Tiếp tục rà soát, đơn giản hóa thủ tục hành chính, cắt giảm thời gian giải quyết, chi phí tuân thủ "
    "cho người dân và doanh nghiệp; nâng cao chất lượng cung cấp dịch vụ công trực tuyến toàn trình, bảo "
    "đảm tỷ lệ hồ sơ giải quyết đúng hạn đạt trên 98%.",
    "Các đơn vị chủ động bố trí cán bộ có đủ năng lực, trình độ để triển khai nhiệm vụ; tổ chức tập huấn, "
    "bồi dưỡng nghiệp vụ cho đội ngũ công chức, viên chức trực tiếp thực hiện; bảo đảm cơ sở vật chất, "
    "trang thiết bị phục vụ công tác chuyên môn.",
    "Kinh phí thực hiện được bố trí trong dự toán chi thường xuyên của các cơ quan, đơn vị theo phân cấp "
    "ngân sách hiện hành và các nguồn huy động hợp pháp khác; việc quản lý, sử dụng, thanh quyết toán "
    "kinh phí thực hiện theo đúng quy định của Luật Ngân sách nhà nước và các văn bản hướng dẫn.",
    "Kết quả thực hiện là một trong những tiêu chí đánh giá mức độ hoàn thành nhiệm vụ của cơ quan, đơn vị "
    "và người đứng đầu; là căn cứ để xem xét thi đua, khen thưởng hằng năm theo quy định.",
]

OPENING = {
    "QUYẾT ĐỊNH": ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ "
                   "sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 "
                   "tháng 11 năm 2019;",
                   "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
                   "Theo đề nghị của Chánh Văn phòng."],
    "NGHỊ QUYẾT": ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
                   "Căn cứ Luật Ban hành văn bản quy phạm pháp luật ngày 22 tháng 6 năm 2015;",
                   "Xét Tờ trình của Ủy ban nhân dân tỉnh; Báo cáo thẩm tra của Ban Kinh tế - Ngân sách Hội "
                   "đồng nhân dân tỉnh; ý kiến thảo luận của đại biểu Hội đồng nhân dân tỉnh tại kỳ họp."],
    "THÔNG TƯ": ["Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015;",
                 "Căn cứ Nghị định số 14/2023/NĐ-CP ngày 20 tháng 4 năm 2023 của Chính phủ quy định chức năng, "
                 "nhiệm vụ, quyền hạn và cơ cấu tổ chức của Bộ Tài chính;",
                 "Theo đề nghị của Vụ trưởng Vụ Ngân sách nhà nước;"],
}


def fill(s, ctx):
    return s.format(**ctx)


def date_line(place, y, m, d, pad_month=False):
    """Decree 30: days below 10 and months 1 and 2 take a leading zero ('ngày 05 tháng 3',
    'tháng 01'); some offices pad every month ('tháng 08'), which `pad_month` reproduces."""
    mm = f"{m:02d}" if (m < 3 or pad_month) else str(m)
    return f"{place}, ngày {d:02d} tháng {mm} năm {y}"


def body_for(doc_type, agency, ctx, rng):
    """Opening paragraphs of the body (without filler); list of (kind, text)."""
    a = agency
    if doc_type == "QUYẾT ĐỊNH":
        head = a["head"]
        out = [("center", head)] + [("italic", t) for t in OPENING["QUYẾT ĐỊNH"]] + [("center", "QUYẾT ĐỊNH:")]
        out += [("normal", f"Điều 1. {ctx['subject_body']} theo nội dung kèm theo Quyết định này."),
                ("normal", "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")]
        return out, [("normal", "Điều 3. Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị và cá nhân có liên "
                                "quan chịu trách nhiệm thi hành Quyết định này./.")]
    if doc_type == "NGHỊ QUYẾT":
        out = [("center", a["head"]), ("center", f"KHÓA {ctx['khoa']}, KỲ HỌP THỨ {ctx['n']}")]
        out += [("italic", t) for t in OPENING["NGHỊ QUYẾT"]] + [("center", "QUYẾT NGHỊ:")]
        out += [("normal", f"Điều 1. {ctx['subject_body']}."),
                ("normal", "Điều 2. Giao Ủy ban nhân dân tỉnh tổ chức thực hiện Nghị quyết này.")]
        return out, [("normal", f"Nghị quyết này đã được Hội đồng nhân dân {ctx['prov']} khóa {ctx['khoa']}, "
                                f"kỳ họp thứ {ctx['n']} thông qua ngày {ctx['d']:02d} tháng {ctx['m']} năm "
                                f"{ctx['y']} và có hiệu lực kể từ ngày ký./.")]
    if doc_type == "THÔNG TƯ":
        out = [("italic", t) for t in OPENING["THÔNG TƯ"]]
        out += [("italic", f"Bộ trưởng Bộ Tài chính ban hành Thông tư {ctx['subject_lc']}."),
                ("normal", "Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng"),
                ("normal", "Thông tư này áp dụng đối với các cơ quan, tổ chức, cá nhân có liên quan đến việc "
                           "quản lý, sử dụng kinh phí ngân sách nhà nước.")]
        return out, [("normal", "Điều 2. Thông tư này có hiệu lực thi hành kể từ ngày 01 tháng 01 năm "
                                f"{ctx['y'] + 1}. Trong quá trình thực hiện, nếu có vướng mắc, đề nghị các "
                                "cơ quan, đơn vị phản ánh về Bộ Tài chính để nghiên cứu, hướng dẫn./.")]
    if doc_type == "TỜ TRÌNH":
        return ([("normal", f"Căn cứ nhu cầu thực tế và kết quả rà soát của các đơn vị, {a['name']} kính trình "
                            f"{ctx['superior']} xem xét, {ctx['subject_lc']}.")],
                [("normal", f"{a['name']} kính trình {ctx['superior']} xem xét, quyết định./.")])
    if doc_type is None:   # công văn
        return ([("normal", f"Thực hiện chỉ đạo của cấp có thẩm quyền, {a['name']} đề nghị các cơ quan, đơn vị "
                            "quan tâm, phối hợp thực hiện một số nội dung sau:"),
                 ("normal", "1. Rà soát, tổng hợp số liệu, báo cáo kết quả thực hiện về cơ quan chủ trì trước "
                            f"ngày {ctx['deadline']}.")],
                [("normal", "Đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./.")])
    intro = {"THÔNG BÁO": f"{a['name']} thông báo để các cơ quan, đơn vị biết, thực hiện như sau:",
             "BÁO CÁO": f"{a['name']} báo cáo kết quả thực hiện như sau:",
             "KẾ HOẠCH": f"{a['name']} xây dựng Kế hoạch triển khai thực hiện như sau:"}[doc_type]
    close = {"THÔNG BÁO": f"{a['name']} thông báo để các cơ quan, đơn vị biết, thực hiện./.",
             "BÁO CÁO": f"Trên đây là báo cáo của {a['name']}./.",
             "KẾ HOẠCH": "Trong quá trình triển khai, nếu có khó khăn, vướng mắc, các đơn vị phản ánh kịp "
                         "thời để tổng hợp, báo cáo./."}[doc_type]
    return [("normal", intro), ("normal", "I. MỤC ĐÍCH, YÊU CẦU")], [("normal", close)]


def filler(k, rng_offset=0):
    return [("normal", FILLER[(rng_offset + i) % len(FILLER)]) for i in range(k)]


# --------------------------------------------------------------------------------------------
# Truth
# --------------------------------------------------------------------------------------------
def nfc(s):
    return unicodedata.normalize("NFC", s) if isinstance(s, str) else s


def metadata(spec):
    """The metadata as printed, in docs.metadata()'s conventions (agency = agency lines joined
    with a space), with `signing_authority` the whole authority line (issue 15) and its prefix
    in `signing_authority_prefix`."""
    auth = spec["authority_line"]
    y, m, d = spec["date"]
    md = {
        "agency": " ".join(spec["agency_lines"]),
        "parent_agency": " ".join(spec["parent_lines"]) or None,
        "number": spec["number"],
        "symbol": spec["symbol"],
        "number_symbol": spec["number_symbol"],
        "doc_type": spec["doc_type"] or "CÔNG VĂN",
        "place": spec["place"],
        "issue_date": f"{y:04d}-{m:02d}-{d:02d}",
        "subject": spec["subject"],
        "signer_name": spec["signer_name"],
        "signer_title": " ".join(spec["title_lines"]),
        "signing_authority": auth,
        "signing_authority_prefix": auth.split(" ")[0] if auth else None,
        "authority_line": auth,
        "recipients": list(spec["recipients"]),
        "addressees": list(spec["addressees"]),
        "urgency": None,
        "confidentiality": None,
    }
    return {k: (nfc(v) if not isinstance(v, list) else [nfc(x) for x in v]) for k, v in md.items()}


def truth_lines(spec):
    """Every printed line the truth is made of, as drawn (the self-check finds each in the
    PDF's text layer)."""
    out = list(spec["parent_lines"]) + list(spec["agency_lines"]) + [spec["number_line"]]
    out += list(spec["vv_lines"]) + [spec["date_line"]]
    if spec["doc_type"]:
        out += [spec["doc_type"]] + list(spec["subject_lines"])
    out += list(spec["kinh_gui_lines"])
    out += ([spec["authority_line"]] if spec["authority_line"] else []) + list(spec["title_lines"])
    out += [spec["signer_name"]] + [f"- {r}" for r in spec["recipients"]]
    return out


# --------------------------------------------------------------------------------------------
# Specs
# --------------------------------------------------------------------------------------------
# Widths (points) the printed lines must fit, so that neither reportlab's columns nor the .docx
# table cells (whose text LibreOffice would wrap again) break a line the truth holds whole.
MM = 72 / 25.4
LEFT_TEXT_W = 72 * MM        # left header column (agency, parent, number)
VV_W = 72 * MM               # "V/v ..." lines under the number
RIGHT_TEXT_W = 90 * MM       # right header column (national title, motto, date)
TITLE_W = 140 * MM           # title subject lines
SIG_W = 80 * MM              # signer block
TEXT_W = 160 * MM            # body text

NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
KHOA = {"bac-giang": ("XVIII", "XIX"), "quang-tri": ("VII", "VIII")}
AUTH_PREFS = ("TM.", "KT.", "TL.", None)


def _width(text, font, size):
    from reportlab.pdfbase import pdfmetrics
    return pdfmetrics.stringWidth(text, font, size)


def fit_size(text, font, width, sizes=(13, 12.5, 12, 11.5, 11)):
    for s in sizes:
        if _width(text, font, s) <= width:
            return s
    return None


def _wrap(text, font, size, width):
    import docs
    return docs.wrap(text, font, size, width)


def _strip_about(s):
    for p in ("Về việc ", "Về "):
        if s.startswith(p):
            return s[len(p):]
    return s


def _title_lines(title):
    import docs
    if _width(title, docs.B, 13) <= SIG_W:
        return [title]
    for head in ("VỤ TRƯỞNG ", "CỤC TRƯỞNG "):
        if title.startswith(head):
            return [head.strip(), title[len(head):]]
    return _wrap(title, docs.B, 13, SIG_W)


def pick_authority(agency, doc_type, pref, rng):
    """The signer block (authority line or None, own title) closest to `pref` ('TM.', 'KT.',
    'TL.' or None) that this agency uses for this kind of document: 'TL.' (signing by
    delegation to a head of unit) is not used for decisions, resolutions, circulars or
    submissions."""
    opts = list(agency["auth"])
    if doc_type in ("QUYẾT ĐỊNH", "NGHỊ QUYẾT", "THÔNG TƯ", "TỜ TRÌNH"):
        opts = [o for o in opts if not (o[0] or "").startswith("TL.")]
    match = [o for o in opts if (o[0].split(" ")[0] if o[0] else None) == pref]
    return match[0] if match else opts[int(rng.integers(len(opts)))]


def make_spec(agency, ch, rng):
    """Everything printed on one document. `ch` holds the planner's choices: symbol, wrap (index
    into agency['wraps']), parent_form, date (y, m, d), auth_pref, kinh_gui ('single', 'list',
    'list_inline'), agency_rule, motto_rule ('line', 'typed_underscore', 'typed_dash', 'none'),
    motto_offset (-1..2 lines), date_align ('number' or 'flow'), pad_month, with_year,
    renderer, signer (a name to force, for documents signed with a personal certificate)."""
    import docs
    a = agency
    pk = a["province"]
    y, m, d = ch["date"]
    ctx_pk = pk or sorted(PROVINCES)[int(rng.integers(len(PROVINCES)))]
    ctx = dict(prov=province_display(ctx_pk), y=y, m=m, d=d, q=(m - 1) // 3 + 1,
               y1=y if m >= 8 else y - 1, y2=(y if m >= 8 else y - 1) + 1, n=int(rng.integers(4, 21)),
               prov_short="tỉnh" if PROVINCES[ctx_pk][1] == "tỉnh" else "thành phố", dept=a["dept"],
               uy="Tỉnh ủy" if PROVINCES[ctx_pk][1] == "tỉnh" else "Thành ủy",
               districts="huyện, thị xã, thành phố" if PROVINCES[ctx_pk][1] == "tỉnh" else "quận, huyện")
    if pk in KHOA:
        ctx["khoa"] = KHOA[pk][1] if (y, m) >= (2021, 7) else KHOA[pk][0]
    symbol = ch["symbol"]
    doc_type = doc_type_of(symbol)

    # subject: a công văn's "V/v" must take 1-2 lines under the number, a title subject 1-2 lines
    cands = [fill(s, ctx) for s in SUBJECTS[symbol]]
    start = int(rng.integers(len(cands)))
    for i in range(len(cands)):
        subject = cands[(start + i) % len(cands)]
        lines = (_wrap(subject, docs.R, 12, VV_W) if doc_type is None
                 else _wrap(subject, docs.B, 14, TITLE_W))
        if len(lines) <= 2:
            break
    else:
        raise AssertionError(f"no subject of {symbol} fits two lines")
    about = _strip_about(subject)
    ctx.update(subject_body=about[0].upper() + about[1:], subject_lc=about[0].lower() + about[1:],
               superior=(f"Ủy ban nhân dân {province_display(pk)}" if pk else "Thủ tướng Chính phủ"),
               deadline=f"{min(28, d + 10):02d} tháng {m} năm {y}")

    # number
    hi = {"NQ": 150, "TT": 120}.get(symbol.split("-")[0], 3500 if a["kind"] in ("ubnd", "bo", "vpcp") else 1200)
    number = str(int(rng.integers(1, (80 if ch["with_year"] and hi > 150 else hi) + 1)))
    number_symbol = f"{number}/{y}/{symbol}" if ch["with_year"] else f"{number}/{symbol}"

    # header lines and their sizes
    parent_lines, parent_size = [], 13
    if ch["parent_form"]:
        text = PARENT_FORMS[ch["parent_form"]](pk)
        parent_size = fit_size(text, docs.R, LEFT_TEXT_W, (13, 12.5, 12))
        if parent_size:
            parent_lines = [text]
        else:
            head = "ỦY BAN NHÂN DÂN" if text.startswith("ỦY BAN NHÂN DÂN") else "UBND"
            parent_lines, parent_size = [head, text[len(head) + 1:]], 12.5
    agency_lines = list(a["wraps"][ch["wrap"] % len(a["wraps"])])
    agency_size = min(fit_size(ln, docs.B, LEFT_TEXT_W) for ln in agency_lines)
    place = a["places"][int(rng.integers(len(a["places"])))]
    dline = date_line(place, y, m, d, ch["pad_month"])
    date_size = fit_size(dline, docs.I, RIGHT_TEXT_W, (13, 12.5, 12, 11.5))
    assert date_size, dline

    # addressees (Kính gửi): công văn and tờ trình
    addressees, kg_lines, kg_form = [], [], None
    if doc_type is None or doc_type == "TỜ TRÌNH":
        kind = a["kind"]
        kg_form = "single" if doc_type == "TỜ TRÌNH" else ch["kinh_gui"]
        if kg_form == "single":
            one = (ctx["superior"] + "." if doc_type == "TỜ TRÌNH"
                   else fill(ADDRESSEE_SINGLE[kind][int(rng.integers(len(ADDRESSEE_SINGLE[kind])))], ctx))
            addressees = [one]
            kg_lines = [f"Kính gửi: {one}"]
        else:
            addressees = [fill(x, ctx) for x in ADDRESSEE_LIST[kind]]
            if kg_form == "list":
                kg_lines = ["Kính gửi:"] + [f"- {x}" for x in addressees]
            else:
                kg_lines = [f"Kính gửi: - {addressees[0]}"] + [f"- {x}" for x in addressees[1:]]

    auth, title = pick_authority(a, doc_type, ch["auth_pref"], rng)
    recipients = [fill(x, ctx) for x in RECIPIENTS[a["kind"]][int(rng.integers(len(RECIPIENTS[a["kind"]])))]]
    if doc_type not in ("QUYẾT ĐỊNH", "NGHỊ QUYẾT", "THÔNG TƯ"):
        recipients = ["Như trên;" if r == "Như Điều 3;" else r for r in recipients]
    opening, closing = body_for(doc_type, a, ctx, rng)
    title_lines = _title_lines(title)

    layout = dict(agency_rule=ch["agency_rule"], motto_rule=ch["motto_rule"], motto_offset=ch["motto_offset"],
                  date_align=ch["date_align"], parent_size=parent_size, agency_size=agency_size,
                  date_size=date_size,
                  national_size=12 if ch["renderer"] == "libreoffice" or rng.random() < 0.7 else 12.5,
                  body_size=13 if rng.random() < 0.6 else 14, shift=float(rng.uniform(-2, 2)) * MM,
                  rule_frac=float(rng.uniform(0.3, 0.45)))
    tags = [f"renderer:{ch['renderer']}",
            "header:table_cells" if ch["renderer"] == "libreoffice" else "header:drawn_columns",
            f"agency_lines:{len(agency_lines)}", f"parent:{ch['parent_form'] or 'none'}",
            f"agency_rule:{ch['agency_rule']}", f"motto_rule:{ch['motto_rule']}",
            f"motto_offset:{ch['motto_offset']:+d}",
            f"authority:{auth.split(' ')[0] if auth else 'none'}"]
    if ch["agency_rule"] == "none":
        tags.append("number_under_agency:tight")
    if len(parent_lines) == 2:
        tags.append("parent_lines:2")
    if doc_type is None:
        tags += ["cong_van", f"vv_lines:{len(lines)}"]
    if kg_form:
        tags.append(f"kinh_gui:{kg_form}")
    if len(title_lines) > 1:
        tags.append("signer_title_lines:2")
    if ch["with_year"]:
        tags.append("number:with_year")
    if ch["pad_month"] and m >= 3:
        tags.append("date:padded_month")
    return dict(agency=a, symbol=symbol, number=number, number_symbol=number_symbol,
                number_line=f"Số: {number_symbol}", doc_type=doc_type, subject=subject,
                subject_lines=lines if doc_type else [], vv_lines=lines if doc_type is None else [],
                date=(y, m, d), place=place, date_line=dline, parent_lines=parent_lines,
                agency_lines=agency_lines, addressees=addressees, kinh_gui_lines=kg_lines, kinh_gui=kg_form,
                opening=opening, closing=closing, filler=0, filler_offset=int(rng.integers(len(FILLER))),
                recipients=recipients, authority_line=auth, title_lines=title_lines,
                signer_name=ch.get("signer") or NAMES[int(rng.integers(len(NAMES)))],
                renderer=ch["renderer"], layout=layout, tags=tags)


def body(spec):
    """The body with the spec's number of filler paragraphs (which sets the page count)."""
    return spec["opening"] + filler(spec["filler"], spec["filler_offset"]) + spec["closing"]
