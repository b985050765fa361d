//! The package reader on hand-written packages of each shape; the fixtures made by
//! testdata/generate/edxml.py are read end to end in tests/edxml.rs.

use super::*;
use base64::Engine as _;

fn parse_str(s: &str) -> Result<Package, EdxmlError> {
    parse(
        Arc::new(s.as_bytes().to_vec()),
        &PackageLimits::new(1 << 20),
    )
}

const QCVN: &str = r#"1212<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLHeader><edXML:MessageHeader>
   <edXML:From><edXML:OrganId>000.00.00.G12</edXML:OrganId><edXML:OrganName>Bộ Tài chính</edXML:OrganName></edXML:From>
   <edXML:To><edXML:OrganId>000.00.00.G22</edXML:OrganId></edXML:To>
   <edXML:Code><edXML:CodeNumber>123</edXML:CodeNumber><edXML:CodeNotation>BTC-VP</edXML:CodeNotation></edXML:Code>
   <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place><edXML:PromulgationDate>05/03/2024</edXML:PromulgationDate></edXML:PromulgationInfo>
   <edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
   <edXML:Subject>V/v thử</edXML:Subject>
  </edXML:MessageHeader>
  <Signature><SignedInfo><SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/><Reference URI=""/></SignedInfo></Signature>
  </edXML:edXMLHeader>
  <edXML:edXMLBody><edXML:edXMLManifest>
   <edXML:Reference><edXML:ContentId>cid:a1</edXML:ContentId><edXML:AttachmentName>cv.pdf</edXML:AttachmentName></edXML:Reference>
   <edXML:Reference><edXML:ContentId>cid:gone</edXML:ContentId><edXML:AttachmentName>phu-luc.pdf</edXML:AttachmentName></edXML:Reference>
  </edXML:edXMLManifest></edXML:edXMLBody>
 </edXML:edXMLEnvelope>
 <edXML:AttachmentEncoded><Attachment><ContentId>a1</ContentId><AttachmentName>cv.pdf</AttachmentName>
  <ContentTransferEncoded>JVBE
Ri0xLjcK</ContentTransferEncoded></Attachment></edXML:AttachmentEncoded>
</edXML>"#;

#[test]
fn a_qcvn_package_with_junk_and_undeclared_prefix_is_read_by_local_names() {
    let p = parse_str(QCVN).unwrap();
    assert_eq!(p.variant, Variant::Qcvn102);
    assert_eq!(p.kind, PackageKind::Document);
    let d = &p.declared;
    assert_eq!(d.sender_code.as_ref().unwrap().value, "000.00.00.G12");
    assert_eq!(
        d.sender_code.as_ref().unwrap().source,
        "MessageHeader/From/OrganId"
    );
    assert_eq!(d.number_notation.as_ref().unwrap().value, "123/BTC-VP");
    let date = d.issue_date.as_ref().unwrap();
    assert_eq!(
        (date.value.as_str(), date.raw.as_deref()),
        ("2024-03-05", Some("05/03/2024"))
    );
    assert_eq!(d.doc_type.as_ref().unwrap().value, "Công văn");
    assert_eq!(d.recipients, ["000.00.00.G22"]);
    assert!(
        p.notes.iter().any(|n| n.contains("4 bytes before")),
        "{:?}",
        p.notes
    );
    assert!(
        p.notes.iter().any(|n| n.contains("prefix edXML")),
        "{:?}",
        p.notes
    );
    // cid:a1 in the manifest is a1 in the attachment; the second reference is not carried.
    assert_eq!(p.attachments.len(), 2);
    assert_eq!(p.attachments[0].content_id, "a1");
    let files = decode_attachment(&p, &p.attachments[0], &PackageLimits::new(1 << 20)).unwrap();
    assert_eq!(files[0].bytes, b"%PDF-1.7\n");
    assert!(matches!(p.attachments[1].body, Body::Missing));
    let missing = decode_attachment(&p, &p.attachments[1], &PackageLimits::new(1 << 20));
    assert_eq!(missing.unwrap_err().kind(), "attachment_missing");
    let sig = p.signature.as_ref().unwrap();
    assert_eq!(
        (sig.form.as_str(), sig.status.as_str()),
        ("qcvn", "present_not_verified")
    );
    assert_eq!(sig.reference_uri.as_deref(), Some(""));
}

#[test]
fn the_flat_go_vn_shape_and_a_status_package_are_told_apart() {
    let flat = r#"<EdXMLEnvelope xmlns="http://www.go.vn/eDoc"><MessageHeader>
      <From><OrganId>H37.DN.001</OrganId></From><DocumentType>Công văn</DocumentType>
      <PromulgationInfo><PromulgationDate>2024-03-05</PromulgationDate></PromulgationInfo></MessageHeader>
      <Attachment><FileName>a.pdf</FileName><Content>JVBERi0xLjcK</Content></Attachment></EdXMLEnvelope>"#;
    let p = parse_str(flat).unwrap();
    assert_eq!(p.variant, Variant::GoVnEdoc);
    assert_eq!(p.declared.doc_type.as_ref().unwrap().value, "Công văn");
    assert_eq!(p.attachments.len(), 1);
    assert_eq!(p.attachments[0].name.as_deref(), Some("a.pdf"));
    let status = r#"<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader>
      <MessageHeader><From><OrganId>000.00.00.H41</OrganId></From><StatusCode>01</StatusCode></MessageHeader>
      </edXMLHeader></edXMLEnvelope></edXML>"#;
    let s = parse_str(status).unwrap();
    assert_eq!((s.kind, s.attachments.len()), (PackageKind::Status, 0));
}

