#!/usr/bin/env python3
"""Generate the DocMDP / FieldMDP fixtures of tests/signature_permissions.rs
(testdata/signatures/permissions/), signed by pyHanko with the keys of testdata/signatures/pki/
(made by signatures.py; reused, not regenerated), and what pyHanko says of each signature.

  certified_p1_then_filled.pdf      certified "no changes" (P=1), then a field value changed
  certified_p2_then_signed.pdf      certified "form filling" (P=2), then a second signature
  certified_p2_then_annotated.pdf   P=2, then a text annotation
  certified_p3_then_annotated.pdf   certified "annotations" (P=3), then a text annotation
  fieldmdp_locked_changed.pdf       an approval signature locking field SoVanBan (FieldMDP
                                    Include), then SoVanBan's value changed
  fieldmdp_other_changed.pdf        the same lock, then the unlocked field GhiChu changed

Run from the crate root:  python3 testdata/generate/docmdp.py
"""

import datetime as dt
import json
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[2]
PKI = ROOT / "testdata" / "signatures" / "pki"
OUT = ROOT / "testdata" / "signatures" / "permissions"
VALIDATION_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def load_cert(stem):
    return asn1_x509.Certificate.load(pem.unarmor((PKI / f"{stem}.crt.pem").read_bytes())[2])


def signer(stem):
    key = asn1_keys.PrivateKeyInfo.load(pem.unarmor((PKI / f"{stem}.key.pem").read_bytes())[2])
    return signers.SimpleSigner(signing_cert=load_cert(stem), signing_key=key,
                                cert_registry=SimpleCertificateStore.from_certs([load_cert("root")]))


def base_pdf():
    """One page with two text fields (SoVanBan, GhiChu) and two empty signature fields."""
    buf = BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 760, "Quyết định số 77/QĐ-UBND")
    form = c.acroForm
    form.textfield(name="SoVanBan", value="77/QD-UBND", x=72, y=700, width=200, height=20)
    form.textfield(name="GhiChu", value="", x=72, y=660, width=200, height=20)
    c.save()
    w = IncrementalPdfFileWriter(BytesIO(buf.getvalue()))
    fields.append_signature_field(w, fields.SigFieldSpec("SigOrg", box=(72, 560, 272, 610)))
    fields.append_signature_field(w, fields.SigFieldSpec("SigPersonal", box=(300, 560, 500, 610)))
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def sign(data, stem, field, certify=False, perm=None, lock=None):
    w = IncrementalPdfFileWriter(BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256", certify=certify,
                                        **({"docmdp_permissions": perm} if perm else {}))
    spec = None
    if lock:
        spec = fields.SigFieldSpec(field, field_mdp_spec=fields.FieldMDPSpec(
            fields.FieldMDPAction.INCLUDE, fields=lock))
    pdf_signer = signers.PdfSigner(meta, signer=signer(stem), new_field_spec=spec)
    return pdf_signer.sign_pdf(w).getvalue()


def annotate(data):
    w = IncrementalPdfFileWriter(BytesIO(data))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    annot = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Text"),
        generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(x) for x in (10, 10, 30, 30)]),
        generic.NameObject("/Contents"): generic.TextStringObject("ghi chú sau khi ký"),
    })
    ref = w.add_object(annot)
    arr = generic.ArrayObject(list(page.get("/Annots", [])))
    arr.append(ref)
    page[generic.NameObject("/Annots")] = arr
    w.update_container(page)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def set_field(data, name, value):
    w = IncrementalPdfFileWriter(BytesIO(data))
    for ref in w.root["/AcroForm"]["/Fields"]:
        f = ref.get_object()
        if f.get("/T") == name:
            f[generic.NameObject("/V")] = generic.TextStringObject(value)
            w.update_container(f)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def pyhanko_says(data):
    root = load_cert("root")
    r = PdfFileReader(BytesIO(data))
    result = []
    for emb in r.embedded_signatures:
        vc = ValidationContext(trust_roots=[root], moment=VALIDATION_TIME, allow_fetching=False,
                               revocation_mode="soft-fail")
        try:
            st = validate_pdf_signature(emb, vc)
            result.append({"field": emb.field_name, "intact": st.intact, "valid": st.valid,
                           "modification_level": st.modification_level.name.lower()
                           if st.modification_level is not None else None,
                           "docmdp_ok": st.docmdp_ok, "bottom_line": st.bottom_line})
        except Exception as e:  # noqa: BLE001 - recorded
            result.append({"field": emb.field_name, "pyhanko_error": repr(e)})
    return result


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    base = base_pdf()
    P = fields.MDPPerm
    fx = {
        # pyHanko refuses to sign after P=1, so the forbidden change is a field value.
        "certified_p1_then_filled.pdf": set_field(sign(base, "organisation", "SigOrg", True, P.NO_CHANGES),
                                                  "GhiChu", "da xem"),
        "certified_p2_then_signed.pdf": sign(sign(base, "organisation", "SigOrg", True, P.FILL_FORMS),
                                             "personal", "SigPersonal"),
        "certified_p2_then_annotated.pdf": annotate(sign(base, "organisation", "SigOrg", True, P.FILL_FORMS)),
        "certified_p3_then_annotated.pdf": annotate(sign(base, "organisation", "SigOrg", True, P.ANNOTATE)),
        "fieldmdp_locked_changed.pdf": set_field(sign(base, "organisation", "SigLock", lock=["SoVanBan"]),
                                                 "SoVanBan", "78/QD-UBND"),
        "fieldmdp_other_changed.pdf": set_field(sign(base, "organisation", "SigLock", lock=["SoVanBan"]),
                                                "GhiChu", "da xem"),
    }
    expected = {}
    for name, data in fx.items():
        (OUT / name).write_bytes(data)
        expected[name] = pyhanko_says(data)
    meta = {"validation_time": VALIDATION_TIME.isoformat().replace("+00:00", "Z"),
            "trust": "testdata/signatures/pki/trusted", "files": expected}
    (OUT / "expected.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")


if __name__ == "__main__":
    main()
