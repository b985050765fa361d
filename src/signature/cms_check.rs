//! The CMS side: digest over the signed bytes vs. `messageDigest` (intact), the signature
//! value over the DER-encoded signed attributes (valid), signing time, timestamp tokens.
//!
//! All parsing is done by `cms`/`x509-cert`/`x509-tsp`/`der`; all arithmetic by the crates
//! algorithms.rs names. Anything not recognised is reported as unsupported, never as valid.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use const_oid::ObjectIdentifier as Oid;
use der::asn1::{
    BmpString, Ia5StringRef, OctetString, PrintableStringRef, TeletexStringRef, Utf8StringRef,
};
use der::{Any, Decode, Encode};
use x509_cert::Certificate;

use super::algorithms::{
    eddsa_digest_note, lenient_key_note, verify_signature, DigestAlg, VerifyError,
};
use super::ber;
use super::{Integrity, PadesLevel, SignerInfo, SigningTime, TimeSource};

const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const ID_CT_TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const ATTR_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
const ATTR_TIMESTAMP_TOKEN: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");

const SUBJECT_KEY_ID: Oid = Oid::new_unwrap("2.5.29.14");

/// What the CMS checks found for one signature.
#[derive(Debug, Clone, Default)]
pub struct CmsCheck {
    pub integrity: Integrity,
    pub valid: bool,
    pub digest_algorithm: Option<String>,
    pub signature_algorithm: Option<String>,
    pub signing_time: Option<SigningTime>,
    pub timestamp: Option<SigningTime>,
    pub problems: Vec<String>,
    pub pades_candidate: Option<PadesLevel>,
    pub signer: Option<Certificate>,
    pub certificates: Vec<Certificate>,
    /// `None` when the CMS could not be read.
    pub encoding: Option<super::CmsEncoding>,
    /// CRLs / OCSP responses / certificates carried by the CMS, its adbe archival attribute and
    /// its timestamp token.
    pub revocation: super::revocation::Material,
    /// The verified signature timestamp's TSA certificate and the token's certificates.
    pub timestamp_signer: Option<Certificate>,
    pub timestamp_certificates: Vec<Certificate>,
    /// The verified signature timestamp's time, Unix seconds.
    pub timestamp_secs: Option<u64>,
}

/// Strips PEM armour if present (some `.p7s` files are PEM).
pub fn unarmor(input: &[u8]) -> Vec<u8> {
    let trimmed = input.trim_ascii_start();
    if trimmed.starts_with(b"-----BEGIN") {
        if let Ok((_, der)) = der::pem::decode_vec(trimmed) {
            return der;
        }
    }
    input.to_vec()
}

/// A ContentInfo read from `/Contents` (which is zero-padded), BER or DER.
struct Decoded {
    ci: ContentInfo,
    /// The CMS bytes as found (without the padding): what the signed attributes are cut from.
    original: Vec<u8>,
    /// Whether the encoding was BER (anything the DER rewrite changed).
    ber: bool,
}

fn decode_content_info(cms_bytes: &[u8], problems: &mut Vec<String>) -> Option<Decoded> {
    let (der, used) = match ber::to_der(cms_bytes) {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("/Contents is not a BER/DER value: {e}"));
            return None;
        }
    };
    if cms_bytes
        .get(used..)
        .is_some_and(|rest| rest.iter().any(|&b| b != 0))
    {
        problems.push("/Contents holds non-zero bytes after the CMS object".into());
    }
    let original = cms_bytes.get(..used).unwrap_or_default().to_vec();
    let ber = der != original;
    match ContentInfo::from_der(&der) {
        Ok(ci) => Some(Decoded { ci, original, ber }),
        Err(e) => {
            problems.push(format!("/Contents is not a CMS ContentInfo: {e}"));
            None
        }
    }
}

pub(super) fn any_as<T: for<'a> Decode<'a>>(any: &Any) -> Option<T> {
    T::from_der(&any.to_der().ok()?).ok()
}

