//! The envelope's XML signature: reported, never verified (docs/edxml.md, "Signatures on the
//! envelope"), and never a replacement for the attachment's own signature in the verdict.

use der::Decode;
use roxmltree::Node;
use serde::{Deserialize, Serialize};

use super::decode::decode_base64;
use super::header::child;

const XMLDSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

/// What the record says of an envelope `Signature`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EnvelopeSignature {
    /// `present_not_verified`: kyso has no in-process XMLDSig verifier it trusts (docs/edxml.md).
    pub status: String,
    /// `xmldsig` (the W3C namespace: the only form a standard verifier finds), `qcvn` (the
    /// element inherits the QCVN 102:2016 namespace, as the VNPT library writes it), `none`
    /// (no namespace), or the other namespace URI.
    pub form: String,
    pub canonicalization: Option<String>,
    pub signature_method: Option<String>,
    pub digest_method: Option<String>,
    /// `""` signs the whole package (enveloped signature), attachments included.
    pub reference_uri: Option<String>,
    /// `X509SubjectName` as written.
    pub subject_name: Option<String>,
    /// The embedded certificate's subject, when it parses (RFC 4514 order).
    pub certificate_subject: Option<String>,
    /// Why the certificate could not be read, when it is there and does not parse.
    pub certificate_problem: Option<String>,
}

fn algorithm(n: Node, name: &str) -> Option<String> {
    n.descendants()
        .find(|d| d.is_element() && d.tag_name().name() == name)
        .and_then(|d| d.attribute("Algorithm"))
        .map(str::to_string)
}

fn text_of(n: Node, name: &str) -> Option<String> {
    let e = n
        .descendants()
        .find(|d| d.is_element() && d.tag_name().name() == name)?;
    let t: String = e
        .descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect();
    let t = t.trim().to_string();
    (!t.is_empty()).then_some(t)
}

pub(super) fn read(sig: Node) -> EnvelopeSignature {
    let form = match sig.tag_name().namespace() {
        Some(XMLDSIG) => "xmldsig".to_string(),
        Some(super::NS_QCVN) => "qcvn".to_string(),
        None => "none".to_string(),
        Some(other) => other.to_string(),
    };
    let (certificate_subject, certificate_problem) = match text_of(sig, "X509Certificate") {
        None => (None, None),
        Some(b64) => match decode_base64(b64.as_bytes(), "X509Certificate", 1 << 20) {
            Err(e) => (None, Some(e.to_string())),
            Ok(der) => match x509_cert::Certificate::from_der(&der) {
                Ok(c) => (Some(c.tbs_certificate.subject.to_string()), None),
                Err(e) => (None, Some(format!("the certificate does not parse: {e}"))),
            },
        },
    };
    EnvelopeSignature {
        status: "present_not_verified".into(),
        form,
        canonicalization: algorithm(sig, "CanonicalizationMethod"),
        signature_method: algorithm(sig, "SignatureMethod"),
        digest_method: algorithm(sig, "DigestMethod"),
        reference_uri: sig
            .descendants()
            .find(|d| d.is_element() && d.tag_name().name() == "Reference")
            .and_then(|r| r.attribute("URI"))
            .map(str::to_string),
        subject_name: child(sig, "KeyInfo").and_then(|k| text_of(k, "X509SubjectName")),
        certificate_subject,
        certificate_problem,
    }
}
