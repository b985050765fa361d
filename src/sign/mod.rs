//! The archive's own signature (`--sign-with FILE.p12`): a PAdES baseline signature of the
//! digitising agency on each copy kyso writes, B-B by default, B-T with `--tsa-url`.
//!
//! The signature is added to a finished PDF as an incremental update (an invisible field on the
//! first page) and covers the whole file. The key and certificates come from a PKCS#12 file whose
//! password is read from an environment variable, never from the command line (where `ps` and
//! shell histories would show it).
//!
//! Before a batch starts, [`Signer::load`] signs a one-page PDF and verifies it with kyso's own
//! verifier ([`crate::signature::analyze_pdf`]): a key that does not match its certificate, an
//! unreachable TSA or a certificate kyso's role rules call personal are refused then, with one
//! clear message, rather than on every document.

mod cms;
mod pdf;
mod tsa;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use der::{Decode, Encode};
use lopdf::dictionary;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use thiserror::Error;
use x509_cert::Certificate;

use crate::error::ErrorKind;
use crate::signature::{self, Role, SignatureOptions, SignatureReport};

pub use pdf::text_string;

/// How the archive signs (the flags `--sign-with`, `--sign-password-env`, `--tsa-url`,
/// `--allow-personal-signer`).
#[derive(Debug, Clone)]
pub struct SignConfig {
    pub p12: PathBuf,
    /// The environment variable holding the PKCS#12 password.
    pub password_env: String,
    pub tsa_url: Option<String>,
    pub allow_personal: bool,
}

/// The environment variable read for the password when `--sign-password-env` is not given.
pub const DEFAULT_PASSWORD_ENV: &str = "KYSO_SIGN_PASSWORD";

#[derive(Debug, Error)]
pub enum SignError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} does not open as PKCS#12 with the password in ${env}: {message}")]
    Pkcs12 {
        path: PathBuf,
        env: String,
        message: String,
    },
    #[error("{path} holds no private key with its certificate")]
    NoKey { path: PathBuf },
    #[error("{path}: {message}")]
    Key { path: PathBuf, message: String },
    #[error(
        "the certificate of {path} is a personal one ({subject}: {reason}); the archive's copies \
         are signed by the digitising agency (ký số của cơ quan, tổ chức). Use the agency's \
         organisation certificate, or pass --allow-personal-signer"
    )]
    PersonalSigner {
        path: PathBuf,
        subject: String,
        reason: String,
    },
    #[error("a test signature made with {path} does not verify: {message}")]
    SelfTest { path: PathBuf, message: String },
    #[error("cannot add the signature field: {0}")]
    Pdf(String),
    #[error("cannot build the CMS signature: {0}")]
    Cms(String),
    #[error("time-stamp request to {url} failed: {message}")]
    Timestamp { url: String, message: String },
    #[error("the signature needs {needed} bytes but {reserved} were reserved")]
    TooLarge { needed: usize, reserved: usize },
}

impl ErrorKind for SignError {
    fn kind(&self) -> &'static str {
        match self {
            SignError::Read { .. } => "signing_key_unreadable",
            SignError::Pkcs12 { .. } => "bad_pkcs12",
            SignError::NoKey { .. } => "no_signing_key",
            SignError::Key { .. } => "bad_signing_key",
            SignError::PersonalSigner { .. } => "personal_signer",
            SignError::SelfTest { .. } => "signing_self_test_failed",
            SignError::Pdf(_) => "sign_failed",
            SignError::Cms(_) => "sign_failed",
            SignError::Timestamp { .. } => "timestamp_failed",
            SignError::TooLarge { .. } => "sign_failed",
        }
    }
}

