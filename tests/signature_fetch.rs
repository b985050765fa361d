//! `--fetch-revocation` against a local HTTP responder, never the network: the fixtures of
//! testdata/signatures/fetch/ (made by testdata/generate/fetch_revocation.py) carry no
//! revocation data, and their certificates name OCSP responders and CRL distribution points
//! on `*.kyso-test.invalid` (a name that never resolves). Each test starts a responder on
//! 127.0.0.1 that acts as the HTTP proxy kyso is given: it answers the proxy's CONNECT, then
//! serves the generated CRLs and OCSP responses by URL and records what was asked.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kyso::signature::{
    analyze_pdf, FetchOptions, RevocationSource, RevocationStatus, SignatureOptions,
    SignatureReport, TrustStatus,
};
use kyso::verdict::signature_problem;
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/signatures/fetch")
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap()).unwrap()
}

#[derive(Clone, Copy)]
enum Behaviour {
    /// Serve each route's file.
    Serve,
    /// Serve each file followed by this many junk bytes.
    Pad(usize),
    /// Accept, read the request, never answer.
    Silent,
    /// Serve, but answer 404 for URLs ending so.
    Hide(&'static str),
}

struct Responder {
    proxy: String,
    /// The URLs asked for, in order.
    asked: Arc<Mutex<Vec<String>>>,
}

impl Responder {
    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

fn start(behaviour: Behaviour) -> Responder {
    let routes: HashMap<String, Vec<u8>> = expected()["routes"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(url, file)| {
            let path = dir().join("served").join(file.as_str().unwrap());
            (url.clone(), std::fs::read(path).unwrap())
        })
        .collect();
    let routes = Arc::new(routes);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    // The listener thread ends with the test process.
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let routes = routes.clone();
            let log = log.clone();
            std::thread::spawn(move || {
                let _ = handle(stream, &routes, &log, behaviour);
            });
        }
    });
    Responder { proxy, asked }
}

/// Reads one request head; returns its first line and headers (lower-cased names).
fn read_head(
    reader: &mut BufReader<TcpStream>,
) -> std::io::Result<(String, HashMap<String, String>)> {
    let mut first = String::new();
    reader.read_line(&mut first)?;
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    Ok((first.trim().to_string(), headers))
}