/// Checks a CMS signature whose external content is the bytes of `ranges` within `bytes`.
pub fn check_pdf_signature(
    bytes: &[u8],
    ranges: &[(usize, usize)],
    cms_bytes: &[u8],
    subfilter: Option<&str>,
) -> CmsCheck {
    let mut out = CmsCheck::default();
    let parts: Option<Vec<&[u8]>> = ranges
        .iter()
        .map(|&(start, len)| bytes.get(start..start.checked_add(len)?))
        .collect();
    let Some(parts) = parts else {
        out.problems.push("ByteRange outside the file".into());
        return out;
    };
    let Some(decoded) = decode_content_info(cms_bytes, &mut out.problems) else {
        return out;
    };
    out.encoding = Some(if decoded.ber {
        super::CmsEncoding::Ber
    } else {
        super::CmsEncoding::Der
    });
    if decoded.ber {
        out.problems.push(
            "the CMS is BER-encoded (indefinite lengths or segmented strings), as RFC 5652 allows; \
             read as BER, signed attributes verified as encoded"
                .into(),
        );
    }
    let ci = decoded.ci;
    if ci.content_type != ID_SIGNED_DATA {
        out.problems.push(format!(
            "CMS content type {} is not signed-data",
            ci.content_type
        ));
        return out;
    }
    let Some(sd) = any_as::<SignedData>(&ci.content) else {
        out.problems.push("CMS SignedData does not parse".into());
        return out;
    };
    let raw = raw_signed_attrs(&decoded.original);
    check_signed_data(&sd, &raw, &parts, subfilter, &mut out);
    out
}

/// The signed attributes of each SignerInfo as the signer encoded them (tag set to SET OF),
/// which is what their signatures cover.
fn raw_signed_attrs(original: &[u8]) -> Vec<Option<Vec<u8>>> {
    ber::signed_attrs_ranges(original)
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.and_then(|r| ber::signed_attrs_message(original, r)))
        .collect()
}

fn check_signed_data(
    sd: &SignedData,
    raw_attrs: &[Option<Vec<u8>>],
    parts: &[&[u8]],
    subfilter: Option<&str>,
    out: &mut CmsCheck,
) {
    out.certificates = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(cert) => Some(cert.clone()),
            _ => None,
        })
        .collect();
    if let Some(crls) = &sd.crls {
        out.revocation.add_cms_revocation_choices(crls, "CMS");
    }
    let signer_infos: Vec<&cms::signed_data::SignerInfo> = sd.signer_infos.0.iter().collect();
    if let Some(attrs) = signer_infos.first().and_then(|si| si.signed_attrs.as_ref()) {
        out.revocation.add_adbe_archival(attrs);
    }
    let Some(first) = signer_infos.first() else {
        out.problems.push("CMS has no SignerInfo".into());
        return;
    };
    // `der` sorts a SET OF when it decodes one, so the order of `signer_infos` may differ
    // from the encoding's; the raw signed attributes are matched back by their content.
    // A signed-attributes encoding that is not DER at all (indefinite lengths: RFC 5652 §5.3
    // forbids it) is verified over the DER of its elements in the order found, which is what
    // pyHanko's asn1crypto re-emits; an unsorted but definite encoding is verified as is.
    let raw_for = |si: &cms::signed_data::SignerInfo, problems: &mut Vec<String>| {
        let attrs = si.signed_attrs.as_ref()?;
        let der = attrs.to_der().ok()?;
        for raw in raw_attrs.iter().flatten() {
            let normal = match ber::to_der(raw) {
                Ok((n, used)) if used == raw.len() => n,
                _ => continue,
            };
            if normal == der || set_of_same(&normal, &der) {
                if normal != *raw {
                    problems.push(
                        "signed attributes are BER-encoded (RFC 5652 §5.3 requires DER): \
                         verified over their DER encoding, as pyHanko does"
                            .into(),
                    );
                }
                return Some(normal);
            }
        }
        Some(der)
    };
    let raw = raw_for(first, &mut out.problems);
    check_signer(sd, first, raw.as_deref(), parts, subfilter, out);
    for (i, si) in signer_infos.iter().enumerate().skip(1) {
        let mut other = CmsCheck {
            certificates: out.certificates.clone(),
            ..CmsCheck::default()
        };
        let raw = raw_for(si, &mut other.problems);
        check_signer(sd, si, raw.as_deref(), parts, subfilter, &mut other);
        let who = other
            .signer
            .as_ref()
            .map(|c| c.tbs_certificate.subject.to_string())
            .unwrap_or_else(|| "signer certificate not found".into());
        let ok = other.valid && other.integrity == Integrity::Intact;
        out.problems.push(format!(
            "SignerInfo {} of {} ({who}): {}{}",
            i + 1,
            signer_infos.len(),
            if ok {
                "intact and valid"
            } else {
                "NOT intact and valid"
            },
            if other.problems.is_empty() {
                String::new()
            } else {
                format!(" ({})", other.problems.join("; "))
            }
        ));
        // Every signer must hold: one bad SignerInfo makes the signature not count.
        if !ok {
            out.valid = false;
            if out.integrity == Integrity::Intact {
                out.integrity = other.integrity;
            }
        }
    }
}

