//! Stage 3: digital signatures (CMS / PAdES), analysed on the original bytes before any OCR.
//!
//! The axes follow pyHanko's separation: `intact` (the digest over the signed bytes matches),
//! `valid` (the signature value verifies over the signed attributes), `coverage` and
//! `modification_level` (what the signature does not cover), `trust` (a chain to a configured
//! root) and `role` (whose certificate). No axis implies another: a signature can be valid over
//! its attributes while the document bytes were changed, which is exactly what
//! `intact: false, valid: true` says.
//!
//! Nothing here repairs the file before checking it: the signed bytes are the raw input bytes
//! named by `/ByteRange`, and the structure (fields, revisions) is only used to find signatures
//! and to describe later changes.

mod algorithms;
mod ber;
mod byterange;
mod cms_check;
mod crl;
mod fetch;
mod fields;
mod modifications;
mod revocation;
mod role;
mod time;
mod trust;
pub mod verify_command;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::error::ErrorKind;

pub use byterange::{check_byte_range, revision_ends, ByteRangeCheck};
pub use fetch::{FetchOptions, Fetcher};
pub use revocation::{CertRevocation, Revocation, RevocationSource, RevocationStatus};
pub use role::{classify_role, RoleRule, RoleRules};
pub use time::parse_rfc3339;
use time::pdf_date_to_rfc3339;
pub(crate) use time::system_time_to_rfc3339;
pub use verify_command::verify_command;

/// One signature field of a document (or one detached signature), as written to the record's
/// `signatures` and printed by `kyso verify --json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct SignatureReport {
    /// The field's fully qualified name (`parent.child`), or `""` for a detached signature.
    pub field: String,
    /// `false` for an empty signature field (no `/V`); every other axis is then empty.
    pub signed: bool,
    /// `/SubFilter` of the signature dictionary, e.g. `adbe.pkcs7.detached`,
    /// `ETSI.CAdES.detached`, `adbe.pkcs7.sha1`, `ETSI.RFC3161`; `null` when absent.
    pub subfilter: Option<String>,
    /// `true` for an RFC 3161 document timestamp (`/Type /DocTimeStamp`, `ETSI.RFC3161`).
    pub document_timestamp: bool,
    /// The signer's certificate, as found in the CMS; `null` when it could not be identified.
    pub signer: Option<SignerInfo>,
    /// When the document was signed, with where that time comes from.
    pub signing_time: Option<SigningTime>,
    /// The time of an RFC 3161 signature timestamp token in the unsigned attributes (always
    /// `source: "timestamp_token"`); `null` when there is none.
    pub timestamp: Option<SigningTime>,
    /// The message digest algorithm (`sha1`, `sha256`, `sha384`, `sha512`).
    pub digest_algorithm: Option<String>,
    /// The signature mechanism, e.g. `rsa_pkcs1v15_sha256`, `rsa_pss_sha256`,
    /// `ecdsa_p256_sha256`.
    pub signature_algorithm: Option<String>,
    /// PAdES baseline level reached: `b_b`, `b_t`, `b_lt`, `b_lta`; `null` for non-PAdES
    /// subfilters and document timestamps.
    pub pades_level: Option<PadesLevel>,
    /// `/ByteRange` as found (only when it holds integers).
    pub byte_range: Option<Vec<i64>>,
    /// What the digest check found: `intact`, `digest_mismatch`, `malformed` (ByteRange,
    /// Contents or CMS unusable), `unsupported` (an algorithm kyso does not implement),
    /// `not_signed` (empty field).
    pub integrity: Integrity,
    /// The digest over the signed bytes equals the signed `messageDigest` (pyHanko's `intact`).
    pub intact: bool,
    /// The signature value verifies over the DER-encoded signed attributes with the signer
    /// certificate's key (pyHanko's `valid`). Says nothing about the document bytes or trust.
    pub valid: bool,
    /// How much of the file the signature covers: `entire_file`, `entire_revision` (it ends
    /// where a revision ends and later bytes follow), `partial` (anything else, including every
    /// malformed ByteRange); `null` for empty fields.
    pub coverage: Option<Coverage>,
    /// `true` when bytes follow the signed revision (coverage is not `entire_file`).
    pub modified_after_signing: bool,
    /// What each incremental update after the signed revision changed.
    pub modifications: Vec<Modification>,
    /// The most serious kind of later change: `none`, `lta_updates` (DSS, document
    /// timestamps), `form_filling` (field values and new signatures), `annotations`, `other`
    /// (page content, overridden objects, anything unexplained or unreadable).
    pub modification_level: Option<ModificationLevel>,
    /// Whether the signer certificate chains to a configured trust root.
    pub trust: Trust,
    /// Whether a certificate of the chain was revoked at the validation time, from the CRLs and
    /// OCSP responses the file carries (DSS, CMS, adbe-revocationInfoArchival, timestamp
    /// tokens): `{status: good | revoked | unknown | not_checked, date, reason,
    /// signed_before_revocation, certificates: [...]}`. Nothing is fetched.
    pub revocation: Revocation,
    /// `personal`, `organisation` or `unknown`, from the certificate or a `--roles` rule.
    pub role: Role,
    /// Why `role` was chosen.
    pub role_reason: String,
    /// Human-readable findings, e.g. "ByteRange does not start at 0".
    pub problems: Vec<String>,
    /// How the CMS was encoded: `der`, or `ber` (indefinite lengths, segmented strings: allowed
    /// by RFC 5652, read as such); `null` when there is no readable CMS.
    #[serde(default)]
    pub cms_encoding: Option<CmsEncoding>,
    /// The modification permissions this signature declares (DocMDP certification level,
    /// FieldMDP locked fields) and whether the later changes respect them; `null` when it
    /// declares none.
    #[serde(default)]
    pub permissions: Option<Permissions>,
}

