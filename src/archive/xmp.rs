//! The XMP packet of the archive copy: PDF/A identification, Dublin Core, the XMP basic and
//! PDF schemas (kept equal to the Info dictionary, as PDF/A requires), and two schemas of kyso's
//! own, each described by a PDF/A extension schema so that validators accept them:
//!
//! - `kyso:` ([`KYSO_NS`]): the Decree 30/2020 fields, provenance (the original's SHA-256, file
//!   name, kyso's version and options) and what kyso found in the original (verdict, signatures);
//! - `tt02:` ([`CIRCULAR02_NS`]): the per-document columns of Circular 02/2019/TT-BNV as
//!   `kyso export --format circular02` writes them, under the same names.
//!
//! docs/archive.md lists every property; a test keeps the list and this table in step.

use std::fmt::Write as _;

use crate::output::escape_markup as esc;

pub const KYSO_NS: &str = "urn:kyso:archive:1.0/";
pub const CIRCULAR02_NS: &str = "urn:kyso:circular02-2019:1.0/";

/// One property of a kyso schema: name, XMP value type, description (for the extension schema).
pub struct Property {
    pub name: &'static str,
    pub value_type: &'static str,
    pub description: &'static str,
}

const fn p(name: &'static str, value_type: &'static str, description: &'static str) -> Property {
    Property {
        name,
        value_type,
        description,
    }
}

/// The `kyso:` properties.
pub const KYSO_PROPERTIES: &[Property] = &[
    p("documentId", "Text", "kyso's document id: the first 16 hex digits of the original's SHA-256"),
    p("originalSha256", "Text", "SHA-256 of the original file, hex"),
    p("originalFileName", "Text", "the original's file name when it was scanned"),
    p("originalFormat", "Text", "pdf, tiff, png or jpeg"),
    p("originalEmbedded", "Boolean", "whether the original is embedded unchanged as an associated file (AFRelationship Source)"),
    p("origin", "Text", "scanned, born_digital, mixed or unknown: what kyso found the pages to be"),
    p("pageCount", "Integer", "pages of the copy"),
    p("sourceDpiMin", "Real", "the lowest resolution (dpi) of the scanned pages as found in the original (read or estimated)"),
    p("verdict", "Text", "kyso's verdict on the original (docs/record.md)"),
    p("signatureStatement", "Text", "what kyso found in the original's signatures, in words"),
    p("originalSignatures", "seq Text", "one line per signature field of the original"),
    p("originalSignaturesJson", "Text", "the original's signature reports as kyso verify --json prints them"),
    p("archiveSigner", "Text", "subject of the certificate the copy is signed with by the digitising agency, when signed"),
    p("kysoVersion", "Text", "the kyso version that made the copy"),
    p("options", "Text", "the scan options that change what kyso finds (JSON, as the catalog stores them)"),
    p("optionsHash", "Text", "hash of the options, as in the catalog"),
    p("agency", "Text", "Decree 30: issuing agency as printed"),
    p("parentAgency", "Text", "Decree 30: the line above the agency (its parent)"),
    p("agencyKey", "Text", "kyso's stable key for the agency"),
    p("agencyName", "Text", "the agency's display name from --agencies"),
    p("number", "Text", "Decree 30: number"),
    p("symbol", "Text", "Decree 30: symbol"),
    p("numberSymbol", "Text", "Decree 30: number and symbol as printed"),
    p("docType", "Text", "Decree 30: document type"),
    p("place", "Text", "Decree 30: place of issue"),
    p("issueDate", "Text", "Decree 30: date of issue, ISO 8601"),
    p("subject", "Text", "Decree 30: subject (trích yếu)"),
    p("signerName", "Text", "Decree 30: signer's name"),
    p("signerTitle", "Text", "Decree 30: signer's title"),
    p("signingAuthority", "Text", "Decree 30: TM., KT., Q., TL. or TUQ."),
    p("recipients", "seq Text", "Decree 30: recipients (Nơi nhận)"),
    p("urgency", "Text", "Decree 30: urgency mark"),
    p("confidentiality", "Text", "Decree 30: confidentiality mark"),
];

/// The `tt02:` properties: the columns of `kyso export --format circular02` (src/export.rs),
/// same names, same values.
pub const CIRCULAR02_PROPERTIES: &[Property] = &[
    p(
        "ma_dinh_danh",
        "Text",
        "Mã định danh văn bản (kyso's document id)",
    ),
    p("ten_loai_van_ban", "Text", "Tên loại văn bản"),
    p("so_van_ban", "Text", "Số của văn bản"),
    p("ky_hieu_van_ban", "Text", "Ký hiệu của văn bản"),
    p(
        "ngay_van_ban",
        "Text",
        "Ngày, tháng, năm văn bản (dd/mm/yyyy)",
    ),
    p(
        "co_quan_ban_hanh",
        "Text",
        "Tên cơ quan, tổ chức ban hành văn bản",
    ),
    p("trich_yeu", "Text", "Trích yếu nội dung"),
    p("ngon_ngu", "Text", "Ngôn ngữ"),
    p("so_trang", "Text", "Số lượng trang"),
    p("muc_do_tin_cay", "Text", "Mức độ tin cậy"),
    p("nguoi_ky", "Text", "Người ký"),
    p("chuc_vu_nguoi_ky", "Text", "Chức vụ người ký"),
    p("ghi_chu", "Text", "Ghi chú"),
];