/// Whether two encodings of a SET OF hold the same elements (in any order).
fn set_of_same(a: &[u8], b: &[u8]) -> bool {
    let elems = |v: &[u8]| -> Option<Vec<Vec<u8>>> {
        let attrs = x509_cert::attr::Attributes::from_der(v).ok()?;
        attrs.iter().map(|a| a.to_der().ok()).collect()
    };
    match (elems(a), elems(b)) {
        (Some(mut x), Some(mut y)) => {
            x.sort();
            y.sort();
            x == y
        }
        _ => false,
    }
}

fn check_signer(
    sd: &SignedData,
    si: &cms::signed_data::SignerInfo,
    raw_attrs: Option<&[u8]>,
    parts: &[&[u8]],
    subfilter: Option<&str>,
    out: &mut CmsCheck,
) {
    out.signer = find_signer(&out.certificates, &si.sid);
    let Some(digest) = DigestAlg::from_oid(&si.digest_alg.oid) else {
        out.integrity = Integrity::Unsupported;
        out.problems.push(format!(
            "unsupported digest algorithm {}",
            si.digest_alg.oid
        ));
        return;
    };
    out.digest_algorithm = Some(digest.name().into());

    // What messageDigest must equal: the external bytes, or the encapsulated content.
    let econtent: Option<Vec<u8>> = sd
        .encap_content_info
        .econtent
        .as_ref()
        .and_then(any_as::<OctetString>)
        .map(|o| o.as_bytes().to_vec());
    let mut content_ok = true;
    let content_digest = match (&econtent, sd.encap_content_info.econtent_type) {
        // A signature timestamp token's own TSTInfo: its imprint covers the signature value,
        // which the caller compared; the token's signature covers the TSTInfo.
        (Some(tst_der), ID_CT_TST_INFO) if subfilter == Some(TOKEN) => digest.digest(&[tst_der]),
        (Some(tst_der), ID_CT_TST_INFO) => {
            // Document timestamp: the TSTInfo's imprint must cover the ByteRange.
            match x509_tsp::TstInfo::from_der(tst_der) {
                Ok(tst) => {
                    let imprint_ok = DigestAlg::from_oid(&tst.message_imprint.hash_algorithm.oid)
                        .map(|alg| {
                            alg.digest(parts) == tst.message_imprint.hashed_message.as_bytes()
                        });
                    match imprint_ok {
                        Some(true) => {}
                        Some(false) => {
                            content_ok = false;
                            out.problems
                                .push("timestamp imprint does not match the signed bytes".into());
                        }
                        None => {
                            content_ok = false;
                            out.problems
                                .push("timestamp imprint uses an unsupported digest".into());
                        }
                    }
                    out.signing_time = Some(SigningTime {
                        value: tst.gen_time.to_date_time().to_string(),
                        source: TimeSource::TimestampToken,
                    });
                }
                Err(e) => {
                    content_ok = false;
                    out.problems.push(format!("TSTInfo does not parse: {e}"));
                }
            }
            digest.digest(&[tst_der])
        }
        (Some(inner), ID_DATA) if subfilter == Some("adbe.pkcs7.sha1") => {
            // adbe.pkcs7.sha1: the signed content is the SHA-1 digest of the ByteRange.
            if DigestAlg::Sha1.digest(parts) != *inner {
                content_ok = false;
                out.problems.push(
                    "adbe.pkcs7.sha1 content is not the SHA-1 digest of the signed bytes".into(),
                );
            }
            digest.digest(&[inner])
        }
        (Some(inner), _) => {
            out.problems
                .push("CMS encapsulates content; a PDF signature should be detached".into());
            content_ok = false;
            digest.digest(&[inner])
        }
        (None, _) => digest.digest(parts),
    };

    let Some(cert) = out.signer.clone() else {
        out.problems
            .push("signer certificate not found among the CMS certificates".into());
        out.integrity = match &si.signed_attrs {
            Some(attrs) => {
                if message_digest_of(attrs).as_deref() == Some(content_digest.as_slice())
                    && content_ok
                {
                    Integrity::Intact
                } else {
                    Integrity::DigestMismatch
                }
            }
            None => Integrity::Malformed,
        };
        return;
    };
    let spki = &cert.tbs_certificate.subject_public_key_info;
    if let Some(note) = lenient_key_note(spki) {
        out.problems.push(note);
    }
    match &si.signed_attrs {
        Some(attrs) => {
            let md = message_digest_of(attrs);
            out.integrity = match md {
                None => {
                    out.problems
                        .push("no messageDigest signed attribute".into());
                    Integrity::Malformed
                }
                Some(md) if md == content_digest && content_ok => Integrity::Intact,
                Some(_) => Integrity::DigestMismatch,
            };
            if let Some(t) = attrs
                .iter()
                .find(|a| a.oid == ATTR_SIGNING_TIME)
                .and_then(|a| a.values.iter().next())
                .and_then(any_as::<x509_cert::time::Time>)
            {
                if out.signing_time.is_none() {
                    out.signing_time = Some(SigningTime {
                        value: t.to_date_time().to_string(),
                        source: TimeSource::SignedAttribute,
                    });
                }
            }
            // The signature covers the attributes as the signer encoded them (pyHanko hashes
            // them so too). RFC 5652 wants them DER; say so when they are not.
            let signed = match (raw_attrs, attrs.to_der()) {
                (Some(raw), Ok(der)) => {
                    if raw != der.as_slice() {
                        out.problems.push(if set_of_same(raw, &der) {
                            "signed attributes are not in DER (sorted) order: verified as \
                             encoded, as pyHanko does (EU DSS re-sorts them and fails)"
                                .into()
                        } else {
                            "signed attributes are not DER-encoded (RFC 5652 §5.3 requires it): \
                             verified as encoded, as pyHanko does"
                                .to_string()
                        });
                    }
                    Some(raw.to_vec())
                }
                (Some(raw), Err(_)) => Some(raw.to_vec()),
                (None, Ok(der)) => Some(der),
                (None, Err(e)) => {
                    out.problems
                        .push(format!("cannot encode signed attributes: {e}"));
                    None
                }
            };
            if let Some(signed) = signed {
                match verify_signature(
                    spki,
                    &si.signature_algorithm,
                    digest,
                    &signed,
                    si.signature.as_bytes(),
                ) {
                    Ok(name) => {
                        out.valid = true;
                        out.problems.extend(eddsa_digest_note(&name, digest));
                        out.signature_algorithm = Some(name);
                    }
                    Err(VerifyError::Unsupported(why)) => {
                        out.problems.push(format!("signature not verified: {why}"));
                    }
                    Err(VerifyError::Bad(name)) => {
                        out.signature_algorithm = Some(name);
                        out.problems
                            .push("signature value does not verify with the signer's key".into());
                    }
                }
            }
        }
        None => {
            // No signed attributes: the signature is over the content digest directly.
            let content: Vec<u8> = match &econtent {
                Some(c) => c.clone(),
                None => parts.concat(),
            };
            match verify_signature(
                spki,
                &si.signature_algorithm,
                digest,
                &content,
                si.signature.as_bytes(),
            ) {
                Ok(name) => {
                    out.valid = true;
                    out.signature_algorithm = Some(name);
                    out.integrity = if content_ok {
                        Integrity::Intact
                    } else {
                        Integrity::DigestMismatch
                    };
                }
                Err(VerifyError::Unsupported(why)) => {
                    out.integrity = Integrity::Unsupported;
                    out.problems.push(format!("signature not verified: {why}"));
                }
                Err(VerifyError::Bad(name)) => {
                    out.signature_algorithm = Some(name);
                    out.integrity = Integrity::DigestMismatch;
                    out.problems.push(
                        "signature (without signed attributes) does not verify over the signed bytes".into(),
                    );
                }
            }
        }
    }

    // A signature timestamp (PAdES B-T) in the unsigned attributes.
    let token = si
        .unsigned_attrs
        .iter()
        .flat_map(|u| u.iter())
        .find(|a| a.oid == ATTR_TIMESTAMP_TOKEN)
        .and_then(|a| a.values.iter().next());
    if let Some(token) = token {
        match check_timestamp_token(token, si.signature.as_bytes()) {
            Ok(ok) => {
                out.timestamp = Some(ok.time);
                out.timestamp_secs = Some(ok.secs);
                out.timestamp_signer = ok.signer;
                out.revocation.certs.extend(ok.certificates.iter().cloned());
                out.timestamp_certificates = ok.certificates;
                out.revocation.extend(&ok.revocation);
            }
            Err(why) => out
                .problems
                .push(format!("signature timestamp token: {why}")),
        }
    }
    if subfilter == Some("ETSI.CAdES.detached") {
        out.pades_candidate = Some(if out.timestamp.is_some() {
            PadesLevel::BT
        } else {
            PadesLevel::BB
        });
    }
}

