//! `kyso verify`: exit codes and the `--json` line format, on the generated fixtures.

use std::path::PathBuf;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/signatures")
        .join(name)
}

fn verify(args: &[&str]) -> (i32, String) {
    let trust = fixture("pki/trusted");
    let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .arg("verify")
        .args(["--at", "2026-01-01T00:00:00Z", "--trust"])
        .arg(&trust)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn path(name: &str) -> String {
    fixture(name).display().to_string()
}

#[test]
fn valid_trusted_signatures_exit_zero() {
    assert_eq!(
        verify(&[&path("two_signatures.pdf"), &path("ecdsa_p256.pdf")]).0,
        0
    );
    assert_eq!(verify(&[&path("detached_content.txt.p7s")]).0, 0);
}

#[test]
fn modified_corrupted_or_untrusted_exit_one() {
    for f in [
        "content_changed_after_signing.pdf",
        "corrupted_signed_range.pdf",
        "untrusted_root.pdf",
        "expired_cert.pdf",
    ] {
        assert_eq!(verify(&[&path(f)]).0, 1, "{f}");
    }
}

#[test]
fn no_signature_exits_four_and_unreadable_three_and_bad_time_two() {
    assert_eq!(verify(&[&path("empty_field.pdf")]).0, 4);
    assert_eq!(verify(&[&path("does-not-exist.pdf")]).0, 3);
    let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["verify", "--at", "yesterday", &path("single_personal.pdf")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_prints_one_object_per_file() {
    let (code, stdout) = verify(&[
        "--json",
        &path("two_signatures.pdf"),
        &path("empty_field.pdf"),
    ]);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(lines[0]["signatures"][1]["role"], "organisation");
    assert_eq!(lines[1]["signatures"][0]["signed"], false);
}

#[test]
fn a_trust_folder_holding_private_keys_beside_certificates_still_loads() {
    // testdata/pki keeps each test key next to its certificate, as a small CA's folder does.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["verify", "--at", "2026-01-01T00:00:00Z", "--trust"])
        .arg(root.join("testdata/pki"))
        .arg(root.join("testdata/corpus/bd-signed-org.pdf"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("trust:        trusted"), "{stdout}");
}
