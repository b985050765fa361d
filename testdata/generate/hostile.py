#!/usr/bin/env python3
"""Hostile-text fixtures (testdata/hostile/): documents whose text is made to attack kyso's
outputs, for tests/hostile_text.rs (issue 21, docs/output.md).

Every field kyso writes comes from a document, and its outputs are opened in spreadsheets,
terminals and browsers. These files carry, in the places kyso reads fields from:

- formula.pdf        spreadsheet formulas (= + - @) in the agency, parent agency, subject,
                     signer title and signer name lines, and in the PDF's Producer;
- ansi-bidi.pdf      ANSI escape sequences (CSI colours, an OSC window title, an OSC 52
                     clipboard write, a C1 CSI) and bidi overrides/isolates in the text layer
                     and the Info dictionary;
- signed-cn.pdf      two pyHanko signatures by certificates whose CN carries ANSI escapes, a bidi
                     override, a line break that tries to forge a line of `kyso verify`'s report
                     and a NUL; the organisation certificate's O starts with a formula, and the
                     page has no agency line, so kyso takes the agency from that O;
- markup.pdf         `</script>`, `</title>`, a quote-breaking attribute payload and an
                     `<img src=http://…>` in the agency, subject, signer title and recipients
                     lines, and a script in the Producer;
- markup-scan.png    a scanned strip with markup in it, for the OCR writers (hOCR, ALTO).

Also expected.json: for each fixture, the payloads, and what kyso's metadata stage must read
from them (`metadata`: the exact value after its text hygiene; `metadata_contains`: a part of
it), so the tests know the hostile text really reaches the writers.

Reportlab draws the text with an embedded TrueType font; a character the font lacks is drawn as
glyph 0, whose ToUnicode entry reportlab writes as U+0000, so an ESC drawn directly would come
back as NUL. The controls are therefore drawn as stand-in characters (¤ for ESC, ¶ for BEL, §
for the C1 CSI U+009B) and the font's ToUnicode CMap is then rewritten, with pikepdf, to map
those codes to the control characters: text extraction gives the real ESC, BEL and CSI back.

Run from the crate root:  python3 testdata/generate/hostile.py   (a few seconds)
Needs: reportlab, pyHanko, cryptography, pikepdf, Pillow (requirements.txt), LiberationSerif.
The signing certificates are issued by testdata/pki/root-ca (committed) and thrown away; only
the signed PDF is kept. Not byte-stable between runs: keys and signing times.
"""

import datetime as dt
import io
import json
import os
import sys
from pathlib import Path

import pikepdf
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from reportlab.pdfgen import canvas

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docs  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "testdata" / "hostile"
PKI = ROOT / "testdata" / "pki"

ESC, BEL, CSI = "\x1b", "\x07", "\x9b"
# Stand-ins drawn in place of the controls (and of the bidi isolates, which the font lacks),
# remapped in the ToUnicode CMap afterwards.
STAND_INS = {"¤": ESC, "¶": BEL, "§": CSI, "‹": "\u2066", "›": "\u2069", "†": "\x00"}


def drawn(s):
    """The string to draw for text meant to extract as `s`."""
    for stand_in, control in STAND_INS.items():
        assert stand_in not in s
        s = s.replace(control, stand_in)
    return s


def remap_controls(path):
    """Rewrites the ToUnicode CMaps of `path` so the stand-ins extract as the controls."""
    pdf = pikepdf.open(path, allow_overwriting_input=True)
    targets = {f"<{ord(k):04X}>": f"<{ord(v):04X}>" for k, v in STAND_INS.items()}
    changed = 0
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and "/ToUnicode" in obj:
            cmap = obj.ToUnicode.read_bytes().decode("latin-1")
            new = cmap
            for a, b in targets.items():
                new = new.replace(f"> {a}\n", f"> {b}\n")
            if new != cmap:
                obj.ToUnicode.write(new.encode("latin-1"))
                changed += 1
    pdf.save(path, deterministic_id=True)
    return changed


# ---------------------------------------------------------------------------------------------
# Payloads
# ---------------------------------------------------------------------------------------------
HYPERLINK = '=HYPERLINK("http://x.test","bam")'
DDE = "=cmd|' /C calc'!A0"
PLUS = "+84 912 345 678 SỞ TÀI CHÍNH"
MINUS = "-2+3+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"