/// DocMDP / FieldMDP, checked against the changes made after the signature.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Permissions {
    /// DocMDP `/P` of a certification signature: 1 no changes (LTA updates only), 2 form
    /// filling and signing, 3 also annotations.
    pub docmdp: Option<u8>,
    /// FieldMDP: `all`, or the field names locked by `include` / all but those of `exclude`.
    pub locked_fields: Option<String>,
    /// Every later change is one the permissions allow.
    pub ok: bool,
    /// What was not allowed, or what was checked.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CmsEncoding {
    Der,
    Ber,
}

/// Identity fields of the signer certificate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct SignerInfo {
    pub common_name: Option<String>,
    pub organization: Option<String>,
    pub organizational_unit: Option<String>,
    /// The subject's L (locality) and ST (province): where an organisation certificate says
    /// its agency is, evidence for the agency's province.
    #[serde(default)]
    pub locality: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    pub title: Option<String>,
    /// The subject's `serialNumber` attribute (in Vietnam often `CMND:…`/`CCCD:…`/`MST:…`), or,
    /// when there is none, its `UID` when that holds one of these forms.
    pub serial_number: Option<String>,
    pub email: Option<String>,
    /// The full subject as an RFC 4514 string.
    pub subject: String,
    /// The issuer as an RFC 4514 string.
    pub issuer: String,
    /// The certificate serial number, hex.
    pub certificate_serial: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
}

