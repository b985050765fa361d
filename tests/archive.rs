//! The archive copy (`--outputs pdfa`, `--sign-with`), checked with readers that are not kyso:
//! qpdf's JSON (structure, attachments), Apache PDFBox Preflight from Debian's libpdfbox2-java
//! (a PDF/A validator: PDF/A-1b rules, see docs/archive.md for which of its findings a PDF/A-2/3
//! file must show), roxmltree on the XMP, `kyso export` for the Circular 02 values, an OpenSSL
//! time-stamp responder for B-T; and `kyso verify`, the same verifier as the rest of kyso, on the
//! copies and on the embedded originals. testdata/archive/ holds copies that pyHanko validated
//! when they were made (testdata/generate/archive.py); kyso must agree with it on them.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

use common::{crate_dir, kyso_bin, read_records};

const PASSWORD: &str = "kyso-demo";
const SIGNED_ORIGINAL: &str = "scan-org-signed.pdf";
const UNSIGNED_ORIGINAL: &str = "scan-unsigned.pdf";

fn pki() -> PathBuf {
    crate_dir().join("testdata/pki/archive")
}

fn corpus(name: &str) -> PathBuf {
    crate_dir().join("testdata/corpus").join(name)
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("command runs")
}

fn kyso_scan(out: &Path, inputs: &[PathBuf], extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(kyso_bin());
    cmd.arg("scan")
        .args(inputs)
        .arg("--out")
        .arg(out)
        .arg("--quiet");
    cmd.args(extra).env_remove("KYSO_SIGN_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(&mut cmd)
}

/// One OCR run shared by the tests: a signed scan and an unsigned one, as signed PDF/A copies,
/// plus the plain searchable PDF as the validator's control.
struct Scan {
    _dir: tempfile::TempDir,
    out: PathBuf,
    records: Vec<Value>,
}

fn scan() -> &'static Scan {
    static SCAN: OnceLock<Scan> = OnceLock::new();
    SCAN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let p12 = pki().join("org-archive.p12");
        let output = kyso_scan(
            &out,
            &[corpus(SIGNED_ORIGINAL), corpus(UNSIGNED_ORIGINAL)],
            &[
                "--outputs",
                "text,pdf,pdfa",
                "--sign-with",
                p12.to_str().unwrap(),
                "--sign-password-env",
                "ARCHIVE_P12_PASSWORD",
            ],
            &[("ARCHIVE_P12_PASSWORD", PASSWORD)],
        );
        assert!(
            output.status.success(),
            "scan failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let records = read_records(&out.join("documents.jsonl"));
        Scan {
            _dir: dir,
            out,
            records,
        }
    })
}

fn record_of<'a>(scan: &'a Scan, name: &str) -> &'a Value {
    scan.records
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with(name))
        .expect("record")
}

fn copy_of(scan: &Scan, name: &str) -> PathBuf {
    let id = record_of(scan, name)["id"].as_str().unwrap();
    scan.out.join("pdfa").join(format!("{id}.pdf"))
}