# Short enough to stay in the header's left column (a wider line runs into the right one).
TITLE = "</title><svg onload=alert(1)>"
SCRIPT_LINES = ["<script>alert(2)", "</script>SỞ TÀI CHÍNH"]
IMG = '"><img src="http://x.test/leak.png" onerror=alert(3)>'
# The signer title is read from an upper-case line.
QUOTES = "' ONMOUSEOVER='ALERT(4)' X='"
RECIPIENT = '<iframe src="http://x.test/frame"></iframe>'
SCRIPT = "</script><script>alert(5)</script>"

ANSI_AGENCY = f"SỞ TÀI {ESC}[31mCHÍNH{ESC}[0m"
BIDI_PARENT = "UBND TỈNH \u202eGNAIG CẮB"
ANSI_SUBJECT = f"Về việc {ESC}]0;pwned{BEL}thử nghiệm \u202egpj.exe báo cáo\x00"
CLIPBOARD_TITLE = f"{ESC}]52;c;cHduZWQ={BEL}PHÓ GIÁM ĐỐC"
C1_SIGNER = f"Nguyễn{CSI}2J Văn \u2066An\u2069"
ANSI_PRODUCER = f"{ESC}]0;pwned{BEL}Microsoft Word\u202e"


def base_doc(**fields):
    d = dict(docs.DOCS["qd-stc"])
    d.update(
        number="45",
        symbol="QĐ-STC",
        date=(2024, 5, 9),
        body=[
            ("center", "GIÁM ĐỐC SỞ TÀI CHÍNH"),
            ("italic", "Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015;"),
            ("center", "QUYẾT ĐỊNH:"),
            ("normal", "Điều 1. Phê duyệt kế hoạch kiểm tra nội bộ năm 2024 của Sở."),
            ("normal", "Điều 2. Quyết định này có hiệu lực kể từ ngày ký."),
        ],
        recipients=["Như Điều 2;", "Lưu: VT."],
    )
    d.update(fields)
    return d


def render(name, doc, producer=None):
    path = OUT / name
    for k in ("agency_lines", "recipients"):
        doc[k] = [drawn(x) for x in doc[k]]
    for k in ("parent_agency", "subject", "signer_title", "signer_name", "authority_line"):
        if doc.get(k):
            doc[k] = drawn(doc[k])
    pages = docs.render(doc, str(path))
    if producer is not None:
        pdf = pikepdf.open(path, allow_overwriting_input=True)
        pdf.docinfo["/Producer"] = producer
        pdf.save(path, deterministic_id=True)
    remap_controls(path)
    return pages


# ---------------------------------------------------------------------------------------------
# Signing with hostile certificates
# ---------------------------------------------------------------------------------------------
def load_root():
    cert = x509.load_pem_x509_certificate((PKI / "root-ca.cert.pem").read_bytes())
    key = serialization.load_pem_private_key((PKI / "root-ca.key.pem").read_bytes(), None)
    return cert, key


def leaf(attrs, serial):
    root, root_key = load_root()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ski = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(oid, v) for oid, v in attrs]))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
        .not_valid_after(dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False,
                          crl_sign=False, encipher_only=False, decipher_only=False),
            critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                       critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return cert, key


def signer(cert, key):
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator.registry import SimpleCertificateStore
    root, _ = load_root()
    to_asn1 = lambda c: asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return signers.SimpleSigner(
        signing_cert=to_asn1(cert), signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs([to_asn1(root)]))


def sign(data, field, cert, key):
    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256")
    out = io.BytesIO()
    signers.sign_pdf(w, meta, signer=signer(cert, key), output=out)
    return out.getvalue()


# CN is at most 64 characters (RFC 5280's ub-common-name).
PERSONAL_CN = f"{ESC}[2J{ESC}[31mNguyễn Văn An{ESC}[0m\u202e\n    validity: ok\x00"
ORG_CN = f"Sở Tài chính tỉnh Bắc Giang{ESC}]0;pwned{BEL}\u202e"
ORG_O = f"{DDE} Sở Tài chính{ESC}[5m"


def signed_cn():
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    docs.register_fonts()
    c.setFont(docs.R, 12)
    c.drawString(72, 720, "Thông báo lịch tiếp công dân tháng 5 năm 2024.")
    c.save()
    personal = leaf([(NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, ORG_O),
                     (NameOID.TITLE, "Chuyên viên"), (NameOID.COMMON_NAME, PERSONAL_CN)], 0x4B59534F2001)
    org = leaf([(NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, ORG_O),
                (NameOID.COMMON_NAME, ORG_CN)], 0x4B59534F2002)
    data = sign(buf.getvalue(), "SigPersonal", *personal)
    data = sign(data, "SigOrg", *org)
    (OUT / "signed-cn.pdf").write_bytes(data)


