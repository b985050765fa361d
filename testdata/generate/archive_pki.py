"""Demo PKI for the archive's signature (`kyso scan --outputs pdfa --sign-with ...`).

Writes testdata/pki/archive/ from the test root CA of testdata/pki/ (root-ca.{cert,key}.pem,
made by pki.py; run this again whenever pki.py makes a new root):

* org-archive.{cert,key}.pem, org-archive.p12: the digitising agency's organisation certificate
  (CN = O = "Trung tâm Lưu trữ lịch sử tỉnh Bắc Giang"), for `make demo` and the tests;
* personal-archivist.p12: the personal test certificate of pki.py (Nguyễn Văn An), which
  `--sign-with` must refuse without --allow-personal-signer;
* tsa.{cert,key}.pem, tsa.cnf: a time-stamping unit (extendedKeyUsage timeStamping, critical)
  and an `openssl ts -reply` configuration, for the local RFC 3161 responder of the tests;
* trust/root-ca.cert.pem: the root alone, for `--trust`.

The PKCS#12 files use the password in DEMO_PASSWORD (a demo key: never use it for anything
real), AES-256-CBC with PBKDF2 and an HMAC-SHA256 MAC (cryptography's BestAvailableEncryption).

    python3 testdata/generate/archive_pki.py
"""
import datetime as dt
import os
import shutil

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
PKI = os.path.join(HERE, "..", "pki")
OUT = os.path.join(PKI, "archive")
DEMO_PASSWORD = b"kyso-demo"
NOT_BEFORE = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
NOT_AFTER = dt.datetime(2034, 1, 1, tzinfo=dt.timezone.utc)
AGENCY = "Trung tâm Lưu trữ lịch sử tỉnh Bắc Giang"


def load(name):
    with open(os.path.join(PKI, f"{name}.key.pem"), "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    with open(os.path.join(PKI, f"{name}.cert.pem"), "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    return key, cert


def write_pem(path, data):
    with open(path, "wb") as f:
        f.write(data)


def leaf(root_key, root_cert, subject, serial, eku=None):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_ski = root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(root_cert.subject)
               .public_key(key.public_key())
               .serial_number(serial)
               .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                            key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                   root_ski), critical=False))
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return key, builder.sign(root_key, hashes.SHA256())


def p12(path, name, key, cert, root_cert):
    data = pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, [root_cert],
        serialization.BestAvailableEncryption(DEMO_PASSWORD))
    write_pem(path, data)


TSA_CNF = """# openssl ts -reply configuration of the tests' local time-stamp responder.
[ tsa ]
default_tsa = tsa_config

[ tsa_config ]
serial = ./tsaserial
crypto_device = builtin
default_policy = 1.3.6.1.4.1.55555.1.1
other_policies = 1.3.6.1.4.1.55555.1.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
signer_digest = sha256
"""


def main():
    os.makedirs(os.path.join(OUT, "trust"), exist_ok=True)
    root_key, root_cert = load("root-ca")
    shutil.copy(os.path.join(PKI, "root-ca.cert.pem"), os.path.join(OUT, "trust", "root-ca.cert.pem"))

    org_name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "Bắc Giang"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, AGENCY),
        x509.NameAttribute(NameOID.COMMON_NAME, AGENCY),
    ])
    key, cert = leaf(root_key, root_cert, org_name, 0x4B59534F2001)
    write_pem(os.path.join(OUT, "org-archive.key.pem"),
              key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()))
    write_pem(os.path.join(OUT, "org-archive.cert.pem"), cert.public_bytes(serialization.Encoding.PEM))
    p12(os.path.join(OUT, "org-archive.p12"), "org-archive", key, cert, root_cert)

    pkey, pcert = load("personal-nguyen-van-an")
    p12(os.path.join(OUT, "personal-archivist.p12"), "personal", pkey, pcert, root_cert)

    tsa_name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kyso Test PKI"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Kyso Test TSA"),
    ])
    tkey, tcert = leaf(root_key, root_cert, tsa_name, 0x4B59534F2002,
                       eku=[ExtendedKeyUsageOID.TIME_STAMPING])
    write_pem(os.path.join(OUT, "tsa.key.pem"),
              tkey.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()))
    write_pem(os.path.join(OUT, "tsa.cert.pem"), tcert.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(OUT, "tsa.cnf"), "w") as f:
        f.write(TSA_CNF)
    print(f"archive PKI written to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
