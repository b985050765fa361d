//! The CMS side: digest over the signed bytes vs. `messageDigest` (intact), the signature
//! value over the DER-encoded signed attributes (valid), signing time, timestamp tokens.
//!
//! All parsing is done by `cms`/`x509-cert`/`x509-tsp`/`der`; all arithmetic by `rsa`,
//! `p256`, `p384`. Anything not recognised is reported as unsupported, never as valid.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use const_oid::ObjectIdentifier as Oid;
use der::asn1::{
    BmpString, Ia5StringRef, OctetString, PrintableStringRef, TeletexStringRef, Utf8StringRef,
};
use der::{Any, Decode, Encode, Reader, SliceReader};
use sha2::Digest;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

use super::{Integrity, PadesLevel, SignerInfo, SigningTime, TimeSource};

const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const ID_CT_TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const ATTR_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
const ATTR_TIMESTAMP_TOKEN: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");

const ID_SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
const ID_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const ECDSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");

const SUBJECT_KEY_ID: Oid = Oid::new_unwrap("2.5.29.14");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DigestAlg {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlg {
    pub(crate) fn from_oid(oid: &Oid) -> Option<Self> {
        match *oid {
            ID_SHA1 => Some(DigestAlg::Sha1),
            ID_SHA256 => Some(DigestAlg::Sha256),
            ID_SHA384 => Some(DigestAlg::Sha384),
            ID_SHA512 => Some(DigestAlg::Sha512),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            DigestAlg::Sha1 => "sha1",
            DigestAlg::Sha256 => "sha256",
            DigestAlg::Sha384 => "sha384",
            DigestAlg::Sha512 => "sha512",
        }
    }

    pub(crate) fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut h = D::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            DigestAlg::Sha1 => run::<sha1::Sha1>(parts),
            DigestAlg::Sha256 => run::<sha2::Sha256>(parts),
            DigestAlg::Sha384 => run::<sha2::Sha384>(parts),
            DigestAlg::Sha512 => run::<sha2::Sha512>(parts),
        }
    }
}

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

/// Decodes one DER ContentInfo from the start of `/Contents` (which is zero-padded).
fn decode_content_info(cms_der: &[u8], problems: &mut Vec<String>) -> Option<ContentInfo> {
    let mut reader = match SliceReader::new(cms_der) {
        Ok(r) => r,
        Err(e) => {
            problems.push(format!("/Contents is not DER: {e}"));
            return None;
        }
    };
    match ContentInfo::decode(&mut reader) {
        Ok(ci) => {
            let used = u32::from(reader.position()) as usize;
            if cms_der
                .get(used..)
                .is_some_and(|rest| rest.iter().any(|&b| b != 0))
            {
                problems.push("/Contents holds non-zero bytes after the CMS object".into());
            }
            Some(ci)
        }
        Err(e) => {
            problems.push(format!("/Contents is not a CMS ContentInfo: {e}"));
            None
        }
    }
}

fn any_as<T: for<'a> Decode<'a>>(any: &Any) -> Option<T> {
    T::from_der(&any.to_der().ok()?).ok()
}

/// Checks a CMS signature whose external content is the bytes of `ranges` within `bytes`.
pub fn check_pdf_signature(
    bytes: &[u8],
    ranges: &[(usize, usize)],
    cms_der: &[u8],
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
    let Some(ci) = decode_content_info(cms_der, &mut out.problems) else {
        return out;
    };
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
    check_signed_data(&sd, &parts, subfilter, &mut out);
    out
}

