//! `kyso export`: a scan's records → the input data archives ingest.
//!
//! `circular02` writes one CSV row per document with the per-document fields of Circular
//! 02/2019/TT-BNV (input data of digitised archival documents); `jsonl` writes the metadata
//! objects. `DIR/documents.jsonl` is read one line at a time, so memory does not grow with the
//! size of the scan. The mapping, and what cannot be known from a scan, is in docs/export.md.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::exit::ExitCode;
use crate::metadata::circular02::Circular02;
use crate::metadata::{Field, Metadata};
use crate::output::{csv as csv_cells, json, temp_path, terminal};
use crate::source::{Format, Origin, PageKind};

/// What `kyso export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// CSV, the per-document fields of Circular 02/2019/TT-BNV.
    Circular02,
    /// One JSON object per document: path, id, origin, pages and `metadata`.
    Jsonl,
}

#[derive(Debug, Clone)]
pub struct ExportConfig {
    /// A `kyso scan` output folder.
    pub from: PathBuf,
    pub format: ExportFormat,
    /// Output file; standard output when `None`.
    pub out: Option<PathBuf>,
}

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("{path}: no kyso scan output here ({source})")]
    NoRecords {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("writing {path}: {source}")]
    Write { path: String, source: io::Error },
}

/// The part of a record the export reads. Everything is optional, so records written by an
/// older or newer kyso still export.
#[derive(Debug, Deserialize)]
struct RecordView {
    #[serde(default)]
    path: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default = "unknown_format")]
    format: Format,
    #[serde(default)]
    pages: Vec<PageView>,
    #[serde(default = "unknown_origin")]
    origin: Origin,
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    verdict: Option<String>,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
}

fn unknown_format() -> Format {
    Format::Unknown
}

fn unknown_origin() -> Origin {
    Origin::Unknown
}

#[derive(Debug, Deserialize)]
struct PageView {
    kind: Option<PageKind>,
}

/// A `jsonl` export line.
#[derive(Serialize)]
struct JsonlLine<'a> {
    path: &'a str,
    id: Option<&'a str>,
    sha256: Option<&'a str>,
    format: Format,
    origin: Origin,
    pages: usize,
    verdict: Option<&'a str>,
    metadata: &'a Metadata,
}

/// The CSV columns: the Circular's fields in its order, then kyso's own (after `ghi_chu`).
pub const CIRCULAR02_COLUMNS: &[&str] = &[
    "ma_dinh_danh",
    "ma_luu_tru",
    "ma_ho_so",
    "ten_loai_van_ban",
    "so_van_ban",
    "ky_hieu_van_ban",
    "ngay_van_ban",
    "co_quan_ban_hanh",
    "trich_yeu",
    "ngon_ngu",
    "so_trang",
    "ky_hieu_thong_tin",
    "tu_khoa",
    "che_do_su_dung",
    "muc_do_tin_cay",
    "but_tich",
    "tinh_trang_vat_ly",
    "nguoi_ky",
    "chuc_vu_nguoi_ky",
    "ghi_chu",
    // kyso's own, for tracing a row back to its file and its evidence.
    "kyso_agency_key",
    "kyso_path",
    "kyso_sha256",
    "kyso_verdict",
];

/// The columns whose values kyso computes as numbers; every other column is text from the
/// document or the record, written through `output::csv` (docs/export.md, "Formulas").
const CIRCULAR02_NUMBERS: &[&str] = &["so_trang"];

/// A row's cells as written: text through the CSV rule, numbers as they are.
fn circular02_cells(row: Vec<String>) -> Vec<String> {
    row.into_iter()
        .zip(CIRCULAR02_COLUMNS)
        .map(|(v, column)| {
            if CIRCULAR02_NUMBERS.contains(column) && v.bytes().all(|b| b.is_ascii_digit()) {
                v
            } else {
                csv_cells::text(&v).into_owned()
            }
        })
        .collect()
}

fn value(f: &Option<Field<String>>) -> String {
    f.as_ref().map(|f| f.value.clone()).unwrap_or_default()
}

fn circular02_row(r: &RecordView) -> Vec<String> {
    let m = &r.metadata;
    let pages = r
        .pages
        .iter()
        .filter(|p| p.kind != Some(PageKind::Blank))
        .count();
    let c = Circular02::of(m, r.origin);
    let mut notes = c.ghi_chu;
    if !r.errors.is_empty() {
        notes.push(format!("kyso: {} lỗi khi xử lý", r.errors.len()));
    }
    vec![
        r.id.clone().unwrap_or_default(),
        String::new(),
        String::new(),
        c.ten_loai_van_ban,
        c.so_van_ban,
        c.ky_hieu_van_ban,
        c.ngay_van_ban,
        c.co_quan_ban_hanh,
        c.trich_yeu,
        c.ngon_ngu,
        if r.pages.is_empty() {
            String::new()
        } else {
            pages.to_string()
        },
        String::new(),
        String::new(),
        String::new(),
        c.muc_do_tin_cay,
        String::new(),
        String::new(),
        c.nguoi_ky,
        c.chuc_vu_nguoi_ky,
        notes.join("; "),
        value(&m.agency_key),
        r.path.clone(),
        r.sha256.clone().unwrap_or_default(),
        r.verdict.clone().unwrap_or_default(),
    ]
}