#[test]
fn dtds_entities_and_non_packages_get_typed_errors() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><edXML>&b;</edXML>"#;
    assert_eq!(parse_str(laughs).unwrap_err().kind(), "dtd_refused");
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]><edXML>&x;</edXML>"#;
    assert_eq!(parse_str(xxe).unwrap_err().kind(), "dtd_refused");
    // Without a DTD an entity cannot be declared, so it cannot be expanded either.
    assert_eq!(
        parse_str("<edXML>&x;</edXML>").unwrap_err().kind(),
        "malformed_xml"
    );
    assert_eq!(
        parse_str("<edXML><a></edXML>").unwrap_err().kind(),
        "malformed_xml"
    );
    assert_eq!(parse_str("<edXML/>").unwrap_err().kind(), "not_a_package");
    let bytes = Arc::new(b"<edXML>\xff</edXML>".to_vec());
    assert_eq!(
        parse(bytes, &PackageLimits::new(1 << 20))
            .unwrap_err()
            .kind(),
        "not_utf8"
    );
    let mut limits = PackageLimits::new(1 << 20);
    limits.max_nodes = 5;
    let many = "<edXML><MessageHeader/><a/><a/><a/><a/><a/><a/></edXML>";
    assert_eq!(
        parse(Arc::new(many.as_bytes().to_vec()), &limits)
            .unwrap_err()
            .kind(),
        "too_many_nodes"
    );
}

#[test]
fn a_zip_wrapper_is_opened_within_bounds_and_a_bomb_stops() {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default();
        z.start_file("../../etc/evil.pdf", o).unwrap();
        z.write_all(b"%PDF-1.7\n").unwrap();
        z.start_file("zeros.bin", o).unwrap();
        z.write_all(&vec![0u8; 200_000]).unwrap();
        z.finish().unwrap();
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(buf.into_inner());
    let xml = format!(
        "<edXML><MessageHeader/><AttachmentEncoded><Attachment><ContentId>z</ContentId>\
         <ContentTransferEncoded>{b64}</ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>"
    );
    let p = parse_str(&xml).unwrap();
    let files = decode_attachment(&p, &p.attachments[0], &PackageLimits::new(1 << 20)).unwrap();
    // The entry's name is a label: nothing is written anywhere by it.
    assert_eq!(files[0].entry.as_deref(), Some("../../etc/evil.pdf"));
    assert_eq!(files[0].bytes, b"%PDF-1.7\n");
    assert_eq!(files[1].bytes.len(), 200_000);
    let err = decode_attachment(
        &p,
        &p.attachments[0],
        &PackageLimits {
            max_attachment_bytes: 100_000,
            ..PackageLimits::new(0)
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), "zip_bomb");
}

/// The QCVN package above with an attachment large enough to be cut out of the skeleton.
fn large_package(data: &[u8], extra: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(data);
    QCVN.replace("JVBE\nRi0xLjcK", &b64).replace(
        "</edXML:AttachmentEncoded>",
        &format!("{extra}</edXML:AttachmentEncoded>"),
    )
}

#[test]
fn a_large_attachment_is_read_from_the_skeleton_and_the_whole_file_is_the_fallback() {
    let data: Vec<u8> = (0..30_000u32).map(|i| (i * 13 % 251) as u8).collect();
    let limits = PackageLimits::new(1 << 20);
    let whole = |xml: &str| {
        let (_, cuts) = skeleton::cut(xml, MIN_CUT).expect("a run to cut");
        assert_eq!(cuts.len(), 1);
        let p = parse_str(xml).unwrap();
        // The range points into the file as it is (junk before the XML included).
        assert!(matches!(p.attachments[0].body, Body::Range(_)));
        let files = decode_attachment(&p, &p.attachments[0], &limits).unwrap();
        assert_eq!(files[0].bytes, data);
        p
    };
    // Junk before the XML and an undeclared prefix, as in the SDK's sample: the skeleton is
    // patched like the whole text, and the notes say so.
    let p = whole(&large_package(&data, ""));
    assert!(p.notes.iter().any(|n| n.contains("prefix edXML")));
    assert_eq!(p.declared.number_notation.unwrap().value, "123/BTC-VP");
    // A run that reads like an attachment inside a comment: cut, found in no empty content
    // element, so the whole file is parsed and the comment stays a comment.
    let fake = format!("<!--<ContentTransferEncoded>{}<x-->", "QUJD".repeat(2000));
    let xml = large_package(&data, &fake);
    assert_eq!(skeleton::cut(&xml, MIN_CUT).unwrap().1.len(), 2);
    let p = parse_str(&xml).unwrap();
    assert_eq!(p.attachments.len(), 2);
    let files = decode_attachment(&p, &p.attachments[0], &limits).unwrap();
    assert_eq!(files[0].bytes, data);
    // A broken package is reported as the whole file reads it.
    let broken = large_package(&data, "<unclosed>");
    assert_eq!(parse_str(&broken).unwrap_err().kind(), "malformed_xml");
}
