//! PDF signature attacks (testdata/attacks/, made by testdata/generate/attacks.py from a
//! pyHanko-signed control file): Universal Signature Forgery, Incremental Saving Attack,
//! Signature Wrapping and the three Shadow attacks. The control is `fully_signed`; every attack
//! must come out `signature_invalid` in a real `kyso scan`, with the check that catches it
//! flagged on the attacked signature, and kyso must never count a signature that pyHanko
//! (testdata/attacks/expected.json) does not accept.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use kyso::signature::{analyze_pdf, Coverage, Integrity, ModificationLevel, SignatureOptions};
use serde_json::Value;

fn dir() -> PathBuf {
    common::crate_dir().join("testdata/attacks")
}

fn expected() -> Value {
    serde_json::from_slice(&std::fs::read(dir().join("expected.json")).unwrap()).unwrap()
}

fn options(expected: &Value) -> SignatureOptions {
    let trust = common::crate_dir().join(expected["trust"].as_str().unwrap());
    SignatureOptions::load(Some(&trust), None, expected["validation_time"].as_str()).unwrap()
}

/// Runs `kyso scan` over the attack folder once; records by file name.
fn scan(expected: &Value) -> Vec<(String, Value)> {
    let out = tempfile::tempdir().unwrap();
    let trust = common::crate_dir().join(expected["trust"].as_str().unwrap());
    let status = Command::new(common::kyso_bin())
        .args(["scan", "--ocr", "none", "--quiet", "--exclude", "*.json"])
        .arg(dir())
        .arg("--out")
        .arg(out.path())
        .arg("--trust")
        .arg(&trust)
        .args(["--at", expected["validation_time"].as_str().unwrap()])
        .status()
        .unwrap();
    // Exit 0 would mean no document had an error; signature verdicts are not errors, so both
    // 0 and 1 are fine here, anything else is not.
    assert!(matches!(status.code(), Some(0 | 1)), "kyso scan: {status}");
    common::read_records(&out.path().join("documents.jsonl"))
        .into_iter()
        .map(|r| {
            let name = Path::new(r["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, r)
        })
        .collect()
}

#[test]
fn the_control_is_fully_signed_and_every_attack_is_signature_invalid() {
    let expected = expected();
    let files = expected["files"].as_object().unwrap();
    let records = scan(&expected);
    assert_eq!(records.len(), files.len(), "one record per fixture");
    let mut wrong = Vec::new();
    for (name, record) in &records {
        let class = files[name]["class"].as_str().unwrap();
        let verdict = record["verdict"].as_str().unwrap_or("null");
        let want = if class == "control" {
            "fully_signed"
        } else {
            "signature_invalid"
        };
        if verdict != want {
            wrong.push(format!("{name} ({class}): verdict {verdict}, want {want}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The check that catches each class of attack, on the attacked signature.
#[test]
fn each_attack_is_caught_by_the_check_made_for_it() {
    let expected = expected();
    let options = options(&expected);
    let mut wrong = Vec::new();
    for (name, info) in expected["files"].as_object().unwrap() {
        let bytes = std::fs::read(dir().join(name)).unwrap();
        let reports = analyze_pdf(&bytes, &options);
        let signed: Vec<_> = reports.iter().filter(|r| r.signed).collect();
        let mut fail = |why: &str| wrong.push(format!("{name}: {why}: {signed:#?}"));
        match info["class"].as_str().unwrap() {
            "control" => {
                if signed.len() != 2 || signed.iter().any(|r| !(r.intact && r.valid)) {
                    fail("the control must carry two intact, valid signatures");
                }
            }
            // Forgery: the dictionary of Sig2 has no usable /ByteRange or /Contents, or its
            // ByteRange names other bytes than its own /Contents.
            "usf" => {
                if !signed
                    .iter()
                    .any(|r| r.field == "Sig2" && r.integrity == Integrity::Malformed && !r.intact)
                {
                    fail("Sig2 must be integrity: malformed");
                }
            }
            // Wrapping: the signed bytes are all there (so the digest matches, as pyHanko
            // would find), but the gap is not the /Contents string: coverage is partial, with
            // the layout named, and the change after it is `other`.
            "swa" => {
                let caught = signed.iter().any(|r| {
                    r.field == "Sig2"
                        && r.coverage == Some(Coverage::Partial)
                        && r.modification_level == Some(ModificationLevel::Other)
                        && r.problems
                            .iter()
                            .any(|p| p.contains("nonstandard ByteRange") && p.contains("/Contents"))
                });
                if !caught {
                    fail("Sig2 must have partial coverage because its gap is not its /Contents");
                }
            }
            // Incremental saving and shadow attacks: every signature is followed by a change
            // of page content or objects.
            "isa" | "shadow" => {
                if signed.len() != 2
                    || signed.iter().any(|r| {
                        r.modification_level != Some(ModificationLevel::Other)
                            || !r.modified_after_signing
                    })
                {
                    fail("both signatures must be modified_after_signing at level other");
                }
            }
            other => fail(&format!("unknown class {other}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// kyso may be stricter than pyHanko, never more lenient: a signature that counts for kyso
/// (intact, valid, trusted, no disallowed change) must have pyHanko's bottom line wherever
/// pyHanko judged that signature. (Where pyHanko could not read the file's signatures at all,
/// it judged none; the document's verdict is checked above.)
#[test]
fn kyso_never_accepts_a_signature_that_pyhanko_rejects() {
    let expected = expected();
    let options = options(&expected);
    let mut wrong = Vec::new();
    for (name, info) in expected["files"].as_object().unwrap() {
        let bytes = std::fs::read(dir().join(name)).unwrap();
        for r in analyze_pdf(&bytes, &options).iter().filter(|r| r.signed) {
            if kyso::verdict::signature_problem(r, true).is_some() {
                continue;
            }
            let Some(judged) = info["pyhanko"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["field"] == r.field.as_str())
            else {
                continue;
            };
            if judged["bottom_line"] != true {
                wrong.push(format!(
                    "{name} {}: kyso accepts it, pyHanko says {}",
                    r.field, info["pyhanko"]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