/// A time with its provenance.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SigningTime {
    /// RFC 3339 (UTC), or the raw `/M` string when it is not a parseable PDF date.
    pub value: String,
    pub source: TimeSource,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TimeSource {
    /// The CMS `signingTime` signed attribute (claimed by the signer).
    SignedAttribute,
    /// An RFC 3161 timestamp token's `genTime` (asserted by a TSA).
    TimestampToken,
    /// The signature dictionary's `/M` (not signed by anyone).
    PdfDictionary,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PadesLevel {
    BB,
    BT,
    BLt,
    BLta,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Integrity {
    Intact,
    DigestMismatch,
    #[default]
    Malformed,
    Unsupported,
    NotSigned,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    EntireFile,
    EntireRevision,
    Partial,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ModificationLevel {
    None,
    LtaUpdates,
    FormFilling,
    Annotations,
    Other,
}

/// One change made by an incremental update after the signature.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Modification {
    /// 1-based revision number of the update (revision 1 is the original file).
    pub revision: usize,
    pub kind: ModificationKind,
    /// What changed, e.g. "object 4 0 (page 1): /Contents replaced".
    pub detail: String,
    /// The form field concerned (fully qualified name), for field values and signatures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ModificationKind {
    Signature,
    Dss,
    Timestamp,
    FormFilling,
    Annotation,
    PageContent,
    ObjectOverride,
    Other,
}

/// Trust in the signer certificate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Trust {
    pub status: TrustStatus,
    /// Why, e.g. "no trust roots given", "unknown root", "expired at validation time".
    pub reason: String,
}

impl Default for Trust {
    fn default() -> Self {
        Trust {
            status: TrustStatus::Unknown,
            reason: "not evaluated".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TrustStatus {
    Trusted,
    Untrusted,
    Unknown,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Personal,
    Organisation,
    #[default]
    Unknown,
}

/// Options for signature analysis.
#[derive(Debug, Clone, Default)]
pub struct SignatureOptions {
    /// Trust anchors (every certificate from `--trust DIR`; intermediates may be there too and
    /// are then trusted as anchors, as pyHanko does with its trust roots).
    pub trust_roots: Vec<x509_cert::Certificate>,
    /// Subordinate CAs of a trust profile: they complete chains but are not anchors.
    pub trust_intermediates: Vec<x509_cert::Certificate>,
    /// The trust profile's name, when `--trust` named a profile file.
    pub trust_profile: Option<String>,
    /// The instant certificates are checked at; `None` means now.
    pub validation_time: Option<std::time::SystemTime>,
    /// `--roles FILE` rules; they win over the built-in classification.
    pub role_rules: Option<RoleRules>,
    /// `--fetch-revocation`: the client that looks up, over the network, the revocation status
    /// the file's data leaves unknown; `None` (the default): nothing is fetched.
    pub fetch: Option<std::sync::Arc<Fetcher>>,
}

impl SignatureOptions {
    /// Options from the command line's `--trust DIR|PROFILE`, `--roles FILE` and `--at TIME`.
    pub fn load(
        trust_dir: Option<&Path>,
        roles_file: Option<&Path>,
        at: Option<&str>,
    ) -> Result<Self, SignatureError> {
        let trust = match trust_dir {
            Some(path) => trust::load_trust(path)?,
            None => trust::TrustMaterial::default(),
        };
        let role_rules = match roles_file {
            Some(path) => Some(RoleRules::load(path)?),
            None => None,
        };
        let validation_time = match at {
            Some(s) => Some(parse_rfc3339(s).ok_or_else(|| SignatureError::BadTime(s.into()))?),
            None => None,
        };
        Ok(SignatureOptions {
            trust_roots: trust.roots,
            trust_intermediates: trust.intermediates,
            trust_profile: trust.profile,
            validation_time,
            role_rules,
            fetch: None,
        })
    }

    /// These options, fetching revocation data over the network (`--fetch-revocation`).
    pub fn with_fetching(mut self, fetch: FetchOptions) -> Result<Self, SignatureError> {
        self.fetch = Some(std::sync::Arc::new(
            Fetcher::new(fetch).map_err(SignatureError::Fetch)?,
        ));
        Ok(self)
    }

    fn now(&self) -> std::time::SystemTime {
        self.validation_time
            .unwrap_or_else(std::time::SystemTime::now)
    }
}

/// Errors of the signature stage. Per-signature findings are not errors: they go into
/// [`SignatureReport::problems`]; these are for the configuration.
#[derive(Debug, Error)]
pub enum SignatureError {
    #[error("cannot read trust directory {path}: {source}")]
    TrustDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a PEM or DER certificate: {message}")]
    BadCertificate { path: PathBuf, message: String },
    #[error("trust directory {0} holds no certificate")]
    EmptyTrustDir(PathBuf),
    #[error("cannot read role rules {path}: {source}")]
    RulesFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("bad role rules in {path}: {message}")]
    BadRules { path: PathBuf, message: String },
    #[error("not an RFC 3339 time: {0:?} (e.g. 2026-01-01T00:00:00Z)")]
    BadTime(String),
    #[error("cannot set up revocation fetching: {0}")]
    Fetch(String),
}

impl ErrorKind for SignatureError {
    fn kind(&self) -> &'static str {
        match self {
            SignatureError::TrustDir { .. } => "trust_dir_unreadable",
            SignatureError::BadCertificate { .. } => "bad_trust_certificate",
            SignatureError::EmptyTrustDir(_) => "empty_trust_dir",
            SignatureError::RulesFile { .. } => "role_rules_unreadable",
            SignatureError::BadRules { .. } => "bad_role_rules",
            SignatureError::BadTime(_) => "bad_validation_time",
            SignatureError::Fetch(_) => "bad_fetch_options",
        }
    }
}

/// Finds and analyses every signature field of a PDF. Never fails: problems are reported in
/// the reports. A file whose structure cannot be read still has its `/ByteRange`s analysed;
/// with none, the result is empty. Page images are never decoded.
pub fn analyze_pdf(bytes: &[u8], options: &SignatureOptions) -> Vec<SignatureReport> {
    // lopdf is third-party code fed untrusted bytes: one bad file must not take the batch down.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        analyze_pdf_inner(bytes, options)
    }));
    match result {
        Ok(reports) => reports,
        Err(_) => fields::raw_signatures(bytes)
            .into_iter()
            .map(|found| {
                let mut r = analyze_found(
                    bytes,
                    &found,
                    None,
                    &revocation::Material::default(),
                    options,
                );
                r.problems
                    .push("the PDF parser crashed on this file; structure not analysed".into());
                r
            })
            .collect(),
    }
}

