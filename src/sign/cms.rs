//! The CMS SignedData of a PAdES baseline signature (ETSI EN 319 142-1, `ETSI.CAdES.detached`).
//!
//! Signed attributes: content-type (id-data), message-digest and ESS signing-certificate-v2 (the
//! hash of the signer certificate, which B-B requires so that the certificate cannot be
//! swapped). No signing-time attribute: PAdES puts the claimed time in the signature
//! dictionary's `/M` and forbids the attribute. B-T adds an RFC 3161 signature timestamp token
//! over the signature value as an unsigned attribute.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::ContentInfo;
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier,
    SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier as Oid;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

use super::{Key, SignError};

pub(super) const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const ID_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
const ATTR_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const ATTR_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
pub(super) const ATTR_TIMESTAMP_TOKEN: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// RFC 5035 `IssuerSerial`.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// RFC 5035 `ESSCertIDv2`; the hash algorithm is SHA-256, the DEFAULT, so it is left out as
/// DER requires.
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

/// RFC 5035 `SigningCertificateV2` (no policies).
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

fn der_err(e: der::Error) -> SignError {
    SignError::Cms(e.to_string())
}

fn attribute(oid: Oid, value: Any) -> Result<Attribute, SignError> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(der_err)?;
    Ok(Attribute { oid, values })
}

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    }
}

/// The signed attributes over `digest` (SHA-256 of the signed bytes) for `signer`.
fn signed_attributes(digest: &[u8], signer: &Certificate) -> Result<SignedAttributes, SignError> {
    let cert_der = signer.to_der().map_err(der_err)?;
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(Sha256::digest(&cert_der).to_vec()).map_err(der_err)?,
            issuer_serial: IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    signer.tbs_certificate.issuer.clone(),
                )],
                serial_number: signer.tbs_certificate.serial_number.clone(),
            },
        }],
    };
    let mut attrs = SetOfVec::new();
    attrs
        .insert(attribute(
            ATTR_CONTENT_TYPE,
            Any::encode_from(&ID_DATA).map_err(der_err)?,
        )?)
        .map_err(der_err)?;
    attrs
        .insert(attribute(
            ATTR_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.to_vec()).map_err(der_err)?)
                .map_err(der_err)?,
        )?)
        .map_err(der_err)?;
    attrs
        .insert(attribute(
            ATTR_SIGNING_CERTIFICATE_V2,
            Any::encode_from(&ess).map_err(der_err)?,
        )?)
        .map_err(der_err)?;
    Ok(attrs)
}

/// A signer info whose signature value is computed; the unsigned attributes (a timestamp)
/// are added by [`assemble`].
pub(super) struct Signed {
    signer_info: SignerInfo,
}

impl Signed {
    /// The signature value, which a signature timestamp token covers.
    pub(super) fn signature_value(&self) -> &[u8] {
        self.signer_info.signature.as_bytes()
    }
}

/// Signs `digest` (SHA-256 of the ByteRange bytes) with `key` for the certificate `chain[0]`.
pub(super) fn sign_digest(
    digest: &[u8],
    key: &Key,
    chain: &[Certificate],
) -> Result<Signed, SignError> {
    let signer = chain
        .first()
        .ok_or_else(|| SignError::Cms("no signer certificate".into()))?;
    let attrs = signed_attributes(digest, signer)?;
    let to_sign = attrs.to_der().map_err(der_err)?;
    let (signature_algorithm, value) = key.sign(&to_sign)?;
    Ok(Signed {
        signer_info: SignerInfo {
            version: cms::content_info::CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: signer.tbs_certificate.issuer.clone(),
                serial_number: signer.tbs_certificate.serial_number.clone(),
            }),
            digest_alg: sha256_alg(),
            signed_attrs: Some(attrs),
            signature_algorithm,
            signature: OctetString::new(value).map_err(der_err)?,
            unsigned_attrs: None,
        },
    })
}

/// The algorithm identifier written for each key type: `rsaEncryption` (NULL parameters), as
/// most PAdES signers write it, or `ecdsa-with-SHA256`.
pub(super) fn rsa_algorithm() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: RSA_ENCRYPTION,
        parameters: Some(Any::null()),
    }
}

pub(super) fn ecdsa_algorithm() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ECDSA_SHA256,
        parameters: None,
    }
}

/// The DER `ContentInfo` of the SignedData, with the chain's certificates and, for B-T, the
/// signature timestamp token (a DER `ContentInfo` itself) as an unsigned attribute.
pub(super) fn assemble(
    signed: Signed,
    chain: &[Certificate],
    timestamp_token: Option<&[u8]>,
) -> Result<Vec<u8>, SignError> {
    let mut signer_info = signed.signer_info;
    if let Some(token) = timestamp_token {
        let token = Any::from_der(token).map_err(der_err)?;
        let mut unsigned = SetOfVec::new();
        unsigned
            .insert(attribute(ATTR_TIMESTAMP_TOKEN, token)?)
            .map_err(der_err)?;
        signer_info.unsigned_attrs = Some(unsigned);
    }
    let mut certificates = SetOfVec::new();
    for cert in chain {
        certificates
            .insert(CertificateChoices::Certificate(cert.clone()))
            .map_err(der_err)?;
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(sha256_alg()).map_err(der_err)?;
    let mut signer_infos = SetOfVec::new();
    signer_infos.insert(signer_info).map_err(der_err)?;
    let signed_data = SignedData {
        version: cms::content_info::CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certificates)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(der_err)?,
    }
    .to_der()
    .map_err(der_err)
}