# ---------------------------------------------------------------------------------------------
# A scanned strip for the OCR writers
# ---------------------------------------------------------------------------------------------
SCAN_LINES = [
    "</span><script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "Tom & Jerry's \"quote\" </title>",
]


def markup_scan():
    font = ImageFont.truetype(docs.register_fonts(), 56)
    img = Image.new("L", (2000, 420), 255)
    d = ImageDraw.Draw(img)
    for i, line in enumerate(SCAN_LINES):
        d.text((80, 60 + 110 * i), line, font=font, fill=0)
    img = img.point(lambda v: 0 if v < 128 else 255).convert("1")
    img.save(OUT / "markup-scan.png", dpi=(300, 300), optimize=True)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    expected = {}

    render("formula.pdf", base_doc(
        parent_agency=AT, agency_lines=[PLUS], subject=HYPERLINK,
        signer_title=DDE, signer_name=MINUS, authority_line="KT. GIÁM ĐỐC"),
        producer=DDE)
    expected["formula.pdf"] = {
        "payloads": {"parent_agency": AT, "agency": PLUS, "subject": HYPERLINK,
                     "signer_title": DDE, "signer_name": MINUS, "producer": DDE},
        # The metadata stage reads headings and names from their first letter on, so the
        # prefixes of the agency and signer lines do not reach those fields; a line not printed
        # in capitals is no agency name (Decree 30 prints them in capitals), so the formula
        # parent line is not read at all; the subject keeps its text whole.
        "metadata": {"subject": HYPERLINK, "agency": PLUS[1:], "parent_agency": None},
    }

    render("ansi-bidi.pdf", base_doc(
        parent_agency=BIDI_PARENT, agency_lines=[ANSI_AGENCY], subject=ANSI_SUBJECT,
        signer_title=CLIPBOARD_TITLE, signer_name=C1_SIGNER,
        recipients=[f"Như Điều 2;{ESC}[5m", "Lưu: VT."]),
        producer=ANSI_PRODUCER)
    expected["ansi-bidi.pdf"] = {
        "payloads": {"parent_agency": BIDI_PARENT, "agency": ANSI_AGENCY,
                     "subject": ANSI_SUBJECT, "signer_title": CLIPBOARD_TITLE,
                     "signer_name": C1_SIGNER, "producer": ANSI_PRODUCER},
        "metadata": {"agency": "SỞ TÀI CHÍNH", "parent_agency": "UBND TỈNH GNAIG CẮB",
                     "subject": "Về việc thử nghiệm gpj.exe báo cáo",
                     "signer_name": "Nguyễn Văn An", "signer_title": "PHÓ GIÁM ĐỐC"},
    }

    signed_cn()
    expected["signed-cn.pdf"] = {
        "payloads": {"personal_cn": PERSONAL_CN, "org_cn": ORG_CN, "org_o": ORG_O},
        "metadata": {"agency": f"{DDE} Sở Tài chính"},
    }

    # The header lines in capitals, as agency names are printed, so that the markup reaches the
    # agency field (HTML tags are case-insensitive: still markup).
    render("markup.pdf", base_doc(
        parent_agency=TITLE.upper(), agency_lines=[l.upper() for l in SCRIPT_LINES], subject=IMG, signer_title=QUOTES,
        recipients=[RECIPIENT, "Lưu: VT."]),
        producer=SCRIPT)
    expected["markup.pdf"] = {
        "payloads": {"parent_agency": TITLE.upper(),
                     "agency": " ".join(l.upper() for l in SCRIPT_LINES), "subject": IMG,
                     "signer_title": QUOTES, "recipient": RECIPIENT, "producer": SCRIPT},
        "metadata": {"subject": IMG, "signer_title": "ONMOUSEOVER='ALERT(4)' X"},
        # The header lines run together into the agency; what matters is the markup in it.
        "metadata_contains": {"agency": "<SVG ONLOAD=ALERT(1)"},
    }

    markup_scan()
    expected["markup-scan.png"] = {"payloads": {"lines": SCAN_LINES}}

    (OUT / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=True, indent=2) + "\n")
    for p in sorted(OUT.iterdir()):
        print(f"{p.relative_to(ROOT)}: {p.stat().st_size} bytes")


if __name__ == "__main__":
    main()
