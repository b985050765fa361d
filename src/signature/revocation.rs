//! Revocation, offline: the CRLs and OCSP responses a PDF carries, checked for every
//! certificate of the signer's chain at the validation time.
//!
//! Where the data comes from: the document security store (`/DSS`: `/Certs`, `/OCSPs`,
//! `/CRLs`), the CMS `crls` field (CRLs and `id-ri-ocsp-response` entries), Adobe's
//! `adbe-revocationInfoArchival` signed attribute, and the same fields of timestamp tokens.
//! Nothing is fetched. A CRL counts only when it names the certificate's issuer and its
//! signature verifies with that issuer's key; an OCSP response only when it is signed by the
//! issuer or by a responder the issuer certified for OCSP signing. Data issued after the
//! validation time is not used (it did not exist yet at that time).

use const_oid::ObjectIdentifier as Oid;
use der::{Any, Decode, Encode, Tagged};
use serde::{Deserialize, Serialize};
use x509_cert::crl::CertificateList;
use x509_cert::Certificate;
use x509_ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus};

use super::algorithms::{verify_signature, DigestAlg, VerifyError};

const ADBE_REVOCATION_ARCHIVAL: Oid = Oid::new_unwrap("1.2.840.113583.1.1.8");
const ID_PKIX_OCSP_BASIC: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.1");
const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
const KP_OCSP_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.9");
const MAX_CHAIN: usize = 10;
/// Bound on one DSS stream once inflated (revocation data is kilobytes).
pub(crate) const MAX_DSS_STREAM: u64 = 16 << 20;

/// The revocation verdict of one signature.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(from = "RevocationRepr")]
pub struct Revocation {
    /// `good`: every certificate of the chain below the root has usable data saying it was not
    /// revoked at the validation time; `revoked`: one was (see `date`); `unknown`: the data to
    /// tell is missing or unusable (`reason` says which certificate and why); `not_checked`:
    /// no certificate to check (no signer certificate).
    pub status: RevocationStatus,
    /// When the first revoked certificate was revoked (RFC 3339), for `revoked`.
    pub date: Option<String>,
    pub reason: String,
    /// `revoked`, but a verified signature timestamp proves the signature existed before the
    /// revocation: the signature still counts (ETSI EN 319 102-1's proof of existence).
    pub signed_before_revocation: bool,
    /// Each certificate of the chain, leaf first.
    pub certificates: Vec<CertRevocation>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RevocationStatus {
    Good,
    Revoked,
    Unknown,
    NotChecked,
}

/// Records written before revocation was checked hold the string `"not_checked"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RevocationRepr {
    Old(String),
    New {
        status: RevocationStatus,
        #[serde(default)]
        date: Option<String>,
        #[serde(default)]
        reason: String,
        #[serde(default)]
        signed_before_revocation: bool,
        #[serde(default)]
        certificates: Vec<CertRevocation>,
    },
}

impl From<RevocationRepr> for Revocation {
    fn from(r: RevocationRepr) -> Self {
        match r {
            RevocationRepr::Old(s) => Revocation {
                status: match s.as_str() {
                    "good" => RevocationStatus::Good,
                    "revoked" => RevocationStatus::Revoked,
                    "unknown" => RevocationStatus::Unknown,
                    _ => RevocationStatus::NotChecked,
                },
                reason: s,
                ..Revocation::default()
            },
            RevocationRepr::New {
                status,
                date,
                reason,
                signed_before_revocation,
                certificates,
            } => Revocation {
                status,
                date,
                reason,
                signed_before_revocation,
                certificates,
            },
        }
    }
}

impl Default for Revocation {
    fn default() -> Self {
        Revocation {
            status: RevocationStatus::NotChecked,
            date: None,
            reason: "not checked".into(),
            signed_before_revocation: false,
            certificates: Vec::new(),
        }
    }
}

impl Revocation {
    /// Whether the signature must not count because of a revocation.
    pub fn blocks(&self) -> bool {
        self.status == RevocationStatus::Revoked && !self.signed_before_revocation
    }
}

/// One certificate's status.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CertRevocation {
    /// RFC 4514 subject.
    pub subject: String,
    pub status: RevocationStatus,
    /// Revocation time (RFC 3339), for `revoked`.
    pub date: Option<String>,
    /// What decided it (e.g. "CRL from the DSS, issued 2026-01-02T00:00:00Z"), or why unknown.
    pub detail: String,
}

