//! Revocation, offline: the CRLs and OCSP responses a PDF carries, checked for every
//! certificate of the signer's chain at the validation time.
//!
//! Where the data comes from: the document security store (`/DSS`: `/Certs`, `/OCSPs`,
//! `/CRLs`), the CMS `crls` field (CRLs and `id-ri-ocsp-response` entries), Adobe's
//! `adbe-revocationInfoArchival` signed attribute, and the same fields of timestamp tokens.
//! With `--fetch-revocation` (off by default), a certificate whose status that data leaves
//! unknown is looked up at its OCSP responder and CRL distribution points (`fetch.rs`). A CRL
//! counts only when it names the certificate's issuer and its signature verifies with that
//! issuer's key (and further rules, `crl.rs`); an OCSP response only when it is signed by the
//! issuer or by a responder the issuer certified for OCSP signing. Either says "not revoked"
//! only while fresh: its `nextUpdate` is not before the validation time. Embedded data issued
//! after the validation time is not used (it did not exist yet at that time); fetched data
//! is current knowledge and may be (see [`Provenance`]).

use std::borrow::Cow;

use const_oid::ObjectIdentifier as Oid;
use der::{Any, Decode, Encode, Tagged};
use serde::{Deserialize, Serialize};
use x509_cert::crl::CertificateList;
use x509_cert::Certificate;
use x509_ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus};

use super::algorithms::{verify_signature, DigestAlg};
use super::crl::CrlVerdict;

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
    /// Where the data that decided it came from: `embedded` (the file) or `fetched`
    /// (`--fetch-revocation`); `null` when the status is unknown.
    #[serde(default)]
    pub source: Option<RevocationSource>,
}

/// Revocation material found in a file.
#[derive(Debug, Clone, Default)]
pub struct Material {
    pub certs: Vec<Certificate>,
    pub crls: Vec<(CertificateList, Cow<'static, str>)>,
    pub ocsps: Vec<(BasicOcspResponse, Cow<'static, str>)>,
    /// What could not be read, for the report.
    pub problems: Vec<String>,
}

impl Material {
    pub fn extend(&mut self, other: &Material) {
        self.certs.extend(other.certs.iter().cloned());
        self.crls.extend(other.crls.iter().cloned());
        self.ocsps.extend(other.ocsps.iter().cloned());
    }

    pub fn add_crl_der(&mut self, der: &[u8], source: impl Into<Cow<'static, str>>) {
        let source = source.into();
        match CertificateList::from_der(der) {
            Ok(crl) => self.crls.push((crl, source)),
            Err(e) => self
                .problems
                .push(format!("a CRL in the {source} does not parse: {e}")),
        }
    }

    /// An `OCSPResponse` (status + response bytes) or a bare `BasicOCSPResponse`.
    pub fn add_ocsp_der(&mut self, der: &[u8], source: impl Into<Cow<'static, str>>) {
        let source = source.into();
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
                    self.crls.push((crl.clone(), source.into()))
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

pub(super) fn time_secs(t: &x509_cert::time::Time) -> u64 {
    t.to_unix_duration().as_secs()
}

fn gen_secs(t: &x509_ocsp::OcspGeneralizedTime) -> u64 {
    t.0.to_unix_duration().as_secs()
}

pub(super) fn rfc3339(secs: u64) -> String {
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

/// Where a certificate's status came from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RevocationSource {
    /// CRLs and OCSP responses the file carries.
    Embedded,
    /// Fetched over the network (`--fetch-revocation`) from the certificate's OCSP responder or
    /// CRL distribution points.
    Fetched,
}

/// How revocation data was obtained, which decides how it may be used.
///
/// Embedded data is what a validator could know at the validation time: data issued later is
/// not used. Fetched data is the CA's current word: a CRL or OCSP response issued after the
/// validation time still proves the certificate was not revoked then (revocation is final),
/// unless the certificate had expired before it was issued (CAs may then drop it, RFC 5280
/// §3.3), and a revocation it lists after the validation time leaves the certificate good then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Provenance {
    Embedded,
    Fetched,
}

/// The revocation verdict for `chain` (leaf first) at `at` (Unix seconds). `poe` is the time
/// of a verified signature timestamp, when there is one. With a `fetcher`, a certificate that
/// the embedded data leaves unknown is looked up over the network.
pub fn evaluate(
    chain: &[Certificate],
    material: &Material,
    at: u64,
    poe: Option<u64>,
    fetcher: Option<&super::fetch::Fetcher>,
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
                source: None,
            });
            continue;
        };
        let mut status = status_of(cert, issuer, material, at, Provenance::Embedded);
        if status.status == RevocationStatus::Unknown {
            if let Some(f) = fetcher {
                status = f.status(cert, issuer, at, &material.certs, status);
            }
        }
        certificates.push(status);
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
            "no certificate of the chain was revoked at {} ({})",
            rfc3339(at),
            if certificates
                .iter()
                .any(|c| c.source == Some(RevocationSource::Fetched))
            {
                "CRL/OCSP data embedded and fetched"
            } else {
                "embedded CRL/OCSP data"
            }
        ),
        signed_before_revocation: false,
        certificates,
    }
}