/// qpdf's JSON view of a file (stream data left out).
fn qpdf_json(pdf: &Path) -> Value {
    let out = run(Command::new("qpdf")
        .args(["--json", "--json-stream-data=none"])
        .arg(pdf));
    assert!(
        out.status.success(),
        "qpdf --json failed (is qpdf installed? make setup installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A stream's decoded data, read by qpdf.
fn qpdf_stream(pdf: &Path, reference: &str) -> Vec<u8> {
    let id = reference.split(' ').next().unwrap();
    let out = run(Command::new("qpdf")
        .arg(format!("--show-object={id}"))
        .arg("--filtered-stream-data")
        .arg(pdf));
    assert!(out.status.success());
    out.stdout
}

struct Pdf {
    json: Value,
}

impl Pdf {
    fn open(path: &Path) -> Pdf {
        Pdf {
            json: qpdf_json(path),
        }
    }
    fn objects(&self) -> &serde_json::Map<String, Value> {
        self.json["qpdf"][1].as_object().unwrap()
    }
    fn trailer(&self) -> &Value {
        &self.objects()["trailer"]["value"]
    }
    /// An object's dictionary (a stream's dictionary for a stream).
    fn dict(&self, reference: &str) -> &Value {
        let o = &self.objects()[&format!("obj:{reference}")];
        if o.get("stream").is_some() {
            &o["stream"]["dict"]
        } else {
            &o["value"]
        }
    }
    /// Follows a reference if the value is one.
    fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        match v.as_str() {
            Some(s) if s.ends_with(" R") => self.dict(s),
            _ => v,
        }
    }
    fn catalog(&self) -> &Value {
        self.dict(self.trailer()["/Root"].as_str().unwrap())
    }
    fn version(&self) -> &str {
        self.json["qpdf"][0]["pdfversion"].as_str().unwrap()
    }
}

fn text(v: &Value) -> String {
    v.as_str()
        .map(|s| s.strip_prefix("u:").unwrap_or(s).to_string())
        .unwrap_or_default()
}

/// The XMP packet's RDF: (namespace, local name) → text of every leaf element.
fn xmp(pdf: &Path, parsed: &Pdf) -> BTreeMap<(String, String), Vec<String>> {
    let reference = parsed.catalog()["/Metadata"].as_str().unwrap().to_string();
    let dict = parsed.dict(&reference);
    assert_eq!(dict["/Type"], "/Metadata");
    assert_eq!(dict["/Subtype"], "/XML");
    assert!(
        dict.get("/Filter").is_none(),
        "PDF/A metadata is not filtered"
    );
    let data = String::from_utf8(qpdf_stream(pdf, &reference)).unwrap();
    let doc = roxmltree::Document::parse(&data).expect("XMP is well-formed XML");
    let mut map: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let parent_ns = node.tag_name().namespace().unwrap_or("");
        if parent_ns == "http://www.w3.org/1999/02/22-rdf-syntax-ns#" {
            continue;
        }
        let texts: Vec<String> = node
            .descendants()
            .filter(|d| d.is_text())
            .filter_map(|d| d.text())
            .filter(|t| !t.trim().is_empty())
            .map(str::to_string)
            .collect();
        if node.children().any(|c| c.is_element()) && texts.is_empty() {
            continue;
        }
        map.entry((parent_ns.to_string(), node.tag_name().name().to_string()))
            .or_default()
            .extend(texts);
    }
    map
}

fn get<'a>(x: &'a BTreeMap<(String, String), Vec<String>>, ns: &str, name: &str) -> &'a [String] {
    x.get(&(ns.to_string(), name.to_string()))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

const DC: &str = "http://purl.org/dc/elements/1.1/";
const PDFAID: &str = "http://www.aiim.org/pdfa/ns/id/";
const XMP: &str = "http://ns.adobe.com/xap/1.0/";
const PDFNS: &str = "http://ns.adobe.com/pdf/1.3/";

/// `D:20261202075323+07'00'` → `2026-12-02T07:53:23+07:00`.
fn pdf_date_as_xmp(d: &str) -> String {
    let s = d.strip_prefix("D:").unwrap();
    format!(
        "{}-{}-{}T{}:{}:{}{}:{}",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[8..10],
        &s[10..12],
        &s[12..14],
        &s[14..17],
        &s[18..20]
    )
}