fn handle(
    stream: TcpStream,
    routes: &HashMap<String, Vec<u8>>,
    log: &Mutex<Vec<String>>,
    behaviour: Behaviour,
) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let (mut line, mut headers) = read_head(&mut reader)?;
    if line.starts_with("CONNECT ") {
        writer.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
        (line, headers) = read_head(&mut reader)?;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let host = headers.get("host").cloned().unwrap_or_default();
    let host = host.strip_suffix(":80").unwrap_or(&host);
    let url = format!("http://{host}{path}");
    if let Some(n) = headers
        .get("content-length")
        .and_then(|n| n.parse::<usize>().ok())
    {
        let mut body = vec![0; n];
        reader.read_exact(&mut body)?;
    }
    log.lock().unwrap().push(format!("{method} {url}"));
    if let Behaviour::Silent = behaviour {
        std::thread::sleep(Duration::from_secs(30));
        return Ok(());
    }
    let hidden = matches!(behaviour, Behaviour::Hide(end) if url.ends_with(end));
    match routes.get(&url).filter(|_| !hidden) {
        Some(body) => {
            let mut body = body.clone();
            if let Behaviour::Pad(n) = behaviour {
                body.extend(std::iter::repeat_n(0u8, n));
            }
            write!(
                writer,
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            writer.write_all(&body)?;
        }
        None => writer.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?,
    }
    writer.flush()
}

fn options_at(at: &str, fetch: Option<FetchOptions>) -> SignatureOptions {
    let e = expected();
    let trust = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(e["trust"].as_str().unwrap());
    let o = SignatureOptions::load(Some(&trust), None, Some(at)).unwrap();
    match fetch {
        Some(f) => o.with_fetching(f).unwrap(),
        None => o,
    }
}

fn fetching_through(proxy: &str) -> FetchOptions {
    FetchOptions {
        proxy: Some(proxy.to_string()),
        timeout: Duration::from_secs(5),
        ..FetchOptions::default()
    }
}

fn validation_time() -> String {
    expected()["validation_time"].as_str().unwrap().to_string()
}

fn report(name: &str, options: &SignatureOptions) -> SignatureReport {
    let reports = analyze_pdf(&std::fs::read(dir().join(name)).unwrap(), options);
    let signed: Vec<_> = reports.into_iter().filter(|r| r.signed).collect();
    assert_eq!(signed.len(), 1, "{name}: one signature");
    let r = signed.into_iter().next().unwrap();
    let py = &expected()["files"][name]["pyhanko"];
    assert_eq!(
        (py["intact"].clone(), py["valid"].clone()),
        (Value::from(r.intact), Value::from(r.valid)),
        "{name}: pyHanko's intact/valid"
    );
    r
}

#[test]
fn without_the_flag_nothing_is_fetched_and_the_status_stays_unknown() {
    let r = report("good.pdf", &options_at(&validation_time(), None));
    assert_eq!(
        r.revocation.status,
        RevocationStatus::Unknown,
        "{:?}",
        r.revocation
    );
    assert!(r.revocation.certificates.iter().all(|c| c.source.is_none()));
    assert!(!r.revocation.reason.contains("--fetch-revocation"));
}

#[test]
fn a_good_status_is_fetched_from_the_ocsp_responder_and_the_crl() {
    let server = start(Behaviour::Serve);
    let options = options_at(&validation_time(), Some(fetching_through(&server.proxy)));
    let r = report("good.pdf", &options);
    assert_eq!(
        r.revocation.status,
        RevocationStatus::Good,
        "{:?}",
        r.revocation
    );
    let [leaf, sub] = &r.revocation.certificates[..] else {
        panic!("leaf and intermediate: {:?}", r.revocation)
    };
    assert_eq!(leaf.source, Some(RevocationSource::Fetched));
    assert!(
        leaf.detail
            .contains("OCSP responder http://ocsp.kyso-test.invalid/good"),
        "{}",
        leaf.detail
    );
    assert_eq!(sub.source, Some(RevocationSource::Fetched));
    assert!(
        sub.detail.contains("http://crl.kyso-test.invalid/root.crl"),
        "{}",
        sub.detail
    );
    assert!(r.revocation.reason.contains("fetched"));
    assert_eq!(r.trust.status, TrustStatus::Trusted, "{:?}", r.trust);
    assert!(signature_problem(&r, true).is_none());
    // The OCSP answer sufficed for the leaf: its CRL was not downloaded.
    assert_eq!(
        server.asked(),
        vec![
            "POST http://ocsp.kyso-test.invalid/good".to_string(),
            "GET http://crl.kyso-test.invalid/root.crl".to_string()
        ]
    );
    // A second document of the same issuers: the CRL comes from the run's cache, and the OCSP
    // request for the same certificate too.
    let again = report("good.pdf", &options);
    assert_eq!(again.revocation.status, RevocationStatus::Good);
    assert_eq!(server.asked().len(), 2, "{:?}", server.asked());
}

#[test]
fn a_revocation_found_by_ocsp_or_in_a_crl_blocks_the_signature() {
    let server = start(Behaviour::Serve);
    let options = options_at(&validation_time(), Some(fetching_through(&server.proxy)));
    let revoked_at = expected()["revoked_at"].as_str().unwrap().to_string();
    for (name, by) in [
        (
            "revoked_ocsp.pdf",
            "OCSP response from the OCSP responder http://ocsp.kyso-test.invalid/revoked",
        ),
        (
            "revoked_crl.pdf",
            "CRL from the download of http://crl.kyso-test.invalid/sub.crl",
        ),
    ] {
        let r = report(name, &options);
        assert_eq!(
            r.revocation.status,
            RevocationStatus::Revoked,
            "{name}: {:?}",
            r.revocation
        );
        assert_eq!(
            r.revocation.date.as_deref(),
            Some(revoked_at.as_str()),
            "{name}"
        );
        let leaf = &r.revocation.certificates[0];
        assert_eq!(leaf.source, Some(RevocationSource::Fetched), "{name}");
        assert!(leaf.detail.starts_with(by), "{name}: {}", leaf.detail);
        assert!(
            r.revocation.blocks(),
            "{name}: no timestamp proves the signature older"
        );
        assert_eq!(r.trust.status, TrustStatus::Untrusted, "{name}");
        assert!(signature_problem(&r, true).is_some(), "{name}");
    }
}

#[test]
fn data_signed_by_someone_else_than_the_issuer_is_not_used() {
    let server = start(Behaviour::Serve);
    let options = options_at(&validation_time(), Some(fetching_through(&server.proxy)));
    let r = report("wrong_signer.pdf", &options);
    let leaf = &r.revocation.certificates[0];
    assert_eq!(leaf.status, RevocationStatus::Unknown, "{leaf:?}");
    assert_eq!(leaf.source, None);
    assert!(
        leaf.detail
            .contains("is not signed by the issuer or its OCSP responder"),
        "{}",
        leaf.detail
    );
    assert!(
        leaf.detail
            .contains("does not verify with the issuer's key"),
        "{}",
        leaf.detail
    );
    assert_eq!(
        server.asked().len(),
        3,
        "OCSP, forged CRL, root CRL: {:?}",
        server.asked()
    );
    // Unknown is visible but does not block (soft-fail, as pyHanko's default).
    assert!(signature_problem(&r, true).is_none());
}

#[test]
fn an_unreachable_responder_leaves_the_status_unknown() {
    // A port nobody listens on: bind, note it, let it go.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = options_at(
        &validation_time(),
        Some(fetching_through(&format!("http://127.0.0.1:{port}"))),
    );
    let r = report("good.pdf", &options);
    assert_eq!(r.revocation.status, RevocationStatus::Unknown);
    let leaf = &r.revocation.certificates[0];
    assert!(
        leaf.detail
            .contains("OCSP http://ocsp.kyso-test.invalid/good: could not fetch"),
        "{}",
        leaf.detail
    );
    assert!(
        leaf.detail
            .contains("CRL http://crl.kyso-test.invalid/sub.crl: could not fetch"),
        "{}",
        leaf.detail
    );
}

