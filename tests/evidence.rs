//! The evidence beside a verdict, end to end on fixtures: seals and hand signatures on scanned
//! pages with their boxes and crops, honest "colour not available" on bilevel scans, and a
//! signature widget's seal picture told apart from a seal stamped on paper.

mod common;

use std::process::Command;

use serde_json::Value;

fn scan(files: &[&str], extra: &[&str]) -> (tempfile::TempDir, Vec<Value>) {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(common::kyso_bin())
        .arg("scan")
        .args(files.iter().map(|f| common::corpus_dir().join(f)))
        .args(["--ocr", "none", "--quiet", "--out"])
        .arg(tmp.path())
        .args(extra)
        .output()
        .expect("run kyso");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = common::read_records(&tmp.path().join("documents.jsonl"));
    (tmp, records)
}

fn of_kind<'a>(record: &'a Value, kind: &str) -> Vec<&'a Value> {
    record["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .collect()
}

#[test]
fn seal_and_hand_signature_on_a_scan_come_with_page_box_and_crop() {
    let (tmp, records) = scan(&["scan-unsigned.pdf"], &["--evidence-images"]);
    let r = &records[0];
    let truth: Value = serde_json::from_slice(
        &std::fs::read(common::corpus_dir().join("scan-unsigned.pdf.truth.json")).unwrap(),
    )
    .unwrap();
    let id = r["id"].as_str().unwrap();
    for (kind, truth_key, stem) in [
        ("seal", "seals", "seal"),
        (
            "handwritten_signature",
            "handwritten_signatures",
            "signature",
        ),
    ] {
        let found = of_kind(r, kind);
        assert_eq!(found.len(), 1, "{kind}: {found:?}");
        let e = found[0];
        // The truth puts the marks on page 2 (index 1), where the signer block is.
        assert_eq!(e["page"], 1);
        assert!(truth["pages"][1][truth_key][0]["bbox"].is_array());
        let bbox: Vec<u32> = e["bbox"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        let crop = tmp.path().join(format!("evidence/{id}-p2-{stem}1.png"));
        assert!(e["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("{id}-p2-{stem}1.png")));
        let dims = image::image_dimensions(&crop).expect("the crop is a PNG");
        assert_eq!(
            dims,
            (bbox[2] - bbox[0], bbox[3] - bbox[1]),
            "crop of {kind}"
        );
    }
    // Page 1 has neither; it says it was looked at.
    assert!(of_kind(r, "no_marks_found").iter().any(|e| e["page"] == 0));
}

#[test]
fn a_bilevel_scan_finds_its_seal_by_shape_and_says_hand_signatures_were_not_checked() {
    let (_tmp, records) = scan(&["scan-ccitt.pdf"], &[]);
    let r = &records[0];
    // The red seal turned black by thresholding is still round: found by its shape, at the
    // truth's box ([1289, 1592, 1753, 2056]) within a few pixels, as evidence only.
    assert_eq!(r["verdict"], "scanned_unsigned");
    let seals = of_kind(r, "seal");
    assert_eq!(seals.len(), 1, "{seals:?}");
    let b: Vec<i64> = seals[0]["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    for (got, want) in b.iter().zip([1289, 1592, 1753, 2056]) {
        assert!((got - want).abs() <= 15, "seal box {b:?}");
    }
    let detail = seals[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("found by shape on a bilevel page") && detail.contains("confidence"),
        "{detail}"
    );
    // Hand signatures cannot be told from black text: not checked, and said so.
    assert!(of_kind(r, "handwritten_signature").is_empty());
    let not = of_kind(r, "marks_not_checked");
    assert_eq!(not.len(), 1);
    let why = not[0]["detail"].as_str().unwrap();
    assert!(
        why.contains("hand signatures not checked") && why.contains("colour not available"),
        "{why}"
    );
}

#[test]
fn a_seal_picture_in_a_signature_widget_is_not_a_seal_on_paper() {
    let (_tmp, records) = scan(&["bd-signed-seal-appearance.pdf", "bd-signed-org.pdf"], &[]);
    let by_name = |name: &str| {
        records
            .iter()
            .find(|r| r["path"].as_str().unwrap().ends_with(name))
            .unwrap()
    };
    let with_picture = by_name("bd-signed-seal-appearance.pdf");
    assert_eq!(with_picture["verdict"], "org_signed_only");
    assert!(
        of_kind(with_picture, "seal").is_empty(),
        "a born-digital page has no paper seal"
    );
    let app = of_kind(with_picture, "signature_appearance");
    assert_eq!(app.len(), 1);
    let detail = app[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("visible widget") && detail.contains("draws an image"),
        "{detail}"
    );
    assert!(detail.contains("not a seal stamped on paper"), "{detail}");
    // The same kind of signature without an appearance is reported as invisible.
    let invisible = of_kind(by_name("bd-signed-org.pdf"), "signature_appearance");
    assert_eq!(invisible.len(), 1);
    assert!(invisible[0]["detail"]
        .as_str()
        .unwrap()
        .contains("invisible"));
}