fn check_pdfa_structure(path: &Path, part: &str) -> (Pdf, BTreeMap<(String, String), Vec<String>>) {
    let pdf = Pdf::open(path);
    assert_eq!(pdf.version(), "1.7");
    let head = std::fs::read(path).unwrap();
    assert!(
        head.starts_with(b"%PDF-1.7\n%"),
        "header and binary comment"
    );
    assert!(
        head[10..14].iter().all(|&b| b > 127),
        "4 bytes > 127 after %"
    );
    assert!(pdf.trailer().get("/Encrypt").is_none(), "not encrypted");
    let ids = pdf.trailer()["/ID"].as_array().expect("trailer /ID");
    assert_eq!(ids.len(), 2);
    let x = xmp(path, &pdf);
    assert_eq!(get(&x, PDFAID, "part"), [part]);
    assert_eq!(get(&x, PDFAID, "conformance"), ["B"]);

    // OutputIntent: GTS_PDFA1 with an RGB ICC profile, the Debian file's bytes.
    let intents = pdf.catalog()["/OutputIntents"].as_array().unwrap();
    assert_eq!(intents.len(), 1);
    let intent = pdf.resolve(&intents[0]);
    assert_eq!(intent["/S"], "/GTS_PDFA1");
    let profile_ref = intent["/DestOutputProfile"].as_str().unwrap();
    assert_eq!(pdf.dict(profile_ref)["/N"], 3);
    let icc = qpdf_stream(path, profile_ref);
    assert_eq!(&icc[12..20], b"mntrRGB ", "an RGB display profile");
    if let Ok(debian) = std::fs::read("/usr/share/color/icc/sRGB.icc") {
        assert_eq!(icc, debian, "the profile is icc-profiles-free's sRGB.icc");
    }

    // Every font has its program embedded; no transparency anywhere.
    let mut fonts = 0;
    for (key, obj) in pdf.objects() {
        if !key.starts_with("obj:") {
            continue;
        }
        let d = obj
            .get("value")
            .or_else(|| obj["stream"].get("dict"))
            .unwrap();
        if d["/Type"] == "/Font" && d["/Subtype"] != "/Type0" {
            fonts += 1;
            let descriptor = pdf.resolve(&d["/FontDescriptor"]);
            assert!(
                ["/FontFile", "/FontFile2", "/FontFile3"]
                    .iter()
                    .any(|k| descriptor.get(*k).is_some()),
                "font {key} is embedded"
            );
        }
        assert!(d.get("/SMask").is_none(), "no soft masks ({key})");
        if let Some(group) = d.get("/Group") {
            assert_ne!(
                pdf.resolve(group)["/S"],
                "/Transparency",
                "no transparency group ({key})"
            );
        }
    }
    assert!(fonts >= 1, "the invisible text layer's font is there");

    // Info and XMP say the same.
    let info = pdf.dict(pdf.trailer()["/Info"].as_str().unwrap());
    let created = text(&info["/CreationDate"]);
    assert_eq!(get(&x, XMP, "CreateDate"), [pdf_date_as_xmp(&created)]);
    assert_eq!(
        get(&x, XMP, "ModifyDate"),
        [pdf_date_as_xmp(&text(&info["/ModDate"]))]
    );
    assert_eq!(get(&x, PDFNS, "Producer"), [text(&info["/Producer"])]);
    assert_eq!(get(&x, XMP, "CreatorTool"), [text(&info["/Creator"])]);
    assert_eq!(get(&x, DC, "title"), [text(&info["/Title"])]);
    assert_eq!(get(&x, DC, "creator"), [text(&info["/Author"])]);
    (pdf, x)
}

#[test]
fn unsigned_original_gets_a_pdfa_2b_copy_with_its_catalogue_metadata() {
    let scan = scan();
    let path = copy_of(scan, UNSIGNED_ORIGINAL);
    let (pdf, x) = check_pdfa_structure(&path, "2");
    assert!(pdf.catalog().get("/AF").is_none(), "nothing embedded");
    let record = record_of(scan, UNSIGNED_ORIGINAL);
    let m = &record["metadata"];
    let field = |k: &str| m[k]["value"].as_str().unwrap().to_string();
    // Dublin Core: title = subject, creator = agency, date = issue date, identifier = number/symbol.
    assert_eq!(get(&x, DC, "title"), [field("subject")]);
    // The agency as resolved ("Ủy ban nhân dân huyện Lục Nam"), the name the report uses.
    assert_eq!(get(&x, DC, "creator"), [field("agency_name")]);
    assert_eq!(get(&x, DC, "date"), [field("issue_date")]);
    assert_eq!(get(&x, DC, "identifier"), [field("number_symbol")]);
    let k = kyso::archive::xmp::KYSO_NS;
    assert_eq!(
        get(&x, k, "originalSha256"),
        [record["sha256"].as_str().unwrap()]
    );
    assert_eq!(get(&x, k, "verdict"), ["scanned_unsigned"]);
    assert_eq!(get(&x, k, "originalEmbedded"), ["False"]);
    assert_eq!(get(&x, k, "kysoVersion"), [env!("CARGO_PKG_VERSION")]);
    assert_eq!(get(&x, k, "docType"), [field("doc_type")]);
    let options: Value = serde_json::from_str(&get(&x, k, "options")[0]).unwrap();
    assert_eq!(options["ocr"], "full");
    assert!(get(&x, DC, "description")[0].contains("carries no digital signature"));
}

