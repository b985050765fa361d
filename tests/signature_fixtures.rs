//! kyso agrees with pyHanko on every generated fixture and axis (testdata/signatures/expected.json,
//! written by testdata/generate/signatures.py).

use std::path::{Path, PathBuf};

use kyso::signature::{
    analyze_detached, analyze_pdf, RevocationStatus, Role, SignatureOptions, SignatureReport,
    TrustStatus,
};
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/signatures")
}

fn options(expected: &Value) -> SignatureOptions {
    let trust = Path::new(env!("CARGO_MANIFEST_DIR")).join(expected["trust"].as_str().unwrap());
    SignatureOptions::load(Some(&trust), None, expected["validation_time"].as_str()).unwrap()
}

fn json_str<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .unwrap()
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Known, explained differences: (file, field, axis) → why.
/// Known, explained differences: (file, field, axis) → why. None at present.
const KNOWN_DIFFERENCES: &[(&str, &str, &str, &str)] = &[];

fn check(file: &str, got: &SignatureReport, want: &Value, failures: &mut Vec<String>) {
    let field = want["field"].as_str().unwrap();
    let mut cmp = |axis: &str, got: Value| {
        let Some(w) = want.get(axis) else { return };
        if *w != got
            && !KNOWN_DIFFERENCES
                .iter()
                .any(|k| k.0 == file && k.1 == field && k.2 == axis)
        {
            failures.push(format!("{file} {field} {axis}: kyso {got}, pyHanko {w}"));
        }
    };
    cmp("signed", Value::Bool(got.signed));
    cmp("intact", Value::Bool(got.intact));
    cmp("valid", Value::Bool(got.valid));
    cmp(
        "coverage",
        got.coverage
            .map(|c| Value::String(json_str(&c)))
            .unwrap_or(Value::Null),
    );
    cmp(
        "modification_level",
        got.modification_level
            .map(|c| Value::String(json_str(&c)))
            .unwrap_or(Value::Null),
    );
    cmp(
        "trusted",
        Value::Bool(got.trust.status == TrustStatus::Trusted),
    );
    cmp("role", Value::String(json_str(&got.role)));
}

#[test]
fn kyso_agrees_with_pyhanko_on_every_fixture_and_axis() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap())
            .unwrap();
    let opts = options(&expected);
    let mut failures = Vec::new();
    let mut compared = 0;
    for (file, sigs) in expected["files"].as_object().unwrap() {
        let reports = if let Some(content) = file.strip_suffix(".p7s") {
            let c = std::fs::read(dir().join(content)).unwrap();
            let cms = std::fs::read(dir().join(file)).unwrap();
            vec![analyze_detached(&c, &cms, &opts)]
        } else {
            analyze_pdf(&std::fs::read(dir().join(file)).unwrap(), &opts)
        };
        let sigs = sigs.as_array().unwrap();
        if reports.len() != sigs.len() {
            failures.push(format!(
                "{file}: kyso found {} fields, pyHanko {}",
                reports.len(),
                sigs.len()
            ));
            continue;
        }
        for want in sigs {
            let field = want["field"].as_str().unwrap();
            match reports.iter().find(|r| r.field == field) {
                Some(got) => {
                    compared += 1;
                    check(file, got, want, &mut failures);
                }
                None => failures.push(format!("{file}: field {field:?} not found by kyso")),
            }
        }
    }
    assert!(compared >= 16, "only {compared} signatures compared");
    assert!(
        failures.is_empty(),
        "disagreements with pyHanko:\n{}",
        failures.join("\n")
    );
}

#[test]
fn later_changes_are_listed_by_kind() {
    let opts = SignatureOptions::default();
    let r = analyze_pdf(
        &std::fs::read(dir().join("content_changed_after_signing.pdf")).unwrap(),
        &opts,
    );
    assert!(r[0].modified_after_signing);
    assert!(
        r[0].modifications
            .iter()
            .any(|m| json_str(&m.kind) == "page_content"),
        "{:?}",
        r[0].modifications
    );
    let r = analyze_pdf(
        &std::fs::read(dir().join("two_signatures.pdf")).unwrap(),
        &opts,
    );
    assert!(r[0]
        .modifications
        .iter()
        .all(|m| json_str(&m.kind) == "signature"));
    assert_eq!(r[1].modifications, vec![]);
}