/// Checks an RFC 3161 token over `imprinted` (the signature value); returns its time only
/// when its imprint matches and the TSA's signature verifies.
/// The `subfilter` a timestamp token is checked with: its content is its own TSTInfo.
const TOKEN: &str = "(RFC 3161 timestamp token)";

/// A verified signature timestamp token.
struct TokenOk {
    time: SigningTime,
    secs: u64,
    signer: Option<Certificate>,
    certificates: Vec<Certificate>,
    revocation: super::revocation::Material,
}

fn check_timestamp_token(token: &Any, imprinted: &[u8]) -> Result<TokenOk, String> {
    let token_der = token.to_der().map_err(|e| e.to_string())?;
    let ci = ContentInfo::from_der(&token_der).map_err(|_| "not a ContentInfo")?;
    let sd: SignedData = any_as(&ci.content).ok_or("not SignedData")?;
    let tst_der = sd
        .encap_content_info
        .econtent
        .as_ref()
        .and_then(any_as::<OctetString>)
        .ok_or("no TSTInfo")?;
    let tst = x509_tsp::TstInfo::from_der(tst_der.as_bytes()).map_err(|e| e.to_string())?;
    let alg = DigestAlg::from_oid(&tst.message_imprint.hash_algorithm.oid)
        .ok_or("unsupported imprint digest")?;
    if alg.digest(&[imprinted]) != tst.message_imprint.hashed_message.as_bytes() {
        return Err("imprint does not match the signature value".into());
    }
    let mut inner = CmsCheck::default();
    // The token's own content is its encapsulated TSTInfo: no external bytes.
    check_signed_data(
        &sd,
        &raw_signed_attrs(&token_der),
        &[],
        Some(TOKEN),
        &mut inner,
    );
    if !inner.valid || inner.integrity != Integrity::Intact {
        return Err(format!(
            "the TSA signature does not verify ({})",
            inner.problems.join("; ")
        ));
    }
    Ok(TokenOk {
        time: SigningTime {
            value: tst.gen_time.to_date_time().to_string(),
            source: TimeSource::TimestampToken,
        },
        secs: tst.gen_time.to_unix_duration().as_secs(),
        signer: inner.signer,
        certificates: inner.certificates,
        revocation: inner.revocation,
    })
}