#[test]
fn signed_original_is_embedded_unchanged_and_the_copy_is_pdfa_3b() {
    let scan = scan();
    let path = copy_of(scan, SIGNED_ORIGINAL);
    let (pdf, x) = check_pdfa_structure(&path, "3");
    let af = pdf.catalog()["/AF"].as_array().expect("/AF in the catalog");
    assert_eq!(af.len(), 1);
    let spec = pdf.resolve(&af[0]);
    assert_eq!(spec["/Type"], "/Filespec");
    assert_eq!(spec["/AFRelationship"], "/Source");
    assert_eq!(text(&spec["/UF"]), SIGNED_ORIGINAL);
    assert!(spec.get("/F").is_some());
    let stream = pdf.dict(spec["/EF"]["/F"].as_str().unwrap());
    assert_eq!(stream["/Type"], "/EmbeddedFile");
    assert_eq!(stream["/Subtype"], "/application/pdf");
    assert!(stream["/Params"].get("/ModDate").is_some());
    let original = std::fs::read(corpus(SIGNED_ORIGINAL)).unwrap();
    assert_eq!(stream["/Params"]["/Size"], original.len());

    // qpdf extracts it byte for byte.
    let extracted = run(Command::new("qpdf")
        .arg(format!("--show-attachment={SIGNED_ORIGINAL}"))
        .arg(&path));
    assert!(extracted.status.success());
    assert_eq!(extracted.stdout, original, "the original, unchanged");

    // The statement of what kyso found, and the reports as kyso verify prints them.
    let k = kyso::archive::xmp::KYSO_NS;
    let record = record_of(scan, SIGNED_ORIGINAL);
    assert_eq!(get(&x, k, "verdict"), ["scanned_org_signed"]);
    assert_eq!(get(&x, k, "originalEmbedded"), ["True"]);
    let in_xmp: Value = serde_json::from_str(&get(&x, k, "originalSignaturesJson")[0]).unwrap();
    assert_eq!(in_xmp, record["signatures"]);
    let lines = get(&x, k, "originalSignatures");
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("intact true, valid true"), "{}", lines[0]);
    let statement = &get(&x, DC, "description")[0];
    assert!(
        statement.contains("does not carry the original's signatures"),
        "{statement}"
    );
    assert!(statement.contains("embedded unchanged"), "{statement}");
}

#[test]
fn kyso_verify_on_the_extracted_original_gives_the_originals_exact_result() {
    let scan = scan();
    let path = copy_of(scan, SIGNED_ORIGINAL);
    let dir = tempfile::tempdir().unwrap();
    let extracted = dir.path().join(SIGNED_ORIGINAL);
    let out = run(Command::new("qpdf")
        .arg(format!("--show-attachment={SIGNED_ORIGINAL}"))
        .arg(&path));
    std::fs::write(&extracted, out.stdout).unwrap();
    let verify = |file: &Path| {
        let o = run(Command::new(kyso_bin())
            .args([
                "verify",
                "--json",
                "--at",
                "2026-01-01T00:00:00Z",
                "--trust",
            ])
            .arg(crate_dir().join("testdata/signatures/pki/trusted"))
            .arg(file));
        let v: Value = serde_json::from_slice(&o.stdout).expect("verify --json");
        (o.status.code(), v["signatures"].clone())
    };
    let (code_original, original) = verify(&corpus(SIGNED_ORIGINAL));
    let (code_extracted, from_copy) = verify(&extracted);
    assert!(!original.as_array().unwrap().is_empty());
    assert_eq!(code_extracted, code_original);
    assert_eq!(from_copy, original);
}

fn verify_json(file: &Path, extra: &[&str]) -> (Option<i32>, Vec<Value>) {
    let o = run(Command::new(kyso_bin())
        .args(["verify", "--json", "--trust"])
        .arg(pki().join("trust"))
        .args(extra)
        .arg(file));
    let v: Value = serde_json::from_slice(&o.stdout).expect("verify --json");
    (o.status.code(), v["signatures"].as_array().unwrap().clone())
}

fn assert_archive_signature(s: &Value, level: &str) {
    assert_eq!(s["field"], "kyso-archive");
    assert_eq!(s["subfilter"], "ETSI.CAdES.detached");
    assert_eq!(s["intact"], true, "{s}");
    assert_eq!(s["valid"], true, "{s}");
    assert_eq!(s["coverage"], "entire_file");
    assert_eq!(s["modification_level"], "none");
    assert_eq!(s["trust"]["status"], "trusted", "{s}");
    assert_eq!(s["role"], "organisation");
    assert_eq!(s["pades_level"], level);
    assert_eq!(
        s["signer"]["common_name"],
        "Trung tâm Lưu trữ lịch sử tỉnh Bắc Giang"
    );
}

