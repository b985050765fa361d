//! `kyso verify`: the signature stage on its own, for people and scripts.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{analyze_detached, analyze_pdf, SignatureOptions, SignatureReport, TrustStatus};
use crate::exit::ExitCode;
use crate::output::{json, terminal};

/// What `kyso verify` was asked to do (converted from the CLI's `VerifyArgs`).
#[derive(Debug, Clone)]
pub struct VerifyConfig {
    pub files: Vec<PathBuf>,
    pub json: bool,
    pub trust: Option<PathBuf>,
    pub roles: Option<PathBuf>,
    pub at: Option<String>,
    /// `--fetch-revocation`: look up unknown revocation statuses over the network.
    pub fetch_revocation: bool,
}

/// One line of `--json` output.
#[derive(Serialize)]
struct FileLine<'a> {
    file: String,
    signatures: &'a [SignatureReport],
}

/// Runs `kyso verify` and returns its exit code (see `cli.rs` for their meaning).
pub fn verify_command(config: &VerifyConfig) -> ExitCode {
    let options = match SignatureOptions::load(
        config.trust.as_deref(),
        config.roles.as_deref(),
        config.at.as_deref(),
    )
    .and_then(|o| {
        if config.fetch_revocation {
            o.with_fetching(super::FetchOptions::default())
        } else {
            Ok(o)
        }
    }) {
        Ok(o) => o,
        Err(e) => {
            terminal::error("kyso verify", e);
            return ExitCode::Usage;
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut any_signature = false;
    let mut any_bad = false;
    let mut fatal = false;
    for file in &config.files {
        let reports = match reports_for(file, &options) {
            Ok(r) => r,
            Err(e) => {
                terminal::error("kyso verify", format!("{}: {e}", file.display()));
                fatal = true;
                continue;
            }
        };
        let signed: Vec<&SignatureReport> = reports.iter().filter(|r| r.signed).collect();
        any_signature |= !signed.is_empty();
        any_bad |= signed
            .iter()
            .any(|r| !is_good(r, !options.trust_roots.is_empty()));
        let written = if config.json {
            json::to_string(&FileLine {
                file: file.display().to_string(),
                signatures: &reports,
            })
            .map(|line| writeln!(out, "{line}"))
            .unwrap_or(Ok(()))
        } else {
            write!(out, "{}", human(file, &reports))
        };
        if written.is_err() {
            return ExitCode::Fatal;
        }
    }
    if fatal {
        ExitCode::Fatal
    } else if any_bad {
        ExitCode::Problems
    } else if !any_signature {
        ExitCode::NoSignature
    } else {
        ExitCode::Ok
    }
}

/// Good: intact, valid, covering its revision with at most LTA updates or new signatures
/// after it, and trusted when roots were given.
fn is_good(r: &SignatureReport, roots_given: bool) -> bool {
    use super::{Coverage, ModificationLevel};
    let coverage_ok = matches!(
        r.coverage,
        Some(Coverage::EntireFile | Coverage::EntireRevision)
    );
    let mods_ok = r
        .modification_level
        .is_some_and(|l| l <= ModificationLevel::FormFilling);
    r.intact
        && r.valid
        && !r.revocation.blocks()
        && r.permissions.as_ref().is_none_or(|p| p.ok)
        && coverage_ok
        && mods_ok
        && (!roots_given || r.trust.status == TrustStatus::Trusted)
}

/// A `.p7s`/`.sig` file is a detached signature over the file without that extension.
fn reports_for(file: &Path, options: &SignatureOptions) -> std::io::Result<Vec<SignatureReport>> {
    let bytes = std::fs::read(file)?;
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("p7s" | "sig")) {
        let content = std::fs::read(file.with_extension(""))?;
        return Ok(vec![analyze_detached(&content, &bytes, options)]);
    }
    Ok(analyze_pdf(&bytes, options))
}

fn json_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "-".into())
}

/// The per-axis summary, in the spirit of `pdfsig` and `pyhanko sign validate --pretty-print`.
/// Lines are cleaned for the terminal as they are pushed (`terminal::Lines`): signer names,
/// field names, reasons and details come from the document and its certificates.
fn human(file: &Path, reports: &[SignatureReport]) -> String {
    let mut s = terminal::Lines::new();
    s.push_str(&format!("{}\n", file.display()));
    if reports.is_empty() {
        s.push_str("  no signature found\n");
    }
    for (i, r) in reports.iter().enumerate() {
        let field = if r.field.is_empty() {
            "(detached)"
        } else {
            r.field.as_str()
        };
        s.push_str(&format!("  Signature #{} field: {field}\n", i + 1));
        if !r.signed {
            s.push_str("    empty signature field (not signed)\n");
            continue;
        }
        let signer = r
            .signer
            .as_ref()
            .map(|si| si.subject.clone())
            .unwrap_or_else(|| "unknown".into());
        s.push_str(&format!("    signer:       {signer}\n"));
        if let Some(t) = &r.signing_time {
            s.push_str(&format!(
                "    time:         {} ({})\n",
                t.value,
                json_name(&t.source)
            ));
        }
        if let Some(t) = &r.timestamp {
            s.push_str(&format!(
                "    timestamp:    {} (timestamp token)\n",
                t.value
            ));
        }
        s.push_str(&format!(
            "    integrity:    {} ({}, {})\n",
            json_name(&r.integrity),
            r.digest_algorithm.as_deref().unwrap_or("?"),
            r.subfilter.as_deref().unwrap_or("no subfilter")
        ));
        s.push_str(&format!(
            "    validity:     {} ({})\n",
            if r.valid {
                "signature verifies"
            } else {
                "signature does NOT verify"
            },
            r.signature_algorithm.as_deref().unwrap_or("?")
        ));
        s.push_str(&format!(
            "    coverage:     {}, modifications: {}\n",
            r.coverage
                .map(|c| json_name(&c))
                .unwrap_or_else(|| "-".into()),
            r.modification_level
                .map(|l| json_name(&l))
                .unwrap_or_else(|| "-".into())
        ));
        for m in &r.modifications {
            s.push_str(&format!(
                "      revision {}: {} — {}\n",
                m.revision,
                json_name(&m.kind),
                m.detail
            ));
        }
        s.push_str(&format!(
            "    trust:        {} ({})\n",
            json_name(&r.trust.status),
            r.trust.reason
        ));
        if let Some(p) = &r.permissions {
            s.push_str(&format!(
                "    permissions:  {} ({})\n",
                if p.ok { "respected" } else { "VIOLATED" },
                p.reason
            ));
        }
        s.push_str(&format!(
            "    revocation:   {} ({})\n",
            json_name(&r.revocation.status),
            r.revocation.reason
        ));
        s.push_str(&format!(
            "    role:         {} ({})\n",
            json_name(&r.role),
            r.role_reason
        ));
        for p in &r.problems {
            s.push_str(&format!("    problem:      {p}\n"));
        }
    }
    s.into_string()
}
