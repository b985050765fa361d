#!/usr/bin/env python3
"""edXML exchange packages around existing fixtures (docs/edxml.md), for tests/edxml.rs and the demo.

Writes testdata/edxml/:
  qcvn-two-attachments.edxml   QCVN 102:2016 package from Văn phòng Chính phủ (000.00.00.G22) with
                               two attachments, yyyy/MM/dd dates, `cid:` only in the manifest, and an
                               envelope Signature in the XMLDSig namespace (placeholder values with
                               the test PKI's Bộ Tài chính certificate: kyso reports it, never
                               verifies it, and these values would not verify)
  qcvn-zipped.edxml            Bộ Nội vụ (000.00.00.G09): the attachment zipped and named .doc (what
                               the VNPT library does to files it does not send as they are), bytes
                               before <?xml and an undeclared edXML: prefix, as in the Government
                               Office's SDK sample; dd/MM/yyyy date (the Bkav writer's)
  qcvn-declared-other-number.edxml
                               declares 88/KH-STC from Bộ Tài chính (000.00.00.G12) but carries
                               Sở Tài chính Bắc Giang's 87/KH-STC with that department's
                               organisation signature: number, sender and certificate mismatches
  govn-no-organid.edxml        the flat http://www.go.vn/eDoc EdXMLEnvelope shape, From without OrganId
  hostile/billion-laughs.edxml nested entity expansion in a DTD
  hostile/xxe.edxml            an external entity (file:///etc/passwd) in a DTD

Only the standard library is used; the attachments are read from testdata/agencies and
testdata/corpus, so re-running gives the same bytes.

`edxml.py --bench N DIR` writes the corpus of benches/edxml_bench.sh instead (not committed):
DIR/packages/ holds N QCVN 102:2016 packages of one or two PDF attachments each (every third
package has two; PDFs travel unzipped, as the writers send them), and DIR/loose/ the same
attachments as loose files, byte for byte. Each attachment is a fixture with a unique comment
appended after %%EOF, so no two documents share a hash.
"""

import base64
import io
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "edxml"
NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG = "http://www.w3.org/2000/09/xmldsig#"


def truth(path):
    return json.loads((ROOT / (path + ".truth.json")).read_text(encoding="utf-8"))["metadata"]


def b64(data):
    return base64.b64encode(data).decode("ascii")


def date(iso, form):
    y, m, d = iso.split("-")
    return f"{y}/{m}/{d}" if form == "ymd" else f"{d}/{m}/{y}"


def header(sender, meta, *, number=None, date_form="ymd", doc_type="Công văn", p="edXML:"):
    """A MessageHeader; `sender` is (OrganId or None, OrganName)."""
    organ_id, organ_name = sender
    num, notation = (number or meta["number_symbol"]).split("/", 1)
    frm = f"<{p}OrganId>{organ_id}</{p}OrganId>" if organ_id else ""
    signer = meta.get("signer_name") or ""
    title = meta.get("signer_title") or ""
    authority = meta.get("authority_line") or ""
    return f"""<{p}MessageHeader>
        <{p}From>{frm}<{p}OrganizationInCharge>{escape(organ_name)}</{p}OrganizationInCharge><{p}OrganName>{escape(organ_name)}</{p}OrganName></{p}From>
        <{p}To><{p}OrganId>000.00.00.G22</{p}OrganId><{p}OrganName>Văn phòng Chính phủ</{p}OrganName></{p}To>
        <{p}DocumentId>{organ_id or ''},{date(meta['issue_date'], 'ymd')},{num}/{notation}</{p}DocumentId>
        <{p}Code><{p}CodeNumber>{num}</{p}CodeNumber><{p}CodeNotation>{escape(notation)}</{p}CodeNotation></{p}Code>
        <{p}PromulgationInfo><{p}Place>{escape(meta['place'])}</{p}Place><{p}PromulgationDate>{date(meta['issue_date'], date_form)}</{p}PromulgationDate></{p}PromulgationInfo>
        <{p}DocumentType><{p}Type>1</{p}Type><{p}TypeDetail>0</{p}TypeDetail><{p}TypeName>{doc_type}</{p}TypeName></{p}DocumentType>
        <{p}Subject>{escape(meta.get('subject') or '')}</{p}Subject>
        <{p}Content>{escape(meta.get('subject') or '')}</{p}Content>
        <{p}SignerInfo><{p}Competence>{escape(authority)}</{p}Competence><{p}Position>{escape(title)}</{p}Position><{p}FullName>{escape(signer)}</{p}FullName></{p}SignerInfo>
        <{p}SteeringType>0</{p}SteeringType>
      </{p}MessageHeader>"""


