#!/usr/bin/env python3
"""Generate the signed-PDF fixtures of tests/signature_fixtures.rs and their expected results.

Makes a test PKI (testdata/signatures/pki/), small PDFs with reportlab, signs them with pyHanko,
then validates every signature with pyHanko (trusting only the test root, at VALIDATION_TIME)
and writes what pyHanko says to testdata/signatures/expected.json. kyso's tests compare
themselves with that file, so pyHanko, not this script, is the reference.

Run from the crate root:  python3 testdata/generate/signatures.py
Versions: testdata/generate/requirements-signatures.txt.
"""

import datetime as dt
import json
import subprocess
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "testdata" / "signatures"
PKI = OUT / "pki"
VALIDATION_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
NOT_BEFORE = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
NOT_AFTER = dt.datetime(2036, 1, 1, tzinfo=dt.timezone.utc)
AGENCY = "Ủy ban nhân dân tỉnh Bắc Giang"


def name(cn, o=None, serial=None, title=None):
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if o:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    if title:
        attrs.append(x509.NameAttribute(NameOID.TITLE, title))
    if serial:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def make_cert(subject, key, issuer_name, issuer_key, ca, serial, nb=NOT_BEFORE, na=NOT_AFTER):
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(nb)
        .not_valid_after(na)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
    )
    return b.sign(issuer_key, hashes.SHA256())


def save(stem, cert, key):
    (PKI / f"{stem}.crt.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (PKI / f"{stem}.key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()))


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def build_pki():
    PKI.mkdir(parents=True, exist_ok=True)
    (PKI / "trusted").mkdir(exist_ok=True)
    root_key = rsa_key()
    root_name = name("Kyso Test Root CA", "Kyso Test PKI")
    root = make_cert(root_name, root_key, root_name, root_key, True, 1)
    other_key = rsa_key()
    other_name = name("Untrusted Test Root CA", "Somebody Else")
    other = make_cert(other_name, other_key, other_name, other_key, True, 2)
    save("root", root, root_key)
    save("untrusted-root", other, other_key)
    # --trust DIR for the tests holds only the test root.
    (PKI / "trusted" / "root.crt.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    leaves = {
        "personal": (rsa_key(), name("Nguyễn Văn An", AGENCY, serial="CMND:012345678",
                                     title="Chuyên viên"), root_name, root_key),
        "organisation": (rsa_key(), name(AGENCY, AGENCY), root_name, root_key),
        "pss": (rsa_key(), name("Trần Thị Bình", "Sở Tư pháp tỉnh Bắc Giang"), root_name, root_key),
        "p256": (ec.generate_private_key(ec.SECP256R1()), name("Văn phòng UBND tỉnh Bắc Giang",
                 "Văn phòng UBND tỉnh Bắc Giang"), root_name, root_key),
        "p384": (ec.generate_private_key(ec.SECP384R1()), name("Lê Văn Cường",
                 "Sở Tài chính tỉnh Bắc Giang"), root_name, root_key),
        "untrusted": (rsa_key(), name("Phạm Văn Dũng", "Công ty TNHH Ví Dụ"), other_name, other_key),
        "expired": (rsa_key(), name("Hoàng Thị Em", AGENCY), root_name, root_key),
    }
    out = {"root": (root, root_key), "untrusted-root": (other, other_key)}
    for i, (stem, (key, subj, iss, iss_key)) in enumerate(leaves.items(), start=10):
        if stem == "expired":
            cert = make_cert(subj, key, iss, iss_key, False, i,
                             dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
                             dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc))
        else:
            cert = make_cert(subj, key, iss, iss_key, False, i)
        save(stem, cert, key)
        out[stem] = (cert, key)
    return out


def signer_for(pki, stem, pss=False):
    cert, key = pki[stem]
    issuer = pki["untrusted-root"][0] if stem == "untrusted" else pki["root"][0]
    to_asn1 = lambda c: asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return signers.SimpleSigner(
        signing_cert=to_asn1(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([to_asn1(issuer)]),
        prefer_pss=pss,
    )


def base_pdf(text="Quyết định số 123/QĐ-UBND", sig_field=None):
    buf = BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, text)
    c.save()
    data = buf.getvalue()
    if sig_field:
        w = IncrementalPdfFileWriter(BytesIO(data))
        fields.append_signature_field(w, fields.SigFieldSpec(sig_field, box=(72, 600, 272, 650)))
        out = BytesIO()
        w.write(out)
        data = out.getvalue()
    return data


def sign(data, pki, stem, field, pss=False, md="sha256"):
    w = IncrementalPdfFileWriter(BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm=md)
    out = signers.sign_pdf(w, meta, signer=signer_for(pki, stem, pss))
    return out.getvalue()


def add_annotation(data):
    from pyhanko.pdf_utils import generic
    w = IncrementalPdfFileWriter(BytesIO(data))
    page_ref = w.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    annot = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Text"),
        generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(x) for x in (10, 10, 30, 30)]),
        generic.NameObject("/Contents"): generic.TextStringObject("note added after signing"),
    })
    ref = w.add_object(annot)
    annots = page.get("/Annots")
    arr = generic.ArrayObject(list(annots) if annots else [])
    arr.append(ref)
    page[generic.NameObject("/Annots")] = arr
    w.update_container(page)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def change_page_content(data):
    from pyhanko.pdf_utils import generic
    w = IncrementalPdfFileWriter(BytesIO(data))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 500 Td (Noi dung da bi thay doi) Tj ET")
    ref = w.add_object(stream)
    page[generic.NameObject("/Contents")] = ref
    w.update_container(page)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def corrupt_signed_range(data):
    # Flip a byte of the page text, well inside the first signed range.
    i = data.find(b"endobj")
    b = bytearray(data)
    b[i - 3] ^= 0x01
    return bytes(b)


