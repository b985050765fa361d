//! The catalog end to end: resume after SIGKILL and Ctrl-C, incremental re-runs, renamed files,
//! shards and merges, with the built binary on copies of the committed fixtures.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Flags every scan here uses: the fixture corpus's notes and ground truth are not inputs.
const EXCLUDES: [&str; 4] = ["--exclude", "*.truth.json", "--exclude", "*.md"];

fn kyso(args: &[&str]) -> Output {
    Command::new(common::kyso_bin())
        .args(args)
        .output()
        .expect("run kyso")
}

/// `kyso scan INPUT --out OUT --ocr none` plus `extra`; insists it ran to the end (exit 0, or
/// 1 for the broken fixtures' errors).
fn scan(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "scan",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--ocr",
        "none",
    ];
    args.extend(EXCLUDES);
    args.extend(extra);
    let output = kyso(&args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "kyso scan failed ({:?}):\n{stderr}",
        output.status
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    output
}

fn records(out: &Path) -> Vec<Value> {
    common::read_records(&out.join("documents.jsonl"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The corpus's inputs (no ground truth, notes or hidden files), copied into `dest`.
fn copy_corpus(dest: &Path) {
    copy_corpus_marked(dest, None);
}

/// Like [`copy_corpus`]; with a mark, each PDF gets a trailing comment naming it, so copies
/// have different bytes (and ids) while still parsing the same way.
fn copy_corpus_marked(dest: &Path, mark: Option<&str>) {
    let src = common::corpus_dir();
    for entry in walkdir::WalkDir::new(&src)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type().is_file() || name.ends_with(".truth.json") || name.ends_with(".md") {
            continue;
        }
        let to = dest.join(entry.path().strip_prefix(&src).unwrap());
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        let mut bytes = fs::read(entry.path()).unwrap();
        if let Some(mark) = mark {
            if name.ends_with(".pdf") && !bytes.is_empty() {
                bytes.extend_from_slice(format!("\n% kyso test copy {mark}\n").as_bytes());
            }
        }
        fs::write(to, bytes).unwrap();
    }
}

/// Corpus copies for the interruption tests: enough that a scan is still running when the
/// first commit lands (0.5 s in; a debug build takes about 0.13 s of CPU a document, as
/// scanned pages are decoded for seals and signatures even with `--ocr none`), few enough
/// that the three scans of each test stay quick.
const COPIES_TO_INTERRUPT: usize = 6;

/// A larger input set: the corpus `copies` times under different folder names.
fn many_copies(dest: &Path, copies: usize) -> usize {
    for i in 0..copies {
        copy_corpus_marked(&dest.join(format!("copy{i:03}")), Some(&i.to_string()));
    }
    walkdir::WalkDir::new(dest)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count()
}

fn catalog(out: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(
        out.join("catalog.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the catalog")
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn spawn_scan(input: &Path, out: &Path) -> Child {
    let mut args = vec![
        "scan",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--ocr",
        "none",
        "--jobs",
        "1",
        "--quiet",
    ];
    args.extend(EXCLUDES);
    Command::new(common::kyso_bin())
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kyso")
}

/// Waits until the running scan has committed at least `at_least` documents to its catalog.
fn wait_for_committed(child: &mut Child, out: &Path, at_least: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the scan ended before it could be interrupted: make the input set larger"
        );
        if out.join("catalog.sqlite").is_file() {
            if let Ok(conn) = rusqlite::Connection::open_with_flags(
                out.join("catalog.sqlite"),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            ) {
                let n: i64 = conn
                    .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
                    .unwrap_or(0);
                if n >= at_least {
                    return n;
                }
            }
        }
        assert!(Instant::now() < deadline, "no documents committed in 120 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn paths(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_scan_killed_with_sigkill_resumes_to_the_same_records_as_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let total = many_copies(&input, COPIES_TO_INTERRUPT);
    let reference = tmp.path().join("reference");
    scan(&input, &reference, &["--jobs", "1"]);

    let out = tmp.path().join("killed");
    let mut child = spawn_scan(&input, &out);
    let committed = wait_for_committed(&mut child, &out, 1);
    child.kill().unwrap(); // SIGKILL: no handler runs, nothing is flushed
    child.wait().unwrap();
    let conn = catalog(&out);
    let at_kill = count(&conn, "SELECT count(*) FROM documents");
    assert!(
        committed <= at_kill && at_kill < total as i64,
        "killed after {at_kill} of {total} documents"
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM runs WHERE status = 'complete'"),
        0
    );
    assert!(
        !out.join("documents.jsonl").exists(),
        "a killed first run leaves no documents.jsonl"
    );
    drop(conn);

    let resumed = scan(&input, &out, &["--jobs", "1"]);
    let line = stderr(&resumed);
    assert!(
        line.contains(&format!("{at_kill} unchanged")),
        "the resumed run keeps the {at_kill} committed documents: {line}"
    );
    let got = records(&out);
    let want = records(&reference);
    assert_eq!(got.len(), total);
    let mut unique = paths(&got);
    unique.dedup();
    assert_eq!(unique.len(), total, "no duplicate records");
    assert_eq!(common::without_timings(got), common::without_timings(want));
}

#[test]
fn ctrl_c_stops_after_the_documents_in_flight_and_the_same_command_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let total = many_copies(&input, COPIES_TO_INTERRUPT);
    let out = tmp.path().join("out");
    let mut child = spawn_scan(&input, &out);
    wait_for_committed(&mut child, &out, 1);
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = child.wait_with_output().unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(
        err.contains("run the same command again to resume"),
        "{err}"
    );
    let conn = catalog(&out);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM runs WHERE status = 'interrupted'"
        ),
        1
    );
    let done = count(&conn, "SELECT count(*) FROM documents");
    assert!(done > 0 && done < total as i64, "{done} of {total}");
    drop(conn);

    scan(&input, &out, &[]);
    let reference = tmp.path().join("reference");
    scan(&input, &reference, &[]);
    assert_eq!(
        common::without_timings(records(&out)),
        common::without_timings(records(&reference))
    );
}

#[test]
fn a_rerun_processes_only_changed_and_new_files_and_drops_deleted_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_corpus(&input);
    let out = tmp.path().join("out");
    scan(&input, &out, &[]);
    let before = records(&out);
    let n = before.len();

    let rerun = scan(&input, &out, &[]);
    assert!(
        stderr(&rerun).contains(&format!("0 processed, {n} unchanged, 0 reused")),
        "{}",
        stderr(&rerun)
    );
    assert_eq!(
        common::without_timings(records(&out)),
        common::without_timings(before.clone()),
        "a no-op re-run writes the same records"
    );

    // One file changed in place, one new file, one deleted.
    let changed = input.join("bd-unsigned.pdf");
    let mut bytes = fs::read(&changed).unwrap();
    bytes.extend_from_slice(b"\n% an incremental save\n");
    fs::write(&changed, bytes).unwrap();
    fs::copy(input.join("bd-cong-van.pdf"), input.join("zz-new.pdf")).unwrap();
    fs::remove_file(input.join("mixed.pdf")).unwrap();
    let third = scan(&input, &out, &[]);
    let line = stderr(&third);
    // The new file is a copy of a known one: its record is reused, not recomputed.
    assert!(
        line.contains(&format!("1 processed, {} unchanged, 1 reused", n - 2)),
        "{line}"
    );
    let after = records(&out);
    let fresh = tmp.path().join("fresh");
    scan(&input, &fresh, &[]);
    assert_eq!(
        common::without_timings(after.clone()),
        common::without_timings(records(&fresh)),
        "the incremental result equals a scan from scratch"
    );
    let old = before
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("bd-unsigned.pdf"))
        .unwrap();
    let new = after
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("bd-unsigned.pdf"))
        .unwrap();
    assert_ne!(old["sha256"], new["sha256"]);
    assert!(!paths(&after).iter().any(|p| p.ends_with("mixed.pdf")));
}