/// A signing key of a kind kyso's verifier checks.
pub(crate) enum Key {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

impl Key {
    fn from_pkcs8(der: &[u8]) -> Result<Key, String> {
        use rsa::pkcs8::DecodePrivateKey;
        if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
            return Ok(Key::Rsa(Box::new(k)));
        }
        if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
            return Ok(Key::P256(p256::ecdsa::SigningKey::from(k)));
        }
        Err("the private key is neither RSA nor ECDSA P-256".into())
    }

    /// The public key as a SubjectPublicKeyInfo, to compare with the certificate's.
    fn public_key_der(&self) -> Option<Vec<u8>> {
        use rsa::pkcs8::EncodePublicKey;
        match self {
            Key::Rsa(k) => rsa::RsaPublicKey::from(k.as_ref())
                .to_public_key_der()
                .ok()
                .map(|d| d.as_bytes().to_vec()),
            Key::P256(k) => k
                .verifying_key()
                .to_public_key_der()
                .ok()
                .map(|d| d.as_bytes().to_vec()),
        }
    }

    /// Signs `data` (the DER signed attributes) with SHA-256; returns the algorithm identifier
    /// to write and the signature value.
    fn sign(&self, data: &[u8]) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), SignError> {
        use ::signature::SignatureEncoding;
        use ::signature::Signer as _;
        match self {
            Key::Rsa(k) => {
                let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(k.as_ref().clone());
                let sig = signer
                    .try_sign(data)
                    .map_err(|e| SignError::Cms(e.to_string()))?;
                Ok((cms::rsa_algorithm(), sig.to_vec()))
            }
            Key::P256(k) => {
                let sig: p256::ecdsa::Signature = k
                    .try_sign(data)
                    .map_err(|e| SignError::Cms(e.to_string()))?;
                Ok((cms::ecdsa_algorithm(), sig.to_der().as_bytes().to_vec()))
            }
        }
    }

    /// Bytes of signature value, with margin.
    fn signature_len(&self) -> usize {
        use rsa::traits::PublicKeyParts;
        match self {
            Key::Rsa(k) => k.size(),
            Key::P256(_) => 72,
        }
    }
}

/// Who signs, as kyso's verifier sees the test signature.
#[derive(Debug, Clone)]
pub struct SignerIdentity {
    /// The certificate subject (RFC 4514).
    pub subject: String,
    /// The organisation (O, else CN) named by the certificate.
    pub organisation: Option<String>,
    pub role: Role,
    pub role_reason: String,
    /// SHA-256 of the signer certificate, hex (what the option fingerprint records).
    pub certificate_sha256: String,
}

/// The archive's signer: key, certificate chain (signer first) and optional TSA.
pub struct Signer {
    key: Key,
    chain: Vec<Certificate>,
    tsa_url: Option<String>,
    pub identity: SignerIdentity,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("identity", &self.identity)
            .field("tsa_url", &self.tsa_url)
            .finish_non_exhaustive()
    }
}

/// The time a copy is made: now, or `SOURCE_DATE_EPOCH` when set (reproducible outputs, as
/// reproducible-builds tools read it).
pub fn copy_time() -> SystemTime {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
        .unwrap_or_else(SystemTime::now)
}

/// A time written in Vietnam's time zone (UTC+07:00), as the Circulars ask signing times to
/// be (ISO 8601 with the zone), in the forms PDF and XMP use.
#[derive(Debug, Clone, Copy)]
pub struct VnTime {
    local: der::DateTime,
}

impl VnTime {
    pub fn new(t: SystemTime) -> VnTime {
        let secs = t
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
            .saturating_add(7 * 3600);
        let local = der::DateTime::from_unix_duration(Duration::from_secs(secs))
            .unwrap_or(der::DateTime::INFINITY);
        VnTime { local }
    }

    /// `2026-01-01T19:00:00+07:00`
    pub fn rfc3339(&self) -> String {
        let d = &self.local;
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minutes(),
            d.seconds()
        )
    }

    /// `D:20260101190000+07'00'`
    pub fn pdf_date(&self) -> String {
        let d = &self.local;
        format!(
            "D:{:04}{:02}{:02}{:02}{:02}{:02}+07'00'",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minutes(),
            d.seconds()
        )
    }
}

