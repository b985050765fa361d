"""pyHanko signing / validation helpers."""
import io
import re

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

ROLE_BY_FIELD = {"SigPersonal": "personal", "SigOrg": "organisation"}


def sign(inp, out, field, key, cert, root, reason=None, location=None):
    signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(root,))
    with open(inp, "rb") as f:
        w = IncrementalPdfFileWriter(f, strict=False)
        meta = signers.PdfSignatureMetadata(field_name=field, reason=reason, location=location,
                                            md_algorithm="sha256")
        buf = io.BytesIO()
        signers.sign_pdf(w, meta, signer=signer, output=buf)
    with open(out, "wb") as o:
        o.write(buf.getvalue())


def page_content(path, page_index):
    """Decoded content stream bytes of one page of a reportlab PDF (single stream)."""
    with open(path, "rb") as f:
        r = PdfFileReader(f, strict=False)
        page = r.root["/Pages"]["/Kids"][page_index]
        return page["/Contents"].data


def replace_page_content(inp, out, page_index, new_data):
    """Incremental update that swaps the page's content stream (post-signing modification)."""
    with open(inp, "rb") as f:
        w = IncrementalPdfFileWriter(f, strict=False)
        page_ref = w.root["/Pages"]["/Kids"].raw_get(page_index)
        page = page_ref.get_object()
        stream = generic.StreamObject(stream_data=new_data)
        stream.compress()
        page["/Contents"] = w.add_object(stream)
        w.mark_update(page_ref)
        buf = io.BytesIO()
        w.write(buf)
    with open(out, "wb") as o:
        o.write(buf.getvalue())


def corrupt_signed_range(path, count=3):
    """Flip digits of `count` text-positioning operands (Tm) inside the first, uncompressed content
    stream. The file keeps its length and structure (xref offsets stay valid) but the signed digest
    no longer matches. Returns list of (offset, old_byte, new_byte)."""
    data = bytearray(open(path, "rb").read())
    first_sig = data.find(b"/ByteRange")
    changes = []
    for m in re.finditer(rb"1 0 0 1 (\d+)\.(\d+) (\d+)\.(\d+) Tm", bytes(data[:first_sig])):
        if len(changes) >= count:
            break
        if m.start() < 2000:
            continue
        off = m.start(2)           # first decimal digit of the x coordinate
        old = data[off]
        new = ord("0") + (old - ord("0") + 5) % 10
        data[off] = new
        changes.append((off, chr(old), chr(new)))
    if len(changes) < count:
        raise RuntimeError("could not find enough Tm operands to corrupt")
    open(path, "wb").write(bytes(data))
    return changes


def validate(path, root_pem):
    """Validate every signature with pyHanko; return list of truth dicts."""
    root = load_cert_from_pemder(root_pem)
    out = []
    with open(path, "rb") as f:
        r = PdfFileReader(f, strict=False)
        for s in r.embedded_signatures:
            vc = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
            st = validate_pdf_signature(s, vc)
            subj = s.signer_cert.subject.native
            cov = st.coverage.name.lower() if st.coverage is not None else None
            mod = st.modification_level.name.lower() if st.modification_level is not None else None
            out.append({
                "field": s.field_name,
                "role": ROLE_BY_FIELD.get(s.field_name, "unknown"),
                "signer_cn": subj.get("common_name"),
                "signer_o": subj.get("organization_name"),
                "intact": bool(st.intact),
                "valid": bool(st.valid),
                "trusted": bool(st.trusted),
                "bottom_line": bool(st.bottom_line),
                "coverage": cov,
                "modification_level": mod,
                "docmdp_ok": st.docmdp_ok,
                "modified_after_signing": not (st.intact and cov == "entire_file"
                                               or (st.intact and mod in ("none", "lta_updates",
                                                                        "form_filling"))),
                "pyhanko": st.summary(),
            })
    return out