fn check_signed_data(
    sd: &SignedData,
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
    let signer_infos: Vec<&cms::signed_data::SignerInfo> = sd.signer_infos.0.iter().collect();
    let Some(si) = signer_infos.first() else {
        out.problems.push("CMS has no SignerInfo".into());
        return;
    };
    if signer_infos.len() > 1 {
        out.problems.push(format!(
            "CMS has {} SignerInfos; only the first is checked",
            signer_infos.len()
        ));
    }
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
    let external_digest = digest.digest(parts);
    let mut content_ok = true;
    let content_digest = match (&econtent, sd.encap_content_info.econtent_type) {
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
        (None, _) => external_digest,
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
            match attrs.to_der() {
                Ok(signed) => {
                    match verify_signature(
                        spki,
                        &si.signature_algorithm,
                        digest,
                        &signed,
                        si.signature.as_bytes(),
                    ) {
                        Ok(name) => {
                            out.valid = true;
                            out.signature_algorithm = Some(name);
                        }
                        Err(VerifyError::Unsupported(why)) => {
                            out.problems.push(format!("signature not verified: {why}"));
                        }
                        Err(VerifyError::Bad(name)) => {
                            out.signature_algorithm = Some(name);
                            out.problems.push(
                                "signature value does not verify with the signer's key".into(),
                            );
                        }
                    }
                }
                Err(e) => out
                    .problems
                    .push(format!("cannot re-encode signed attributes: {e}")),
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
            Ok(time) => out.timestamp = Some(time),
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
fn check_timestamp_token(token: &Any, imprinted: &[u8]) -> Result<SigningTime, String> {
    let ci: ContentInfo = any_as(token).ok_or("not a ContentInfo")?;
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
    // The token's own content is its encapsulated TSTInfo, whose imprint covers the signature
    // value: that is what check_signed_data compares a TSTInfo's imprint with.
    check_signed_data(&sd, &[imprinted], None, &mut inner);
    if !inner.valid || inner.integrity != Integrity::Intact {
        return Err(format!(
            "the TSA signature does not verify ({})",
            inner.problems.join("; ")
        ));
    }
    Ok(SigningTime {
        value: tst.gen_time.to_date_time().to_string(),
        source: TimeSource::TimestampToken,
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

pub(crate) enum VerifyError {
    /// An algorithm or key kind kyso does not implement (not a verdict on the signature).
    Unsupported(String),
    /// The signature does not verify; carries the mechanism name.
    Bad(String),
}

/// Verifies `sig` over `message` with the key in `spki`, using `alg` (falling back on
/// `digest` when `alg` names only the key type, as `rsaEncryption` does in CMS).
pub(crate) fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest: DigestAlg,
    message: &[u8],
    sig: &[u8],
) -> Result<String, VerifyError> {
    if alg.oid == ED25519 {
        // PureEdDSA: the signature is over the message itself, not a digest of it.
        let name = "ed25519".to_string();
        let key: [u8; 32] = spki
            .subject_public_key
            .raw_bytes()
            .try_into()
            .map_err(|_| VerifyError::Unsupported("bad Ed25519 key".into()))?;
        let vk = ed25519_dalek::VerifyingKey::from_bytes(&key)
            .map_err(|_| VerifyError::Unsupported("bad Ed25519 key".into()))?;
        let s = ed25519_dalek::Signature::from_slice(sig)
            .map_err(|_| VerifyError::Bad(name.clone()))?;
        return vk
            .verify_strict(message, &s)
            .map(|_| name.clone())
            .map_err(|_| VerifyError::Bad(name));
    }
    enum Scheme {
        Pkcs1(DigestAlg),
        Pss(DigestAlg, usize),
        Ecdsa(DigestAlg),
    }
    let scheme = match alg.oid {
        RSA_ENCRYPTION => Scheme::Pkcs1(digest),
        SHA1_WITH_RSA => Scheme::Pkcs1(DigestAlg::Sha1),
        SHA256_WITH_RSA => Scheme::Pkcs1(DigestAlg::Sha256),
        SHA384_WITH_RSA => Scheme::Pkcs1(DigestAlg::Sha384),
        SHA512_WITH_RSA => Scheme::Pkcs1(DigestAlg::Sha512),
        RSASSA_PSS => {
            let params_der = alg
                .parameters
                .as_ref()
                .and_then(|p| p.to_der().ok())
                .ok_or_else(|| VerifyError::Unsupported("RSASSA-PSS without parameters".into()))?;
            let params = rsa::pkcs1::RsaPssParams::from_der(&params_der)
                .map_err(|e| VerifyError::Unsupported(format!("bad RSASSA-PSS parameters: {e}")))?;
            let hash = DigestAlg::from_oid(&params.hash.oid).ok_or_else(|| {
                VerifyError::Unsupported(format!("RSASSA-PSS hash {}", params.hash.oid))
            })?;
            Scheme::Pss(hash, usize::from(params.salt_len))
        }
        EC_PUBLIC_KEY => Scheme::Ecdsa(digest),
        ECDSA_SHA1 => Scheme::Ecdsa(DigestAlg::Sha1),
        ECDSA_SHA256 => Scheme::Ecdsa(DigestAlg::Sha256),
        ECDSA_SHA384 => Scheme::Ecdsa(DigestAlg::Sha384),
        ECDSA_SHA512 => Scheme::Ecdsa(DigestAlg::Sha512),
        other => {
            return Err(VerifyError::Unsupported(format!(
                "signature algorithm {other}"
            )))
        }
    };
    let key_bytes = spki.subject_public_key.raw_bytes();
    match scheme {
        Scheme::Pkcs1(h) | Scheme::Pss(h, _) => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            let key = rsa::RsaPublicKey::from_pkcs1_der(key_bytes)
                .map_err(|e| VerifyError::Unsupported(format!("RSA key does not parse: {e}")))?;
            let hashed = h.digest(&[message]);
            let (name, result) = match scheme {
                Scheme::Pss(_, salt) => {
                    let padding = match h {
                        DigestAlg::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt),
                        DigestAlg::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                        DigestAlg::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
                        DigestAlg::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
                    };
                    (
                        format!("rsa_pss_{}", h.name()),
                        key.verify(padding, &hashed, sig),
                    )
                }
                _ => {
                    let padding = match h {
                        DigestAlg::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                        DigestAlg::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                        DigestAlg::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                        DigestAlg::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                    };
                    (
                        format!("rsa_pkcs1v15_{}", h.name()),
                        key.verify(padding, &hashed, sig),
                    )
                }
            };
            result
                .map(|_| name.clone())
                .map_err(|_| VerifyError::Bad(name))
        }
        Scheme::Ecdsa(h) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(any_as::<Oid>)
                .ok_or_else(|| VerifyError::Unsupported("EC key without a named curve".into()))?;
            let hashed = h.digest(&[message]);
            match curve {
                SECP256R1 => {
                    let name = format!("ecdsa_p256_{}", h.name());
                    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
                        .map_err(|_| VerifyError::Unsupported("bad P-256 key".into()))?;
                    let s = p256::ecdsa::Signature::from_der(sig)
                        .map_err(|_| VerifyError::Bad(name.clone()))?;
                    vk.verify_prehash(&hashed, &s)
                        .map(|_| name.clone())
                        .map_err(|_| VerifyError::Bad(name))
                }
                SECP384R1 => {
                    let name = format!("ecdsa_p384_{}", h.name());
                    let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
                        .map_err(|_| VerifyError::Unsupported("bad P-384 key".into()))?;
                    let s = p384::ecdsa::Signature::from_der(sig)
                        .map_err(|_| VerifyError::Bad(name.clone()))?;
                    vk.verify_prehash(&hashed, &s)
                        .map(|_| name.clone())
                        .map_err(|_| VerifyError::Bad(name))
                }
                other => Err(VerifyError::Unsupported(format!("elliptic curve {other}"))),
            }
        }
    }
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
        title: attr("2.5.4.12"),
        serial_number: attr("2.5.4.5"),
        email: attr("1.2.840.113549.1.9.1"),
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        certificate_serial: hex::encode(tbs.serial_number.as_bytes()),
        not_before: tbs.validity.not_before.to_date_time().to_string(),
        not_after: tbs.validity.not_after.to_date_time().to_string(),
    }
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
