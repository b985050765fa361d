//! Chain building from the signer certificate to a configured trust root.
//!
//! Deliberately small: issuer found by name, each link's signature verified with the issuer's
//! key, validity periods checked at the validation time, key usage checked where the extension
//! is present. No revocation, no name constraints or policies: the report says
//! `revocation: "not_checked"` and docs/signatures.md lists what is not done.

use std::path::Path;

use const_oid::ObjectIdentifier as Oid;
use der::{Decode, DecodePem, Encode};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::Certificate;

use super::algorithms::{verify_signature, DigestAlg, VerifyError};
use super::{SignatureError, SignatureOptions, Trust, TrustStatus};

const KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
const MAX_CHAIN: usize = 10;

/// What `--trust PATH` names: a folder of anchors, or a profile file.
#[derive(Debug, Clone, Default)]
pub struct TrustMaterial {
    /// Trust anchors.
    pub roots: Vec<Certificate>,
    /// Certificates that may complete a chain but are trusted only through a root.
    pub intermediates: Vec<Certificate>,
    /// The profile's name, when a profile file was given.
    pub profile: Option<String>,
}

/// One entry of a trust profile file.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileEntry {
    /// PEM or DER certificate, relative to the profile file.
    file: String,
    /// `root` (a trust anchor) or `intermediate` (a subordinate CA, trusted only via a root).
    purpose: String,
    /// SHA-256 fingerprint of the certificate's DER (hex, colons and case ignored); checked
    /// when given, so a substituted file is refused.
    #[serde(default)]
    sha256: Option<String>,
    /// Free text (where the certificate was obtained, what it is).
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    name: String,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(rename = "certificate", default)]
    certificates: Vec<ProfileEntry>,
}

