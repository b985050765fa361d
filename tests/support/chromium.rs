//! Headless Chromium for the tests that open kyso's HTML: the page's console and every network
//! request it made. The same flags as tests/report_browser.rs, plus a NetLog (Chromium's own
//! record of every request) and a host resolver that resolves nothing, so a request that should
//! not be made is seen and never leaves the machine.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(out) = Command::new(name).arg("--version").output() {
            if out.status.success() {
                return PathBuf::from(name);
            }
        }
    }
    panic!(
        "chromium is not installed: run `make setup` (installs Debian's chromium) or \
         `apt-get install chromium`; the HTML tests need a real browser"
    );
}

/// What Chromium did with a page: its DOM after load, its console lines, and the network
/// requests the page itself made.
pub struct Visit {
    pub dom: String,
    pub console: Vec<String>,
    pub page_requests: Vec<String>,
}

/// Opens `page` headless with `--dump-dom`, logging the console to stderr and requests to a
/// NetLog.
pub fn visit(page: &Path) -> Visit {
    let tmp = tempfile::tempdir().unwrap();
    let netlog = tmp.path().join("netlog.json");
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let output = Command::new("timeout")
        .arg("120")
        .arg(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!(
            "--user-data-dir={}",
            tmp.path().join("profile").display()
        ))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let console = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .map(str::to_owned)
        .collect();
    let netlog: Value =
        serde_json::from_slice(&std::fs::read(&netlog).expect("chromium wrote its NetLog"))
            .expect("the NetLog is JSON");
    Visit {
        dom: String::from_utf8_lossy(&output.stdout).into_owned(),
        console,
        page_requests: page_requests(&netlog),
    }
}

/// The URLs of requests a page made. Chromium's own background requests (component updates,
/// time sync) have no origin as initiator; a request from a page opened from a file has the
/// page's origin (`null`, `file://`) as initiator and `file://` in its isolation key.
fn page_requests(netlog: &Value) -> Vec<String> {
    let mut urls = Vec::new();
    for event in netlog["events"].as_array().into_iter().flatten() {
        let params = &event["params"];
        let (Some(url), Some(_)) = (params["url"].as_str(), params["method"].as_str()) else {
            continue;
        };
        let initiator = params["initiator"].as_str().unwrap_or("");
        let key = params["network_isolation_key"].as_str().unwrap_or("");
        if initiator != "not an origin" || key.contains("file://") {
            urls.push(url.to_owned());
        }
    }
    urls.sort();
    urls.dedup();
    urls
}