fn message_digest_of(attrs: &x509_cert::attr::Attributes) -> Option<Vec<u8>> {
    attrs
        .iter()
        .find(|a| a.oid == ATTR_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(any_as::<OctetString>)
        .map(|o| o.as_bytes().to_vec())
}

fn find_signer(certs: &[Certificate], sid: &SignerIdentifier) -> Option<Certificate> {
    certs
        .iter()
        .find(|c| match sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                c.tbs_certificate.issuer == ias.issuer
                    && c.tbs_certificate.serial_number == ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => c
                .tbs_certificate
                .extensions
                .iter()
                .flatten()
                .filter(|e| e.extn_id == SUBJECT_KEY_ID)
                .filter_map(|e| {
                    x509_cert::ext::pkix::SubjectKeyIdentifier::from_der(e.extn_value.as_bytes())
                        .ok()
                })
                .any(|k| k.0 == ski.0),
        })
        .cloned()
}

/// Identity fields of a certificate, for the report.
pub fn signer_info(cert: &Certificate) -> SignerInfo {
    let tbs = &cert.tbs_certificate;
    let attr = |oid: &str| -> Option<String> {
        let oid = Oid::new(oid).ok()?;
        tbs.subject
            .0
            .iter()
            .flat_map(|rdn| rdn.0.iter())
            .find(|atv| atv.oid == oid)
            .and_then(|atv| any_to_string(&atv.value))
    };
    SignerInfo {
        common_name: attr("2.5.4.3"),
        organization: attr("2.5.4.10"),
        organizational_unit: attr("2.5.4.11"),
        locality: attr("2.5.4.7"),
        state: attr("2.5.4.8"),
        title: attr("2.5.4.12"),
        // Vietnamese CAs write the holder's ID (CMND:/CCCD:/HC: for people, MST: for
        // organisations) in serialNumber or, as many do, in UID: the latter stands in when the
        // former is absent.
        serial_number: attr("2.5.4.5")
            .or_else(|| attr("0.9.2342.19200300.100.1.1").filter(|v| is_vn_id_form(v))),
        email: attr("1.2.840.113549.1.9.1"),
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        certificate_serial: hex::encode(tbs.serial_number.as_bytes()),
        not_before: tbs.validity.not_before.to_date_time().to_string(),
        not_after: tbs.validity.not_after.to_date_time().to_string(),
    }
}

