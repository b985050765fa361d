#!/usr/bin/env python3
"""Generate testdata/signatures/ber/: signatures whose CMS is BER-encoded, the way streaming
encoders (Bouncy Castle and the like) write it, and what pyHanko says of them.

Each fixture takes a signed PDF of testdata/signatures/ (made by signatures.py), re-encodes its
CMS in place (the /Contents placeholder has room to spare) and leaves every other byte alone:

  ber_indefinite.pdf        every constructed value outside the signed attributes gets an
                            indefinite length (0x80 ... 00 00)
  ber_segmented.pdf         the same, and the SignerInfo's signature OCTET STRING is split
                            into constructed segments
  ber_signed_attrs.pdf      the signed attributes themselves given an indefinite length:
                            RFC 5652 requires them DER; pyHanko verifies over their DER
  unsorted_signed_attrs.pdf DER lengths, but the signed attributes in reverse order (not the
                            DER order of a SET OF) and signed so, with the test key: pyHanko
                            verifies them as encoded; validators that re-sort them (EU DSS
                            through Bouncy Castle) report a hash/signature failure, as in DSS's
                            *_HASH_FAILURE samples

Run from the crate root after signatures.py:  python3 testdata/generate/ber.py
"""

import datetime as dt
import json
from io import BytesIO
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "testdata" / "signatures" / "single_personal.pdf"
OUT = ROOT / "testdata" / "signatures" / "ber"
VALIDATION_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def tlv(data, pos):
    """(tag, constructed, header_len, content_start, content_end, end) of the DER TLV at pos."""
    tag = data[pos]
    p = pos + 1
    l0 = data[p]
    p += 1
    if l0 & 0x80:
        n = l0 & 0x7F
        length = int.from_bytes(data[p:p + n], "big")
        p += n
    else:
        length = l0
    return tag, bool(tag & 0x20), p, p + length


def children(data, start, end):
    out = []
    while start < end:
        tag, cons, cstart, cend = tlv(data, start)
        out.append((start, tag, cons, cstart, cend))
        start = cend
    return out


def ber(data, pos, role, opts):
    """Re-encode the TLV at pos. `role` says where it is: the outer wrappers (ContentInfo,
    [0], SignedData, signerInfos) get indefinite lengths, as streaming encoders write them;
    certificates and algorithm identifiers stay DER (asn1crypto, which pyHanko reads with,
    bounds indefinite-length nesting)."""
    tag, cons, cstart, cend = tlv(data, pos)
    if role == "signed_attrs" and not opts.get("signed_attrs"):
        return data[pos:cend]
    if role == "signature" and opts.get("segment"):
        body = data[cstart:cend]
        half = len(body) // 2
        segs = b"".join(b"\x04" + der_len(len(s)) + s for s in (body[:half], body[half:]))
        return b"\x24\x80" + segs + b"\x00\x00"
    if not cons or role == "raw":
        return data[pos:cend]
    kids = children(data, cstart, cend)
    roles = []
    for i, (_s, ktag, *_r) in enumerate(kids):
        if role == "content_info":
            roles.append("explicit" if i == 1 else "raw")
        elif role == "explicit":
            roles.append("signed_data")
        elif role == "signed_data":
            roles.append("signer_infos" if i == len(kids) - 1 else "raw")
        elif role == "signer_infos":
            roles.append("signer_info")
        elif role == "signer_info":
            roles.append("signed_attrs" if (i == 3 and ktag == 0xA0) else
                         "signature" if (ktag == 0x04 and i >= 4) else "raw")
        else:
            roles.append("raw")
    inner = b"".join(ber(data, s, r, opts) for (s, *_rest), r in zip(kids, roles))
    if role == "signer_info" or (role == "signed_attrs"):
        return bytes([tag]) + b"\x80" + inner + b"\x00\x00"
    return bytes([tag]) + b"\x80" + inner + b"\x00\x00"


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def unsorted(der):
    """Reverse the signed attributes of the first SignerInfo and re-sign them in that order."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    _, _, cs, ce = tlv(der, 0)
    explicit = children(der, cs, ce)[1]
    sd = children(der, explicit[3], explicit[4])[0]
    infos = children(der, sd[3], sd[4])[-1]
    si = children(der, infos[3], infos[4])[0]
    kids = children(der, si[3], si[4])
    attrs, sig = kids[3], kids[5]
    assert attrs[1] == 0xA0 and sig[1] == 0x04
    items = [der[s:e] for (s, _t, _c, _cs, e) in children(der, attrs[3], attrs[4])]
    body = b"".join(reversed(items))
    assert body != der[attrs[3]:attrs[4]]
    header = der[attrs[0]:attrs[3]]
    key = serialization.load_pem_private_key(
        (ROOT / "testdata/signatures/pki/personal.key.pem").read_bytes(), None)
    new_sig = key.sign(b"\x31" + header[1:] + body, padding.PKCS1v15(), hashes.SHA256())
    assert len(new_sig) == sig[4] - sig[3]
    out = bytearray(der)
    out[attrs[3]:attrs[4]] = body
    out[sig[3]:sig[4]] = new_sig
    return bytes(out)


def pyhanko_says(data):
    root = asn1_x509.Certificate.load(
        pem.unarmor((ROOT / "testdata/signatures/pki/root.crt.pem").read_bytes())[2])
    emb = PdfFileReader(BytesIO(data)).embedded_signatures[0]
    vc = ValidationContext(trust_roots=[root], moment=VALIDATION_TIME, allow_fetching=False,
                           revocation_mode="soft-fail")
    try:
        st = validate_pdf_signature(emb, vc)
        return {"field": emb.field_name, "intact": st.intact, "valid": st.valid,
                "coverage": st.coverage.name.lower(), "trusted": st.trusted}
    except Exception as e:  # noqa: BLE001 - recorded
        return {"field": emb.field_name, "pyhanko_error": repr(e)}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    pdf = SRC.read_bytes()
    br_at = pdf.rfind(b"/ByteRange")
    nums = [int(x) for x in pdf[br_at:br_at + 80].split(b"[")[1].split(b"]")[0].split()]
    gap_start, gap_end = nums[1] + 1, nums[2] - 1  # the hex digits inside < >
    der = bytes.fromhex(pdf[gap_start:gap_end].decode())
    _, _, _, end = tlv(der, 0)
    der = der[:end]
    expected = {}
    for name, opts in {"ber_indefinite.pdf": {}, "ber_segmented.pdf": {"segment": True},
                       "ber_signed_attrs.pdf": {"signed_attrs": True},
                       "unsorted_signed_attrs.pdf": {"unsorted": True}}.items():
        out = unsorted(der) if opts.get("unsorted") else ber(der, 0, "content_info", opts)
        assert out != der
        hexed = out.hex().upper().encode()
        room = gap_end - gap_start
        assert len(hexed) <= room, "the placeholder is too small"
        data = pdf[:gap_start] + hexed + b"0" * (room - len(hexed)) + pdf[gap_end:]
        assert len(data) == len(pdf)
        (OUT / name).write_bytes(data)
        expected[name] = pyhanko_says(data)
    meta = {"validation_time": VALIDATION_TIME.isoformat().replace("+00:00", "Z"),
            "trust": "testdata/signatures/pki/trusted", "source": "single_personal.pdf",
            "files": expected}
    (OUT / "expected.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