#[test]
fn every_copy_carries_the_archives_organisation_signature_over_the_whole_file() {
    let scan = scan();
    for name in [SIGNED_ORIGINAL, UNSIGNED_ORIGINAL] {
        let (code, sigs) = verify_json(&copy_of(scan, name), &[]);
        assert_eq!(code, Some(0), "{name}");
        assert_eq!(sigs.len(), 1, "only the archive's signature is in the copy");
        assert_archive_signature(&sigs[0], "b_b");
        let m = sigs[0]["signing_time"]["value"].as_str().unwrap();
        assert_eq!(sigs[0]["signing_time"]["source"], "pdf_dictionary");
        assert!(m.ends_with('Z'), "{m}");
    }
}

/// PDFBox Preflight (Debian libpdfbox2-java) on a file: its error codes.
fn preflight(file: &Path) -> Vec<String> {
    let jars = [
        "preflight.jar",
        "pdfbox2.jar",
        "fontbox2.jar",
        "xmpbox.jar",
        "commons-logging.jar",
        "javax.activation.jar",
        "jaxb-api.jar",
    ];
    let cp: Vec<String> = jars
        .iter()
        .map(|j| format!("/usr/share/java/{j}"))
        .collect();
    for j in &cp {
        assert!(
            Path::new(j).is_file(),
            "{j} is missing: make setup installs default-jre-headless libpdfbox2-java \
             libactivation-java libjaxb-api-java"
        );
    }
    let out = run(Command::new("java")
        .arg("-cp")
        .arg(cp.join(":"))
        .arg("org.apache.pdfbox.preflight.Validator_A1b")
        .arg(file));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("is a valid PDF/A-1b file") || text.contains("is not a valid PDF/A-1b file"),
        "preflight did not run: {text}"
    );
    let mut codes: Vec<String> = text
        .lines()
        .filter_map(|l| l.split_once(" : ").map(|(c, _)| c.trim().to_string()))
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

#[test]
fn the_pdfa_validator_finds_only_what_pdfa_1_forbids_and_2_and_3_allow() {
    let scan = scan();
    // 7.11.2: "part must be 1" (PDF/A-1's own identification).
    assert_eq!(preflight(&copy_of(scan, UNSIGNED_ORIGINAL)), ["7.11.2"]);
    // 1.2.9, 1.4.7: embedded files, which PDF/A-1 forbids and PDF/A-3 makes associated files.
    assert_eq!(
        preflight(&copy_of(scan, SIGNED_ORIGINAL)),
        ["1.2.9", "1.4.7", "7.11.2"]
    );
    // The control: the plain searchable PDF of the same pages is not PDF/A, and the validator
    // says why (no ID, cross-reference stream, no OutputIntent, no metadata).
    let id = record_of(scan, UNSIGNED_ORIGINAL)["id"].as_str().unwrap();
    let plain = preflight(&scan.out.join("pdf").join(format!("{id}.pdf")));
    for code in ["1.4.1", "2.4.3", "7.1"] {
        assert!(plain.contains(&code.to_string()), "{plain:?}");
    }
}

#[test]
fn the_circular02_values_in_xmp_are_the_ones_kyso_export_writes() {
    let scan = scan();
    let out = run(Command::new(kyso_bin())
        .args(["export", "--format", "circular02", "--from"])
        .arg(&scan.out));
    assert!(out.status.success());
    let mut csv = csv::Reader::from_reader(&out.stdout[..]);
    let headers = csv.headers().unwrap().clone();
    let mut compared = 0;
    for row in csv.records() {
        let row = row.unwrap();
        let id = &row[0];
        let path = scan.out.join("pdfa").join(format!("{id}.pdf"));
        let x = xmp(&path, &Pdf::open(&path));
        for p in kyso::archive::xmp::CIRCULAR02_PROPERTIES {
            let column = headers.iter().position(|h| h == p.name).expect("column");
            let in_xmp = get(&x, kyso::archive::xmp::CIRCULAR02_NS, p.name);
            let expected: Vec<String> = Some(row[column].to_string())
                .filter(|v| !v.is_empty())
                .into_iter()
                .collect();
            assert_eq!(in_xmp, expected.as_slice(), "{id} {}", p.name);
            compared += 1;
        }
    }
    assert_eq!(
        compared,
        2 * kyso::archive::xmp::CIRCULAR02_PROPERTIES.len()
    );
}

