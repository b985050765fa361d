"""bd-signed-seal-appearance.pdf: a born-digital document whose organisation signature has a
visible widget showing a picture of the agency's red seal (as Vietnamese signing software draws
it). kyso must report it as the signature's appearance, not as a seal stamped on paper.

Run by generate.py; also standalone (`python3 appearance.py`, reusing testdata/pki/) to add
just this fixture without re-signing the rest of the corpus.
"""
import io
import logging
import os

import numpy as np
from PIL import Image
from pyhanko import stamp
from pyhanko.pdf_utils import images
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

import docs
import scan

NAME = "bd-signed-seal-appearance.pdf"
WHAT = "organisation signature whose visible widget shows a seal picture (not a seal on paper)"


def seal_png(path, doc, px=400):
    """A red seal on white, from the same drawing as the scanned fixtures' seals."""
    m = scan.seal_mask(px, doc["seal_top"], doc["seal_bottom"], np.random.default_rng(11))
    a = (m * 0.9)[..., None]
    rgb = 255 * (1 - a) + scan.SEAL_RED * a
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB").save(path)


def sign_with_seal_picture(inp, out, seal, page_sig, who, root):
    signer = signers.SimpleSigner.load(who["key"], who["cert"], ca_chain_files=(root,))
    cx, bottom = page_sig["cx"], page_sig["name_baseline"]
    box = (int(cx - 85), int(bottom - 10), int(cx + 85), int(bottom + 100))
    style = stamp.TextStampStyle(stamp_text="Signed digitally / Da ky so", background=images.PdfImage(seal),
                                 background_opacity=1.0, border_width=0)
    meta = signers.PdfSignatureMetadata(field_name="SigOrg", reason="Đóng dấu cơ quan", location="Bắc Giang",
                                        md_algorithm="sha256")
    with open(inp, "rb") as f:
        w = IncrementalPdfFileWriter(f, strict=False)
        buf = io.BytesIO()
        signers.PdfSigner(meta, signer=signer, stamp_style=style,
                          new_field_spec=fields.SigFieldSpec("SigOrg", on_page=0, box=box)).sign_pdf(w, output=buf)
    with open(out, "wb") as o:
        o.write(buf.getvalue())


def make(g, paths):
    """`g` is the generate module (truth writing, paths)."""
    doc = docs.DOCS["qd-stc"]
    out = os.path.join(g.CORPUS, NAME)
    pages = docs.render(doc, g.tmp("qd-stc-app.pdf"))
    seal_png(g.tmp("seal.png"), doc)
    sign_with_seal_picture(g.tmp("qd-stc-app.pdf"), out, g.tmp("seal.png"), pages[0]["sig"],
                           paths["org-so-tai-chinh-bac-giang"], paths["root"]["cert"])
    sigs = g.signing.validate(out, paths["root"]["cert"])
    assert len(sigs) == 1 and sigs[0]["bottom_line"], sigs
    g.write_truth(out, "pdf", "born_digital", g.bd_pages(out, pages), sigs, docs.metadata(doc),
                  "org_signed_only",
                  "QUYẾT ĐỊNH of SỞ TÀI CHÍNH signed with the Sở Tài chính organisation cert; the signature "
                  "widget (page 1, signer block) draws a red seal picture: a digital signature's appearance, "
                  "not a seal stamped on paper, so there are no `seals` on the page.",
                  what=WHAT)


if __name__ == "__main__":
    import generate as g  # noqa: E402  (sets up CORPUS, WORK, fonts)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    docs.register_fonts()
    paths = g.pki.build(g.PKI_DIR)
    make(g, paths)
    manifest = os.path.join(g.CORPUS, "MANIFEST.md")
    text = open(manifest, encoding="utf-8").read()
    if f"`{NAME}`" not in text:
        row = f"| `{NAME}` | {WHAT} | `org_signed_only` | — |\n"
        anchor = "| `bd-with-blank.pdf`"
        text = text.replace(anchor, row + anchor, 1) if anchor in text else text + row
        open(manifest, "w", encoding="utf-8").write(text)
    print("wrote", os.path.join(g.CORPUS, NAME))
