#!/usr/bin/env python3
"""Generate the Vietnamese-shaped test PKI (testdata/pki-vn/) and the revocation fixtures of
tests/signature_revocation.rs (testdata/signatures/revocation/).

The PKI has the shape of Vietnam's public digital signature PKI: a root (standing in for the
national root, NEAC), an intermediate (standing in for a licensed CA), an OCSP responder and
a TSA certified by the intermediate, and leaf certificates with the subject attributes
Vietnamese CAs write (C, ST/L, O, OU, title, CN, and UID holding CMND:/CCCD:/MST: forms).
Every key and certificate here is a TEST one: nothing chains to a real Vietnamese root.

Fixtures (signed with pyHanko, revocation data made with `cryptography`, put in a /DSS by
pyHanko's DocumentSecurityStore.add_dss after signing, as a PAdES B-LT update):

  good.pdf                       OCSP good (leaf) + CRL (intermediate), signature timestamp
  revoked_before_signing.pdf     CRL: leaf revoked 10 days before the signature timestamp
  revoked_after_signing.pdf      OCSP: leaf revoked 10 days after the signature timestamp
  revoked_after_no_timestamp.pdf the same OCSP data, but no signature timestamp: nothing proves
                                 the signature is older than the revocation
  organisation_good.pdf          the organisation certificate (MST), CRLs only
  no_revocation_data.pdf         no CRL/OCSP at all

Each is then validated by pyHanko (trusting only the test root, at VALIDATION_TIME, revocation
hard-fail, no fetching) and what it says goes into expected.json beside kyso's expectation.

Run from the crate root:  python3 testdata/generate/revocation.py
Versions: testdata/generate/requirements-signatures.txt.
"""

import datetime as dt
import json
from io import BytesIO
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[2]
PKI = ROOT / "testdata" / "pki-vn"
OUT = ROOT / "testdata" / "signatures" / "revocation"
# cryptography stamps an OCSP response's producedAt with the current time, so the fixture times
# follow the day the script runs: the signature timestamp (the proof that the signature
# existed) 30 days before it, the validation time the tests use one day after it. Both are
# written to expected.json.
TODAY = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
T0 = TODAY - dt.timedelta(days=30)
VALIDATION_TIME = TODAY + dt.timedelta(days=1)
NOT_BEFORE = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
NOT_AFTER = dt.datetime(2035, 1, 1, tzinfo=dt.timezone.utc)
UID = x509.ObjectIdentifier("0.9.2342.19200300.100.1.1")


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def vn_name(*attrs):
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attrs])


ROOT_NAME = vn_name((NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, "Kyso Test PKI"),
                    (NameOID.COMMON_NAME, "Kyso Test Root CA (mô phỏng Root CA quốc gia)"))
SUB_NAME = vn_name((NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, "Kyso Test PKI"),
                   (NameOID.ORGANIZATIONAL_UNIT_NAME, "Tổ chức cung cấp dịch vụ chứng thực (thử nghiệm)"),
                   (NameOID.COMMON_NAME, "Kyso Test CA cấp 2"))
LEAVES = {
    "personal-cccd": vn_name(
        (NameOID.COUNTRY_NAME, "VN"), (NameOID.STATE_OR_PROVINCE_NAME, "Bắc Giang"),
        (NameOID.LOCALITY_NAME, "Thành phố Bắc Giang"),
        (NameOID.ORGANIZATION_NAME, "Ủy ban nhân dân tỉnh Bắc Giang"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "Văn phòng Ủy ban nhân dân tỉnh"),
        (NameOID.TITLE, "Chánh Văn phòng"), (NameOID.COMMON_NAME, "Nguyễn Thị Hoa"),
        (UID, "CCCD:024190001234")),
    "personal-cmnd": vn_name(
        (NameOID.COUNTRY_NAME, "VN"), (NameOID.LOCALITY_NAME, "Hà Nội"),
        (NameOID.ORGANIZATION_NAME, "Bộ Tư pháp"), (NameOID.ORGANIZATIONAL_UNIT_NAME, "Cục Hộ tịch, quốc tịch, chứng thực"),
        (NameOID.COMMON_NAME, "Trần Văn Bình"), (UID, "CMND:121234567")),
    "organisation-mst": vn_name(
        (NameOID.COUNTRY_NAME, "VN"), (NameOID.STATE_OR_PROVINCE_NAME, "Bắc Giang"),
        (NameOID.LOCALITY_NAME, "Thành phố Bắc Giang"),
        (NameOID.ORGANIZATION_NAME, "Sở Tư pháp tỉnh Bắc Giang"),
        (NameOID.COMMON_NAME, "Sở Tư pháp tỉnh Bắc Giang"), (UID, "MST:2400123456")),
}


