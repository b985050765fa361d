//! Revocation and long-term validation on the fixtures of testdata/signatures/revocation/
//! (made by testdata/generate/revocation.py with pyHanko and `cryptography`, on the
//! Vietnamese-shaped test PKI of testdata/pki-vn/): the status of the chain, the verdict that
//! follows, the PAdES level met, and the roles of the Vietnamese subjects.

use std::path::PathBuf;

use kyso::signature::{
    analyze_pdf, PadesLevel, RevocationStatus, Role, SignatureOptions, SignatureReport, TrustStatus,
};
use kyso::verdict::signature_problem;
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/signatures/revocation")
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap()).unwrap()
}

fn options(expected: &Value) -> SignatureOptions {
    let trust = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(expected["trust"].as_str().unwrap());
    SignatureOptions::load(Some(&trust), None, expected["validation_time"].as_str()).unwrap()
}

fn report(name: &str, options: &SignatureOptions) -> SignatureReport {
    let reports = analyze_pdf(&std::fs::read(dir().join(name)).unwrap(), options);
    let signed: Vec<_> = reports.into_iter().filter(|r| r.signed).collect();
    assert_eq!(signed.len(), 1, "{name}: one signature");
    signed.into_iter().next().unwrap()
}

fn status_name(s: RevocationStatus) -> String {
    serde_json::to_value(s)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn revocation_status_and_verdict_are_right_on_every_fixture() {
    let expected = expected();
    let options = options(&expected);
    let mut wrong = Vec::new();
    for (name, want) in expected["files"].as_object().unwrap() {
        let r = report(name, &options);
        let py = &want["pyhanko"];
        if py["intact"] != r.intact || py["valid"] != r.valid {
            wrong.push(format!(
                "{name}: intact/valid {}/{} but pyHanko {}/{}",
                r.intact, r.valid, py["intact"], py["valid"]
            ));
        }
        if status_name(r.revocation.status) != want["revocation"].as_str().unwrap() {
            wrong.push(format!(
                "{name}: revocation {:?}, want {}",
                r.revocation, want["revocation"]
            ));
        }
        let counts = signature_problem(&r, true).is_none();
        let must = want["kyso_must"].as_str().unwrap() == "counts";
        if counts != must {
            wrong.push(format!(
                "{name}: counts={counts}, want {must} ({:?}; trust {:?})",
                signature_problem(&r, true),
                r.trust
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_revoked_certificate_names_its_date_and_the_signature_timestamp_decides() {
    let expected = expected();
    let options = options(&expected);
    let ts = expected["signature_timestamp_time"].as_str().unwrap();

    let before = report("revoked_before_signing.pdf", &options);
    assert_eq!(before.revocation.status, RevocationStatus::Revoked);
    assert!(before.revocation.date.as_deref().unwrap() < ts);
    assert!(!before.revocation.signed_before_revocation);
    assert!(before.revocation.blocks());
    assert_eq!(
        before.trust.status,
        TrustStatus::Untrusted,
        "revoked: not trusted"
    );
    assert!(before.revocation.certificates[0].detail.contains("CRL"));

    let after = report("revoked_after_signing.pdf", &options);
    assert_eq!(after.revocation.status, RevocationStatus::Revoked);
    assert!(after.revocation.date.as_deref().unwrap() > ts);
    assert!(after.revocation.signed_before_revocation);
    assert!(after.revocation.certificates[0].detail.contains("OCSP"));
    assert_eq!(after.trust.status, TrustStatus::Trusted);

    // The same OCSP data without a signature timestamp: the signer's own signingTime proves
    // nothing, so the revocation wins.
    let no_ts = report("revoked_after_no_timestamp.pdf", &options);
    assert!(no_ts.timestamp.is_none());
    assert!(no_ts.revocation.blocks());
}

#[test]
fn before_the_revocation_date_the_certificate_was_good() {
    // At the signature timestamp's time the OCSP response (produced later) did not exist yet,
    // and the CRL says nothing against the certificate: validating then is not "revoked".
    let expected = expected();
    let ts = expected["signature_timestamp_time"].as_str().unwrap();
    let trust = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(expected["trust"].as_str().unwrap());
    let options = SignatureOptions::load(Some(&trust), None, Some(ts)).unwrap();
    let r = report("revoked_after_signing.pdf", &options);
    assert_ne!(
        r.revocation.status,
        RevocationStatus::Revoked,
        "{:?}",
        r.revocation
    );
}

#[test]
fn every_chain_certificate_below_the_root_is_checked_and_ltv_levels_are_met() {
    let expected = expected();
    let options = options(&expected);
    let good = report("good.pdf", &options);
    assert_eq!(good.revocation.status, RevocationStatus::Good);
    // Leaf (OCSP) and intermediate (CRL from the root); the root vouches for itself.
    assert_eq!(
        good.revocation.certificates.len(),
        2,
        "{:?}",
        good.revocation
    );
    assert!(good
        .revocation
        .certificates
        .iter()
        .all(|c| c.status == RevocationStatus::Good));
    assert!(good.timestamp.is_some(), "signature timestamp verified");
    assert_eq!(good.pades_level, Some(PadesLevel::BLt));

    let none = report("no_revocation_data.pdf", &options);
    assert_eq!(none.revocation.status, RevocationStatus::Unknown);
    assert!(none.revocation.reason.contains("no CRL or OCSP response"));
    assert_eq!(none.pades_level, Some(PadesLevel::BT), "no DSS: B-T");
}

#[test]
fn vietnamese_subjects_keep_their_roles() {
    let expected = expected();
    let options = options(&expected);
    let person = report("good.pdf", &options);
    assert_eq!(person.role, Role::Personal, "{}", person.role_reason);
    let signer = person.signer.unwrap();
    assert_eq!(signer.serial_number.as_deref(), Some("CCCD:024190001234"));
    assert_eq!(signer.title.as_deref(), Some("Chánh Văn phòng"));
    let org = report("organisation_good.pdf", &options);
    assert_eq!(org.role, Role::Organisation, "{}", org.role_reason);
    assert_eq!(
        org.signer.unwrap().serial_number.as_deref(),
        Some("MST:2400123456")
    );
}

#[test]
fn embedded_data_past_its_next_update_no_longer_says_good() {
    // good.pdf's CRL and OCSP response promise a next update 90 days after they were issued;
    // 100 days after the usual validation time that promise has lapsed: the status is unknown,
    // and the report says the data is stale rather than "no data".
    let expected = expected();
    let at = kyso::signature::parse_rfc3339(expected["validation_time"].as_str().unwrap()).unwrap()
        + std::time::Duration::from_secs(100 * 86_400);
    let at = der::DateTime::from_unix_duration(at.duration_since(std::time::UNIX_EPOCH).unwrap())
        .unwrap()
        .to_string();
    let trust = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(expected["trust"].as_str().unwrap());
    let options = SignatureOptions::load(Some(&trust), None, Some(&at)).unwrap();
    let r = report("good.pdf", &options);
    assert_eq!(
        r.revocation.status,
        RevocationStatus::Unknown,
        "{:?}",
        r.revocation
    );
    for c in &r.revocation.certificates {
        assert_eq!(c.status, RevocationStatus::Unknown, "{c:?}");
        assert!(c.detail.contains("is stale"), "{}", c.detail);
    }
    assert_ne!(
        r.pades_level,
        Some(PadesLevel::BLt),
        "B-LT needs usable data"
    );
}