/// Revocation material found in a file.
#[derive(Debug, Clone, Default)]
pub struct Material {
    pub certs: Vec<Certificate>,
    pub crls: Vec<(CertificateList, &'static str)>,
    pub ocsps: Vec<(BasicOcspResponse, &'static str)>,
    /// What could not be read, for the report.
    pub problems: Vec<String>,
}

impl Material {
    pub fn extend(&mut self, other: &Material) {
        self.certs.extend(other.certs.iter().cloned());
        self.crls.extend(other.crls.iter().cloned());
        self.ocsps.extend(other.ocsps.iter().cloned());
    }

    pub fn add_crl_der(&mut self, der: &[u8], source: &'static str) {
        match CertificateList::from_der(der) {
            Ok(crl) => self.crls.push((crl, source)),
            Err(e) => self
                .problems
                .push(format!("a CRL in the {source} does not parse: {e}")),
        }
    }

    /// An `OCSPResponse` (status + response bytes) or a bare `BasicOCSPResponse`.
    pub fn add_ocsp_der(&mut self, der: &[u8], source: &'static str) {
        if let Ok(resp) = OcspResponse::from_der(der) {
            match (resp.response_status, resp.response_bytes) {
                (OcspResponseStatus::Successful, Some(rb))
                    if rb.response_type == ID_PKIX_OCSP_BASIC =>
                {
                    match BasicOcspResponse::from_der(rb.response.as_bytes()) {
                        Ok(b) => self.ocsps.push((b, source)),
                        Err(e) => self.problems.push(format!(
                            "an OCSP response in the {source} does not parse: {e}"
                        )),
                    }
                }
                (status, _) => self.problems.push(format!(
                    "an OCSP response in the {source} is not a successful basic response ({status:?})"
                )),
            }
            return;
        }
        match BasicOcspResponse::from_der(der) {
            Ok(b) => self.ocsps.push((b, source)),
            Err(e) => self.problems.push(format!(
                "an OCSP response in the {source} does not parse: {e}"
            )),
        }
    }

    pub fn add_cert_der(&mut self, der: &[u8], source: &'static str) {
        match Certificate::from_der(der) {
            Ok(c) => self.certs.push(c),
            Err(e) => self
                .problems
                .push(format!("a certificate in the {source} does not parse: {e}")),
        }
    }

    /// The CMS `crls` field: CRLs, and OCSP responses as `id-ri-ocsp-response`.
    pub fn add_cms_revocation_choices(
        &mut self,
        choices: &cms::revocation::RevocationInfoChoices,
        source: &'static str,
    ) {
        for choice in choices.0.iter() {
            match choice {
                cms::revocation::RevocationInfoChoice::Crl(crl) => {
                    self.crls.push((crl.clone(), source))
                }
                // cms 0.2 models otherRevInfoFormat as an AlgorithmIdentifier rather than an
                // OID, so an id-ri-ocsp-response entry (1.3.6.1.5.5.7.16.2) cannot reach here.
                cms::revocation::RevocationInfoChoice::Other(_) => {}
            }
        }
    }

    /// `adbe-revocationInfoArchival` (OID 1.2.840.113583.1.1.8) among signed attributes:
    /// `SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRL OPTIONAL, ocsp [1] EXPLICIT SEQUENCE OF
    /// OCSPResponse OPTIONAL, otherRevInfo [2] … }`.
    pub fn add_adbe_archival(&mut self, attrs: &x509_cert::attr::Attributes) {
        let Some(value) = attrs
            .iter()
            .find(|a| a.oid == ADBE_REVOCATION_ARCHIVAL)
            .and_then(|a| a.values.iter().next())
        else {
            return;
        };
        if self.read_archival(value).is_none() {
            self.problems
                .push("adbe-revocationInfoArchival does not parse".into());
        }
    }

    fn read_archival(&mut self, value: &Any) -> Option<()> {
        let der = value.to_der().ok()?;
        let seq: Vec<Any> = Vec::<Any>::from_der(&der).ok()?;
        for field in seq {
            let tag = field.tag();
            let der::Tag::ContextSpecific { number, .. } = tag else {
                continue;
            };
            // EXPLICIT: the field's value is one SEQUENCE OF.
            let items: Vec<Any> = Vec::<Any>::from_der(field.value()).ok()?;
            for item in items {
                let item_der = item.to_der().ok()?;
                match number.value() {
                    0 => self.add_crl_der(&item_der, "adbe-revocationInfoArchival"),
                    1 => self.add_ocsp_der(&item_der, "adbe-revocationInfoArchival"),
                    _ => {}
                }
            }
        }
        Some(())
    }

    /// The `/DSS` dictionary of the document's catalog.
    pub fn from_dss(doc: &lopdf::Document) -> Material {
        let mut m = Material::default();
        let Some(dss) = doc
            .catalog()
            .ok()
            .and_then(|c| c.get(b"DSS").ok())
            .and_then(|d| super::fields::deref_dict(doc, d))
        else {
            return m;
        };
        for (key, kind) in [(&b"Certs"[..], 0), (b"OCSPs", 1), (b"CRLs", 2)] {
            let Some(arr) = dss
                .get(key)
                .ok()
                .and_then(|a| super::fields::deref(doc, a).as_array().ok())
            else {
                continue;
            };
            for item in arr.iter().take(10_000) {
                let Some(data) = stream_bytes(doc, item) else {
                    m.problems.push(format!(
                        "a /DSS /{} entry is not a readable stream",
                        String::from_utf8_lossy(key)
                    ));
                    continue;
                };
                match kind {
                    0 => m.add_cert_der(&data, "DSS"),
                    1 => m.add_ocsp_der(&data, "DSS"),
                    _ => m.add_crl_der(&data, "DSS"),
                }
            }
        }
        m
    }
}

/// A stream's bytes, inflated when FlateDecode (bounded), raw when unfiltered.
fn stream_bytes(doc: &lopdf::Document, o: &lopdf::Object) -> Option<Vec<u8>> {
    use std::io::Read;
    let stream = super::fields::deref(doc, o).as_stream().ok()?;
    let filter = stream.dict.get(b"Filter").ok();
    let filter_name = filter.and_then(|f| match f {
        lopdf::Object::Name(n) => Some(n.clone()),
        lopdf::Object::Array(a) if a.len() == 1 => a[0].as_name().ok().map(<[u8]>::to_vec),
        _ => None,
    });
    match (filter, filter_name.as_deref()) {
        (None, _) => Some(stream.content.clone()),
        (Some(_), Some(b"FlateDecode")) => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(stream.content.as_slice())
                .take(MAX_DSS_STREAM)
                .read_to_end(&mut out)
                .ok()?;
            Some(out)
        }
        _ => None,
    }
}

fn time_secs(t: &x509_cert::time::Time) -> u64 {
    t.to_unix_duration().as_secs()
}

fn gen_secs(t: &x509_ocsp::OcspGeneralizedTime) -> u64 {
    t.0.to_unix_duration().as_secs()
}

fn rfc3339(secs: u64) -> String {
    super::system_time_to_rfc3339(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

/// Does `issuer`'s key verify `cert`'s signature?
pub(crate) fn signed_by(cert: &Certificate, issuer: &Certificate) -> bool {
    let Ok(tbs) = cert.tbs_certificate.to_der() else {
        return false;
    };
    verify_signature(
        &issuer.tbs_certificate.subject_public_key_info,
        &cert.signature_algorithm,
        DigestAlg::Sha256,
        &tbs,
        cert.signature.raw_bytes(),
    )
    .is_ok()
}

fn is_self_signed(c: &Certificate) -> bool {
    c.tbs_certificate.subject == c.tbs_certificate.issuer && signed_by(c, c)
}

/// The chain from `leaf` up, through the certificates at hand, as far as issuers are found.
pub fn chain(leaf: &Certificate, pool: &[&Certificate]) -> Vec<Certificate> {
    let mut out = vec![leaf.clone()];
    while out.len() < MAX_CHAIN {
        let cur = out.last().cloned().unwrap_or_else(|| leaf.clone());
        if is_self_signed(&cur) {
            break;
        }
        let next = pool.iter().find(|c| {
            c.tbs_certificate.subject == cur.tbs_certificate.issuer
                && **c != &cur
                && !out.contains(c)
                && signed_by(&cur, c)
        });
        match next {
            Some(n) => out.push((*n).clone()),
            None => break,
        }
    }
    out
}

/// The revocation verdict for `chain` (leaf first) at `at` (Unix seconds). `poe` is the time
/// of a verified signature timestamp, when there is one.
pub fn evaluate(
    chain: &[Certificate],
    material: &Material,
    at: u64,
    poe: Option<u64>,
) -> Revocation {
    let Some(leaf) = chain.first() else {
        return Revocation::default();
    };
    let mut certificates = Vec::new();
    for (i, cert) in chain.iter().enumerate() {
        if is_self_signed(cert) {
            // A root vouches for itself; its revocation is the trust list's business.
            continue;
        }
        let subject = cert.tbs_certificate.subject.to_string();
        let Some(issuer) = chain.get(i + 1) else {
            certificates.push(CertRevocation {
                subject,
                status: RevocationStatus::Unknown,
                date: None,
                detail: "its issuer's certificate is not in the file nor in --trust, so no CRL or \
                         OCSP response can be checked for it"
                    .into(),
            });
            continue;
        };
        certificates.push(status_of(cert, issuer, material, at));
    }
    if certificates.is_empty() && is_self_signed(leaf) {
        return Revocation {
            status: RevocationStatus::Unknown,
            reason: "the signer certificate is self-signed: nothing can revoke it".into(),
            certificates,
            ..Revocation::default()
        };
    }
    let revoked = certificates
        .iter()
        .find(|c| c.status == RevocationStatus::Revoked);
    if let Some(r) = revoked {
        let date = r.date.clone();
        let rev_secs = date.as_deref().and_then(super::parse_rfc3339);
        let before = match (poe, rev_secs) {
            (Some(p), Some(t)) => {
                let t = t
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                p < t
            }
            _ => false,
        };
        let reason = if before {
            format!(
                "{} was revoked on {}, after the signature timestamp ({}): the signature \
                 existed before the revocation",
                r.subject,
                date.clone().unwrap_or_default(),
                rfc3339(poe.unwrap_or(0))
            )
        } else if poe.is_some() {
            format!(
                "{} was revoked on {}, before the signature timestamp",
                r.subject,
                date.clone().unwrap_or_default()
            )
        } else {
            format!(
                "{} was revoked on {}; no verified signature timestamp proves the signature \
                 is older",
                r.subject,
                date.clone().unwrap_or_default()
            )
        };
        return Revocation {
            status: RevocationStatus::Revoked,
            date,
            reason,
            signed_before_revocation: before,
            certificates,
        };
    }
    if let Some(u) = certificates
        .iter()
        .find(|c| c.status == RevocationStatus::Unknown)
    {
        return Revocation {
            status: RevocationStatus::Unknown,
            date: None,
            reason: format!("{}: {}", u.subject, u.detail),
            signed_before_revocation: false,
            certificates,
        };
    }
    Revocation {
        status: RevocationStatus::Good,
        date: None,
        reason: format!(
            "no certificate of the chain was revoked at {} (embedded CRL/OCSP data)",
            rfc3339(at)
        ),
        signed_before_revocation: false,
        certificates,
    }
}

fn status_of(cert: &Certificate, issuer: &Certificate, m: &Material, at: u64) -> CertRevocation {
    let subject = cert.tbs_certificate.subject.to_string();
    let serial = &cert.tbs_certificate.serial_number;
    let mut notes: Vec<String> = Vec::new();
    let mut good: Option<String> = None;
    // OCSP first: it is about this certificate alone.
    for (resp, source) in &m.ocsps {
        for single in &resp.tbs_response_data.responses {
            if &single.cert_id.serial_number != serial || !cert_id_names(&single.cert_id, issuer) {
                continue;
            }
            if !ocsp_signed_by_issuer_or_delegate(resp, issuer, &m.certs) {
                notes.push(format!(
                    "an OCSP response in the {source} is not signed by the issuer or its OCSP \
                     responder"
                ));
                continue;
            }
            let produced = gen_secs(&resp.tbs_response_data.produced_at);
            if produced > at {
                notes.push(format!(
                    "an OCSP response in the {source} was produced after the validation time ({})",
                    rfc3339(produced)
                ));
                continue;
            }
            match &single.cert_status {
                CertStatus::Revoked(info) => {
                    let t = gen_secs(&info.revocation_time);
                    if t <= at {
                        return CertRevocation {
                            subject,
                            status: RevocationStatus::Revoked,
                            date: Some(rfc3339(t)),
                            detail: format!(
                                "OCSP response from the {source}, produced {}{}",
                                rfc3339(produced),
                                info.revocation_reason
                                    .map(|r| format!(", reason {r:?}"))
                                    .unwrap_or_default()
                            ),
                        };
                    }
                    good = Some(format!(
                        "OCSP response from the {source}: revoked only on {}, after the \
                         validation time",
                        rfc3339(t)
                    ));
                }
                CertStatus::Good(_) => {
                    good.get_or_insert(format!(
                        "OCSP response from the {source}, produced {}",
                        rfc3339(produced)
                    ));
                }
                CertStatus::Unknown(_) => notes.push(format!(
                    "the OCSP responder in the {source} does not know the certificate"
                )),
            }
        }
    }
    for (crl, source) in &m.crls {
        let tbs = &crl.tbs_cert_list;
        if tbs.issuer != cert.tbs_certificate.issuer {
            continue;
        }
        let verified = tbs.to_der().ok().is_some_and(|der| {
            !matches!(
                verify_signature(
                    &issuer.tbs_certificate.subject_public_key_info,
                    &crl.signature_algorithm,
                    DigestAlg::Sha256,
                    &der,
                    crl.signature.raw_bytes(),
                ),
                Err(VerifyError::Bad(_) | VerifyError::Unsupported(_))
            )
        });
        if !verified {
            notes.push(format!(
                "a CRL in the {source} does not verify with the issuer's key"
            ));
            continue;
        }
        let issued = time_secs(&tbs.this_update);
        if issued > at {
            notes.push(format!(
                "a CRL in the {source} was issued after the validation time ({})",
                rfc3339(issued)
            ));
            continue;
        }
        let entry = tbs
            .revoked_certificates
            .iter()
            .flatten()
            .find(|r| &r.serial_number == serial);
        match entry {
            Some(r) if time_secs(&r.revocation_date) <= at => {
                return CertRevocation {
                    subject,
                    status: RevocationStatus::Revoked,
                    date: Some(rfc3339(time_secs(&r.revocation_date))),
                    detail: format!("CRL from the {source}, issued {}", rfc3339(issued)),
                };
            }
            Some(r) => {
                good.get_or_insert(format!(
                    "CRL from the {source}: revoked only on {}, after the validation time",
                    rfc3339(time_secs(&r.revocation_date))
                ));
            }
            None => {
                good.get_or_insert(format!(
                    "CRL from the {source}, issued {}{}",
                    rfc3339(issued),
                    tbs.next_update
                        .as_ref()
                        .map(|n| format!(", next update {}", rfc3339(time_secs(n))))
                        .unwrap_or_default()
                ));
            }
        }
    }
    match good {
        Some(detail) => CertRevocation {
            subject,
            status: RevocationStatus::Good,
            date: None,
            detail,
        },
        None => CertRevocation {
            subject,
            status: RevocationStatus::Unknown,
            date: None,
            detail: if notes.is_empty() {
                "no CRL or OCSP response for it in the file (kyso does not fetch them)".into()
            } else {
                notes.join("; ")
            },
        },
    }
}

/// Does an OCSP CertID name `issuer` (by the hashes of its name and key)?
fn cert_id_names(id: &x509_ocsp::CertId, issuer: &Certificate) -> bool {
    let Some(alg) = DigestAlg::from_oid(&id.hash_algorithm.oid) else {
        return false;
    };
    let Ok(name) = issuer.tbs_certificate.subject.to_der() else {
        return false;
    };
    let key = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    alg.digest(&[&name]) == id.issuer_name_hash.as_bytes()
        && alg.digest(&[key]) == id.issuer_key_hash.as_bytes()
}

fn ocsp_signed_by_issuer_or_delegate(
    resp: &BasicOcspResponse,
    issuer: &Certificate,
    extra: &[Certificate],
) -> bool {
    let Ok(tbs) = resp.tbs_response_data.to_der() else {
        return false;
    };
    let verifies = |signer: &Certificate| {
        verify_signature(
            &signer.tbs_certificate.subject_public_key_info,
            &resp.signature_algorithm,
            DigestAlg::Sha256,
            &tbs,
            resp.signature.raw_bytes(),
        )
        .is_ok()
    };
    if verifies(issuer) {
        return true;
    }
    // A delegated responder: certified by the issuer for OCSP signing (RFC 6960 §4.2.2.2).
    resp.certs
        .iter()
        .flatten()
        .chain(extra.iter())
        .filter(|c| c.tbs_certificate.issuer == issuer.tbs_certificate.subject)
        .filter(|c| has_ocsp_signing(c) && signed_by(c, issuer))
        .any(verifies)
}

fn has_ocsp_signing(c: &Certificate) -> bool {
    c.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == EXT_KEY_USAGE)
        .filter_map(|e| {
            x509_cert::ext::pkix::ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok()
        })
        .any(|eku| eku.0.contains(&KP_OCSP_SIGNING))
}