/// `--trust PATH`: every certificate of a folder as an anchor, or a profile file (TOML) that
/// lists roots and intermediates with their purpose and fingerprints (docs/trust.md).
pub fn load_trust(path: &Path) -> Result<TrustMaterial, SignatureError> {
    if path.is_dir() {
        return Ok(TrustMaterial {
            roots: load_trust_dir(path)?,
            ..TrustMaterial::default()
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| SignatureError::TrustDir {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |message: String| SignatureError::BadCertificate {
        path: path.to_path_buf(),
        message,
    };
    let profile: Profile =
        toml::from_str(&text).map_err(|e| bad(format!("not a trust profile: {e}")))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut out = TrustMaterial {
        profile: Some(profile.name.clone()),
        ..TrustMaterial::default()
    };
    for entry in &profile.certificates {
        let file = base.join(&entry.file);
        let data = std::fs::read(&file).map_err(|source| SignatureError::TrustDir {
            path: file.clone(),
            source,
        })?;
        let certs =
            parse_certificates(&data).map_err(|message| SignatureError::BadCertificate {
                path: file.clone(),
                message,
            })?;
        let [cert] = <[Certificate; 1]>::try_from(certs).map_err(|v| {
            bad(format!(
                "{} must hold exactly one certificate, it holds {}",
                entry.file,
                v.len()
            ))
        })?;
        if let Some(want) = &entry.sha256 {
            let der = cert.to_der().map_err(|e| bad(e.to_string()))?;
            let got = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&der));
            let want: String = want
                .chars()
                .filter(char::is_ascii_hexdigit)
                .collect::<String>()
                .to_ascii_lowercase();
            if got != want {
                return Err(bad(format!(
                    "{}: SHA-256 fingerprint is {got}, the profile says {want}",
                    entry.file
                )));
            }
        }
        match entry.purpose.as_str() {
            "root" => out.roots.push(cert),
            "intermediate" => out.intermediates.push(cert),
            other => {
                return Err(bad(format!(
                    "{}: purpose {other:?} is neither \"root\" nor \"intermediate\"",
                    entry.file
                )))
            }
        }
    }
    if out.roots.is_empty() {
        return Err(bad("the profile names no root".into()));
    }
    Ok(out)
}

/// The certificates of a PEM (CERTIFICATE blocks only) or DER file.
fn parse_certificates(data: &[u8]) -> Result<Vec<Certificate>, String> {
    if data.trim_ascii_start().starts_with(b"-----BEGIN") {
        pem_certificate_blocks(data)
            .into_iter()
            .map(|b| Certificate::from_pem(b).map_err(|e| e.to_string()))
            .collect()
    } else {
        Certificate::from_der(data)
            .map(|c| vec![c])
            .map_err(|e| e.to_string())
    }
}

/// Every certificate (PEM, possibly several per file, or DER) in `dir`, not recursive.
pub fn load_trust_dir(dir: &Path) -> Result<Vec<Certificate>, SignatureError> {
    let entries = std::fs::read_dir(dir).map_err(|source| SignatureError::TrustDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut certs = Vec::new();
    for path in paths {
        let data = std::fs::read(&path).map_err(|source| SignatureError::TrustDir {
            path: path.clone(),
            source,
        })?;
        let bad = |message: String| SignatureError::BadCertificate {
            path: path.clone(),
            message,
        };
        if data.trim_ascii_start().starts_with(b"-----BEGIN") {
            // Only CERTIFICATE blocks are trust material; a private key or CRL kept in the
            // same folder (as in a test PKI) is passed over rather than refused.
            for block in pem_certificate_blocks(&data) {
                certs.push(Certificate::from_pem(block).map_err(|e| bad(e.to_string()))?);
            }
        } else {
            certs.push(Certificate::from_der(&data).map_err(|e| bad(e.to_string()))?);
        }
    }
    if certs.is_empty() {
        return Err(SignatureError::EmptyTrustDir(dir.to_path_buf()));
    }
    Ok(certs)
}

/// The `-----BEGIN CERTIFICATE-----` … `-----END CERTIFICATE-----` blocks of a PEM file.
fn pem_certificate_blocks(data: &[u8]) -> Vec<&[u8]> {
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let mut blocks = Vec::new();
    let mut rest = data;
    while let Some(start) = find(rest, BEGIN) {
        let Some(len) = find(&rest[start..], END) else {
            break;
        };
        let end = start + len + END.len();
        blocks.push(&rest[start..end]);
        rest = &rest[end..];
    }
    blocks
}

fn unix_secs(t: &x509_cert::time::Time) -> u64 {
    t.to_unix_duration().as_secs()
}

fn validity_problem(cert: &Certificate, at: u64) -> Option<String> {
    let v = &cert.tbs_certificate.validity;
    if at < unix_secs(&v.not_before) {
        Some(format!(
            "not yet valid at validation time ({} starts {})",
            cert.tbs_certificate.subject, v.not_before
        ))
    } else if at > unix_secs(&v.not_after) {
        Some(format!(
            "expired at validation time ({} expired {})",
            cert.tbs_certificate.subject, v.not_after
        ))
    } else {
        None
    }
}

fn extension<'a, T: Decode<'a>>(cert: &'a Certificate, oid: Oid) -> Option<T> {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == oid)
        .and_then(|e| T::from_der(e.extn_value.as_bytes()).ok())
}

/// `Some(reason)` when `issuer` must not sign certificates.
fn ca_problem(issuer: &Certificate) -> Option<String> {
    if let Some(bc) = extension::<BasicConstraints>(issuer, BASIC_CONSTRAINTS) {
        if !bc.ca {
            return Some("wrong key usage: issuer is not a CA".into());
        }
    }
    match extension::<KeyUsage>(issuer, KEY_USAGE) {
        Some(ku) if !ku.key_cert_sign() => {
            Some("wrong key usage: issuer may not sign certificates".into())
        }
        _ => None,
    }
}

fn signed_by(cert: &Certificate, issuer: &Certificate) -> Result<(), String> {
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|e| format!("cannot encode certificate: {e}"))?;
    // The algorithm identifier names the digest for every scheme that reaches here except
    // rsaEncryption, which certificates do not use; SHA-256 is only a placeholder for it.
    match verify_signature(
        &issuer.tbs_certificate.subject_public_key_info,
        &cert.signature_algorithm,
        DigestAlg::Sha256,
        &tbs,
        cert.signature.raw_bytes(),
    ) {
        Ok(_) => Ok(()),
        Err(VerifyError::Bad(_)) => Err("bad chain signature".into()),
        Err(VerifyError::Unsupported(why)) => Err(format!("chain signature not verifiable: {why}")),
    }
}

/// Trust in `leaf`, building the path through `cms_certs` to one of the options' roots.
pub fn evaluate(
    leaf: &Certificate,
    cms_certs: &[Certificate],
    options: &SignatureOptions,
) -> Trust {
    let untrusted = |reason: String| Trust {
        status: TrustStatus::Untrusted,
        reason,
    };
    if options.trust_roots.is_empty() {
        return Trust {
            status: TrustStatus::Unknown,
            reason: "no trust roots given (--trust DIR)".into(),
        };
    }
    let at = options
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    match extension::<KeyUsage>(leaf, KEY_USAGE) {
        Some(ku) if !ku.digital_signature() && !ku.non_repudiation() => {
            return untrusted("wrong key usage: signer key may not sign documents".into());
        }
        _ => {}
    }
    let mut current = leaf.clone();
    let mut last_failure: Option<String> = None;
    for _ in 0..MAX_CHAIN {
        if let Some(why) = validity_problem(&current, at) {
            return untrusted(why);
        }
        if options.trust_roots.contains(&current) {
            return Trust {
                status: TrustStatus::Trusted,
                reason: match &options.trust_profile {
                    Some(p) => format!(
                        "chains to trust root {} (profile {p})",
                        current.tbs_certificate.subject
                    ),
                    None => format!("chains to trust root {}", current.tbs_certificate.subject),
                },
            };
        }
        let issuer_name = &current.tbs_certificate.issuer;
        let candidates = options
            .trust_roots
            .iter()
            .chain(options.trust_intermediates.iter())
            .chain(cms_certs.iter())
            .filter(|c| &c.tbs_certificate.subject == issuer_name && **c != current);
        let mut next = None;
        for cand in candidates {
            match signed_by(&current, cand).and_then(|_| match ca_problem(cand) {
                Some(p) => Err(p),
                None => Ok(()),
            }) {
                Ok(()) => {
                    next = Some(cand.clone());
                    break;
                }
                Err(why) => last_failure = Some(why),
            }
        }
        match next {
            Some(n) => current = n,
            None => {
                return untrusted(last_failure.unwrap_or_else(|| {
                    format!("unknown root: no trusted issuer for {issuer_name}")
                }))
            }
        }
    }
    untrusted("certificate chain too long".into())
}