def cert(subject, key, issuer_name, issuer_key, serial, ca=False, eku=None, path_len=None):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
         .public_key(key.public_key()).serial_number(serial)
         .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len), critical=True)
         .add_extension(x509.KeyUsage(
             digital_signature=not ca, content_commitment=not ca and eku is None,
             key_encipherment=False, data_encipherment=False, key_agreement=False,
             key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                        critical=False))
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return b.sign(issuer_key, hashes.SHA256())


def save(stem, c, key):
    (PKI / f"{stem}.cert.pem").write_bytes(c.public_bytes(serialization.Encoding.PEM))
    (PKI / f"{stem}.key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def build_pki():
    PKI.mkdir(parents=True, exist_ok=True)
    root_key, sub_key = rsa_key(), rsa_key()
    root = cert(ROOT_NAME, root_key, ROOT_NAME, root_key, 0x4B59534F5600, ca=True, path_len=1)
    sub = cert(SUB_NAME, sub_key, ROOT_NAME, root_key, 0x4B59534F5601, ca=True, path_len=0)
    pki = {"root": (root, root_key), "sub": (sub, sub_key)}
    for i, (stem, name) in enumerate(LEAVES.items()):
        key = rsa_key()
        pki[stem] = (cert(name, key, SUB_NAME, sub_key, 0x4B59534F5610 + i), key)
    ocsp_key, tsa_key = rsa_key(), rsa_key()
    pki["ocsp"] = (cert(vn_name((NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, "Kyso Test PKI"),
                                (NameOID.COMMON_NAME, "Kyso Test OCSP Responder")),
                        ocsp_key, SUB_NAME, sub_key, 0x4B59534F5620, eku=[ExtendedKeyUsageOID.OCSP_SIGNING]),
                   ocsp_key)
    pki["tsa"] = (cert(vn_name((NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, "Kyso Test PKI"),
                               (NameOID.COMMON_NAME, "Kyso Test TSA")),
                       tsa_key, SUB_NAME, sub_key, 0x4B59534F5621, eku=[ExtendedKeyUsageOID.TIME_STAMPING]),
                  tsa_key)
    for stem, (c, k) in pki.items():
        save(stem, c, k)
    # --trust folder holding only the root, and a trust profile naming root and intermediate.
    (PKI / "trusted").mkdir(exist_ok=True)
    (PKI / "trusted" / "root.cert.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    fp = lambda c: c.fingerprint(hashes.SHA256()).hex(":").upper()
    (PKI / "profile.toml").write_text(f"""# Trust profile for kyso --trust (docs/trust.md), of the shape an inspector keeps for the
# Vietnamese public PKI: the root as anchor, subordinate CAs as intermediates, each pinned by
# its SHA-256 fingerprint. TEST certificates made by testdata/generate/revocation.py.
name = "kyso-test-vn"
description = "Kyso test PKI shaped like the national root and a licensed CA"

[[certificate]]
file = "root.cert.pem"
purpose = "root"
sha256 = "{fp(root)}"
note = "stands in for the national root CA (NEAC)"

[[certificate]]
file = "sub.cert.pem"
purpose = "intermediate"
sha256 = "{fp(sub)}"
note = "stands in for a licensed CA's subordinate certificate"
""", encoding="utf-8")
    return pki


def asn1_cert(c):
    return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))