/// `kyso export`: prints problems and tells the exit code (0; 1 when some lines were not
/// records; 2 when DIR has no scan output; 3 when the output cannot be written).
pub fn export_command(config: &ExportConfig) -> ExitCode {
    match export(config) {
        Ok(0) => ExitCode::Ok,
        Ok(bad) => {
            terminal::error(
                "kyso export",
                format!("{bad} lines of documents.jsonl were not records and were skipped"),
            );
            ExitCode::Problems
        }
        Err(e @ ExportError::NoRecords { .. }) => {
            terminal::error("kyso export", e);
            ExitCode::Usage
        }
        Err(e) => {
            terminal::error("kyso export", e);
            ExitCode::Fatal
        }
    }
}

/// Runs the export; returns how many lines could not be read as records.
pub fn export(config: &ExportConfig) -> Result<u64, ExportError> {
    let input = config.from.join("documents.jsonl");
    let file = File::open(&input).map_err(|source| ExportError::NoRecords {
        path: input.clone(),
        source,
    })?;
    let reader = BufReader::new(file);
    match &config.out {
        None => {
            let stdout = io::stdout();
            let out = stdout.lock();
            write_export(reader, &input, BufWriter::new(out), config.format, "stdout")
        }
        Some(path) => {
            // Written whole or not at all: a temporary name, renamed when complete.
            let tmp = temp_path(path);
            let shown = path.display().to_string();
            let result = File::create(&tmp)
                .map_err(|source| ExportError::Write {
                    path: shown.clone(),
                    source,
                })
                .and_then(|f| {
                    write_export(reader, &input, BufWriter::new(f), config.format, &shown)
                })
                .and_then(|bad| {
                    fs::rename(&tmp, path)
                        .map(|_| bad)
                        .map_err(|source| ExportError::Write {
                            path: shown.clone(),
                            source,
                        })
                });
            if result.is_err() {
                let _ = fs::remove_file(&tmp);
            }
            result
        }
    }
}

fn write_export<R: BufRead, W: Write>(
    reader: R,
    input: &Path,
    out: W,
    format: ExportFormat,
    shown: &str,
) -> Result<u64, ExportError> {
    let write_err = |source: io::Error| ExportError::Write {
        path: shown.to_string(),
        source,
    };
    let csv_err = |e: csv::Error| write_err(io::Error::other(e));
    let mut bad = 0u64;
    let mut csv_out = None;
    let mut json_out = None;
    match format {
        ExportFormat::Circular02 => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(CIRCULAR02_COLUMNS).map_err(csv_err)?;
            csv_out = Some(w);
        }
        ExportFormat::Jsonl => json_out = Some(out),
    }
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|source| ExportError::Read {
            path: input.to_path_buf(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let record: RecordView = match serde_json::from_str(&line) {
            Ok(r) => r,
            Err(e) => {
                terminal::error(
                    "kyso export",
                    format!("{}:{}: not a record: {e}", input.display(), n + 1),
                );
                bad += 1;
                continue;
            }
        };
        if let Some(w) = csv_out.as_mut() {
            w.write_record(circular02_cells(circular02_row(&record)))
                .map_err(csv_err)?;
        }
        if let Some(w) = json_out.as_mut() {
            let line = JsonlLine {
                path: &record.path,
                id: record.id.as_deref(),
                sha256: record.sha256.as_deref(),
                format: record.format,
                origin: record.origin,
                pages: record.pages.len(),
                verdict: record.verdict.as_deref(),
                metadata: &record.metadata,
            };
            json::to_writer(&mut *w, &line).map_err(|e| write_err(io::Error::other(e)))?;
            w.write_all(b"\n").map_err(write_err)?;
        }
    }
    if let Some(w) = csv_out {
        let mut inner = w
            .into_inner()
            .map_err(|e| write_err(io::Error::other(e.to_string())))?;
        inner.flush().map_err(write_err)?;
    }
    if let Some(mut w) = json_out {
        w.flush().map_err(write_err)?;
    }
    Ok(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_every_column() {
        let r: RecordView = serde_json::from_str(r#"{"path": "a.pdf"}"#).unwrap();
        assert_eq!(circular02_row(&r).len(), CIRCULAR02_COLUMNS.len());
    }
}