/// A property value.
pub enum Value {
    Text(String),
    Seq(Vec<String>),
}

/// What goes into the packet. Empty strings and empty lists are left out.
#[derive(Default)]
pub struct Packet {
    pub part: u8,
    pub title: Option<String>,
    pub creator: Option<String>,
    pub date: Option<String>,
    pub identifier: Option<String>,
    pub doc_type: Option<String>,
    pub language: Option<String>,
    /// dc:description: (language, text) pairs, x-default first.
    pub description: Vec<(String, String)>,
    pub source: Option<String>,
    pub created: String,
    pub creator_tool: String,
    pub producer: String,
    pub document_uuid: String,
    pub kyso: Vec<(&'static str, Value)>,
    pub circular02: Vec<(&'static str, Value)>,
}

fn schema_description(s: &mut String, name: &str, uri: &str, prefix: &str, props: &[Property]) {
    let _ = writeln!(
        s,
        "<rdf:li rdf:parseType=\"Resource\">\
         <pdfaSchema:schema>{}</pdfaSchema:schema>\
         <pdfaSchema:namespaceURI>{}</pdfaSchema:namespaceURI>\
         <pdfaSchema:prefix>{prefix}</pdfaSchema:prefix>\
         <pdfaSchema:property><rdf:Seq>",
        esc(name),
        esc(uri)
    );
    for prop in props {
        let _ = writeln!(
            s,
            "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>{}</pdfaProperty:name>\
             <pdfaProperty:valueType>{}</pdfaProperty:valueType>\
             <pdfaProperty:category>external</pdfaProperty:category>\
             <pdfaProperty:description>{}</pdfaProperty:description></rdf:li>",
            prop.name,
            prop.value_type,
            esc(prop.description)
        );
    }
    s.push_str("</rdf:Seq></pdfaSchema:property></rdf:li>\n");
}

fn values(s: &mut String, prefix: &str, list: &[(&'static str, Value)]) {
    for (name, value) in list {
        match value {
            Value::Text(t) if !t.is_empty() => {
                let _ = writeln!(s, "<{prefix}:{name}>{}</{prefix}:{name}>", esc(t));
            }
            Value::Seq(items) if !items.is_empty() => {
                let _ = write!(s, "<{prefix}:{name}><rdf:Seq>");
                for item in items {
                    let _ = write!(s, "<rdf:li>{}</rdf:li>", esc(item));
                }
                let _ = writeln!(s, "</rdf:Seq></{prefix}:{name}>");
            }
            _ => {}
        }
    }
}

impl Packet {
    /// The packet, with 2 KiB of padding so that a later tool can update it in place.
    pub fn to_xml(&self) -> String {
        let mut s = String::with_capacity(16 * 1024);
        s.push_str("<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
        s.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n");
        s.push_str("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
        let _ = writeln!(
            s,
            "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\
             <pdfaid:part>{}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>\
             </rdf:Description>",
            self.part
        );

        s.push_str(
            "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n\
             <dc:format>application/pdf</dc:format>\n",
        );
        if let Some(t) = self.title.as_deref().filter(|t| !t.is_empty()) {
            let _ = writeln!(
                s,
                "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>",
                esc(t)
            );
        }
        if let Some(c) = self.creator.as_deref().filter(|c| !c.is_empty()) {
            let _ = writeln!(
                s,
                "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>",
                esc(c)
            );
        }
        if let Some(d) = self.date.as_deref().filter(|d| !d.is_empty()) {
            let _ = writeln!(
                s,
                "<dc:date><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:date>",
                esc(d)
            );
        }
        if let Some(i) = self.identifier.as_deref().filter(|i| !i.is_empty()) {
            let _ = writeln!(s, "<dc:identifier>{}</dc:identifier>", esc(i));
        }
        if let Some(t) = self.doc_type.as_deref().filter(|t| !t.is_empty()) {
            let _ = writeln!(
                s,
                "<dc:type><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:type>",
                esc(t)
            );
        }
        if let Some(l) = self.language.as_deref().filter(|l| !l.is_empty()) {
            let _ = writeln!(
                s,
                "<dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>",
                esc(l)
            );
        }
        if !self.description.is_empty() {
            s.push_str("<dc:description><rdf:Alt>");
            for (lang, text) in &self.description {
                let _ = write!(
                    s,
                    "<rdf:li xml:lang=\"{}\">{}</rdf:li>",
                    esc(lang),
                    esc(text)
                );
            }
            s.push_str("</rdf:Alt></dc:description>\n");
        }
        if let Some(src) = self.source.as_deref().filter(|x| !x.is_empty()) {
            let _ = writeln!(s, "<dc:source>{}</dc:source>", esc(src));
        }
        s.push_str("</rdf:Description>\n");

        let _ = writeln!(
            s,
            "<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\
             <xmp:CreateDate>{c}</xmp:CreateDate><xmp:ModifyDate>{c}</xmp:ModifyDate>\
             <xmp:MetadataDate>{c}</xmp:MetadataDate><xmp:CreatorTool>{t}</xmp:CreatorTool>\
             </rdf:Description>",
            c = esc(&self.created),
            t = esc(&self.creator_tool)
        );
        let _ = writeln!(
            s,
            "<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\
             <pdf:Producer>{}</pdf:Producer></rdf:Description>",
            esc(&self.producer)
        );
        let _ = writeln!(
            s,
            "<rdf:Description rdf:about=\"\" xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\">\
             <xmpMM:DocumentID>uuid:{u}</xmpMM:DocumentID><xmpMM:InstanceID>uuid:{u}</xmpMM:InstanceID>\
             </rdf:Description>",
            u = esc(&self.document_uuid)
        );

        s.push_str(
            "<rdf:Description rdf:about=\"\" \
             xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" \
             xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" \
             xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n\
             <pdfaExtension:schemas><rdf:Bag>\n",
        );
        schema_description(
            &mut s,
            "kyso archive copy: Decree 30/2020 fields, provenance, the original's signatures",
            KYSO_NS,
            "kyso",
            KYSO_PROPERTIES,
        );
        schema_description(
            &mut s,
            "Circular 02/2019/TT-BNV per-document input data, as kyso export writes it",
            CIRCULAR02_NS,
            "tt02",
            CIRCULAR02_PROPERTIES,
        );
        s.push_str("</rdf:Bag></pdfaExtension:schemas></rdf:Description>\n");

        let _ = writeln!(
            s,
            "<rdf:Description rdf:about=\"\" xmlns:kyso=\"{KYSO_NS}\">"
        );
        values(&mut s, "kyso", &self.kyso);
        s.push_str("</rdf:Description>\n");
        let _ = writeln!(
            s,
            "<rdf:Description rdf:about=\"\" xmlns:tt02=\"{CIRCULAR02_NS}\">"
        );
        values(&mut s, "tt02", &self.circular02);
        s.push_str("</rdf:Description>\n");

        s.push_str("</rdf:RDF>\n</x:xmpmeta>\n");
        for _ in 0..20 {
            s.push_str(&" ".repeat(99));
            s.push('\n');
        }
        s.push_str("<?xpacket end=\"w\"?>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_is_well_formed_xml_with_escaped_values_and_every_namespace_described() {
        let packet = Packet {
            part: 3,
            title: Some("V/v <thử> & \"kiểm\"".into()),
            creator: Some("SỞ TÀI CHÍNH".into()),
            date: Some("2019-08-20".into()),
            identifier: Some("123/QĐ-UBND".into()),
            description: vec![("x-default".into(), "statement".into())],
            created: "2026-01-01T19:00:00+07:00".into(),
            creator_tool: "kyso".into(),
            producer: "kyso".into(),
            document_uuid: "00000000-0000-0000-0000-000000000000".into(),
            kyso: vec![
                ("verdict", Value::Text("scanned_org_signed".into())),
                (
                    "recipients",
                    Value::Seq(vec!["Như trên;".into(), "Lưu: VT.".into()]),
                ),
                ("subject", Value::Text(String::new())),
            ],
            circular02: vec![("so_van_ban", Value::Text("123".into()))],
            ..Packet::default()
        };
        let xml = packet.to_xml();
        let body = xml
            .split_once("?>\n")
            .and_then(|(_, rest)| rest.rsplit_once("<?xpacket"))
            .map(|(b, _)| b)
            .unwrap();
        let doc = roxmltree::Document::parse(body).expect("well-formed");
        let kyso = |name: &str| {
            doc.descendants()
                .find(|n| n.tag_name().namespace() == Some(KYSO_NS) && n.tag_name().name() == name)
        };
        assert_eq!(
            kyso("verdict").and_then(|n| n.text()),
            Some("scanned_org_signed")
        );
        assert!(kyso("subject").is_none(), "empty values are left out");
        let title = doc
            .descendants()
            .find(|n| n.tag_name().name() == "title")
            .unwrap();
        assert_eq!(
            title
                .descendants()
                .find(|n| n.is_text())
                .and_then(|n| n.text()),
            Some("V/v <thử> & \"kiểm\"")
        );
        let described: Vec<&str> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "namespaceURI")
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(described, vec![KYSO_NS, CIRCULAR02_NS]);
        let names = doc
            .descendants()
            .filter(|n| {
                n.tag_name().name() == "name"
                    && n.tag_name().namespace() == Some("http://www.aiim.org/pdfa/ns/property#")
            })
            .count();
        assert_eq!(names, KYSO_PROPERTIES.len() + CIRCULAR02_PROPERTIES.len());
    }
}