#[test]
fn a_file_changed_with_size_and_mtime_restored_is_caught_by_its_change_time() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir_all(&input).unwrap();
    let file = input.join("doc.pdf");
    fs::copy(common::corpus_dir().join("bd-unsigned.pdf"), &file).unwrap();
    let out = tmp.path().join("out");
    scan(&input, &out, &[]);
    let before = records(&out);

    // Same length, same mtime, different bytes: what `cp -p` of another version does.
    let mtime = fs::metadata(&file).unwrap().modified().unwrap();
    let mut bytes = fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] = if bytes[last] == b'\n' { b' ' } else { b'\n' };
    fs::write(&file, &bytes).unwrap();
    fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let rerun = scan(&input, &out, &[]);
    assert!(
        stderr(&rerun).contains("1 processed, 0 unchanged"),
        "{}",
        stderr(&rerun)
    );
    assert_ne!(records(&out)[0]["sha256"], before[0]["sha256"]);
}

#[test]
fn retry_failed_processes_documents_with_errors_again_and_only_those() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_corpus(&input);
    let out = tmp.path().join("out");
    scan(&input, &out, &[]);
    let failed = records(&out)
        .iter()
        .filter(|r| !r["errors"].as_array().unwrap().is_empty())
        .count();
    assert!(failed >= 5);
    let rerun = scan(&input, &out, &["--retry-failed"]);
    assert!(
        stderr(&rerun).contains(&format!("{failed} processed")),
        "{}",
        stderr(&rerun)
    );
}

