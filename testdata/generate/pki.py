"""Test PKI for kyso fixtures (RSA 2048, fixed validity windows).

Keys are deterministic only in the sense that they are regenerated on every
run; the committed PEMs in testdata/pki/ are whatever the last run produced.
Set KYSO_REUSE_PKI=1 to reuse existing keys/certs instead of regenerating.

AGENCY_LEAVES are the certificates of the layout-variety corpus (agency_corpus.py). ensure()
issues those that are missing (or no longer chain to the current root) from the existing root
key and leaves every other file alone, so adding them never re-keys the fixtures signed before.
"""
import datetime as dt
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ROOT_NOT_BEFORE = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
ROOT_NOT_AFTER = dt.datetime(2034, 1, 1, tzinfo=dt.timezone.utc)
LEAF_NOT_BEFORE = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
LEAF_NOT_AFTER = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)

# name -> (subject attributes, role)
LEAVES = {
    "personal-nguyen-van-an": (
        [
            (NameOID.COUNTRY_NAME, "VN"),
            (NameOID.LOCALITY_NAME, "Bắc Giang"),
            (NameOID.ORGANIZATION_NAME, "Ủy ban nhân dân tỉnh Bắc Giang"),
            (NameOID.TITLE, "Chủ tịch"),
            (NameOID.SERIAL_NUMBER, "CMND:123456789"),
            (NameOID.COMMON_NAME, "Nguyễn Văn An"),
            (NameOID.EMAIL_ADDRESS, "nvan@bacgiang.gov.vn"),
        ],
        "personal",
    ),
    "org-ubnd-bac-giang": (
        [
            (NameOID.COUNTRY_NAME, "VN"),
            (NameOID.LOCALITY_NAME, "Bắc Giang"),
            (NameOID.ORGANIZATION_NAME, "Ủy ban nhân dân tỉnh Bắc Giang"),
            (NameOID.COMMON_NAME, "Ủy ban nhân dân tỉnh Bắc Giang"),
        ],
        "organisation",
    ),
    "org-so-tai-chinh-bac-giang": (
        [
            (NameOID.COUNTRY_NAME, "VN"),
            (NameOID.LOCALITY_NAME, "Bắc Giang"),
            (NameOID.ORGANIZATION_NAME, "Sở Tài chính tỉnh Bắc Giang"),
            (NameOID.COMMON_NAME, "Sở Tài chính tỉnh Bắc Giang"),
        ],
        "organisation",
    ),
}


def _name(attrs):
    return x509.Name([x509.NameAttribute(oid, val) for oid, val in attrs])


def _write_key(key, path):
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


def _write_cert(cert, path):
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def build(pki_dir):
    """Create root + leaves in pki_dir. Returns dict name -> paths."""
    os.makedirs(pki_dir, exist_ok=True)
    out = {"root": {"cert": os.path.join(pki_dir, "root-ca.cert.pem"),
                    "key": os.path.join(pki_dir, "root-ca.key.pem")}}
    for name in LEAVES:
        out[name] = {"cert": os.path.join(pki_dir, f"{name}.cert.pem"),
                     "key": os.path.join(pki_dir, f"{name}.key.pem"),
                     "role": LEAVES[name][1]}
    if os.environ.get("KYSO_REUSE_PKI") == "1" and all(
            os.path.exists(v["cert"]) and os.path.exists(v["key"]) for v in out.values()):
        return out

    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name([(NameOID.COUNTRY_NAME, "VN"),
                       (NameOID.ORGANIZATION_NAME, "Kyso Test PKI"),
                       (NameOID.COMMON_NAME, "Kyso Test Root CA")])
    root_ski = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
    root = (x509.CertificateBuilder()
            .subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key())
            .serial_number(0x4B59534F0001)
            .not_valid_before(ROOT_NOT_BEFORE).not_valid_after(ROOT_NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(root_ski, critical=False)
            .sign(root_key, hashes.SHA256()))
    _write_key(root_key, out["root"]["key"])
    _write_cert(root, out["root"]["cert"])

    for i, (name, (attrs, role)) in enumerate(LEAVES.items()):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (x509.CertificateBuilder()
                .subject_name(_name(attrs)).issuer_name(root_name)
                .public_key(key.public_key())
                .serial_number(0x4B59534F1000 + i)
                .not_valid_before(LEAF_NOT_BEFORE).not_valid_after(LEAF_NOT_AFTER)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, key_cert_sign=False, crl_sign=False,
                                             encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski),
                               critical=False)
                .sign(root_key, hashes.SHA256()))
        _write_key(key, out[name]["key"])
        _write_cert(cert, out[name]["cert"])
    return out