#[test]
fn without_trust_roots_trust_is_unknown_and_roles_still_classified() {
    let r = analyze_pdf(
        &std::fs::read(dir().join("two_signatures.pdf")).unwrap(),
        &SignatureOptions::default(),
    );
    assert!(r.iter().all(|s| s.trust.status == TrustStatus::Unknown));
    assert_eq!(r[0].role, Role::Personal);
    assert_eq!(r[1].role, Role::Organisation);
    // The fixtures carry no CRL or OCSP response, and kyso fetches none.
    assert_eq!(r[0].revocation.status, RevocationStatus::Unknown);
    assert!(
        r[0].revocation.reason.contains("no CRL or OCSP response"),
        "{:?}",
        r[0].revocation
    );
}

#[test]
fn expired_certificate_is_untrusted_with_that_reason() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap())
            .unwrap();
    let r = analyze_pdf(
        &std::fs::read(dir().join("expired_cert.pdf")).unwrap(),
        &options(&expected),
    );
    assert_eq!(r[0].trust.status, TrustStatus::Untrusted);
    assert!(
        r[0].trust.reason.contains("expired"),
        "{}",
        r[0].trust.reason
    );
}

#[test]
fn role_rules_override_the_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = tmp.path().join("roles.json");
    std::fs::write(
        &rules,
        r#"[{"cn_contains": "nguyen van an", "role": "organisation"}]"#,
    )
    .unwrap();
    let opts = SignatureOptions::load(None, Some(&rules), None).unwrap();
    let r = analyze_pdf(
        &std::fs::read(dir().join("single_personal.pdf")).unwrap(),
        &opts,
    );
    assert_eq!(r[0].role, Role::Organisation);
    assert!(r[0].role_reason.starts_with("rule 1"));
}

#[test]
fn every_byte_flip_inside_the_signed_ranges_breaks_intact() {
    // Flip bytes across a signed file: never a panic, and a flipped signed byte is never intact.
    let bytes = std::fs::read(dir().join("single_personal.pdf")).unwrap();
    let br = analyze_pdf(&bytes, &SignatureOptions::default())[0]
        .byte_range
        .clone()
        .unwrap();
    let (gap_start, gap_end) = (br[1] as usize, br[2] as usize);
    let opts = SignatureOptions::default();
    for i in (0..bytes.len()).step_by(61) {
        let mut b = bytes.clone();
        b[i] ^= 0x20;
        for r in analyze_pdf(&b, &opts) {
            let _ = serde_json::to_string(&r).unwrap();
            if i < gap_start || i >= gap_end {
                assert!(!r.intact, "byte {i} flipped but {} is intact", r.field);
            }
        }
    }
}

/// Replaces the first occurrence of `from` with `to` padded with spaces to the same length, so
/// every offset in the file stays where it was (as a forger would).
fn forge(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let pos = bytes.windows(from.len()).position(|w| w == from).unwrap();
    let end = pos + bytes[pos..].iter().position(|&c| c == b']').unwrap() + 1;
    let mut replacement = to.to_vec();
    assert!(replacement.len() <= end - pos);
    replacement.resize(end - pos, b' ');
    let mut out = bytes[..pos].to_vec();
    out.extend_from_slice(&replacement);
    out.extend_from_slice(&bytes[end..]);
    out
}

#[test]
fn universal_signature_forgery_variants_are_never_valid() {
    let bytes = std::fs::read(dir().join("single_personal.pdf")).unwrap();
    let opts = SignatureOptions::default();
    for forged in [
        forge(&bytes, b"/ByteRange", b"/ByteRange [0 0 0 0]"),
        forge(&bytes, b"/ByteRange", b"/ByteRange []"),
        forge(&bytes, b"/ByteRange", b"/ByteRange [0 10 20 30]"),
        forge(&bytes, b"/ByteRange", b"/ByteRange [-1 10 20 30]"),
        forge(&bytes, b"/ByteRange", b"/ByteRangX []"),
    ] {
        let reports = analyze_pdf(&forged, &opts);
        for r in &reports {
            assert!(
                !(r.intact && r.valid),
                "forged ByteRange accepted: {:?}",
                r.byte_range
            );
            assert_ne!(r.coverage, Some(kyso::signature::Coverage::EntireFile));
        }
    }
}
