//! The fingerprint of a scan's options: what the catalog compares to decide whether an earlier
//! record still stands and whether shards can be merged.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::ScanConfig;

/// The options that change what a record says, and their hash. Two runs with the same
/// fingerprint produce the same record for the same bytes (elapsed time aside), so a document
/// whose bytes and fingerprint are unchanged need not be processed again, and shards with the
/// same fingerprint can be merged.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    /// Every option by name (sorted), as stored in the catalog's `meta.options`.
    pub options: BTreeMap<String, serde_json::Value>,
    pub hash: String,
}

impl Fingerprint {
    pub fn new(options: BTreeMap<String, serde_json::Value>) -> Self {
        let canonical = serde_json::to_string(&options).unwrap_or_default();
        let hash = hex::encode(Sha256::digest(canonical.as_bytes()))[..16].to_string();
        Fingerprint { options, hash }
    }

    pub fn kyso_version() -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

/// The fingerprint of a scan's options: everything that changes a record (OCR mode,
/// languages and engine version, outputs, preprocessing, limits, trust roots by content, role
/// rules, `--at`, `--fetch-revocation`, kyso's version), and nothing that does not (`--jobs`, `--quiet`, the
/// selection flags `--hidden`, `--exclude`, `--shard`). Without `--at`, certificates are
/// checked "now", which is recorded as such: a re-run does not re-check unchanged documents
/// because time has passed.
pub fn scan_fingerprint(
    config: &ScanConfig,
    engine: Option<&crate::ocr::EngineInfo>,
) -> Fingerprint {
    use serde_json::json;
    let digests = |certs: &[x509_cert::Certificate]| {
        let mut d: Vec<String> = certs
            .iter()
            .map(|c| {
                let der = der::Encode::to_der(c).unwrap_or_default();
                hex::encode(Sha256::digest(&der))[..16].to_string()
            })
            .collect();
        d.sort();
        d
    };
    let trust = digests(&config.signature.trust_roots);
    // A trust profile's intermediates complete chains, so they change verdicts too.
    let intermediates = digests(&config.signature.trust_intermediates);
    let roles = config
        .signature
        .role_rules
        .as_ref()
        .map(|r| hex::encode(Sha256::digest(format!("{r:?}").as_bytes()))[..16].to_string());
    let at = config
        .signature
        .validation_time
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs());
    let ocr = &config.ocr;
    let mut options = BTreeMap::new();
    let mut put = |k: &str, v: serde_json::Value| {
        options.insert(k.to_string(), v);
    };
    put("kyso_version", json!(Fingerprint::kyso_version()));
    put("ocr", json!(if ocr.enabled { "full" } else { "none" }));
    if ocr.enabled {
        put("lang", json!(ocr.langs));
        put(
            "engine",
            json!(engine.map(|e| format!("{} {}", e.name, e.version))),
        );
        put("redo_ocr", json!(ocr.redo));
        put("preprocess", json!(format!("{:?}", ocr.preprocess)));
    }
    // Text files are written from text layers even without OCR.
    put("outputs", json!(format!("{:?}", ocr.outputs)));
    put("max_pixels", json!(config.limits.max_pixels));
    put("max_pages", json!(config.limits.max_pages));
    put("max_stream_bytes", json!(config.limits.max_stream_bytes));
    put("trust_roots", json!(trust));
    if !intermediates.is_empty() {
        put("trust_intermediates", json!(intermediates));
    }
    put("trust_given", json!(config.trust_roots_given));
    put("roles", json!(roles));
    // The archive copies change with who signs them (by certificate, not by file path).
    if let Some(signer) = &config.archive_signer {
        put("archive_signer", json!(signer.fingerprint()));
    }
    put("at", json!(at));
    // Fetched revocation data can change a verdict (a revoked certificate found on the network).
    // Absent when off, so catalogs written before the flag existed keep their fingerprint.
    if config.signature.fetch.is_some() {
        put("fetch_revocation", json!(true));
    }
    Fingerprint::new(options)
}
