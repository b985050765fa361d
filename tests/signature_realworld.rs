//! The signature stage over other projects' test files (/work/shared/realworld, see its
//! README): nothing panics, every file yields a result, and intact / valid / coverage agree
//! with pyHanko wherever pyHanko gave one, except the differences listed (with reasons) below.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use kyso::signature::{analyze_pdf, CmsEncoding, Coverage, ModificationLevel, SignatureOptions};
use serde_json::Value;

/// (file, field, axis, why kyso differs from pyHanko 0.38).
const KNOWN_DIFFERENCES: &[(&str, &str, &str, &str)] = &[];

fn corpus() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("KYSO_REALWORLD").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("labels.jsonl").is_file())
}

fn coverage_name(c: Option<Coverage>) -> &'static str {
    match c {
        Some(Coverage::EntireFile) => "ENTIRE_FILE",
        Some(Coverage::EntireRevision) => "ENTIRE_REVISION",
        Some(Coverage::Partial) => "partial",
        None => "none",
    }
}

#[test]
fn realworld_signed_pdfs_agree_with_pyhanko() {
    let Some(root) = corpus() else {
        eprintln!(
            "realworld: CHECKED NOTHING: no real-world corpus (labels.jsonl) in $KYSO_REALWORLD \
             or ../shared/realworld; this test passes without having compared anything"
        );
        return;
    };
    let labels = std::fs::read_to_string(root.join("labels.jsonl")).unwrap();
    let opts = SignatureOptions::default();
    let mut panics = Vec::new();
    let mut differences = Vec::new();
    let mut shadow_failures = Vec::new();
    // The targets: where pyHanko and pdfsig agree on a signature's crypto verdict,
    // kyso's intact and valid agree with pyHanko's; and kyso never counts a signature pyHanko
    // calls broken.
    let (mut both_tools, mut both_tools_agreed) = (0, 0);
    let mut valid_where_broken = Vec::new();
    // The verdict's side of the same rule: kyso counts a signature (verdict::signature_problem
    // finds nothing) only where pyHanko's label is clean too (intact, valid, the whole file or
    // its revision, later changes no worse than annotations, DocMDP kept).
    let (mut decided, mut both_axes_agreed, mut kyso_clean, mut pyhanko_clean) = (0, 0, 0, 0);
    let mut counted_where_not_clean = Vec::new();
    let mut ber_samples = Vec::new();
    let (mut files, mut compared, mut agreed) = (0, 0, 0);
    // Modification level: kyso's diff is coarser than pyHanko's rule engine (see
    // docs/signatures.md) but must agree on this corpus.
    let (mut levels, mut levels_agreed) = (0, 0);
    let mut level_differences = Vec::new();
    for line in labels.lines().filter(|l| !l.trim().is_empty()) {
        let label: Value = serde_json::from_str(line).unwrap();
        if label["file_type"].as_str() != Some("pdf") {
            continue;
        }
        let rel = label["path"].as_str().unwrap();
        let Ok(bytes) = std::fs::read(root.join(rel)) else {
            panics.push(format!("{rel}: unreadable"));
            continue;
        };
        files += 1;
        let Ok(reports) = catch_unwind(AssertUnwindSafe(|| analyze_pdf(&bytes, &opts))) else {
            panics.push(format!("{rel}: panicked"));
            continue;
        };
        if rel.contains("manipulated") {
            for r in &reports {
                if r.intact
                    && r.valid
                    && r.coverage == Some(Coverage::EntireFile)
                    && r.modification_level == Some(ModificationLevel::None)
                {
                    shadow_failures.push(format!("{rel} {}", r.field));
                }
            }
        }
        for want in label["signatures"].as_array().into_iter().flatten() {
            if want["intact"].is_null() {
                continue; // pyHanko gave no result
            }
            let field = want["field"].as_str().unwrap_or("");
            let py_ok = want["intact"] == true && want["valid"] == true;
            let Some(got) = reports.iter().find(|r| r.field == field) else {
                differences.push((
                    rel.to_string(),
                    field.to_string(),
                    "field".to_string(),
                    "not found".to_string(),
                ));
                continue;
            };
            let ours_ok = got.intact && got.valid;
            if ours_ok && !py_ok {
                valid_where_broken.push(format!("{rel} {field}"));
            }
            decided += 1;
            if want["intact"] == got.intact && want["valid"] == got.valid {
                both_axes_agreed += 1;
            }
            let py_clean = py_ok
                && matches!(
                    want["coverage"].as_str(),
                    Some("ENTIRE_FILE" | "ENTIRE_REVISION")
                )
                && matches!(
                    want["modification_level"].as_str(),
                    Some("NONE" | "LTA_UPDATES" | "FORM_FILLING" | "ANNOTATIONS")
                )
                && want["docmdp_ok"] != false;
            let counted = kyso::verdict::signature_problem(got, false).is_none();
            pyhanko_clean += usize::from(py_clean);
            kyso_clean += usize::from(counted);
            if counted && !py_clean {
                counted_where_not_clean.push(format!("{rel} {field}"));
            }
            let pdfsig_ok = want["pdfsig_verdict"].as_str() == Some("valid");
            let pdfsig_decided = matches!(
                want["pdfsig_verdict"].as_str(),
                Some("valid" | "corrupted" | "digest_mismatch" | "invalid")
            );
            if pdfsig_decided && pdfsig_ok == py_ok {
                both_tools += 1;
                if want["intact"] == got.intact && want["valid"] == got.valid {
                    both_tools_agreed += 1;
                }
            }
            if rel.contains("shadowed-signed") && got.cms_encoding == Some(CmsEncoding::Ber) {
                ber_samples.push(rel.to_string());
            }
            if let Some(level) = want["modification_level"].as_str() {
                levels += 1;
                let ours = serde_json::to_value(got.modification_level)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_uppercase))
                    .unwrap_or_default();
                if ours == level {
                    levels_agreed += 1;
                } else {
                    level_differences.push(format!("{rel} {field}: kyso {ours}, pyHanko {level}"));
                }
            }
            for (axis, kyso, pyhanko) in [
                ("intact", got.intact.to_string(), want["intact"].to_string()),
                ("valid", got.valid.to_string(), want["valid"].to_string()),
                (
                    "coverage",
                    coverage_name(got.coverage).to_string(),
                    want["coverage"].as_str().unwrap_or("").to_string(),
                ),
            ] {
                compared += 1;
                if kyso == pyhanko {
                    agreed += 1;
                } else {
                    differences.push((
                        rel.to_string(),
                        field.to_string(),
                        axis.to_string(),
                        format!(
                            "kyso {kyso}, pyHanko {pyhanko}; problems {:?}",
                            got.problems
                        ),
                    ));
                }
            }
        }
    }
    eprintln!("realworld: {files} PDFs, {agreed}/{compared} signature axes agree with pyHanko");
    eprintln!("modification level: {levels_agreed}/{levels} agree");
    eprintln!(
        "where pyHanko and pdfsig agree: intact and valid agree with pyHanko on \
         {both_tools_agreed}/{both_tools} signatures"
    );
    eprintln!(
        "intact and valid both agree with pyHanko on {both_axes_agreed}/{decided} signatures \
         pyHanko decided and kyso found; kyso intact and valid where pyHanko is not: {}",
        valid_where_broken.len()
    );
    eprintln!(
        "clean (counted by kyso's verdict / clean in pyHanko's label): {kyso_clean} / \
         {pyhanko_clean}; counted where pyHanko's label is not clean: {}",
        counted_where_not_clean.len()
    );
    assert!(
        valid_where_broken.is_empty(),
        "kyso counts signatures pyHanko calls broken:\n{}",
        valid_where_broken.join("\n")
    );
    assert!(
        counted_where_not_clean.is_empty(),
        "kyso counts signatures whose pyHanko label is not clean:\n{}",
        counted_where_not_clean.join("\n")
    );
    assert!(
        both_tools_agreed * 100 >= both_tools * 99,
        "intact/valid agree on only {both_tools_agreed}/{both_tools} signatures where pyHanko \
         and pdfsig agree (target 99%)"
    );
    // pdf-attacker's shadowed samples are signed with BER CMS (they are the reason BER is read).
    assert!(
        ber_samples.len() >= 5,
        "the BER-encoded pdf-attacker samples must be read and reported as BER: {ber_samples:?}"
    );
    let unexplained: Vec<String> = differences
        .iter()
        .filter(|(f, field, axis, _)| {
            !KNOWN_DIFFERENCES
                .iter()
                .any(|k| k.0 == f && k.1 == field && k.2 == axis)
        })
        .map(|(f, field, axis, d)| format!("{f} {field} {axis}: {d}"))
        .collect();
    assert!(
        panics.is_empty(),
        "files without a result:\n{}",
        panics.join("\n")
    );
    assert!(
        shadow_failures.is_empty(),
        "shadow attacks passed as clean:\n{}",
        shadow_failures.join("\n")
    );
    assert!(
        unexplained.is_empty(),
        "unexplained differences:\n{}",
        unexplained.join("\n")
    );
    let stale: Vec<String> = KNOWN_DIFFERENCES
        .iter()
        .filter(|k| {
            !differences
                .iter()
                .any(|(f, field, axis, _)| k.0 == f && k.1 == field && k.2 == axis)
        })
        .map(|k| format!("{} {} {}", k.0, k.1, k.2))
        .collect();
    assert!(
        stale.is_empty(),
        "listed differences that no longer occur:\n{}",
        stale.join("\n")
    );
    assert!(
        level_differences.is_empty(),
        "modification levels differ:\n{}",
        level_differences.join("\n")
    );
}