#[test]
fn docs_archive_md_documents_every_xmp_property() {
    let doc = std::fs::read_to_string(crate_dir().join("docs/archive.md")).unwrap();
    for p in kyso::archive::xmp::KYSO_PROPERTIES {
        assert!(
            doc.contains(&format!("`kyso:{}`", p.name)),
            "kyso:{}",
            p.name
        );
    }
    for p in kyso::archive::xmp::CIRCULAR02_PROPERTIES {
        assert!(
            doc.contains(&format!("`tt02:{}`", p.name)),
            "tt02:{}",
            p.name
        );
    }
}

#[test]
fn a_personal_certificate_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let p12 = pki().join("personal-archivist.p12");
    let args = |allow: bool| {
        let mut a = vec![
            "--ocr",
            "none",
            "--outputs",
            "pdfa",
            "--sign-with",
            p12.to_str().unwrap(),
        ];
        if allow {
            a.push("--allow-personal-signer");
        }
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let input = [corpus("bd-unsigned.pdf")];
    let refused = kyso_scan(
        &dir.path().join("a"),
        &input,
        &args(false).iter().map(String::as_str).collect::<Vec<_>>(),
        &[("KYSO_SIGN_PASSWORD", PASSWORD)],
    );
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("personal"), "{stderr}");
    assert!(stderr.contains("--allow-personal-signer"), "{stderr}");
    assert!(
        !dir.path().join("a/documents.jsonl").exists(),
        "nothing ran"
    );
    let allowed = kyso_scan(
        &dir.path().join("b"),
        &input,
        &args(true).iter().map(String::as_str).collect::<Vec<_>>(),
        &[("KYSO_SIGN_PASSWORD", PASSWORD)],
    );
    assert_eq!(
        allowed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
}

#[test]
fn a_wrong_password_or_a_missing_pdfa_output_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let p12 = pki().join("org-archive.p12");
    let input = [corpus("bd-unsigned.pdf")];
    let wrong = kyso_scan(
        &dir.path().join("a"),
        &input,
        &[
            "--ocr",
            "none",
            "--outputs",
            "pdfa",
            "--sign-with",
            p12.to_str().unwrap(),
        ],
        &[("KYSO_SIGN_PASSWORD", "not-the-password")],
    );
    assert_eq!(wrong.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(stderr.contains("$KYSO_SIGN_PASSWORD"), "{stderr}");
    let no_pdfa = kyso_scan(
        &dir.path().join("b"),
        &input,
        &["--ocr", "none", "--sign-with", p12.to_str().unwrap()],
        &[("KYSO_SIGN_PASSWORD", PASSWORD)],
    );
    assert_eq!(no_pdfa.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_pdfa.stderr).contains("add pdfa to --outputs"));
}

/// A local RFC 3161 responder: OpenSSL's `ts -reply` behind a minimal HTTP server on the
/// loopback. It answers the first `grant` requests and then fails with HTTP 500; it stops
/// after 16 connections or two minutes.
struct Tsa {
    url: String,
    served: Arc<AtomicUsize>,
}

fn tsa(grant: usize) -> Tsa {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&served);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("tsaserial"), "01\n").unwrap();
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut connections = 0;
        while connections < 16 && Instant::now() < deadline {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            connections += 1;
            stream.set_nonblocking(false).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut data = Vec::new();
            let mut buf = [0u8; 4096];
            let body = loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break None;
                }
                data.extend_from_slice(&buf[..n]);
                let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if data.len() >= end + 4 + len {
                    break Some(data[end + 4..end + 4 + len].to_vec());
                }
            };
            let n = count.fetch_add(1, Ordering::SeqCst);
            let reply = body.filter(|_| n < grant).and_then(|query| {
                let q = work.path().join("q.tsq");
                let r = work.path().join("r.tsr");
                std::fs::write(&q, query).ok()?;
                let pki = pki();
                let ok = Command::new("openssl")
                    .current_dir(work.path())
                    .args(["ts", "-reply", "-config"])
                    .arg(pki.join("tsa.cnf"))
                    .arg("-queryfile")
                    .arg(&q)
                    .arg("-signer")
                    .arg(pki.join("tsa.cert.pem"))
                    .arg("-inkey")
                    .arg(pki.join("tsa.key.pem"))
                    .arg("-out")
                    .arg(&r)
                    .output()
                    .ok()?
                    .status
                    .success();
                ok.then(|| std::fs::read(&r).ok()).flatten()
            });
            let response = match reply {
                Some(body) => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend(body);
                    r
                }
                None => b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    Tsa { url, served }
}