def trace(organ_id, meta, p="edXML:"):
    return f"""<{p}TraceHeaderList>
        <{p}TraceHeader><{p}OrganId>{organ_id}</{p}OrganId><{p}Timestamp>{date(meta['issue_date'], 'ymd')} 09:00:00</{p}Timestamp></{p}TraceHeader>
        <{p}Bussiness><{p}BussinessDocType>0</{p}BussinessDocType><{p}Paper>0</{p}Paper></{p}Bussiness>
      </{p}TraceHeaderList>"""


def envelope_signature():
    pem = (ROOT / "pki" / "org-bo-tai-chinh.cert.pem").read_text()
    der_b64 = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
    return f"""<Signature xmlns="{DSIG}">
        <SignedInfo>
          <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
          <SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
          <Reference URI=""><Transforms><Transform Algorithm="{DSIG}enveloped-signature"/></Transforms>
            <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
            <DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=</DigestValue></Reference>
        </SignedInfo>
        <SignatureValue>cGxhY2Vob2xkZXI=</SignatureValue>
        <KeyInfo><X509Data><X509SubjectName>CN=Bo Tai chinh</X509SubjectName><X509Certificate>{der_b64}</X509Certificate></X509Data></KeyInfo>
      </Signature>"""


def qcvn(sender, meta, attachments, *, number=None, date_form="ymd", doc_type="Công văn",
         signature="", prolog='<?xml version="1.0" encoding="UTF-8"?>\n', declare_prefix=True):
    """A QCVN 102:2016 package; attachments are (content id, name, content type, bytes)."""
    refs = "\n".join(
        f"""        <edXML:Reference><edXML:ContentId>cid:{cid}</edXML:ContentId><edXML:ContentType>{ctype}</edXML:ContentType><edXML:Description>{escape(name)}</edXML:Description><edXML:AttachmentName>{escape(name)}</edXML:AttachmentName></edXML:Reference>"""
        for cid, name, ctype, _ in attachments)
    atts = "\n".join(
        f"""    <Attachment><ContentId>{cid}</ContentId><AttachmentName>{escape(name)}</AttachmentName><Description>{escape(name)}</Description><ContentType>{ctype}</ContentType>
      <edXML:ContentTransferEncoded xmlns:edXML="{NS}">{b64(data)}</edXML:ContentTransferEncoded></Attachment>"""
        for cid, name, ctype, data in attachments)
    # The SDK sample writes edXML:AttachmentEncoded where the prefix is not declared.
    encoded = ("<AttachmentEncoded>", "</AttachmentEncoded>") if declare_prefix else (
        "<edXML:AttachmentEncoded>", "</edXML:AttachmentEncoded>")
    return f"""{prolog}<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>
      {header(sender, meta, number=number, date_form=date_form, doc_type=doc_type)}
      {trace(sender[0] or '', meta)}
      {signature}
    </edXML:edXMLHeader>
    <edXML:edXMLBody><edXML:edXMLManifest version="1.0">
{refs}
    </edXML:edXMLManifest></edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  {encoded[0]}
{atts}
  {encoded[1]}
</edXML>
"""


def zipped(name, data):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
    return buf.getvalue()