def make_fixtures(pki):
    fx = {}
    fx["single_personal.pdf"] = sign(base_pdf(), pki, "personal", "Sig1")
    two = sign(fx["single_personal.pdf"], pki, "organisation", "Sig2")
    fx["two_signatures.pdf"] = two
    fx["annotation_after_signing.pdf"] = add_annotation(fx["single_personal.pdf"])
    fx["content_changed_after_signing.pdf"] = change_page_content(fx["single_personal.pdf"])
    fx["corrupted_signed_range.pdf"] = corrupt_signed_range(fx["single_personal.pdf"])
    fx["bytes_appended.pdf"] = fx["single_personal.pdf"] + b"\n% appended after signing\n" + b"x" * 64 + b"\n"
    fx["expired_cert.pdf"] = sign(base_pdf(), pki, "expired", "Sig1")
    fx["untrusted_root.pdf"] = sign(base_pdf(), pki, "untrusted", "Sig1")
    fx["ecdsa_p256.pdf"] = sign(base_pdf(), pki, "p256", "Sig1")
    fx["ecdsa_p384_sha384.pdf"] = sign(base_pdf(), pki, "p384", "Sig1", md="sha384")
    fx["rsa_pss.pdf"] = sign(base_pdf(), pki, "pss", "Sig1", pss=True)
    fx["sha512.pdf"] = sign(base_pdf(), pki, "organisation", "Sig1", md="sha512")
    fx["empty_field.pdf"] = base_pdf(sig_field="Chữ ký")
    fx["empty_field_then_signed_other.pdf"] = sign(base_pdf(sig_field="Empty"), pki, "personal", "Sig1")
    return fx


def role_of(cert_stem):
    return {"personal": "personal", "organisation": "organisation", "p256": "organisation",
            "pss": "personal", "p384": "personal", "untrusted": "personal", "expired": "personal"}[cert_stem]


def pyhanko_expectations(name, data, pki):
    root = asn1_x509.Certificate.load(pki["root"][0].public_bytes(serialization.Encoding.DER))
    r = PdfFileReader(BytesIO(data))
    result = []
    for fname, _, _ in fields.enumerate_sig_fields(r, filled_status=False):
        result.append({"field": fname, "signed": False})
    for emb in r.embedded_signatures:
        vc = ValidationContext(trust_roots=[root], moment=VALIDATION_TIME, allow_fetching=False,
                               revocation_mode="soft-fail", best_signature_time=VALIDATION_TIME)
        try:
            st = validate_pdf_signature(emb, vc, skip_diff=False)
            level = st.modification_level.name.lower() if st.modification_level is not None else None
            result.append({
                "field": emb.field_name, "signed": True, "intact": st.intact, "valid": st.valid,
                "coverage": st.coverage.name.lower(), "modification_level": level,
                "trusted": st.trusted,
            })
        except Exception as e:  # pyHanko could not decide: record that, kyso must not be "valid"
            result.append({"field": emb.field_name, "signed": True, "pyhanko_error": repr(e)})
    return result


def main():
    pki = build_pki()
    fx = make_fixtures(pki)
    expected = {}
    roles = {"single_personal.pdf": ["personal"], "two_signatures.pdf": ["personal", "organisation"],
             "expired_cert.pdf": ["personal"], "untrusted_root.pdf": ["personal"],
             "ecdsa_p256.pdf": ["organisation"], "ecdsa_p384_sha384.pdf": ["personal"],
             "rsa_pss.pdf": ["personal"], "sha512.pdf": ["organisation"]}
    for name_, data in fx.items():
        (OUT / name_).write_bytes(data)
        sigs = pyhanko_expectations(name_, data, pki)
        signed = [s for s in sigs if s.get("signed")]
        for s, role in zip(signed, roles.get(name_, [])):
            s["role"] = role
        expected[name_] = sigs
    # Detached CMS over a whole file (what `<file>.p7s` holds), made with openssl cms.
    content = OUT / "detached_content.txt"
    content.write_text("Văn bản gốc được ký rời (detached).\n", encoding="utf-8")
    subprocess.run(["openssl", "cms", "-sign", "-binary", "-in", str(content), "-signer",
                    str(PKI / "personal.crt.pem"), "-inkey", str(PKI / "personal.key.pem"),
                    "-certfile", str(PKI / "root.crt.pem"), "-outform", "DER", "-out",
                    str(OUT / "detached_content.txt.p7s")], check=True)
    verify = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                             str(OUT / "detached_content.txt.p7s"), "-content", str(content),
                             "-CAfile", str(PKI / "root.crt.pem"), "-attime",
                             str(int(VALIDATION_TIME.timestamp())), "-out", "/dev/null"],
                            capture_output=True)
    expected["detached_content.txt.p7s"] = [{"field": "", "signed": True, "intact": verify.returncode == 0,
                                             "valid": verify.returncode == 0, "trusted": verify.returncode == 0,
                                             "coverage": "entire_file", "role": "personal",
                                             "reference": "openssl cms -verify"}]
    meta = {"validation_time": VALIDATION_TIME.isoformat().replace("+00:00", "Z"),
            "trust": "testdata/signatures/pki/trusted", "files": expected}
    (OUT / "expected.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")


if __name__ == "__main__":
    main()
