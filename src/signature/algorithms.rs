//! The signature value checked with the signer's key: which digests and signature mechanisms
//! kyso knows (RSA PKCS#1 v1.5 and PSS, ECDSA P-256/P-384, Ed25519, Ed448, DSA), and reading RSA keys
//! as leniently as pyHanko does. Anything not recognised is unsupported, never valid.

use const_oid::ObjectIdentifier as Oid;
use der::{Decode, Encode, Reader, SliceReader};
use sha2::Digest;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::ber;
use super::cms_check::any_as;

const ID_SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
const ID_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
const ID_SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
const ID_SHAKE256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.12");

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
const ED448: Oid = Oid::new_unwrap("1.3.101.113");
const ID_DSA: Oid = Oid::new_unwrap("1.2.840.10040.4.1");
const DSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10040.4.3");
const DSA_SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.1");
const DSA_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.2");
const DSA_SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.3");
const DSA_SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.4");
const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DigestAlg {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    /// SHAKE256 with 512 bits of output (RFC 8419 §2.3, the digest of Ed448 in CMS).
    Shake256,
}

impl DigestAlg {
    pub(crate) fn from_oid(oid: &Oid) -> Option<Self> {
        match *oid {
            ID_SHA1 => Some(DigestAlg::Sha1),
            ID_SHA224 => Some(DigestAlg::Sha224),
            ID_SHAKE256 => Some(DigestAlg::Shake256),
            ID_SHA256 => Some(DigestAlg::Sha256),
            ID_SHA384 => Some(DigestAlg::Sha384),
            ID_SHA512 => Some(DigestAlg::Sha512),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            DigestAlg::Sha1 => "sha1",
            DigestAlg::Sha224 => "sha224",
            DigestAlg::Shake256 => "shake256",
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
            DigestAlg::Sha224 => run::<sha2::Sha224>(parts),
            DigestAlg::Shake256 => {
                use sha3::digest::{ExtendableOutput, Update, XofReader};
                let mut h = sha3::Shake256::default();
                for p in parts {
                    h.update(p);
                }
                let mut out = vec![0u8; 64];
                h.finalize_xof().read(&mut out);
                out
            }
            DigestAlg::Sha256 => run::<sha2::Sha256>(parts),
            DigestAlg::Sha384 => run::<sha2::Sha384>(parts),
            DigestAlg::Sha512 => run::<sha2::Sha512>(parts),
        }
    }
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
    if alg.oid == ED448 {
        // PureEdDSA with an empty context, as RFC 8419 §3.1 uses it (Ed448ph is not used in CMS).
        let name = "ed448".to_string();
        if spki.algorithm.oid != ED448 {
            return Err(VerifyError::Unsupported(format!(
                "an Ed448 signature with a {} key",
                spki.algorithm.oid
            )));
        }
        let key: [u8; 57] = spki
            .subject_public_key
            .raw_bytes()
            .try_into()
            .map_err(|_| VerifyError::Unsupported("bad Ed448 key".into()))?;
        let vk = ed448_goldilocks_plus::VerifyingKey::from_bytes(&key)
            .map_err(|_| VerifyError::Unsupported("bad Ed448 key".into()))?;
        let s = ed448_goldilocks_plus::Signature::try_from(sig)
            .map_err(|_| VerifyError::Bad(name.clone()))?;
        return vk
            .verify_raw(&s, message)
            .map(|_| name.clone())
            .map_err(|_| VerifyError::Bad(name));
    }
    enum Scheme {
        Pkcs1(DigestAlg),
        Pss(DigestAlg, usize),
        Ecdsa(DigestAlg),
        Dsa(DigestAlg),
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
        ID_DSA => Scheme::Dsa(digest),
        DSA_SHA1 => Scheme::Dsa(DigestAlg::Sha1),
        DSA_SHA224 => Scheme::Dsa(DigestAlg::Sha224),
        DSA_SHA256 => Scheme::Dsa(DigestAlg::Sha256),
        DSA_SHA384 => Scheme::Dsa(DigestAlg::Sha384),
        DSA_SHA512 => Scheme::Dsa(DigestAlg::Sha512),
        other => {
            return Err(VerifyError::Unsupported(format!(
                "signature algorithm {other}"
            )))
        }
    };
    let key_bytes = spki.subject_public_key.raw_bytes();
    match scheme {
        Scheme::Pkcs1(h) | Scheme::Pss(h, _) => {
            let key = rsa_public_key(key_bytes)?;
            let hashed = h.digest(&[message]);
            let unsupported =
                || VerifyError::Unsupported(format!("RSA with the {} digest", h.name()));
            let (name, result) = match scheme {
                Scheme::Pss(_, salt) => {
                    let padding = match h {
                        DigestAlg::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt),
                        DigestAlg::Sha224 => rsa::Pss::new_with_salt::<sha2::Sha224>(salt),
                        DigestAlg::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                        DigestAlg::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
                        DigestAlg::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
                        DigestAlg::Shake256 => return Err(unsupported()),
                    };
                    (
                        format!("rsa_pss_{}", h.name()),
                        key.verify(padding, &hashed, sig),
                    )
                }
                _ => {
                    let padding = match h {
                        DigestAlg::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                        DigestAlg::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
                        DigestAlg::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                        DigestAlg::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                        DigestAlg::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                        DigestAlg::Shake256 => return Err(unsupported()),
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
        Scheme::Dsa(h) => {
            use spki::DecodePublicKey;
            let name = format!("dsa_{}", h.name());
            let spki_der = spki
                .to_der()
                .map_err(|e| VerifyError::Unsupported(format!("DSA key: {e}")))?;
            let vk = dsa::VerifyingKey::from_public_key_der(&spki_der)
                .map_err(|e| VerifyError::Unsupported(format!("DSA key does not parse: {e}")))?;
            let s = dsa::Signature::from_der(sig).map_err(|_| VerifyError::Bad(name.clone()))?;
            let hashed = h.digest(&[message]);
            vk.verify_prehash(&hashed, &s)
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

/// A note when an EdDSA signature comes with another digest than RFC 8419 §3 requires
/// (SHA-512 with Ed25519, SHAKE256 with Ed448). pyHanko accepts such signatures, and so does
/// kyso: the signature still binds the signed attributes, and their `messageDigest` the
/// document, with a digest kyso computes.
pub(super) fn eddsa_digest_note(mechanism: &str, digest: DigestAlg) -> Option<String> {
    let required = match mechanism {
        "ed25519" => DigestAlg::Sha512,
        "ed448" => DigestAlg::Shake256,
        _ => return None,
    };
    (digest != required).then(|| {
        format!(
            "RFC 8419 requires the {} digest with {mechanism}; this signature uses {} (accepted, \
             as pyHanko does)",
            required.name(),
            digest.name()
        )
    })
}

/// An RSA public key from its PKCS#1 `RSAPublicKey`. The strict DER reading first; when it
/// refuses the key only because an INTEGER is not minimally encoded (leading zero octets, as
/// some old issuers wrote), the integers are read as unsigned magnitudes, as pyHanko's
/// asn1crypto does.
fn rsa_public_key(key_bytes: &[u8]) -> Result<rsa::RsaPublicKey, VerifyError> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    match rsa::RsaPublicKey::from_pkcs1_der(key_bytes) {
        Ok(k) => Ok(k),
        Err(strict) => lenient_rsa_integers(key_bytes)
            .and_then(|(n, e)| {
                rsa::RsaPublicKey::new(
                    rsa::BigUint::from_bytes_be(&n),
                    rsa::BigUint::from_bytes_be(&e),
                )
                .ok()
            })
            .ok_or_else(|| VerifyError::Unsupported(format!("RSA key does not parse: {strict}"))),
    }
}

/// The modulus and exponent of an `RSAPublicKey` SEQUENCE, leading zero octets stripped,
/// or `None` when it is not two INTEGERs.
fn lenient_rsa_integers(key_bytes: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (der, used) = ber::to_der(key_bytes).ok()?;
    if used != key_bytes.len() {
        return None;
    }
    let mut reader = SliceReader::new(&der).ok()?;
    let header = der::Header::decode(&mut reader).ok()?;
    if header.tag != der::Tag::Sequence {
        return None;
    }
    let mut ints = Vec::new();
    while !reader.is_finished() {
        let h = der::Header::decode(&mut reader).ok()?;
        if h.tag != der::Tag::Integer {
            return None;
        }
        let bytes = reader.read_slice(h.length).ok()?;
        let first_nonzero = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        ints.push(bytes[first_nonzero..].to_vec());
    }
    match <[Vec<u8>; 2]>::try_from(ints) {
        Ok([n, e]) if !n.is_empty() && !e.is_empty() => Some((n, e)),
        _ => None,
    }
}

/// A note for the report when the signer's RSA key had to be read leniently.
pub(super) fn lenient_key_note(spki: &SubjectPublicKeyInfoOwned) -> Option<String> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    if spki.algorithm.oid != RSA_ENCRYPTION {
        return None;
    }
    let bytes = spki.subject_public_key.raw_bytes();
    (rsa::RsaPublicKey::from_pkcs1_der(bytes).is_err() && lenient_rsa_integers(bytes).is_some())
        .then(|| {
            "the signer's RSA public key is not DER (an INTEGER with leading zero octets): read \
             leniently, as pyHanko does"
                .to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8032 §7.4, the first Ed448 vector ("Blank": empty message, no context).
    const RFC8032_PUBLIC: &str = "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180";
    const RFC8032_SIGNATURE: &str = "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600";

    fn ed448(key: &[u8], message: &[u8], sig: &[u8]) -> Result<String, VerifyError> {
        let alg = AlgorithmIdentifierOwned {
            oid: ED448,
            parameters: None,
        };
        let spki = SubjectPublicKeyInfoOwned {
            algorithm: alg.clone(),
            subject_public_key: der::asn1::BitString::from_bytes(key).unwrap(),
        };
        verify_signature(&spki, &alg, DigestAlg::Shake256, message, sig)
    }

    #[test]
    fn ed448_verifies_the_rfc_8032_vector_and_nothing_else() {
        let key = hex::decode(RFC8032_PUBLIC).unwrap();
        let sig = hex::decode(RFC8032_SIGNATURE).unwrap();
        assert!(matches!(ed448(&key, b"", &sig), Ok(n) if n == "ed448"));
        assert!(matches!(ed448(&key, b"x", &sig), Err(VerifyError::Bad(_))));
        for i in [0, 56, 57, 113] {
            let mut bad = sig.clone();
            bad[i] ^= 1;
            assert!(
                matches!(ed448(&key, b"", &bad), Err(VerifyError::Bad(_))),
                "byte {i}"
            );
        }
        assert!(matches!(
            ed448(&key, b"", &sig[..113]),
            Err(VerifyError::Bad(_))
        ));
        assert!(matches!(
            ed448(&key[..56], b"", &sig),
            Err(VerifyError::Unsupported(_))
        ));
        // The right bytes under another key type are not an Ed448 key.
        let ed25519_spki = SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: ED25519,
                parameters: None,
            },
            subject_public_key: der::asn1::BitString::from_bytes(&key).unwrap(),
        };
        let alg = AlgorithmIdentifierOwned {
            oid: ED448,
            parameters: None,
        };
        assert!(matches!(
            verify_signature(&ed25519_spki, &alg, DigestAlg::Shake256, b"", &sig),
            Err(VerifyError::Unsupported(_))
        ));
    }

    #[test]
    fn eddsa_with_another_digest_than_rfc_8419_says_so() {
        assert!(eddsa_digest_note("ed448", DigestAlg::Shake256).is_none());
        assert!(eddsa_digest_note("ed448", DigestAlg::Sha512)
            .unwrap()
            .contains("shake256"));
        assert!(eddsa_digest_note("ed25519", DigestAlg::Sha512).is_none());
        assert!(eddsa_digest_note("rsa_pkcs1v15_sha256", DigestAlg::Sha1).is_none());
    }
}