fn analyze_pdf_inner(bytes: &[u8], options: &SignatureOptions) -> Vec<SignatureReport> {
    let ends = revision_ends(bytes);
    let doc = lopdf::Document::load_mem(bytes).ok();
    let found = match &doc {
        Some(doc) => {
            let mut f = fields::signature_fields(doc);
            if f.iter().all(|s| !s.signed()) {
                // The structure hides them (or it is a shadow document): fall back to the raw
                // /ByteRange tokens rather than report "unsigned".
                let raw = fields::raw_signatures(bytes);
                if !raw.is_empty() {
                    f.extend(raw);
                }
            }
            f
        }
        None => fields::raw_signatures(bytes),
    };
    let dss = doc
        .as_ref()
        .map(revocation::Material::from_dss)
        .unwrap_or_default();
    let mut reports: Vec<SignatureReport> = found
        .iter()
        .map(|f| analyze_found(bytes, f, Some(&ends), &dss, options))
        .collect();
    finish_pades_levels(&mut reports);
    reports
}

fn analyze_found(
    bytes: &[u8],
    found: &fields::FoundField,
    ends: Option<&Vec<usize>>,
    dss: &revocation::Material,
    options: &SignatureOptions,
) -> SignatureReport {
    let mut r = SignatureReport {
        field: found.name.clone(),
        ..SignatureReport::default()
    };
    let Some(sig) = &found.sig else {
        r.integrity = Integrity::NotSigned;
        r.trust = Trust {
            status: TrustStatus::Unknown,
            reason: "empty signature field".into(),
        };
        r.role_reason = "empty signature field".into();
        return r;
    };
    r.signed = true;
    r.subfilter = sig.subfilter.clone();
    r.document_timestamp = sig.is_doc_timestamp();
    r.problems.extend(found.problems.iter().cloned());
    let owned_ends;
    let ends = match ends {
        Some(e) => e,
        None => {
            owned_ends = revision_ends(bytes);
            &owned_ends
        }
    };
    let br = check_byte_range(bytes, sig.byte_range.as_deref(), sig.contents.as_deref());
    r.byte_range = sig.byte_range.clone();
    r.problems.extend(br.problems.iter().cloned());
    r.coverage = Some(br.coverage);
    r.modified_after_signing = br.coverage != Coverage::EntireFile;

    let Some((signed_ranges, cms_der)) = br.usable.as_ref() else {
        r.integrity = Integrity::Malformed;
        r.modification_level = Some(ModificationLevel::Other);
        r.trust = Trust {
            status: TrustStatus::Untrusted,
            reason: "signature is malformed".into(),
        };
        r.role_reason = "no usable certificate".into();
        return r;
    };
    let check =
        cms_check::check_pdf_signature(bytes, signed_ranges, cms_der, sig.subfilter.as_deref());
    apply_cms(&mut r, check, dss, options);
    // A nonstandard ByteRange whose bytes do not match is a forgery's shape (a range naming
    // another signature's bytes, or nothing): the layout, not a later edit, is what is wrong.
    if br.nonstandard && r.integrity == Integrity::DigestMismatch {
        r.integrity = Integrity::Malformed;
    }
    if r.signing_time.is_none() {
        if let Some(m) = &sig.m {
            r.signing_time = Some(SigningTime {
                value: pdf_date_to_rfc3339(m).unwrap_or_else(|| m.clone()),
                source: TimeSource::PdfDictionary,
            });
        }
    }
    if let Some(end) = br.signed_end {
        let later = modifications::analyse(bytes, end, ends);
        // Nonstandard coverage leaves unsigned bytes inside the revision: pyHanko rates it
        // `other` whatever the updates did, and so does kyso.
        r.modification_level = Some(if br.coverage == Coverage::Partial {
            ModificationLevel::Other
        } else {
            later.level
        });
        r.modifications = later.modifications;
        r.problems.extend(later.problems);
        if let Some(mdp) = &sig.mdp {
            r.permissions = Some(check_permissions(mdp, &r));
        }
    } else {
        r.modification_level = Some(ModificationLevel::Other);
    }
    r
}

