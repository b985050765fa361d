//! `--fetch-revocation` (off by default): for a certificate of the chain whose status the
//! file's own data leaves unknown, ask its OCSP responder (authority information access) and
//! download its CRLs (CRL distribution points, then freshest-CRL pointers to delta CRLs).
//!
//! What comes back is checked exactly as embedded data is (signer, CertID, freshness; see
//! `revocation.rs` and `crl.rs`), with one difference: it is the CA's current word, so it may
//! have been issued after the validation time (see `Provenance`). Only `http://` URLs are
//! fetched: CRLs and OCSP responses are signed, CAs publish them over plain HTTP (RFC 5280
//! §4.2.1.13, RFC 6960 appendix A), and kyso is built without a TLS stack; an `https://` or
//! `ldap://` URL is reported, not fetched. Each request has a time limit and a size limit, and
//! each URL is fetched once per run (CRLs are shared by every certificate of an issuer).
//! Proxies come from the environment (`HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`), or from
//! [`FetchOptions::proxy`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use const_oid::ObjectIdentifier as Oid;
use der::asn1::OctetString;
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::AuthorityInfoAccessSyntax;
use x509_cert::Certificate;
use x509_ocsp::{CertId, OcspRequest, Request, TbsRequest};

use super::algorithms::DigestAlg;
use super::revocation::{status_of, CertRevocation, Material, Provenance, RevocationStatus};

const AUTHORITY_INFO_ACCESS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");
const AD_OCSP: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1");
const ID_SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");

/// Limits of network fetching.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// For one request, connection to last byte.
    pub timeout: Duration,
    /// A response larger than this is refused (a CA's CRL is rarely over a few MiB).
    pub max_bytes: u64,
    /// An HTTP proxy (`http://host:port`); `None`: the environment's, if any.
    pub proxy: Option<String>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            timeout: Duration::from_secs(15),
            max_bytes: 16 << 20,
            proxy: None,
        }
    }
}

/// A request (URL, OCSP request body or empty for a GET) and what it gave.
type Cache = HashMap<(String, Vec<u8>), Result<Arc<Vec<u8>>, String>>;

/// The HTTP client and the run's cache of responses (and failures) by URL and request.
pub struct Fetcher {
    options: FetchOptions,
    agent: ureq::Agent,
    cache: Mutex<Cache>,
    requests: AtomicUsize,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("options", &self.options)
            .field("requests", &self.requests())
            .finish()
    }
}

impl Fetcher {
    /// A client with these limits; fails only on a malformed proxy URL.
    pub fn new(options: FetchOptions) -> Result<Self, String> {
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .max_redirects(3);
        if let Some(p) = &options.proxy {
            let proxy = ureq::Proxy::new(p).map_err(|e| format!("proxy {p:?}: {e}"))?;
            config = config.proxy(Some(proxy));
        }
        Ok(Fetcher {
            agent: config.build().into(),
            options,
            cache: Mutex::new(HashMap::new()),
            requests: AtomicUsize::new(0),
        })
    }

    /// How many HTTP requests were made so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// `cert`'s status from its OCSP responder, else from its CRLs; `embedded` (the unknown
    /// status from the file's data) is returned with what fetching found added to its detail
    /// when neither tells.
    pub(super) fn status(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        at: u64,
        known_certs: &[Certificate],
        embedded: CertRevocation,
    ) -> CertRevocation {
        let mut notes = Vec::new();
        let ocsp_urls = ocsp_uris(cert);
        let crl_urls = super::crl::crl_uris(cert);
        if ocsp_urls.is_empty() && crl_urls.is_empty() {
            notes.push(
                "the certificate names no OCSP responder and no CRL distribution point".into(),
            );
        }
        let base = Material {
            certs: known_certs.to_vec(),
            ..Material::default()
        };
        if !ocsp_urls.is_empty() {
            match ocsp_request(cert, issuer) {
                Ok(request) => {
                    for url in &ocsp_urls {
                        match self.fetch(url, Some(&request)) {
                            Ok(body) => {
                                let mut m = base.clone();
                                m.add_ocsp_der(&body, format!("OCSP responder {url}"));
                                notes.append(&mut m.problems);
                                let s = status_of(cert, issuer, &m, at, Provenance::Fetched);
                                if s.status != RevocationStatus::Unknown {
                                    return s;
                                }
                                notes.push(s.detail);
                            }
                            Err(e) => notes.push(format!("OCSP {url}: {e}")),
                        }
                    }
                }
                Err(e) => notes.push(format!("no OCSP request could be made: {e}")),
            }
        }
        if !crl_urls.is_empty() {
            let mut m = base;
            for url in &crl_urls {
                match self.fetch(url, None) {
                    Ok(body) => m.add_crl_der(&body, format!("download of {url}")),
                    Err(e) => notes.push(format!("CRL {url}: {e}")),
                }
            }
            notes.append(&mut m.problems);
            if !m.crls.is_empty() {
                let s = status_of(cert, issuer, &m, at, Provenance::Fetched);
                if s.status != RevocationStatus::Unknown {
                    return s;
                }
                notes.push(s.detail);
            }
        }
        CertRevocation {
            detail: format!(
                "{}; --fetch-revocation: {}",
                embedded.detail,
                notes.join("; ")
            ),
            ..embedded
        }
    }

