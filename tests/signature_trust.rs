//! `--trust` with a trust profile file (docs/trust.md): roots and intermediates with their
//! purpose and SHA-256 fingerprints, on the Vietnamese-shaped test PKI of testdata/pki-vn/.

use std::path::{Path, PathBuf};

use kyso::signature::{analyze_pdf, SignatureError, SignatureOptions, TrustStatus};

fn pki() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/pki-vn")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/signatures/revocation")
            .join(name),
    )
    .unwrap()
}

fn validation_time() -> String {
    let v: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("testdata/signatures/revocation/expected.json"),
        )
        .unwrap(),
    )
    .unwrap();
    v["validation_time"].as_str().unwrap().to_string()
}

fn load(profile: &Path) -> Result<SignatureOptions, SignatureError> {
    SignatureOptions::load(Some(profile), None, Some(&validation_time()))
}

/// A profile in a temporary folder, next to copies of the test PKI's certificates.
fn temp_profile(body: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for f in ["root.cert.pem", "sub.cert.pem"] {
        std::fs::copy(pki().join(f), dir.path().join(f)).unwrap();
    }
    let p = dir.path().join("profile.toml");
    std::fs::write(&p, body).unwrap();
    (dir, p)
}

#[test]
fn the_shipped_profile_loads_roots_and_intermediates_and_trusts_through_them() {
    let options = load(&pki().join("profile.toml")).unwrap();
    assert_eq!(options.trust_roots.len(), 1);
    assert_eq!(options.trust_intermediates.len(), 1);
    assert_eq!(options.trust_profile.as_deref(), Some("kyso-test-vn"));
    let r = analyze_pdf(&fixture("good.pdf"), &options);
    let sig = r.iter().find(|r| r.signed).unwrap();
    assert_eq!(sig.trust.status, TrustStatus::Trusted, "{:?}", sig.trust);
    assert!(sig.trust.reason.contains("profile kyso-test-vn"));
}

#[test]
fn an_intermediate_is_not_an_anchor() {
    // Only the subordinate CA, as an intermediate: nothing to anchor the chain to.
    let (_dir, p) = temp_profile(
        "name = \"only-sub\"\n[[certificate]]\nfile = \"sub.cert.pem\"\npurpose = \"intermediate\"\n",
    );
    assert!(matches!(
        load(&p),
        Err(SignatureError::BadCertificate { .. })
    ));
    // The subordinate CA as a root: then it is the anchor.
    let (_dir, p) = temp_profile(
        "name = \"sub-as-root\"\n[[certificate]]\nfile = \"sub.cert.pem\"\npurpose = \"root\"\n",
    );
    let options = load(&p).unwrap();
    let r = analyze_pdf(&fixture("good.pdf"), &options);
    let sig = r.iter().find(|r| r.signed).unwrap();
    assert_eq!(sig.trust.status, TrustStatus::Trusted);
    assert!(
        sig.trust.reason.contains("Kyso Test CA"),
        "{}",
        sig.trust.reason
    );
}

#[test]
fn a_wrong_fingerprint_or_purpose_is_refused_at_load() {
    let (_dir, p) = temp_profile(
        "name = \"x\"\n[[certificate]]\nfile = \"root.cert.pem\"\npurpose = \"root\"\nsha256 = \"00:11\"\n",
    );
    let err = load(&p).unwrap_err().to_string();
    assert!(err.contains("fingerprint"), "{err}");
    let (_dir, p) = temp_profile(
        "name = \"x\"\n[[certificate]]\nfile = \"root.cert.pem\"\npurpose = \"boss\"\n",
    );
    assert!(load(&p).unwrap_err().to_string().contains("purpose"));
}
