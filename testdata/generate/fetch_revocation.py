#!/usr/bin/env python3
"""Generate the fixtures of tests/signature_fetch.rs (testdata/signatures/fetch/): signed PDFs
that carry NO revocation data, whose certificates name where their CRL and OCSP responder are
(CRL distribution points, authority information access), and the CRLs and OCSP responses a
local HTTP responder in the test serves at those addresses (served/).

Every URL uses the host names crl.kyso-test.invalid and ocsp.kyso-test.invalid (".invalid" is
reserved by RFC 2606: it never resolves), so nothing here can reach a real server; the test
gives kyso its local responder as the HTTP proxy.

PKI (a TEST one: nothing chains to a real root):
  root           self-signed
  sub            issued by root; CDP http://crl.kyso-test.invalid/root.crl
  ocsp           issued by sub, id-kp-OCSPSigning: sub's delegated OCSP responder
  good           leaf; AIA OCSP http://ocsp.kyso-test.invalid/good, CDP .../sub.crl
  revoked-ocsp   leaf; AIA OCSP .../revoked, CDP .../sub.crl (both say revoked)
  revoked-crl    leaf; CDP .../sub.crl only (listed there as revoked)
  wrong-signer   leaf; AIA OCSP .../wrong-signer (signed by a responder sub never certified),
                 CDP .../forged.crl (sub's name, signed by another key)
  https-only     leaf; AIA and CDP over https://, plus an ldap:// CDP
  big            leaf; CDP .../big.crl (a CRL the responder pads past the test's size limit)
  delta-good, delta-revoked
                 leaves; CDP .../stale-base.crl and freshest CRL .../delta.crl: the base CRL
                 (number 5) is stale at the validation time, the delta CRL over it (base 5) is
                 fresh and lists delta-revoked

served/ (what the responder answers, by path):
  root.crl, sub.crl, forged.crl    CRLs, thisUpdate TODAY-1d, nextUpdate +90 days
  stale-base.crl, delta.crl        base CRL issued TODAY-100d, next update TODAY-10d; its delta
  ocsp-good.der, ocsp-revoked.der, ocsp-wrong-signer.der   OCSP responses (producedAt: now)

Fixtures (signed with pyHanko, no timestamp, no DSS):
  good.pdf, revoked_ocsp.pdf, revoked_crl.pdf, wrong_signer.pdf, https_only.pdf, big.pdf,
  delta_good.pdf, delta_revoked.pdf
  embedded_good.pdf  the good leaf with an OCSP response and root.crl in a /DSS: the status is
                     known from the file, so nothing may be fetched

expected.json holds the validation time (TODAY+1d), the revocation date, the URL → file map,
and pyHanko's intact/valid for each file (pyHanko is not asked about revocation: it would have
to fetch).

Run from the crate root:  python3 testdata/generate/fetch_revocation.py
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
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "testdata" / "signatures" / "fetch"
SERVED = OUT / "served"
CRL_HOST = "http://crl.kyso-test.invalid"
OCSP_HOST = "http://ocsp.kyso-test.invalid"
TODAY = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
THIS_UPDATE = TODAY - dt.timedelta(days=1)
NEXT_UPDATE = THIS_UPDATE + dt.timedelta(days=90)
REVOKED_AT = TODAY - dt.timedelta(days=10)
VALIDATION_TIME = TODAY + dt.timedelta(days=1)
NOT_BEFORE = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
NOT_AFTER = dt.datetime(2035, 1, 1, tzinfo=dt.timezone.utc)


def key():
    # P-256: small keys and signatures keep the fixtures small; kyso verifies ECDSA as RSA.
    return ec.generate_private_key(ec.SECP256R1())


def name(cn, o="Kyso Fetch Test PKI"):
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, o),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def cert(subject, k, issuer_name, issuer_key, serial, ca=False, eku=None, cdp=(), ocsp_urls=(),
         freshest=()):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
         .public_key(k.public_key()).serial_number(serial)
         .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(
             digital_signature=not ca, content_commitment=not ca and eku is None,
             key_encipherment=False, data_encipherment=False, key_agreement=False,
             key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                        critical=False))
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if cdp:
        b = b.add_extension(x509.CRLDistributionPoints([
            x509.DistributionPoint(full_name=[x509.UniformResourceIdentifier(u)], relative_name=None,
                                   reasons=None, crl_issuer=None) for u in cdp]), critical=False)
    if freshest:
        b = b.add_extension(x509.FreshestCRL([
            x509.DistributionPoint(full_name=[x509.UniformResourceIdentifier(u)], relative_name=None,
                                   reasons=None, crl_issuer=None) for u in freshest]), critical=False)
    if ocsp_urls:
        b = b.add_extension(x509.AuthorityInformationAccess([
            x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                   x509.UniformResourceIdentifier(u)) for u in ocsp_urls]),
            critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def build_pki():
    p = {}
    rk, sk = key(), key()
    p["root"] = (cert(name("Kyso Fetch Test Root"), rk, name("Kyso Fetch Test Root"), rk, 0x4B5946000, ca=True), rk)
    sub_name = name("Kyso Fetch Test CA")
    p["sub"] = (cert(sub_name, sk, p["root"][0].subject, rk, 0x4B5946001, ca=True,
                     cdp=[f"{CRL_HOST}/root.crl"]), sk)
    ok = key()
    p["ocsp"] = (cert(name("Kyso Fetch Test OCSP"), ok, sub_name, sk, 0x4B5946002,
                      eku=[ExtendedKeyUsageOID.OCSP_SIGNING]), ok)
    # A responder and a CA key the sub CA never certified: their data must not count.
    rogue_k = key()
    p["rogue-ocsp"] = (cert(name("Kyso Fetch Test OCSP"), rogue_k, name("Rogue CA"), rogue_k, 0x4B59460FF,
                            eku=[ExtendedKeyUsageOID.OCSP_SIGNING]), rogue_k)
    p["rogue-ca-key"] = (None, key())
    leaves = {
        "good": dict(ocsp_urls=[f"{OCSP_HOST}/good"], cdp=[f"{CRL_HOST}/sub.crl"]),
        "revoked-ocsp": dict(ocsp_urls=[f"{OCSP_HOST}/revoked"], cdp=[f"{CRL_HOST}/sub.crl"]),
        "revoked-crl": dict(cdp=[f"{CRL_HOST}/sub.crl"]),
        "wrong-signer": dict(ocsp_urls=[f"{OCSP_HOST}/wrong-signer"], cdp=[f"{CRL_HOST}/forged.crl"]),
        "https-only": dict(ocsp_urls=["https://ocsp.kyso-test.invalid/good"],
                           cdp=["https://crl.kyso-test.invalid/sub.crl",
                                "ldap://crl.kyso-test.invalid/cn=Kyso%20Fetch%20Test%20CA?certificateRevocationList"]),
        "big": dict(cdp=[f"{CRL_HOST}/big.crl"]),
        "delta-good": dict(cdp=[f"{CRL_HOST}/stale-base.crl"], freshest=[f"{CRL_HOST}/delta.crl"]),
        "delta-revoked": dict(cdp=[f"{CRL_HOST}/stale-base.crl"], freshest=[f"{CRL_HOST}/delta.crl"]),
    }
    for i, (stem, ext) in enumerate(leaves.items()):
        k = key()
        p[stem] = (cert(name(f"Người ký thử nghiệm {stem}", "Ủy ban nhân dân tỉnh Thử nghiệm"), k, sub_name, sk,
                        0x4B5946010 + i, **ext), k)
    return p


def make_crl(issuer_name, signing_key, revoked, this_update=THIS_UPDATE, next_update=NEXT_UPDATE,
             number=7, delta_base=None):
    b = (x509.CertificateRevocationListBuilder().issuer_name(issuer_name)
         .last_update(this_update).next_update(next_update)
         .add_extension(x509.CRLNumber(number), critical=False))
    if delta_base is not None:
        b = b.add_extension(x509.DeltaCRLIndicator(delta_base), critical=True)
    for c in revoked:
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(c.serial_number)
                                      .revocation_date(REVOKED_AT).build())
    return b.sign(signing_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def make_ocsp(p, leaf, status, responder="ocsp"):
    rc, rk = p[responder]
    b = ocsp.OCSPResponseBuilder().add_response(
        cert=p[leaf][0], issuer=p["sub"][0], algorithm=hashes.SHA1(), cert_status=status,
        this_update=THIS_UPDATE, next_update=NEXT_UPDATE,
        revocation_time=REVOKED_AT if status == ocsp.OCSPCertStatus.REVOKED else None,
        revocation_reason=x509.ReasonFlags.key_compromise if status == ocsp.OCSPCertStatus.REVOKED else None,
    ).responder_id(ocsp.OCSPResponderEncoding.HASH, rc).certificates([rc])
    return b.sign(rk, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def asn1_cert(c):
    return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))


def asn1_key(k):
    return asn1_keys.PrivateKeyInfo.load(k.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def sign(p, leaf):
    buf = BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, f"Kyso fetch-revocation fixture: {leaf}")
    c.save()
    lc, lk = p[leaf]
    signer = signers.SimpleSigner(
        signing_cert=asn1_cert(lc), signing_key=asn1_key(lk),
        cert_registry=SimpleCertificateStore.from_certs([asn1_cert(p["sub"][0])]))
    meta = signers.PdfSignatureMetadata(field_name="Sig1", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(buf.getvalue())), meta, signer=signer).getvalue()


def add_dss(data, p, crls, ocsps):
    out = BytesIO(data)
    sig = PdfFileReader(out).embedded_signatures[0]
    DocumentSecurityStore.add_dss(
        out, sig.pkcs7_content, certs=[asn1_cert(p[s][0]) for s in ("sub", "ocsp")],
        crls=[asn1_crl.CertificateList.load(c) for c in crls],
        ocsps=[asn1_ocsp.OCSPResponse.load(o) for o in ocsps], embed_roots=False)
    return out.getvalue()


def pyhanko_says(data, p):
    emb = PdfFileReader(BytesIO(data)).embedded_signatures[0]
    vc = ValidationContext(trust_roots=[asn1_cert(p["root"][0])],
                           other_certs=[asn1_cert(p["sub"][0])],
                           moment=VALIDATION_TIME, allow_fetching=False, revocation_mode="soft-fail")
    try:
        st = validate_pdf_signature(emb, vc)
        return {"intact": st.intact, "valid": st.valid, "summary": st.summary()}
    except Exception as e:  # noqa: BLE001 - recorded, not hidden
        return {"error": repr(e)}


def iso(t):
    return t.isoformat().replace("+00:00", "Z")


def main():
    p = build_pki()
    SERVED.mkdir(parents=True, exist_ok=True)
    (OUT / "trusted").mkdir(parents=True, exist_ok=True)
    (OUT / "trusted" / "root.cert.pem").write_bytes(p["root"][0].public_bytes(serialization.Encoding.PEM))
    served = {
        "root.crl": make_crl(p["root"][0].subject, p["root"][1], []),
        "sub.crl": make_crl(p["sub"][0].subject, p["sub"][1], [p["revoked-ocsp"][0], p["revoked-crl"][0]]),
        "forged.crl": make_crl(p["sub"][0].subject, p["rogue-ca-key"][1], []),
        "big.crl": make_crl(p["sub"][0].subject, p["sub"][1], []),
        "stale-base.crl": make_crl(p["sub"][0].subject, p["sub"][1], [], this_update=TODAY - dt.timedelta(days=100),
                                   next_update=TODAY - dt.timedelta(days=10), number=5),
        "delta.crl": make_crl(p["sub"][0].subject, p["sub"][1], [p["delta-revoked"][0]], number=9, delta_base=5),
        "ocsp-good.der": make_ocsp(p, "good", ocsp.OCSPCertStatus.GOOD),
        "ocsp-revoked.der": make_ocsp(p, "revoked-ocsp", ocsp.OCSPCertStatus.REVOKED),
        "ocsp-wrong-signer.der": make_ocsp(p, "wrong-signer", ocsp.OCSPCertStatus.GOOD, responder="rogue-ocsp"),
    }
    for f, data in served.items():
        (SERVED / f).write_bytes(data)
    routes = {
        f"{CRL_HOST}/root.crl": "root.crl", f"{CRL_HOST}/sub.crl": "sub.crl",
        f"{CRL_HOST}/forged.crl": "forged.crl", f"{CRL_HOST}/big.crl": "big.crl",
        f"{CRL_HOST}/stale-base.crl": "stale-base.crl", f"{CRL_HOST}/delta.crl": "delta.crl",
        f"{OCSP_HOST}/good": "ocsp-good.der", f"{OCSP_HOST}/revoked": "ocsp-revoked.der",
        f"{OCSP_HOST}/wrong-signer": "ocsp-wrong-signer.der",
    }
    files = {}
    for stem in ("good", "revoked-ocsp", "revoked-crl", "wrong-signer", "https-only", "big", "delta-good",
                 "delta-revoked"):
        data = sign(p, stem)
        fname = stem.replace("-", "_") + ".pdf"
        (OUT / fname).write_bytes(data)
        files[fname] = {"signer": stem, "pyhanko": pyhanko_says(data, p)}
    data = add_dss(sign(p, "good"), p, [served["root.crl"]], [served["ocsp-good.der"]])
    (OUT / "embedded_good.pdf").write_bytes(data)
    files["embedded_good.pdf"] = {"signer": "good", "pyhanko": pyhanko_says(data, p)}
    meta = {
        "validation_time": iso(VALIDATION_TIME),
        "this_update": iso(THIS_UPDATE),
        "next_update": iso(NEXT_UPDATE),
        "revoked_at": iso(REVOKED_AT),
        "trust": "testdata/signatures/fetch/trusted",
        "routes": routes,
        "files": files,
    }
    (OUT / "expected.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
