//! RFC 3161 time-stamp requests (`--tsa-url`): the signature timestamp that makes a PAdES
//! signature B-T. One HTTP POST per signature; the network is used only when asked for.

use std::time::Duration;

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::asn1::{Int, OctetString};
use der::{Any, Decode, Encode};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

use super::SignError;

const ID_SHA256: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// A token with its TSA certificate is a few KiB; anything near this is not a token.
const MAX_RESPONSE: u64 = 1 << 20;

/// Asks the TSA at `url` for a token over `signature_value` and returns the token (a DER
/// `ContentInfo`), after checking that it answers this request: status granted, the imprint
/// is the SHA-256 of the signature value and the nonce is ours.
pub(super) fn timestamp(url: &str, signature_value: &[u8]) -> Result<Vec<u8>, SignError> {
    let imprint = Sha256::digest(signature_value).to_vec();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let bad = |what: &str| SignError::Timestamp {
        url: url.to_string(),
        message: what.to_string(),
    };
    let nonce = nonce(&imprint, nanos).map_err(|e| bad(&e.to_string()))?;
    let request = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifier {
                oid: ID_SHA256,
                parameters: Some(Any::null()),
            },
            hashed_message: OctetString::new(imprint.clone()).map_err(|e| bad(&e.to_string()))?,
        },
        req_policy: None,
        nonce: Some(nonce.clone()),
        cert_req: true,
        extensions: None,
    }
    .to_der()
    .map_err(|e| bad(&e.to_string()))?;

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .send(&request[..])
        .map_err(|e| bad(&e.to_string()))?;
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE)
        .read_to_vec()
        .map_err(|e| bad(&e.to_string()))?;
    let reply = TimeStampResp::from_der(&body)
        .map_err(|e| bad(&format!("the reply is not a TimeStampResp: {e}")))?;
    // granted (0) or grantedWithMods (1)
    if reply.status.status as u8 > 1 {
        return Err(bad(&format!(
            "the TSA refused the request (status {:?})",
            reply.status.status
        )));
    }
    let token = reply
        .time_stamp_token
        .ok_or_else(|| bad("the reply carries no token"))?;
    let tst = tst_info(&token).ok_or_else(|| bad("the token holds no TSTInfo"))?;
    if tst.message_imprint.hashed_message.as_bytes() != imprint.as_slice() {
        return Err(bad("the token's imprint is not the signature's"));
    }
    if tst.nonce.as_ref() != Some(&nonce) {
        return Err(bad("the token's nonce is not the request's"));
    }
    token.to_der().map_err(|e| bad(&e.to_string()))
}

/// A request nonce from the imprint and the clock: it only has to be unpredictable enough to
/// tie the reply to this request. It must be a positive INTEGER in minimal DER form: a first
/// byte of 0x00 is a non-minimal encoding, which the TSA re-encodes, so the nonce in its token
/// no longer matched ours (about one request in 128 failed that way). The first byte is
/// therefore kept in 0x01..=0x7f.
fn nonce(imprint: &[u8], nanos: u128) -> der::Result<Int> {
    let mut hash = Sha256::new();
    hash.update(imprint);
    hash.update(nanos.to_be_bytes());
    let mut bytes = hash.finalize()[..8].to_vec();
    bytes[0] = (bytes[0] & 0x7f).max(1);
    Int::new(&bytes)
}

/// The TSTInfo a token encapsulates.
pub(super) fn tst_info(token: &ContentInfo) -> Option<TstInfo> {
    let signed = SignedData::from_der(&token.content.to_der().ok()?).ok()?;
    let content = signed.encap_content_info.econtent?;
    let octets = OctetString::from_der(&content.to_der().ok()?).ok()?;
    TstInfo::from_der(octets.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the hash gives, the nonce is positive and survives a strict DER round trip
    /// unchanged, as it must to match the copy the TSA puts in its token.
    #[test]
    fn every_nonce_is_a_positive_integer_in_minimal_der() {
        let mut first_bytes = std::collections::BTreeSet::new();
        for nanos in 0..4096u128 {
            let n = nonce(b"imprint", nanos).unwrap();
            let bytes = n.as_bytes();
            first_bytes.insert(bytes[0]);
            assert!(bytes[0] & 0x80 == 0, "negative nonce {bytes:02x?}");
            let again = Int::from_der(&n.to_der().unwrap())
                .unwrap_or_else(|e| panic!("{bytes:02x?} is not minimal DER: {e}"));
            assert_eq!(again, n);
        }
        // The hash reached the values that once broke the encoding.
        assert!(first_bytes.contains(&1), "{first_bytes:?}");
    }
}