def asn1_key(k):
    return asn1_keys.PrivateKeyInfo.load(k.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def make_crl(pki, issuer, revoked, this_update):
    """revoked: [(cert, revocation_time)]"""
    ic, ik = pki[issuer]
    b = (x509.CertificateRevocationListBuilder().issuer_name(ic.subject)
         .last_update(this_update).next_update(this_update + dt.timedelta(days=90)))
    for c, when in revoked:
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder()
                                      .serial_number(c.serial_number).revocation_date(when).build())
    return b.sign(ik, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def make_ocsp(pki, leaf, status, produced, revoked_at=None):
    lc = pki[leaf][0]
    sub = pki["sub"][0]
    oc, ok = pki["ocsp"]
    b = ocsp.OCSPResponseBuilder().add_response(
        cert=lc, issuer=sub, algorithm=hashes.SHA1(), cert_status=status,
        this_update=produced, next_update=produced + dt.timedelta(days=90),
        revocation_time=revoked_at,
        revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
    ).responder_id(ocsp.OCSPResponderEncoding.HASH, oc).certificates([oc])
    return b.sign(ok, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def base_pdf(text):
    buf = BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


def sign(pki, leaf, with_timestamp=True):
    lc, lk = pki[leaf]
    signer = signers.SimpleSigner(
        signing_cert=asn1_cert(lc), signing_key=asn1_key(lk),
        cert_registry=SimpleCertificateStore.from_certs([asn1_cert(pki["sub"][0])]))
    tsa = None
    if with_timestamp:
        tc, tk = pki["tsa"]
        tsa = DummyTimeStamper(tsa_cert=asn1_cert(tc), tsa_key=asn1_key(tk), fixed_dt=T0,
                               certs_to_embed=SimpleCertificateStore.from_certs(
                                   [asn1_cert(pki["sub"][0])]))
    w = IncrementalPdfFileWriter(BytesIO(base_pdf("Quyết định số 45/QĐ-UBND — thử thu hồi chứng thư")))
    meta = signers.PdfSignatureMetadata(field_name="Sig1", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(w, meta, signer=signer, timestamper=tsa).getvalue()


def add_dss(data, pki, crls=(), ocsps=()):
    out = BytesIO(data)
    r = PdfFileReader(out)
    sig = r.embedded_signatures[0]
    DocumentSecurityStore.add_dss(
        out, sig.pkcs7_content,
        certs=[asn1_cert(pki[s][0]) for s in ("sub", "ocsp", "tsa")],
        crls=[asn1_crl.CertificateList.load(c) for c in crls],
        ocsps=[asn1_ocsp.OCSPResponse.load(o) for o in ocsps],
        embed_roots=False)
    return out.getvalue()


def pyhanko_says(data, pki, crls, ocsps):
    r = PdfFileReader(BytesIO(data))
    emb = r.embedded_signatures[0]
    vc = ValidationContext(
        trust_roots=[asn1_cert(pki["root"][0])],
        other_certs=[asn1_cert(pki[s][0]) for s in ("sub", "ocsp", "tsa")],
        crls=[asn1_crl.CertificateList.load(c) for c in crls],
        ocsps=[asn1_ocsp.OCSPResponse.load(o) for o in ocsps],
        moment=VALIDATION_TIME, allow_fetching=False, revocation_mode="hard-fail")
    try:
        st = validate_pdf_signature(emb, vc)
        return {"intact": st.intact, "valid": st.valid, "trusted": st.trusted,
                "revoked": st.revoked, "bottom_line": st.bottom_line, "summary": st.summary()}
    except Exception as e:  # noqa: BLE001 - recorded, not hidden
        return {"error": repr(e)}


def main():
    now = dt.datetime.now(dt.timezone.utc)
    pki = build_pki()
    OUT.mkdir(parents=True, exist_ok=True)
    leaf = "personal-cccd"
    lc = pki[leaf][0]
    sub_crl_good = make_crl(pki, "root", [], T0 - dt.timedelta(days=1))
    crl_leaf_revoked = make_crl(pki, "sub", [(lc, T0 - dt.timedelta(days=10))], T0 - dt.timedelta(days=1))
    crl_sub_clean = make_crl(pki, "sub", [], T0 - dt.timedelta(days=1))
    ocsp_good = make_ocsp(pki, leaf, ocsp.OCSPCertStatus.GOOD, T0 + dt.timedelta(days=1))
    ocsp_revoked_after = make_ocsp(pki, leaf, ocsp.OCSPCertStatus.REVOKED, T0 + dt.timedelta(days=11),
                                   revoked_at=T0 + dt.timedelta(days=10))
    cases = {
        "good.pdf": (leaf, True, [sub_crl_good], [ocsp_good], "counts", "good"),
        "revoked_before_signing.pdf": (leaf, True, [sub_crl_good, crl_leaf_revoked], [],
                                       "does_not_count", "revoked"),
        "revoked_after_signing.pdf": (leaf, True, [sub_crl_good], [ocsp_revoked_after],
                                      "counts", "revoked"),
        "revoked_after_no_timestamp.pdf": (leaf, False, [sub_crl_good], [ocsp_revoked_after],
                                           "does_not_count", "revoked"),
        "organisation_good.pdf": ("organisation-mst", True, [sub_crl_good, crl_sub_clean], [],
                                  "counts", "good"),
        "no_revocation_data.pdf": (leaf, True, [], [], "counts", "unknown"),
    }
    expected = {}
    for name, (who, ts, crls, ocsps, must, status) in cases.items():
        data = sign(pki, who, with_timestamp=ts)
        if crls or ocsps:
            data = add_dss(data, pki, crls, ocsps)
        (OUT / name).write_bytes(data)
        expected[name] = {"signer": who, "signature_timestamp": ts, "kyso_must": must,
                          "revocation": status,
                          "pyhanko": pyhanko_says(data, pki, crls, ocsps)}
    meta = {
        "validation_time": VALIDATION_TIME.isoformat().replace("+00:00", "Z"),
        "signature_timestamp_time": T0.isoformat().replace("+00:00", "Z"),
        "trust": "testdata/pki-vn/trusted",
        "made_at": now.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "pyhanko_note": (
            "pyHanko's intact/valid are the crypto reference. Its revoked/trusted are not a "
            "revocation reference here: validate_pdf_signature (revocation_mode hard-fail) does "
            "not take these CRLs/OCSP responses into account (with 'require' it reports no "
            "revocation information for the end-entity certificate even for good.pdf), so "
            "kyso_must and revocation are set by construction (docs/signatures.md, Revocation)."),
        "files": expected,
    }
    (OUT / "expected.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")


if __name__ == "__main__":
    main()