impl Signer {
    /// Reads the PKCS#12 file (password from the environment), checks that the key matches the
    /// certificate and that a test signature verifies with kyso's own verifier (with the
    /// `--roles` rules of `verify`), and refuses a personal certificate unless allowed.
    pub fn load(config: &SignConfig, verify: &SignatureOptions) -> Result<Signer, SignError> {
        let path = &config.p12;
        let data = std::fs::read(path).map_err(|source| SignError::Read {
            path: path.clone(),
            source,
        })?;
        let password = std::env::var(&config.password_env).unwrap_or_default();
        let store = p12_keystore::KeyStore::from_pkcs12(&data, &password).map_err(|e| {
            SignError::Pkcs12 {
                path: path.clone(),
                env: config.password_env.clone(),
                message: e.to_string(),
            }
        })?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| SignError::NoKey { path: path.clone() })?;
        let bad_key = |message: String| SignError::Key {
            path: path.clone(),
            message,
        };
        let key = Key::from_pkcs8(chain.key()).map_err(bad_key)?;
        let certs = chain
            .chain()
            .iter()
            .map(|c| Certificate::from_der(c.as_der()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad_key(format!("a certificate does not parse: {e}")))?;
        let leaf = certs
            .first()
            .ok_or_else(|| SignError::NoKey { path: path.clone() })?;
        let cert_key = leaf
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| bad_key(e.to_string()))?;
        if key.public_key_der().as_deref() != Some(cert_key.as_slice()) {
            return Err(bad_key(
                "the private key does not belong to the certificate".into(),
            ));
        }
        let certificate_sha256 = hex::encode(Sha256::digest(
            leaf.to_der().map_err(|e| bad_key(e.to_string()))?,
        ));
        let mut signer = Signer {
            key,
            chain: certs,
            tsa_url: config.tsa_url.clone(),
            identity: SignerIdentity {
                subject: String::new(),
                organisation: None,
                role: Role::Unknown,
                role_reason: String::new(),
                certificate_sha256,
            },
        };
        let report = signer.self_test(verify).map_err(|e| match e {
            e @ SignError::Timestamp { .. } => e,
            e => SignError::SelfTest {
                path: path.clone(),
                message: e.to_string(),
            },
        })?;
        let problem = if !report.intact || !report.valid {
            Some(format!(
                "intact {}, valid {}: {}",
                report.intact,
                report.valid,
                report.problems.join("; ")
            ))
        } else if config.tsa_url.is_some() && report.timestamp.is_none() {
            Some(format!(
                "the signature timestamp does not verify: {}",
                report.problems.join("; ")
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            return Err(SignError::SelfTest {
                path: path.clone(),
                message,
            });
        }
        let info = report.signer.clone().unwrap_or_default();
        signer.identity.subject = info.subject.clone();
        signer.identity.organisation = info.organization.clone().or(info.common_name.clone());
        signer.identity.role = report.role;
        signer.identity.role_reason = report.role_reason.clone();
        if report.role == Role::Personal && !config.allow_personal {
            return Err(SignError::PersonalSigner {
                path: path.clone(),
                subject: info.subject,
                reason: report.role_reason,
            });
        }
        Ok(signer)
    }

    /// Signs a one-page PDF made here and reads it back with the verifier.
    fn self_test(&self, verify: &SignatureOptions) -> Result<SignatureReport, SignError> {
        let mut doc = lopdf::Document::with_version("1.7");
        doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
        let pages_id = doc.new_object_id();
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        doc.objects.insert(
            pages_id,
            lopdf::Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => vec![page_id.into()],
                "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
        });
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes)
            .map_err(|e| SignError::Pdf(e.to_string()))?;
        let signed = self.sign_pdf(&bytes, SystemTime::now())?;
        signature::analyze_pdf(&signed, verify)
            .into_iter()
            .find(|r| r.signed)
            .ok_or_else(|| SignError::Pdf("the verifier finds no signature".into()))
    }

    /// Signs `pdf` (PAdES, `ETSI.CAdES.detached`), as of `when` (`/M`), with a signature
    /// timestamp when a TSA was configured. The signature covers the whole returned file.
    pub fn sign_pdf(&self, pdf: &[u8], when: SystemTime) -> Result<Vec<u8>, SignError> {
        let certs: usize = self
            .chain
            .iter()
            .map(|c| c.to_der().map(|d| d.len()).unwrap_or(4096))
            .sum();
        // Signed attributes, algorithm identifiers and the signer info's names take about 1 KiB
        // beside the certificates; a timestamp token with its TSA's certificates, a few KiB.
        let reserve = certs
            + self.key.signature_len()
            + 2048
            + if self.tsa_url.is_some() { 12 * 1024 } else { 0 };
        let time = VnTime::new(when).pdf_date();
        let name = self.identity.organisation.clone().or_else(|| {
            self.chain
                .first()
                .map(|c| c.tbs_certificate.subject.to_string())
        });
        let prepared = pdf::prepare(
            pdf,
            &pdf::SigFields {
                time: &time,
                name: name.as_deref(),
                reason: "Bản số hóa do cơ quan, tổ chức thực hiện số hóa ký số (kyso)",
                reserve,
            },
        )?;
        let mut hasher = Sha256::new();
        for part in prepared.signed_parts() {
            hasher.update(part);
        }
        let digest = hasher.finalize();
        let signed = cms::sign_digest(&digest, &self.key, &self.chain)?;
        let token = match &self.tsa_url {
            Some(url) => Some(tsa::timestamp(url, signed.signature_value())?),
            None => None,
        };
        let der = cms::assemble(signed, &self.chain, token.as_deref())?;
        prepared.fill(&der)
    }

    /// The signer certificate's path-independent description for the option fingerprint.
    pub fn fingerprint(&self) -> String {
        format!(
            "{} tsa={}",
            self.identity.certificate_sha256,
            self.tsa_url.as_deref().unwrap_or("none")
        )
    }
}