#[test]
fn changed_options_process_every_document_again() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_corpus(&input);
    let out = tmp.path().join("out");
    scan(&input, &out, &[]);
    let n = records(&out).len();
    let rerun = scan(&input, &out, &["--max-pages", "1"]);
    assert!(
        stderr(&rerun).contains(&format!("{n} processed, 0 unchanged")),
        "{}",
        stderr(&rerun)
    );
    assert!(
        records(&out)
            .iter()
            .any(|r| r["errors"].to_string().contains("too_many_pages")),
        "the new limit shows in the records"
    );
}

#[test]
fn a_renamed_unchanged_scan_reuses_its_ocr_instead_of_recognising_it_again() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    fs::create_dir_all(&input).unwrap();
    fs::copy(
        common::corpus_dir().join("scan-ccitt.pdf"),
        input.join("before.pdf"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let ocr = |out: &Path| {
        let output = kyso(&[
            "scan",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--outputs",
            "text",
            "--jobs",
            "1",
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        output
    };
    ocr(&out);
    let first = records(&out).remove(0);
    assert_eq!(first["ocr"]["pages"][0]["status"], "ocr", "{first}");
    let text = out
        .join("text")
        .join(format!("{}.txt", first["id"].as_str().unwrap()));
    let written = fs::metadata(&text).unwrap().modified().unwrap();

    fs::rename(input.join("before.pdf"), input.join("after.pdf")).unwrap();
    let rerun = ocr(&out);
    assert!(
        stderr(&rerun).contains("0 processed, 0 unchanged, 1 reused"),
        "{}",
        stderr(&rerun)
    );
    let second = records(&out);
    assert_eq!(second.len(), 1, "the old name is gone from documents.jsonl");
    assert!(second[0]["path"].as_str().unwrap().ends_with("after.pdf"));
    let mut expected = first.clone();
    expected["path"] = second[0]["path"].clone();
    assert_eq!(
        second[0], expected,
        "the record is the first run's, renamed"
    );
    assert_eq!(
        fs::metadata(&text).unwrap().modified().unwrap(),
        written,
        "the text output was not written again"
    );
    let reused_from: String = catalog(&out)
        .query_row(
            "SELECT reused_from FROM current_documents WHERE path LIKE '%after.pdf'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(reused_from.ends_with("before.pdf"), "{reused_from}");
}

#[test]
fn three_shards_merged_equal_one_unsharded_run_and_merging_again_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_corpus(&input);
    let whole = tmp.path().join("whole");
    scan(&input, &whole, &[]);
    let mut shard_dirs = Vec::new();
    let mut sizes = Vec::new();
    for k in 0..3 {
        let dir = tmp.path().join(format!("shard-{k}"));
        scan(&input, &dir, &["--shard", &format!("{k}/3")]);
        sizes.push(records(&dir).len());
        shard_dirs.push(dir);
    }
    let n = records(&whole).len();
    assert_eq!(sizes.iter().sum::<usize>(), n, "shards split {sizes:?}");
    assert!(sizes.iter().all(|&s| s > 0), "shards split {sizes:?}");

    let merged = tmp.path().join("merged");
    let merge = |dirs: &[PathBuf]| {
        let mut args = vec!["merge".to_string()];
        args.extend(dirs.iter().map(|d| d.to_str().unwrap().to_string()));
        args.extend(["--out".into(), merged.to_str().unwrap().to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = kyso(&args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    };
    merge(&shard_dirs);
    assert_eq!(
        common::without_timings(records(&merged)),
        common::without_timings(records(&whole))
    );
    let first = fs::read(merged.join("documents.jsonl")).unwrap();
    // Again, and in another order: the same bytes.
    let mut reversed = shard_dirs.clone();
    reversed.reverse();
    merge(&reversed);
    assert_eq!(fs::read(merged.join("documents.jsonl")).unwrap(), first);
    let conn = catalog(&merged);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM current_documents"),
        n as i64
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM signatures s JOIN current_documents d ON d.id = s.doc"
        ),
        count(
            &catalog(&whole),
            "SELECT count(*) FROM signatures s JOIN current_documents d ON d.id = s.doc"
        )
    );
}

#[test]
fn merging_shards_scanned_with_different_options_is_refused_with_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_corpus(&input);
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    scan(&input, &a, &["--shard", "0/2"]);
    scan(&input, &b, &["--shard", "1/2", "--max-pages", "50"]);
    let merged = tmp.path().join("merged");
    let output = kyso(&[
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("refusing to merge") && err.contains("max_pages"),
        "{err}"
    );
    assert!(!merged.join("documents.jsonl").exists());

    let not_output = kyso(&[
        "merge",
        input.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(not_output.status.code(), Some(2));
    assert!(
        stderr(&not_output).contains("not a kyso scan output"),
        "{}",
        stderr(&not_output)
    );
}

#[test]
fn the_catalog_answers_queries_about_pages_and_signatures() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    scan(&common::corpus_dir(), &out, &[]);
    let recs = records(&out);
    let conn = catalog(&out);
    let pages: i64 = recs
        .iter()
        .map(|r| r["pages"].as_array().unwrap().len() as i64)
        .sum();
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM pages p JOIN current_documents d ON d.id = p.doc"
        ),
        pages
    );
    let valid_signed: i64 = recs
        .iter()
        .flat_map(|r| r["signatures"].as_array().unwrap())
        .filter(|s| s["intact"] == true && s["valid"] == true)
        .count() as i64;
    assert!(valid_signed > 0);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM signatures WHERE intact AND valid"
        ),
        valid_signed
    );
    let scanned_unsigned = recs
        .iter()
        .filter(|r| r["verdict"] == "scanned_unsigned")
        .count() as i64;
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM current_documents WHERE verdict = 'scanned_unsigned'"
        ),
        scanned_unsigned
    );
}

