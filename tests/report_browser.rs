//! The HTML report opened in a real browser (Debian's `chromium`, headless): it loads with no
//! console message (errors, uncaught exceptions, blocked resources), its script runs, and it
//! shows a row per agency of report.json and the three SVG charts. A screenshot is saved to
//! `out/report.png` for people to look at.
//!
//! `make test` installs chromium (`make setup`). Without it this test fails with a message
//! saying so: a report nobody opened in a browser is not tested.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(out) = Command::new(name).arg("--version").output() {
            if out.status.success() {
                return PathBuf::from(name);
            }
        }
    }
    panic!(
        "chromium is not installed: run `make setup` (installs Debian's chromium) or \
         `apt-get install chromium`; the HTML report test needs a real browser"
    );
}

/// Runs headless chromium on `page` with `mode` (`--dump-dom`, `--screenshot=...`), with its
/// logging on stderr (console messages appear there as `CONSOLE` lines).
fn run_chromium(page: &Path, mode: &[&str]) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    // `timeout` bounds a browser that hangs (it should take a second or two).
    Command::new("timeout")
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
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(mode)
        .arg(url)
        .output()
        .expect("run chromium")
}

/// Console output of the page: our page writes none, so any is a problem (errors, uncaught
/// exceptions, resources refused by the page's content security policy).
fn console_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn html_report_loads_in_chromium_without_console_errors_and_shows_agencies_and_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let report_dir = common::scan_and_report(tmp.path(), &[]);
    let html = report_dir.join("report.html");
    let report: Value =
        serde_json::from_slice(&std::fs::read(report_dir.join("report.json")).unwrap()).unwrap();

    let dom = run_chromium(&html, &["--dump-dom"]);
    assert!(
        dom.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let console = console_lines(&dom);
    assert!(
        console.is_empty(),
        "console messages while loading the report:\n{}",
        console.join("\n")
    );
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    assert!(
        dom.contains("data-ready=\"yes\""),
        "the page's script did not run to its end"
    );
    for chart in ["chart-verdicts", "chart-kpi", "chart-trend"] {
        assert!(
            dom.contains(&format!("id=\"{chart}\"")),
            "chart {chart} missing"
        );
    }
    let rows = report["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let key = row["agency_key"].as_str().unwrap();
        let attr = format!(
            "data-agency=\"{}\"",
            key.replace('&', "&amp;").replace('"', "&quot;")
        );
        let name = row["agency"].as_str().unwrap();
        assert!(
            dom.contains(&format!("<tr class=\"agency-row\" {attr}>")),
            "no table row for agency {key}"
        );
        assert!(
            dom.contains(&format!("<g class=\"agency-bar\" {attr}>")),
            "no bar for {key}"
        );
        assert!(
            dom.contains(&format!("<g class=\"kpi-bar\" {attr}>")),
            "no KPI bar for {key}"
        );
        assert!(
            dom.contains(name) || dom.contains(&name.replace('&', "&amp;")),
            "name {name}"
        );
    }
    // One bar segment per (agency, verdict) with documents.
    let segments: usize = rows
        .iter()
        .map(|r| {
            r["verdicts"]
                .as_object()
                .unwrap()
                .values()
                .filter(|v| v.as_u64() != Some(0))
                .count()
        })
        .sum();
    assert_eq!(
        dom.matches("class=\"seg\"").count(),
        segments,
        "stacked segments"
    );
    let flagged = report["flagged"].as_array().unwrap().len();
    assert_eq!(
        dom.matches("class=\"flagged-row\"").count(),
        flagged,
        "flagged rows"
    );

    let out_dir = common::crate_dir().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let png = out_dir.join("report.png");
    let _ = std::fs::remove_file(&png);
    let shot = run_chromium(
        &html,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2000",
            "--hide-scrollbars",
        ],
    );
    assert!(
        shot.status.success(),
        "chromium screenshot failed: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let size = image::image_dimensions(&png).expect("the screenshot is a PNG");
    assert_eq!(size, (1280, 2000));
    eprintln!("screenshot: {}", png.display());
}

/// The console check above can fail: a page that throws is caught.
#[test]
fn console_check_catches_a_page_that_throws() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><script>throw new Error('kyso-probe')</script></body></html>",
    )
    .unwrap();
    let out = run_chromium(&page, &["--dump-dom"]);
    let console = console_lines(&out);
    assert!(
        console.iter().any(|l| l.contains("kyso-probe")),
        "the thrown error was not seen on chromium's stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