#[test]
fn with_a_tsa_the_signature_is_pades_b_t_and_a_failing_tsa_fails_only_its_documents() {
    let dir = tempfile::tempdir().unwrap();
    let p12 = pki().join("org-archive.p12");
    // The start-up test signature and one document are granted; the next request fails.
    let responder = tsa(2);
    let inputs = [corpus("scan-page.png"), corpus("scan-nodpi.png")];
    let out = dir.path().join("out");
    let scan = kyso_scan(
        &out,
        &inputs,
        &[
            "--jobs",
            "1",
            "--outputs",
            "text,pdfa",
            "--sign-with",
            p12.to_str().unwrap(),
            "--tsa-url",
            &responder.url,
        ],
        &[("KYSO_SIGN_PASSWORD", PASSWORD)],
    );
    assert_eq!(
        scan.status.code(),
        Some(1),
        "one document has an error: {}",
        String::from_utf8_lossy(&scan.stderr)
    );
    assert_eq!(responder.served.load(Ordering::SeqCst), 3);
    let records = read_records(&out.join("documents.jsonl"));
    assert_eq!(records.len(), 2);
    let mut signed = 0;
    let mut failed = 0;
    for r in &records {
        let id = r["id"].as_str().unwrap();
        let copy = out.join("pdfa").join(format!("{id}.pdf"));
        assert!(
            out.join("text").join(format!("{id}.txt")).is_file(),
            "other outputs stand"
        );
        let errors = r["errors"].as_array().unwrap();
        if errors.is_empty() {
            let (code, sigs) = verify_json(&copy, &[]);
            assert_eq!(code, Some(0));
            assert_archive_signature(&sigs[0], "b_t");
            assert_eq!(sigs[0]["timestamp"]["source"], "timestamp_token");
            signed += 1;
        } else {
            assert_eq!(errors[0]["kind"], "timestamp_failed", "{r}");
            assert_eq!(errors[0]["stage"], "output");
            assert!(
                !copy.exists(),
                "no unsigned copy stands in for a signed one"
            );
            failed += 1;
        }
    }
    assert_eq!((signed, failed), (1, 1));
}

#[test]
fn copies_pyhanko_validated_when_they_were_made_are_valid_for_kyso_too() {
    let dir = crate_dir().join("testdata/archive");
    let labels: Value =
        serde_json::from_slice(&std::fs::read(dir.join("labels.json")).unwrap()).unwrap();
    let labels = labels.as_object().unwrap();
    assert!(labels.len() >= 2);
    for (name, label) in labels {
        let at = label["validation_time"].as_str().unwrap();
        let (code, sigs) = verify_json(&dir.join(name), &["--at", at]);
        assert_eq!(code, Some(0), "{name}");
        assert_eq!(sigs.len(), 1);
        let s = &sigs[0];
        let p = &label["pyhanko"];
        assert_eq!(s["intact"], p["intact"], "{name}");
        assert_eq!(s["valid"], p["valid"], "{name}");
        assert_eq!(s["trust"]["status"] == "trusted", p["trusted"], "{name}");
        assert_eq!(p["coverage"], "ENTIRE_FILE");
        assert_eq!(s["coverage"], "entire_file");
        assert_eq!(p["modification_level"], "NONE");
        assert_eq!(s["modification_level"], "none");
        assert_eq!(s["role"], "organisation");
        let level = label["level"].as_str().unwrap();
        assert_eq!(s["pades_level"], level, "{name}");
        if level == "b_t" {
            assert_eq!(p["timestamp_valid"], true, "{name}");
            assert!(s["timestamp"].is_object(), "{name}");
        }
    }
}