fn apply_cms(
    r: &mut SignatureReport,
    check: cms_check::CmsCheck,
    dss: &revocation::Material,
    options: &SignatureOptions,
) {
    r.integrity = check.integrity;
    r.intact = check.integrity == Integrity::Intact;
    r.valid = check.valid;
    r.digest_algorithm = check.digest_algorithm;
    r.signature_algorithm = check.signature_algorithm;
    r.signing_time = check.signing_time;
    r.timestamp = check.timestamp;
    r.problems.extend(check.problems);
    r.cms_encoding = check.encoding;
    let at = options
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // The signature timestamp: its TSA must chain to --trust too (when given) for the token to
    // prove when the signature existed.
    let mut poe = check.timestamp_secs;
    if let Some(tsa) = &check.timestamp_signer {
        if !options.trust_roots.is_empty() {
            let t = trust::evaluate(tsa, &check.timestamp_certificates, options);
            if t.status != TrustStatus::Trusted {
                r.problems.push(format!(
                    "the signature timestamp's TSA is not trusted ({}): the timestamp proves nothing",
                    t.reason
                ));
                poe = None;
                r.timestamp = None;
            }
        }
    }
    if r.document_timestamp || check.pades_candidate.is_none() {
        r.pades_level = None;
    } else if check.pades_candidate == Some(PadesLevel::BT) && r.timestamp.is_none() {
        r.pades_level = Some(PadesLevel::BB);
    } else {
        r.pades_level = check.pades_candidate;
    }
    match &check.signer {
        Some(cert) => {
            r.signer = Some(cms_check::signer_info(cert));
            r.trust = trust::evaluate(cert, &check.certificates, options);
            let mut material = check.revocation.clone();
            material.extend(dss);
            let pool: Vec<&x509_cert::Certificate> = check
                .certificates
                .iter()
                .chain(&check.revocation.certs)
                .chain(&dss.certs)
                .chain(&options.trust_roots)
                .chain(&options.trust_intermediates)
                .collect();
            let chain = revocation::chain(cert, &pool);
            r.revocation =
                revocation::evaluate(&chain, &material, at, poe, options.fetch.as_deref());
            for p in check.revocation.problems.iter().chain(&dss.problems) {
                r.problems.push(format!("revocation data: {p}"));
            }
            if r.revocation.blocks() && r.trust.status == TrustStatus::Trusted {
                r.trust = Trust {
                    status: TrustStatus::Untrusted,
                    reason: format!("revoked: {}", r.revocation.reason),
                };
            }
            // As pyHanko: trust vouches for a sound signature, not for a certificate alone.
            if r.trust.status == TrustStatus::Trusted && !(r.intact && r.valid) {
                r.trust = Trust {
                    status: TrustStatus::Untrusted,
                    reason: format!(
                        "the signature is not intact and valid (the certificate itself {})",
                        r.trust.reason
                    ),
                };
            }
            let (role, reason) = match options
                .role_rules
                .as_ref()
                .and_then(|rules| rules.apply(cert))
            {
                Some(hit) => hit,
                None => classify_role(r.signer.as_ref()),
            };
            r.role = role;
            r.role_reason = reason;
        }
        None => {
            r.trust = Trust {
                status: TrustStatus::Untrusted,
                reason: "signer certificate not found in the CMS".into(),
            };
            r.role_reason = "no signer certificate".into();
        }
    }
}