/// `CMND:`, `CCCD:`, `HC:`, `MST:` (and `CMT:`) prefixes, as Vietnamese certificates write them.
fn is_vn_id_form(v: &str) -> bool {
    let upper = v.trim().to_ascii_uppercase();
    ["CMND", "CCCD", "CMT", "HC", "MST"]
        .iter()
        .any(|p| upper.starts_with(&format!("{p}:")) || upper.starts_with(&format!("{p} ")))
}

/// A directory-string attribute value as text (UTF8, Printable, IA5, Teletex, BMP).
pub(crate) fn any_to_string(any: &Any) -> Option<String> {
    if let Ok(s) = any.decode_as::<Utf8StringRef<'_>>() {
        return Some(s.as_str().to_string());
    }
    if let Ok(s) = any.decode_as::<PrintableStringRef<'_>>() {
        return Some(s.as_str().to_string());
    }
    if let Ok(s) = any.decode_as::<Ia5StringRef<'_>>() {
        return Some(s.as_str().to_string());
    }
    if let Ok(s) = any.decode_as::<TeletexStringRef<'_>>() {
        return Some(s.as_str().to_string());
    }
    if let Some(s) = any_as::<BmpString>(any) {
        return Some(s.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of the real-world corpus (../shared/realworld, see tests/signature_realworld.rs),
    /// read in place; `None`, said loudly, when the corpus is not there.
    fn realworld(rel: &str) -> Option<Vec<u8>> {
        let root = std::env::var_os("KYSO_REALWORLD")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld")
            });
        let path = root.join(rel);
        let bytes = std::fs::read(&path).ok();
        if bytes.is_none() {
            eprintln!("CHECKED NOTHING: {} is absent", path.display());
        }
        bytes
    }

    /// The two ranges of the file's one `/ByteRange` and the CMS bytes of its gap.
    fn signature_of(pdf: &[u8]) -> (Vec<(usize, usize)>, Vec<u8>) {
        let at = super::super::byterange::find(pdf, b"/ByteRange").unwrap();
        let open = at + pdf[at..].iter().position(|&b| b == b'[').unwrap();
        let close = open + pdf[open..].iter().position(|&b| b == b']').unwrap();
        let n: Vec<usize> = std::str::from_utf8(&pdf[open + 1..close])
            .unwrap()
            .split_ascii_whitespace()
            .map(|t| t.parse().unwrap())
            .collect();
        assert_eq!(n.len(), 4);
        let gap = &pdf[n[0] + n[1]..n[2]];
        assert!(gap.starts_with(b"<") && gap.ends_with(b">"));
        let cms = hex::decode(&gap[1..gap.len() - 1]).unwrap();
        (vec![(n[0], n[1]), (n[2], n[3])], cms)
    }

    /// pyHanko's Ed448 test files: pyHanko 0.38 finds both intact and valid (labels.jsonl).
    const ED448_FILES: [&str; 2] = [
        "pyhanko/ed448-shake256-nolen.pdf",
        "pyhanko/ed448-disallowed-hash.pdf",
    ];

    #[test]
    fn a_real_ed448_signature_value_verifies_and_not_once_tampered() {
        for rel in ED448_FILES {
            let Some(pdf) = realworld(rel) else { return };
            let (_, cms) = signature_of(&pdf);
            let mut problems = Vec::new();
            let decoded = decode_content_info(&cms, &mut problems).unwrap();
            let sd = any_as::<SignedData>(&decoded.ci.content).unwrap();
            let si = sd.signer_infos.0.iter().next().unwrap();
            let certs: Vec<Certificate> = sd
                .certificates
                .iter()
                .flat_map(|set| set.0.iter())
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect();
            let cert = find_signer(&certs, &si.sid).unwrap();
            let spki = &cert.tbs_certificate.subject_public_key_info;
            let digest = DigestAlg::from_oid(&si.digest_alg.oid).unwrap();
            // The signed attributes as the signer encoded them (what the signature covers).
            let attrs = raw_signed_attrs(&decoded.original)[0].clone().unwrap();
            let sig = si.signature.as_bytes();
            let verify = |message: &[u8], sig: &[u8]| {
                verify_signature(spki, &si.signature_algorithm, digest, message, sig)
            };
            assert!(
                matches!(verify(&attrs, sig), Ok(n) if n == "ed448"),
                "{rel}"
            );
            let mut bad_attrs = attrs.clone();
            *bad_attrs.last_mut().unwrap() ^= 1;
            assert!(
                matches!(verify(&bad_attrs, sig), Err(VerifyError::Bad(_))),
                "{rel}"
            );
            for i in [0, 60, sig.len() - 2] {
                let mut bad_sig = sig.to_vec();
                bad_sig[i] ^= 0x10;
                assert!(
                    matches!(verify(&attrs, &bad_sig), Err(VerifyError::Bad(_))),
                    "{rel}: byte {i}"
                );
            }
        }
    }

    #[test]
    fn a_real_ed448_pdf_signature_is_intact_and_valid_and_tampering_shows() {
        for rel in ED448_FILES {
            let Some(pdf) = realworld(rel) else { return };
            let (ranges, cms) = signature_of(&pdf);
            let ok = check_pdf_signature(&pdf, &ranges, &cms, Some("adbe.pkcs7.detached"));
            assert_eq!(ok.integrity, Integrity::Intact, "{rel}: {:?}", ok.problems);
            assert!(ok.valid, "{rel}: {:?}", ok.problems);
            assert_eq!(ok.signature_algorithm.as_deref(), Some("ed448"));
            // ed448-disallowed-hash uses SHA-512 where RFC 8419 wants SHAKE256: noted.
            let noted = ok.problems.iter().any(|p| p.contains("RFC 8419"));
            assert_eq!(
                noted,
                ok.digest_algorithm.as_deref() != Some("shake256"),
                "{rel}"
            );

            // One byte of the document changed: no longer intact (the signature over the
            // attributes still verifies, as pyHanko reports it).
            let mut doc = pdf.clone();
            doc[ranges[1].0 + 10] ^= 1;
            let changed = check_pdf_signature(&doc, &ranges, &cms, Some("adbe.pkcs7.detached"));
            assert_eq!(changed.integrity, Integrity::DigestMismatch, "{rel}");

            // One bit of the signature value changed, in place in the CMS: in S (bytes 57..),
            // so that the value still parses and only the verification equation can refuse it.
            let ci = decode_content_info(&cms, &mut Vec::new()).unwrap().ci;
            let sd = any_as::<SignedData>(&ci.content).unwrap();
            let sig = sd
                .signer_infos
                .0
                .iter()
                .next()
                .unwrap()
                .signature
                .as_bytes();
            let at = super::super::byterange::find(&cms, sig).unwrap();
            let mut forged = cms.clone();
            forged[at + 60] ^= 0x04;
            let bad = check_pdf_signature(&pdf, &ranges, &forged, Some("adbe.pkcs7.detached"));
            assert!(
                !bad.valid,
                "{rel}: a tampered Ed448 signature value verified"
            );
            assert_eq!(bad.integrity, Integrity::Intact, "{rel}");
            assert!(
                bad.problems.iter().any(|p| p.contains("does not verify")),
                "{rel}: {:?}",
                bad.problems
            );
        }
    }
}