    /// GET `url`, or POST `ocsp_request` to it; from the cache when asked before.
    fn fetch(&self, url: &str, ocsp_request: Option<&[u8]>) -> Result<Arc<Vec<u8>>, String> {
        let key = (
            url.to_string(),
            ocsp_request.map(<[u8]>::to_vec).unwrap_or_default(),
        );
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let result = self.fetch_uncached(url, ocsp_request).map(Arc::new);
        if let Ok(mut c) = self.cache.lock() {
            c.insert(key, result.clone());
        }
        result
    }

    fn fetch_uncached(&self, url: &str, ocsp_request: Option<&[u8]>) -> Result<Vec<u8>, String> {
        let scheme = url.split(':').next().unwrap_or("").to_ascii_lowercase();
        match scheme.as_str() {
            "http" => {}
            "https" => {
                return Err(
                    "not fetched: kyso fetches plain http:// only (it is built without \
                            TLS; CRLs and OCSP responses are signed, and CAs serve them over \
                            http://)"
                        .into(),
                )
            }
            _ => return Err("not fetched: only http:// URLs are".into()),
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let sent = match ocsp_request {
            Some(body) => self
                .agent
                .post(url)
                .header("Content-Type", "application/ocsp-request")
                .send(body),
            None => self.agent.get(url).call(),
        };
        let mut response = sent.map_err(|e| self.describe(e))?;
        response
            .body_mut()
            .with_config()
            .limit(self.options.max_bytes)
            .read_to_vec()
            .map_err(|e| self.describe(e))
    }

    fn describe(&self, e: ureq::Error) -> String {
        match e {
            ureq::Error::BodyExceedsLimit(_) => format!(
                "the response is larger than the limit of {} bytes",
                self.options.max_bytes
            ),
            ureq::Error::Timeout(_) => format!(
                "no complete response within {} s",
                self.options.timeout.as_secs_f32()
            ),
            ureq::Error::StatusCode(code) => format!("HTTP status {code}"),
            other => format!("could not fetch: {other}"),
        }
    }
}

/// The `http(s)://…` locations of `cert`'s OCSP responders.
fn ocsp_uris(cert: &Certificate) -> Vec<String> {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == AUTHORITY_INFO_ACCESS)
        .filter_map(|e| AuthorityInfoAccessSyntax::from_der(e.extn_value.as_bytes()).ok())
        .flat_map(|aia| aia.0)
        .filter(|ad| ad.access_method == AD_OCSP)
        .filter_map(|ad| match ad.access_location {
            GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
            _ => None,
        })
        .collect()
}

/// An unsigned OCSP request for `cert`, its CertID hashed with SHA-1 as every responder
/// accepts (RFC 5019 §2.1.1). No nonce: most responders serve pre-produced responses, so
/// freshness is judged from the response's own times.
fn ocsp_request(cert: &Certificate, issuer: &Certificate) -> Result<Vec<u8>, String> {
    let name = issuer
        .tbs_certificate
        .subject
        .to_der()
        .map_err(|e| e.to_string())?;
    let key = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let octets = |b: Vec<u8>| OctetString::new(b).map_err(|e| e.to_string());
    let cert_id = CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ID_SHA1,
            parameters: Some(der::Any::null()),
        },
        issuer_name_hash: octets(DigestAlg::Sha1.digest(&[&name]))?,
        issuer_key_hash: octets(DigestAlg::Sha1.digest(&[key]))?,
        serial_number: cert.tbs_certificate.serial_number.clone(),
    };
    OcspRequest {
        tbs_request: TbsRequest {
            request_list: vec![Request {
                req_cert: cert_id,
                single_request_extensions: None,
            }],
            ..TbsRequest::default()
        },
        optional_signature: None,
    }
    .to_der()
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_is_fetched() {
        let f = Fetcher::new(FetchOptions::default()).unwrap();
        for url in [
            "https://ca.example/x.crl",
            "ldap://ca.example/cn=x?certificateRevocationList",
            "file:///etc/passwd",
        ] {
            let e = f.fetch(url, None).unwrap_err();
            assert!(e.starts_with("not fetched"), "{url}: {e}");
        }
        assert_eq!(f.requests(), 0, "nothing was sent");
    }

    #[test]
    fn a_bad_proxy_is_refused_up_front() {
        let options = FetchOptions {
            proxy: Some("::not a url::".into()),
            ..FetchOptions::default()
        };
        assert!(Fetcher::new(options).is_err());
    }
}
