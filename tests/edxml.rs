//! edXML exchange packages end to end (docs/edxml.md), with the built binary on the packages
//! testdata/generate/edxml.py wrapped around the committed fixtures: one package → N documents,
//! the declared header, the agency from the sender code, declared-against-found mismatches,
//! the envelope signature, hostile XML, resume and shards, and the per-sender report.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn packages() -> PathBuf {
    common::crate_dir().join("testdata/edxml")
}

fn kyso(args: &[&str]) -> Output {
    Command::new(common::kyso_bin())
        .args(args)
        .output()
        .expect("run kyso")
}

fn scan(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "scan",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--ocr",
        "none",
        "--quiet",
    ];
    args.extend(extra);
    let output = kyso(&args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Broken or hostile packages make the exit code 1; the batch still ends.
    assert!(matches!(output.status.code(), Some(0 | 1)), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    output
}

fn by_path<'a>(records: &'a [Value], tail: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with(tail))
        .unwrap_or_else(|| panic!("no record ends with {tail}"))
}

fn mismatch_fields(r: &Value) -> Vec<String> {
    r["declared"]["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["field"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn packages_become_documents_with_what_their_envelope_declares() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    scan(&packages(), &out, &[]);
    let recs = common::read_records(&out.join("documents.jsonl"));
    // 2 + 1 + 1 + 1 attachments, and one record for each hostile package.
    assert_eq!(recs.len(), 7, "{recs:#?}");

    // Two attachments, in manifest order, each a PDF read like a loose file.
    let first = by_path(&recs, "qcvn-two-attachments.edxml#a1-533/533-VPCP-KGVX.pdf");
    let second = by_path(
        &recs,
        "qcvn-two-attachments.edxml#a2-1628/1628-VPCP-KGVX.pdf",
    );
    for (r, i) in [(first, 0), (second, 1)] {
        assert_eq!(r["format"], "pdf");
        assert_eq!(r["origin"], "born_digital");
        assert_eq!(r["package"]["index"], i);
        assert_eq!(r["package"]["attachments"], 2);
        assert_eq!(r["package"]["variant"], "qcvn_102_2016");
        assert!(r["package"]["path"]
            .as_str()
            .unwrap()
            .ends_with("qcvn-two-attachments.edxml"));
        assert_eq!(r["metadata"]["agency_key"]["value"], "van-phong-chinh-phu");
        assert_eq!(r["metadata"]["agency_key"]["source"], "envelope");
        assert_eq!(r["metadata"]["agency_name"]["value"], "Văn phòng Chính phủ");
        // The envelope's XML signature is reported, not verified, and not a PDF signature.
        let sig = &r["package"]["envelope_signature"];
        assert_eq!(sig["status"], "present_not_verified");
        assert_eq!(sig["form"], "xmldsig");
        assert!(
            sig["certificate_subject"]
                .as_str()
                .unwrap()
                .contains("Tài chính"),
            "{sig}"
        );
        assert_eq!(r["verdict"], "unsigned");
    }
    let d = &first["declared"];
    assert_eq!(d["sender_code"]["value"], "000.00.00.G22");
    assert_eq!(d["sender_code"]["source"], "MessageHeader/From/OrganId");
    assert_eq!(d["number_notation"]["value"], "533/VPCP-KGVX");
    assert_eq!(d["issue_date"]["value"], "2021-06-20");
    assert_eq!(d["issue_date"]["raw"], "2021/06/20");
    assert_eq!(d["signer_name"]["value"], "Đỗ Mạnh Cường");
    // The header describes the first attachment; the second is another document.
    assert_eq!(mismatch_fields(first), Vec::<String>::new());
    let second_fields = mismatch_fields(second);
    assert!(
        second_fields.contains(&"number_notation".to_string()),
        "{second_fields:?}"
    );
    assert!(
        second_fields.contains(&"issue_date".to_string()),
        "{second_fields:?}"
    );

    // The zipped attachment, named .doc: its zip entry is the document.
    let z = by_path(
        &recs,
        "1612_QD-BNV.doc!32da2890-1a55-4ccd-9ac9-cd0d98559e67.pdf",
    );
    assert_eq!(z["format"], "pdf");
    assert_eq!(
        z["package"]["zip_entry"],
        "32da2890-1a55-4ccd-9ac9-cd0d98559e67.pdf"
    );
    assert_eq!(z["package"]["content_type"], "application/zip");
    assert_eq!(z["metadata"]["agency_key"]["value"], "bo-noi-vu");
    assert_eq!(z["declared"]["issue_date"]["raw"], "26/09/2019");
    assert_eq!(mismatch_fields(z), Vec::<String>::new());
    let notes = z["package"]["notes"].to_string();
    assert!(notes.contains("bytes before the XML"), "{notes}");
    assert!(notes.contains("prefix edXML"), "{notes}");

    // Declared as Bộ Tài chính's 88/KH-STC, carrying Sở Tài chính Bắc Giang's signed 87/KH-STC.
    let other = by_path(&recs, "qcvn-declared-other-number.edxml#k88/88-KH-STC.pdf");
    assert_eq!(other["metadata"]["agency_key"]["value"], "bo-tai-chinh");
    assert_eq!(
        other["metadata"]["agency_resolution"]["from_document"]["key"],
        "so-tai-chinh/bac-giang"
    );
    let fields = mismatch_fields(other);
    for f in ["number_notation", "sender", "organisation_certificate"] {
        assert!(
            fields.contains(&f.to_string()),
            "{f} missing from {fields:?}"
        );
    }
    let number = other["declared"]["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["field"] == "number_notation")
        .unwrap();
    assert_eq!(
        (number["declared"].as_str(), number["found"].as_str()),
        (Some("88/KH-STC"), Some("87/KH-STC"))
    );
    let evidence: Vec<&str> = other["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "declared_mismatch")
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert!(
        evidence
            .iter()
            .any(|d| d.contains("88/KH-STC") && d.contains("87/KH-STC")),
        "{evidence:?}"
    );
    // The attachment's own organisation signature still decides the verdict.
    assert_eq!(other["verdict"], "org_signed_only");

    // Without OrganId the document's own header names the agency.
    let no_id = by_path(&recs, "govn-no-organid.edxml#attachment-1/1403-BYT-KCB.pdf");
    assert_eq!(no_id["package"]["variant"], "go_vn_edoc");
    assert_eq!(no_id["package"]["attachment_name"], "1403-BYT-KCB.pdf");
    assert!(no_id["declared"]["sender_code"].is_null());
    assert_eq!(no_id["metadata"]["agency_key"]["value"], "bo-y-te");
    assert_eq!(no_id["metadata"]["agency_key"]["source"], "gazetteer");

    // Hostile XML: a typed error each, a record of the package itself, and the batch went on.
    for name in ["hostile/billion-laughs.edxml", "hostile/xxe.edxml"] {
        let r = by_path(&recs, name);
        assert_eq!(r["format"], "edxml");
        assert_eq!(r["verdict"], "unreadable");
        assert_eq!(r["errors"][0]["stage"], "package");
        assert_eq!(r["errors"][0]["kind"], "dtd_refused");
    }

    // The report groups the packages by sender code.
    let report_dir = out.join("report");
    let o = kyso(&[
        "report",
        "--from",
        out.to_str().unwrap(),
        "--out",
        report_dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: Value =
        serde_json::from_slice(&fs::read(report_dir.join("report.json")).unwrap()).unwrap();
    let senders = report["senders"].as_array().unwrap();
    let row = |code: &str| senders.iter().find(|s| s["sender_code"] == code).unwrap();
    let vpcp = row("000.00.00.G22");
    assert_eq!(
        (vpcp["packages"].as_u64(), vpcp["attachments"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        (
            vpcp["mismatched"].as_u64(),
            vpcp["envelope_signed_packages"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let btc = row("000.00.00.G12");
    assert_eq!(
        (
            btc["digitally_signed"].as_u64(),
            btc["digital_signature_rate"].as_f64()
        ),
        (Some(1), Some(1.0))
    );
    assert_eq!(btc["mismatched"], 1);
    let none = row("(no sender code)");
    assert_eq!(
        (none["packages"].as_u64(), none["attachments"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(none["unreadable_packages"], 2);
    let csv = fs::read_to_string(report_dir.join("senders.csv")).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("000.00.00.G22,Văn phòng Chính phủ,van-phong-chinh-phu,1,2,")),
        "{csv}"
    );
    let html = fs::read_to_string(report_dir.join("report.html")).unwrap();
    assert!(html.contains("Senders (edXML packages)") && html.contains("000.00.00.G09"));
}

#[test]
fn a_package_is_skipped_touched_and_sharded_as_the_one_file_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir_all(&input).unwrap();
    fs::copy(
        packages().join("qcvn-two-attachments.edxml"),
        input.join("qcvn-two-attachments.edxml"),
    )
    .unwrap();
    // Recognised by its content, whatever its name says.
    fs::copy(
        packages().join("qcvn-zipped.edxml"),
        input.join("goi-tin-1612.dat"),
    )
    .unwrap();
    fs::write(input.join("bad.edxml"), b"<edXML><MessageHeader>").unwrap();
    let out = tmp.path().join("out");
    scan(&input, &out, &[]);
    let first = common::without_timings(common::read_records(&out.join("documents.jsonl")));
    assert_eq!(first.len(), 4);
    assert!(first.iter().any(|r| r["path"]
        .as_str()
        .unwrap()
        .ends_with("goi-tin-1612.dat#9f1c2b7e-0000-4000-8000-000000000009/1612_QD-BNV.doc!32da2890-1a55-4ccd-9ac9-cd0d98559e67.pdf")
        && r["format"] == "pdf"));
    scan(&input, &out, &[]);
    // (processed, unchanged, reused) of the last run, from the catalog's runs table.
    let counts = |out: &Path| -> (i64, i64, i64) {
        let db = rusqlite::Connection::open(out.join("catalog.sqlite")).unwrap();
        db.query_row(
            "SELECT processed, unchanged, reused FROM runs ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    // The second run read nothing: every document of both packages stood unchanged.
    assert_eq!(counts(&out), (0, 4, 0));
    assert_eq!(
        common::without_timings(common::read_records(&out.join("documents.jsonl"))),
        first
    );
    // Touched, same bytes: nothing processed again.
    let f = fs::File::options()
        .append(true)
        .open(input.join("goi-tin-1612.dat"))
        .unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
        .unwrap();
    scan(&input, &out, &[]);
    assert_eq!(counts(&out), (0, 4, 0));
    // Fixed: the broken package's record goes, its documents come.
    fs::copy(
        packages().join("govn-no-organid.edxml"),
        input.join("bad.edxml"),
    )
    .unwrap();
    scan(&input, &out, &[]);
    let now = common::read_records(&out.join("documents.jsonl"));
    assert_eq!(now.len(), 4);
    assert!(now.iter().any(|r| r["path"]
        .as_str()
        .unwrap()
        .ends_with("bad.edxml#attachment-1/1403-BYT-KCB.pdf")));
    assert_eq!(counts(&out), (1, 3, 0));

    // Shards: all the documents of a package go to the shard that owns its file.
    let mut dirs = Vec::new();
    for k in 0..2 {
        let dir = tmp.path().join(format!("shard-{k}"));
        let o = kyso(&[
            "scan",
            input.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            "--ocr",
            "none",
            "--quiet",
            "--shard",
            &format!("{k}/2"),
        ]);
        assert!(matches!(o.status.code(), Some(0 | 1)));
        dirs.push(dir);
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge".to_string()];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap().to_string()));
    args.extend([
        "--out".into(),
        merged.to_str().unwrap().to_string(),
        "--quiet".into(),
    ]);
    let o = Command::new(common::kyso_bin())
        .args(&args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        common::without_timings(common::read_records(&merged.join("documents.jsonl"))),
        common::without_timings(now)
    );
}