#[test]
fn a_silent_responder_is_given_up_after_the_timeout() {
    let server = start(Behaviour::Silent);
    let options = options_at(
        &validation_time(),
        Some(FetchOptions {
            timeout: Duration::from_secs(1),
            ..fetching_through(&server.proxy)
        }),
    );
    let r = report("revoked_crl.pdf", &options);
    let leaf = &r.revocation.certificates[0];
    assert_eq!(leaf.status, RevocationStatus::Unknown);
    assert!(
        leaf.detail.contains("no complete response within 1 s"),
        "{}",
        leaf.detail
    );
}

#[test]
fn an_oversized_response_is_refused() {
    let server = start(Behaviour::Pad(100_000));
    let options = options_at(
        &validation_time(),
        Some(FetchOptions {
            max_bytes: 64 << 10,
            ..fetching_through(&server.proxy)
        }),
    );
    let r = report("big.pdf", &options);
    let leaf = &r.revocation.certificates[0];
    assert_eq!(leaf.status, RevocationStatus::Unknown);
    assert!(
        leaf.detail
            .contains("big.crl: the response is larger than the limit of 65536 bytes"),
        "{}",
        leaf.detail
    );
}

#[test]
fn https_and_ldap_locations_are_reported_not_fetched() {
    let server = start(Behaviour::Serve);
    let options = options_at(&validation_time(), Some(fetching_through(&server.proxy)));
    let r = report("https_only.pdf", &options);
    let leaf = &r.revocation.certificates[0];
    assert_eq!(leaf.status, RevocationStatus::Unknown);
    assert!(
        leaf.detail
            .contains("OCSP https://ocsp.kyso-test.invalid/good: not fetched"),
        "{}",
        leaf.detail
    );
    assert!(leaf.detail.contains("ldap://"), "{}", leaf.detail);
    assert!(
        server.asked().iter().all(|u| u.ends_with("/root.crl")),
        "only the intermediate's http:// CRL: {:?}",
        server.asked()
    );
}

#[test]
fn what_the_file_carries_is_used_before_the_network() {
    let server = start(Behaviour::Serve);
    let options = options_at(&validation_time(), Some(fetching_through(&server.proxy)));
    let r = report("embedded_good.pdf", &options);
    assert_eq!(
        r.revocation.status,
        RevocationStatus::Good,
        "{:?}",
        r.revocation
    );
    assert!(r
        .revocation
        .certificates
        .iter()
        .all(|c| c.source == Some(RevocationSource::Embedded)));
    assert!(server.asked().is_empty(), "{:?}", server.asked());
}