# Certificates of agency_corpus.py's signed documents. Two organisation names are spelled as
# real certificates often spell them, not as the header prints them: "UBND Thành phố Hà Nội"
# (header: ỦY BAN NHÂN DÂN / THÀNH PHỐ HÀ NỘI) and "So Ke hoach va Dau tu TP.HCM" (no tones).
def _org(o, locality, cn=None):
    return ([(NameOID.COUNTRY_NAME, "VN"), (NameOID.LOCALITY_NAME, locality),
             (NameOID.ORGANIZATION_NAME, o), (NameOID.COMMON_NAME, cn or o)], "organisation")


def _person(cn, title, o, locality, serial, email):
    return ([(NameOID.COUNTRY_NAME, "VN"), (NameOID.LOCALITY_NAME, locality), (NameOID.ORGANIZATION_NAME, o),
             (NameOID.TITLE, title), (NameOID.SERIAL_NUMBER, serial), (NameOID.COMMON_NAME, cn),
             (NameOID.EMAIL_ADDRESS, email)], "personal")


AGENCY_LEAVES = {
    "org-so-y-te-ha-nam": _org("Sở Y tế tỉnh Hà Nam", "Hà Nam"),
    "org-bo-tai-chinh": _org("Bộ Tài chính", "Hà Nội"),
    "org-ubnd-ha-noi": _org("UBND Thành phố Hà Nội", "Hà Nội"),
    "org-so-thong-tin-va-truyen-thong-hai-phong": _org("Sở Thông tin và Truyền thông thành phố Hải Phòng",
                                                       "Hải Phòng"),
    "org-so-ke-hoach-va-dau-tu-ho-chi-minh": _org("So Ke hoach va Dau tu TP.HCM", "Ho Chi Minh"),
    "org-so-noi-vu-da-nang": _org("Sở Nội vụ thành phố Đà Nẵng", "Đà Nẵng"),
    "personal-tran-thi-thu-ha": _person("Trần Thị Thu Hà", "Phó Giám đốc", "Sở Y tế tỉnh Hà Nam", "Hà Nam",
                                        "CCCD:035185000123", "tttha@hanam.gov.vn"),
    "personal-pham-minh-tuan": _person("Phạm Minh Tuấn", "Thứ trưởng", "Bộ Tài chính", "Hà Nội",
                                       "CCCD:001078000456", "pmtuan@mof.gov.vn"),
}


def _chains_to(cert_path, root_cert):
    try:
        with open(cert_path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        cert.verify_directly_issued_by(root_cert)
        return True
    except Exception:
        return False


def ensure(pki_dir, names):
    """Issue the AGENCY_LEAVES in `names` that are missing from pki_dir (or that do not chain to
    its root), signed by the existing root key; never touches the root or any other leaf.
    Returns dict name -> paths (with 'root')."""
    root_cert_path = os.path.join(pki_dir, "root-ca.cert.pem")
    root_key_path = os.path.join(pki_dir, "root-ca.key.pem")
    with open(root_cert_path, "rb") as f:
        root = x509.load_pem_x509_certificate(f.read())
    with open(root_key_path, "rb") as f:
        root_key = serialization.load_pem_private_key(f.read(), password=None)
    root_ski = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    out = {"root": {"cert": root_cert_path, "key": root_key_path}}
    order = list(AGENCY_LEAVES)
    for name in names:
        attrs, role = AGENCY_LEAVES[name]
        paths = {"cert": os.path.join(pki_dir, f"{name}.cert.pem"),
                 "key": os.path.join(pki_dir, f"{name}.key.pem"), "role": role}
        out[name] = paths
        if os.path.exists(paths["key"]) and _chains_to(paths["cert"], root):
            continue
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (x509.CertificateBuilder()
                .subject_name(_name(attrs)).issuer_name(root.subject)
                .public_key(key.public_key())
                .serial_number(0x4B59534F2000 + order.index(name))
                .not_valid_before(LEAF_NOT_BEFORE).not_valid_after(LEAF_NOT_AFTER)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, key_cert_sign=False, crl_sign=False,
                                             encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski),
                               critical=False)
                .sign(root_key, hashes.SHA256()))
        _write_key(key, paths["key"])
        _write_cert(cert, paths["cert"])
    return out