/// Whether the changes after the signature are ones its DocMDP / FieldMDP permissions allow.
fn check_permissions(mdp: &fields::Mdp, r: &SignatureReport) -> Permissions {
    let level = r.modification_level.unwrap_or(ModificationLevel::Other);
    let mut refused = Vec::new();
    if let Some(p) = mdp.docmdp {
        let allowed = match p {
            1 => ModificationLevel::LtaUpdates,
            2 => ModificationLevel::FormFilling,
            _ => ModificationLevel::Annotations,
        };
        if level > allowed {
            let what: Vec<String> = r
                .modifications
                .iter()
                .filter(|m| modifications::level_of(m.kind) > allowed)
                .take(3)
                .map(|m| format!("revision {}: {}", m.revision, m.detail))
                .collect();
            refused.push(format!(
                "the certification (DocMDP P={p}) allows at most {} after it, but {} was done{}",
                json_level(allowed),
                json_level(level),
                if what.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", what.join("; "))
                }
            ));
        }
    }
    let mut locked_desc = None;
    if let Some((action, names)) = &mdp.fieldmdp {
        let locked = |field: &str| match action.as_str() {
            "Include" => names.iter().any(|n| n == field),
            "Exclude" => !names.iter().any(|n| n == field),
            _ => true,
        };
        locked_desc = Some(match action.as_str() {
            "Include" => names.join(", "),
            "Exclude" => format!("all but {}", names.join(", ")),
            _ => "all".into(),
        });
        for m in &r.modifications {
            if m.kind != ModificationKind::FormFilling {
                continue;
            }
            if let Some(f) = m.field.as_deref().filter(|f| locked(f)) {
                refused.push(format!(
                    "field {f:?} is locked by FieldMDP but was changed in revision {}",
                    m.revision
                ));
            }
        }
    }
    Permissions {
        docmdp: mdp.docmdp,
        locked_fields: locked_desc,
        ok: refused.is_empty(),
        reason: if refused.is_empty() {
            format!("every later change ({}) is allowed", json_level(level))
        } else {
            refused.join("; ")
        },
    }
}

fn json_level(l: ModificationLevel) -> String {
    serde_json::to_value(l)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// B-T → B-LT when a later revision adds a DSS and the chain's revocation status is known
/// good from the data the file carries; → B-LTA when a document timestamp that is intact and
/// valid follows. Levels are what is met, not what the structure suggests.
fn finish_pades_levels(reports: &mut [SignatureReport]) {
    let sound_doc_ts: Vec<usize> = reports
        .iter()
        .filter(|r| r.document_timestamp && r.intact && r.valid)
        .filter_map(|r| r.byte_range.as_ref().and_then(|b| b.get(2..4)))
        .map(|cd| cd[0].saturating_add(cd[1]).max(0) as usize)
        .collect();
    for r in reports.iter_mut() {
        if r.pades_level != Some(PadesLevel::BT) {
            continue;
        }
        let dss_later = r
            .modifications
            .iter()
            .any(|m| m.kind == ModificationKind::Dss);
        if !dss_later {
            continue;
        }
        let fetched = r
            .revocation
            .certificates
            .iter()
            .any(|c| c.source == Some(RevocationSource::Fetched));
        if r.revocation.status != RevocationStatus::Good || fetched {
            r.problems.push(format!(
                "a DSS was added, but the revocation status of the chain is not known good from \
                 the file's own data ({}): B-LT is not met",
                if fetched {
                    "part of it was fetched"
                } else {
                    r.revocation.reason.as_str()
                }
            ));
            continue;
        }
        let signed_end = r
            .byte_range
            .as_ref()
            .and_then(|b| b.get(2..4))
            .map(|cd| cd[0].saturating_add(cd[1]).max(0) as usize)
            .unwrap_or(usize::MAX);
        let ts_later = sound_doc_ts.iter().any(|&end| end > signed_end);
        r.pades_level = Some(if ts_later {
            PadesLevel::BLta
        } else {
            PadesLevel::BLt
        });
    }
}

/// Checks a detached CMS signature (`<file>.p7s` / `<file>.sig`) over the whole of `content`.
pub fn analyze_detached(content: &[u8], cms: &[u8], options: &SignatureOptions) -> SignatureReport {
    let mut r = SignatureReport {
        field: String::new(),
        signed: true,
        coverage: Some(Coverage::EntireFile),
        modification_level: Some(ModificationLevel::None),
        ..SignatureReport::default()
    };
    // PEM-armoured .p7s files exist; the CMS itself is DER.
    let der = cms_check::unarmor(cms);
    let ranges = [(0usize, content.len())];
    let check = cms_check::check_pdf_signature(content, &ranges, &der, None);
    apply_cms(&mut r, check, &revocation::Material::default(), options);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_input_gives_no_report_and_no_panic() {
        let opts = SignatureOptions::default();
        assert!(analyze_pdf(b"", &opts).is_empty());
        assert!(analyze_pdf(b"%PDF-1.7\n/ByteRange [0 10 20", &opts).is_empty());
    }

    #[test]
    fn detached_garbage_is_malformed_not_valid() {
        let r = analyze_detached(b"hello", b"not cms", &SignatureOptions::default());
        assert!(!r.valid && !r.intact);
        assert_eq!(r.integrity, Integrity::Malformed);
    }
}