#[test]
fn fetched_data_is_current_knowledge_but_must_be_fresh() {
    let server = start(Behaviour::Serve);
    let e = expected();
    // Before the revocation date: the CRL issued later lists the certificate as revoked only
    // after that time, so it was good then.
    let before = kyso::signature::parse_rfc3339(e["revoked_at"].as_str().unwrap()).unwrap()
        - Duration::from_secs(5 * 86_400);
    let before = options_at(&kyso_time(before), Some(fetching_through(&server.proxy)));
    let r = report("revoked_crl.pdf", &before);
    let leaf = &r.revocation.certificates[0];
    assert_eq!(leaf.status, RevocationStatus::Good, "{leaf:?}");
    assert!(leaf.detail.contains("revoked only on"), "{}", leaf.detail);

    // After the CRLs' next update: stale, they say nothing about that time.
    let late = kyso::signature::parse_rfc3339(e["next_update"].as_str().unwrap()).unwrap()
        + Duration::from_secs(86_400);
    let late = options_at(&kyso_time(late), Some(fetching_through(&server.proxy)));
    let r = report("good.pdf", &late);
    let sub = &r.revocation.certificates[1];
    assert_eq!(sub.status, RevocationStatus::Unknown, "{sub:?}");
    assert!(sub.detail.contains("is stale"), "{}", sub.detail);
    let leaf = &r.revocation.certificates[0];
    assert!(
        leaf.detail.contains("OCSP response in the OCSP responder"),
        "{}",
        leaf.detail
    );
    assert!(leaf.detail.contains("is stale"), "{}", leaf.detail);
}

#[test]
fn a_fresh_delta_crl_brings_a_stale_base_crl_up_to_date() {
    let server = start(Behaviour::Serve);
    let options = options_at(&validation_time(), Some(fetching_through(&server.proxy)));
    let good = report("delta_good.pdf", &options);
    let leaf = &good.revocation.certificates[0];
    assert_eq!(leaf.status, RevocationStatus::Good, "{leaf:?}");
    assert!(
        leaf.detail.contains("stale-base.crl")
            && leaf.detail.contains("brought up to date by the delta CRL"),
        "{}",
        leaf.detail
    );
    let revoked = report("delta_revoked.pdf", &options);
    let leaf = &revoked.revocation.certificates[0];
    assert_eq!(leaf.status, RevocationStatus::Revoked, "{leaf:?}");
    assert!(
        leaf.detail
            .starts_with("delta CRL from the download of http://crl.kyso-test.invalid/delta.crl"),
        "{}",
        leaf.detail
    );

    // Without the delta CRL, the stale base says nothing.
    let server = start(Behaviour::Hide("/delta.crl"));
    let options = options_at(&validation_time(), Some(fetching_through(&server.proxy)));
    let r = report("delta_good.pdf", &options);
    let leaf = &r.revocation.certificates[0];
    assert_eq!(leaf.status, RevocationStatus::Unknown, "{leaf:?}");
    assert!(
        leaf.detail.contains("delta.crl: HTTP status 404"),
        "{}",
        leaf.detail
    );
    assert!(
        leaf.detail.contains("stale-base.crl is stale"),
        "{}",
        leaf.detail
    );
}

fn kyso_time(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    der::DateTime::from_unix_duration(Duration::from_secs(secs))
        .unwrap()
        .to_string()
}

#[test]
fn kyso_verify_fetches_only_with_the_flag_and_through_the_environment_proxy() {
    let server = start(Behaviour::Serve);
    let e = expected();
    let trust = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(e["trust"].as_str().unwrap());
    let run = |flag: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kyso"));
        for var in [
            "ALL_PROXY",
            "all_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            cmd.env_remove(var);
        }
        let out = cmd
            .env("HTTP_PROXY", &server.proxy)
            .arg("verify")
            .arg("--json")
            .arg("--trust")
            .arg(&trust)
            .arg("--at")
            .arg(e["validation_time"].as_str().unwrap())
            .args(flag)
            .arg(dir().join("revoked_ocsp.pdf"))
            .output()
            .unwrap();
        let line: Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            out.status.code(),
            line["signatures"][0]["revocation"].clone(),
        )
    };
    let (code, revocation) = run(&[]);
    assert_eq!(code, Some(0), "unknown does not block: {revocation}");
    assert_eq!(revocation["status"], "unknown");
    assert!(server.asked().is_empty(), "{:?}", server.asked());
    let (code, revocation) = run(&["--fetch-revocation"]);
    assert_eq!(code, Some(1), "{revocation}");
    assert_eq!(revocation["status"], "revoked");
    assert_eq!(revocation["certificates"][0]["source"], "fetched");
    assert!(!server.asked().is_empty());
}
