//! BER-encoded CMS (testdata/signatures/ber/, made by testdata/generate/ber.py from a pyHanko
//! signature): read as RFC 5652 allows, reported as BER, and judged as pyHanko judges it; and
//! signed attributes out of DER order are verified as encoded (pyHanko), not re-sorted
//! (EU DSS), as docs/signatures.md decides.

use std::path::PathBuf;

use kyso::signature::{analyze_pdf, CmsEncoding, SignatureOptions, TrustStatus};
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/signatures/ber")
}

#[test]
fn ber_and_unsorted_cms_agree_with_pyhanko_and_say_how_they_are_encoded() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap())
            .unwrap();
    let trust = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(expected["trust"].as_str().unwrap());
    let options =
        SignatureOptions::load(Some(&trust), None, expected["validation_time"].as_str()).unwrap();
    let mut wrong = Vec::new();
    for (name, want) in expected["files"].as_object().unwrap() {
        let reports = analyze_pdf(&std::fs::read(dir().join(name)).unwrap(), &options);
        let r = reports.iter().find(|r| r.signed).unwrap();
        let trusted = r.trust.status == TrustStatus::Trusted;
        if want["intact"] != r.intact || want["valid"] != r.valid || want["trusted"] != trusted {
            wrong.push(format!(
                "{name}: kyso intact/valid/trusted {}/{}/{trusted}, pyHanko {want}; {:?}",
                r.intact, r.valid, r.problems
            ));
        }
        let want_encoding = if name.starts_with("ber_") {
            CmsEncoding::Ber
        } else {
            CmsEncoding::Der
        };
        if r.cms_encoding != Some(want_encoding) {
            wrong.push(format!("{name}: cms_encoding {:?}", r.cms_encoding));
        }
        if name.starts_with("unsorted")
            && !r
                .problems
                .iter()
                .any(|p| p.contains("not in DER (sorted) order"))
        {
            wrong.push(format!(
                "{name}: the order is not reported: {:?}",
                r.problems
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The DER original is reported as DER.
    let src = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/signatures/single_personal.pdf"),
    )
    .unwrap();
    let r = analyze_pdf(&src, &options);
    assert_eq!(r[0].cms_encoding, Some(CmsEncoding::Der));
}

#[test]
fn a_ber_signature_whose_bytes_changed_is_not_intact() {
    let mut bytes = std::fs::read(dir().join("ber_indefinite.pdf")).unwrap();
    // Flip a byte of the first signed range, past the header.
    bytes[200] ^= 0x01;
    let r = analyze_pdf(&bytes, &SignatureOptions::default());
    let sig = r.iter().find(|r| r.signed).unwrap();
    assert!(!sig.intact);
    assert_eq!(sig.cms_encoding, Some(CmsEncoding::Ber));
}

#[test]
fn damaged_ber_cms_never_panics() {
    // The CMS of the BER fixture, cut short and with bytes flipped everywhere: each must give a
    // report (malformed or not valid), never a panic.
    let pdf = std::fs::read(dir().join("ber_segmented.pdf")).unwrap();
    let r = analyze_pdf(&pdf, &SignatureOptions::default());
    let br = r[0].byte_range.clone().unwrap();
    let hex_digits = &pdf[br[1] as usize + 1..br[2] as usize - 1];
    let cms = hex::decode(hex_digits).unwrap();
    let used = cms.iter().rposition(|&b| b != 0).unwrap() + 1;
    let content = b"content";
    for cut in (0..used).step_by(7) {
        let rep =
            kyso::signature::analyze_detached(content, &cms[..cut], &SignatureOptions::default());
        assert!(!rep.valid || !rep.intact);
    }
    for at in (0..used).step_by(3) {
        let mut bad = cms[..used].to_vec();
        bad[at] ^= 0x80;
        let rep = kyso::signature::analyze_detached(content, &bad, &SignatureOptions::default());
        assert!(!rep.intact, "the content is not what was signed");
    }
}