#[test]
fn the_slurm_example_scans_each_array_task_and_merges_to_one_unsharded_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_corpus(&input);
    let whole = tmp.path().join("whole");
    scan(&input, &whole, &[]);
    let out = tmp.path().join("out");
    let script = common::crate_dir().join("deploy/slurm-array.sh");
    let step = |mode: &str, task: Option<usize>| {
        let mut cmd = Command::new("bash");
        cmd.arg(&script)
            .arg(mode)
            .env("KYSO", common::kyso_bin())
            .env("INPUT", &input)
            .env("OUT", &out)
            .env("SHARDS", "3")
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .env("SLURM_CPUS_PER_TASK", "1")
            .env(
                "KYSO_ARGS",
                "--ocr none --exclude *.truth.json --exclude *.md",
            );
        if let Some(k) = task {
            cmd.env("SLURM_ARRAY_TASK_ID", k.to_string());
        }
        let output = cmd.output().unwrap();
        assert!(output.status.success(), "{mode}: {}", stderr(&output));
    };
    for k in 0..3 {
        step("shard", Some(k));
    }
    step("merge", None);
    let merged = records(&out.join("merged"));
    assert_eq!(paths(&merged), paths(&records(&whole)));
    assert_eq!(
        common::without_timings(merged),
        common::without_timings(records(&whole))
    );
}