/// `cert`'s status at `at` from the data in `m`, used as its `provenance` allows.
pub(super) fn status_of(
    cert: &Certificate,
    issuer: &Certificate,
    m: &Material,
    at: u64,
    provenance: Provenance,
) -> CertRevocation {
    let subject = cert.tbs_certificate.subject.to_string();
    let serial = &cert.tbs_certificate.serial_number;
    let source = Some(match provenance {
        Provenance::Embedded => RevocationSource::Embedded,
        Provenance::Fetched => RevocationSource::Fetched,
    });
    let mut notes: Vec<String> = Vec::new();
    let mut good: Option<String> = None;
    // OCSP first: it is about this certificate alone.
    for (resp, source_name) in &m.ocsps {
        for single in &resp.tbs_response_data.responses {
            if &single.cert_id.serial_number != serial || !cert_id_names(&single.cert_id, issuer) {
                continue;
            }
            if !ocsp_signed_by_issuer_or_delegate(resp, issuer, &m.certs) {
                notes.push(format!(
                    "an OCSP response in the {source_name} is not signed by the issuer or its \
                     OCSP responder"
                ));
                continue;
            }
            let produced = gen_secs(&resp.tbs_response_data.produced_at);
            if produced > at && provenance == Provenance::Embedded {
                notes.push(format!(
                    "an OCSP response in the {source_name} was produced after the validation \
                     time ({})",
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
                                "OCSP response from the {source_name}, produced {}{}",
                                rfc3339(produced),
                                info.revocation_reason
                                    .map(|r| format!(", reason {r:?}"))
                                    .unwrap_or_default()
                            ),
                            source,
                        };
                    }
                    good = Some(format!(
                        "OCSP response from the {source_name}: revoked only on {}, after the \
                         validation time",
                        rfc3339(t)
                    ));
                }
                CertStatus::Good(_) => {
                    let this = gen_secs(&single.this_update);
                    let next = single.next_update.as_ref().map(gen_secs);
                    if next.is_some_and(|n| n < at) {
                        notes.push(format!(
                            "the OCSP response in the {source_name} is stale: its next update \
                             ({}) is before the validation time",
                            rfc3339(next.unwrap_or(0))
                        ));
                        continue;
                    }
                    if provenance == Provenance::Fetched
                        && this > at
                        && time_secs(&cert.tbs_certificate.validity.not_after) < this
                    {
                        notes.push(format!(
                            "the OCSP response in the {source_name} is about a certificate that \
                             had already expired: it proves nothing about the validation time"
                        ));
                        continue;
                    }
                    good.get_or_insert(format!(
                        "OCSP response from the {source_name}, produced {}{}",
                        rfc3339(produced),
                        next.map(|n| format!(", next update {}", rfc3339(n)))
                            .unwrap_or_default()
                    ));
                }
                CertStatus::Unknown(_) => notes.push(format!(
                    "the OCSP responder in the {source_name} does not know the certificate"
                )),
            }
        }
    }
    match super::crl::crl_status(cert, issuer, &m.crls, at, provenance, &mut notes) {
        Some(CrlVerdict::Revoked { date, detail }) => {
            return CertRevocation {
                subject,
                status: RevocationStatus::Revoked,
                date: Some(rfc3339(date)),
                detail,
                source,
            }
        }
        Some(CrlVerdict::Good(detail)) => {
            good.get_or_insert(detail);
        }
        None => {}
    }
    match good {
        Some(detail) => CertRevocation {
            subject,
            status: RevocationStatus::Good,
            date: None,
            detail,
            source,
        },
        None => CertRevocation {
            subject,
            status: RevocationStatus::Unknown,
            date: None,
            detail: if notes.is_empty() {
                match provenance {
                    Provenance::Embedded => "no CRL or OCSP response for it in the file".into(),
                    Provenance::Fetched => "no CRL or OCSP response for it was fetched".into(),
                }
            } else {
                notes.join("; ")
            },
            source: None,
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