def main():
    (OUT / "hostile").mkdir(parents=True, exist_ok=True)
    read = lambda p: (ROOT / p).read_bytes()

    a1, a2 = "agencies/010-bd-van-phong-chinh-phu-vpcp-kgvx.pdf", "agencies/030-bd-van-phong-chinh-phu-vpcp-kgvx.pdf"
    (OUT / "qcvn-two-attachments.edxml").write_text(qcvn(
        ("000.00.00.G22", "Văn phòng Chính phủ"), truth(a1),
        [("a1-533", "533-VPCP-KGVX.pdf", "application/pdf", read(a1)),
         ("a2-1628", "1628-VPCP-KGVX.pdf", "application/pdf", read(a2))],
        signature=envelope_signature()), encoding="utf-8")

    z = "agencies/008-bd-bo-noi-vu-qd-bnv.pdf"
    (OUT / "qcvn-zipped.edxml").write_text(qcvn(
        ("000.00.00.G09", "Bộ Nội vụ"), truth(z),
        [("9f1c2b7e-0000-4000-8000-000000000009", "1612_QD-BNV.doc", "application/zip",
          zipped("32da2890-1a55-4ccd-9ac9-cd0d98559e67.pdf", read(z)))],
        date_form="dmy", doc_type="Quyết định",
        prolog='1212<?xml version="1.0" encoding="UTF-8"?>\n', declare_prefix=False), encoding="utf-8")

    o = "corpus/bd-signed-org.pdf"
    (OUT / "qcvn-declared-other-number.edxml").write_text(qcvn(
        ("000.00.00.G12", "Bộ Tài chính"), truth(o),
        [("k88", "88-KH-STC.pdf", "application/pdf", read(o))],
        number="88/KH-STC", doc_type="Kế hoạch"), encoding="utf-8")

    n = "agencies/032-bd-bo-y-te-byt-kcb.pdf"
    m = truth(n)
    num, notation = m["number_symbol"].split("/", 1)
    (OUT / "govn-no-organid.edxml").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<EdXMLEnvelope xmlns="http://www.go.vn/eDoc">
  <MessageHeader>
    <From><OrganName>Bộ Y tế</OrganName></From>
    <To><OrganId>000.00.00.G22</OrganId></To>
    <Code><CodeNumber>{num}</CodeNumber><CodeNotation>{notation}</CodeNotation></Code>
    <PromulgationInfo><Place>{m['place']}</Place><PromulgationDate>{m['issue_date']}</PromulgationDate></PromulgationInfo>
    <DocumentType>Công văn</DocumentType>
    <Subject>{escape(m.get('subject') or '')}</Subject>
    <SignerInfo><Signer>{escape(m['signer_name'])}</Signer></SignerInfo>
    <DocumentId>5f0c0a9e-0000-4000-8000-000000000032</DocumentId>
  </MessageHeader>
  <Attachment><FileName>1403-BYT-KCB.pdf</FileName><FileType>application/pdf</FileType><Content>{b64(read(n))}</Content></Attachment>
</EdXMLEnvelope>
""", encoding="utf-8")

    lol = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    (OUT / "hostile" / "billion-laughs.edxml").write_text(f"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY l0 "lol">{lol}]>
<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><Subject>&l9;</Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>
""", encoding="utf-8")
    (OUT / "hostile" / "xxe.edxml").write_text(f"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><Subject>&xxe;</Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>
""", encoding="utf-8")


BENCH_SENDERS = [("000.00.00.G22", "Văn phòng Chính phủ"), ("000.00.00.G12", "Bộ Tài chính"),
                 ("000.00.00.H41", "UBND Tỉnh Nghệ An"), ("000.00.17.H36", "Sở Nội vụ tỉnh Lâm Đồng"),
                 ("000.00.00.G09", "Bộ Nội vụ")]


def bench(n, dest):
    """The bench corpus: n packages and the same attachments as loose files (see the docstring)."""
    fixtures = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "agencies").glob("*.pdf"))
    fixtures += ["corpus/bd-signed-full.pdf", "corpus/bd-signed-org.pdf", "corpus/bd-cong-van.pdf"]
    blobs = [(f, (ROOT / f).read_bytes(), truth(f)) for f in fixtures]
    k = 0
    for i in range(n):
        sub = f"d{i // 100:03d}"
        (dest / "packages" / sub).mkdir(parents=True, exist_ok=True)
        (dest / "loose" / sub).mkdir(parents=True, exist_ok=True)
        attachments = []
        for j in range(2 if i % 3 == 0 else 1):
            f, data, meta = blobs[k % len(blobs)]
            k += 1
            data = data + b"\n%% bench copy %d\n" % k
            cid = f"p{i:05d}-{j + 1}"
            name = f"{cid}.pdf"
            (dest / "loose" / sub / name).write_bytes(data)
            attachments.append((cid, name, "application/pdf", data, meta))
        meta = attachments[0][4]
        if not meta.get("number_symbol") or "/" not in meta["number_symbol"]:
            meta = dict(meta, number_symbol=f"{i + 1}/BENCH")
        meta = {key: meta.get(key) or "" for key in
                ("number_symbol", "issue_date", "place", "subject", "signer_name", "signer_title",
                 "authority_line")}
        if not meta["issue_date"]:
            meta["issue_date"] = "2024-01-01"
        (dest / "packages" / sub / f"p{i:05d}.edxml").write_text(qcvn(
            BENCH_SENDERS[i % len(BENCH_SENDERS)], meta, [a[:4] for a in attachments],
            signature=envelope_signature() if i % 2 else ""), encoding="utf-8")


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 4 and sys.argv[1] == "--bench":
        bench(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        main()
