//! The scan's writer: batched commits of each input's outcome, the rows of `documents`, `pages`
//! and `signatures`, and documents.jsonl written from the catalog at the end of a run.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{params, Connection};
use serde::Serialize;

use super::schema::NOW;
use super::{
    io_at, meta_set, open_rw, sql, CatalogError, FileStat, RunCounts, Totals, CATALOG_FILE,
};
use crate::config::{Fingerprint, Shard};
use crate::output::temp_path;
use crate::record::Record;

/// A batch is committed after this many documents or this much time, whichever comes first:
/// a SIGKILL then loses at most this much finished work, and each commit's fsync is amortised
/// over many documents (a commit per document would cap a no-op re-run at the disk's fsync
/// rate).
const COMMIT_EVERY: usize = 1000;
pub const COMMIT_INTERVAL: Duration = Duration::from_millis(500);

/// What became of one discovered input; sent to the writer.
#[derive(Debug)]
pub enum Outcome {
    /// Same path, same file-system facts, same options: the earlier record stands.
    Unchanged { id: i64 },
    /// Same bytes (hashed again because the file-system facts changed, e.g. `touch`).
    Touched { id: i64, stat: FileStat },
    /// A package file whose documents all stand (same file-system facts, same options).
    UnchangedPackage { ids: Vec<i64> },
    /// A package with the same bytes (its documents' `sidecars` name its hash).
    TouchedPackage { ids: Vec<i64>, stat: FileStat },
    /// A package processed in this run: every document it made (or the one record of the
    /// package itself), stored together in one transaction, replacing whatever the catalog
    /// held from that file, so a killed run never leaves half a package behind.
    Package {
        key: Vec<u8>,
        stat: Option<FileStat>,
        records: Vec<(Vec<u8>, Record)>,
    },
    /// Processed in this run.
    Processed {
        key: Vec<u8>,
        stat: Option<FileStat>,
        record: Box<Record>,
    },
    /// The record of the same bytes under another path, with this path.
    Reused {
        key: Vec<u8>,
        stat: FileStat,
        record: Box<Record>,
        from: String,
    },
}

/// A row of `documents` as stored; `created_at`/`updated_at` are kept from the source by
/// merges and set to now by scans.
pub(super) struct DocRow<'a> {
    pub(super) key: &'a [u8],
    pub(super) stat: Option<&'a FileStat>,
    pub(super) record: &'a Record,
    pub(super) record_json: &'a str,
    pub(super) options_hash: &'a str,
    pub(super) reused_from: Option<&'a str>,
    pub(super) created_at: Option<&'a str>,
    pub(super) updated_at: Option<&'a str>,
}

fn enum_str<T: Serialize>(v: &T) -> Option<String> {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

/// Inserts or replaces the document at `row.key`, with its pages and signatures.
pub(super) fn upsert(conn: &Connection, row: &DocRow, run: i64) -> rusqlite::Result<i64> {
    let r = row.record;
    let status = if r.errors.is_empty() {
        "done"
    } else {
        "failed"
    };
    let id: i64 = conn
        .prepare_cached(&format!(
            "INSERT INTO documents (path, sort_key, sha256, doc_id, size, mtime_ns, ctime_ns, inode,
                 sidecars, status, options_hash, format, origin, verdict, n_pages, n_errors,
                 record_json, reused_from, seen_run, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, coalesce(?20, {NOW}), coalesce(?21, {NOW}))
             ON CONFLICT (sort_key) DO UPDATE SET
                 path = excluded.path, sha256 = excluded.sha256, doc_id = excluded.doc_id,
                 size = excluded.size, mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns,
                 inode = excluded.inode, sidecars = excluded.sidecars, status = excluded.status,
                 options_hash = excluded.options_hash, format = excluded.format,
                 origin = excluded.origin, verdict = excluded.verdict,
                 n_pages = excluded.n_pages, n_errors = excluded.n_errors,
                 record_json = excluded.record_json, reused_from = excluded.reused_from,
                 seen_run = excluded.seen_run, updated_at = excluded.updated_at
             RETURNING id"
        ))?
        .query_row(
            params![
                r.path,
                row.key,
                r.sha256,
                r.id,
                row.stat.map(|s| s.size as i64),
                row.stat.map(|s| s.mtime_ns),
                row.stat.map(|s| s.ctime_ns),
                row.stat.map(|s| s.inode as i64),
                row.stat.map(|s| s.sidecars.as_str()).unwrap_or(""),
                status,
                row.options_hash,
                enum_str(&r.format),
                enum_str(&r.origin),
                r.verdict.as_ref().and_then(enum_str),
                r.pages.len() as i64,
                r.errors.len() as i64,
                row.record_json,
                row.reused_from,
                run,
                row.created_at,
                row.updated_at,
            ],
            |x| x.get(0),
        )?;
    conn.prepare_cached("DELETE FROM pages WHERE doc = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM signatures WHERE doc = ?1")?
        .execute([id])?;
    let mut page_stmt = conn.prepare_cached(
        "INSERT INTO pages (doc, idx, kind, dpi, width_px, height_px, visible_text_chars,
             invisible_text_chars, ocr_status, ocr_confidence, ocr_chars)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for p in &r.pages {
        let ocr = r
            .ocr
            .as_ref()
            .and_then(|o| o.pages.iter().find(|q| q.index == p.index));
        page_stmt.execute(params![
            id,
            p.index,
            enum_str(&p.kind),
            p.dpi,
            p.width_px,
            p.height_px,
            p.visible_text_chars as i64,
            p.invisible_text_chars as i64,
            ocr.and_then(|o| enum_str(&o.status)),
            ocr.and_then(|o| o.confidence.map(f64::from)),
            ocr.map(|o| o.chars as i64),
        ])?;
    }
    let mut sig_stmt = conn.prepare_cached(
        "INSERT INTO signatures (doc, idx, field, signed, document_timestamp, signer_cn,
             signer_org, signer_serial, signing_time, integrity, intact, valid, coverage,
             modified_after_signing, modification_level, trust, role)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    for (i, s) in r.signatures.iter().enumerate() {
        sig_stmt.execute(params![
            id,
            i as i64,
            s.field,
            s.signed,
            s.document_timestamp,
            s.signer.as_ref().and_then(|x| x.common_name.clone()),
            s.signer.as_ref().and_then(|x| x.organization.clone()),
            s.signer.as_ref().and_then(|x| x.serial_number.clone()),
            s.signing_time.as_ref().map(|t| t.value.clone()),
            enum_str(&s.integrity),
            s.intact,
            s.valid,
            s.coverage.as_ref().and_then(enum_str),
            s.modified_after_signing,
            s.modification_level.as_ref().and_then(enum_str),
            enum_str(&s.trust.status),
            enum_str(&s.role),
        ])?;
    }
    Ok(id)
}

/// The scan's writer: the only read-write connection, owned by the writer thread.
pub struct CatalogWriter {
    conn: Connection,
    path: PathBuf,
    run: i64,
    options_hash: String,
    pending: usize,
    last_commit: Instant,
    pub counts: RunCounts,
}

impl CatalogWriter {
    /// Opens `OUT/catalog.sqlite` (creating it) and starts a run with these options.
    pub fn start_scan(
        out: &Path,
        fingerprint: &Fingerprint,
        shard: Option<Shard>,
    ) -> Result<Self, CatalogError> {
        let path = out.join(CATALOG_FILE);
        let conn = open_rw(&path)?;
        let run = (|| -> rusqlite::Result<i64> {
            let tx = conn.unchecked_transaction()?;
            meta_set(&tx, "kind", "scan")?;
            meta_set(&tx, "kyso_version", Fingerprint::kyso_version())?;
            meta_set(&tx, "options_hash", &fingerprint.hash)?;
            meta_set(
                &tx,
                "options",
                &serde_json::to_string(&fingerprint.options).unwrap_or_default(),
            )?;
            meta_set(
                &tx,
                "shard",
                &shard.map(|s| s.to_string()).unwrap_or_default(),
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO runs (kind, status, kyso_version, options_hash, shard, started_at)
                     VALUES ('scan', 'running', ?1, ?2, ?3, {NOW})"
                ),
                params![
                    Fingerprint::kyso_version(),
                    fingerprint.hash,
                    shard.map(|s| s.to_string())
                ],
            )?;
            let run = tx.last_insert_rowid();
            meta_set(&tx, "last_run", &run.to_string())?;
            tx.commit()?;
            Ok(run)
        })()
        .map_err(sql(&path))?;
        Ok(CatalogWriter {
            conn,
            path,
            run,
            options_hash: fingerprint.hash.clone(),
            pending: 0,
            last_commit: Instant::now(),
            counts: RunCounts::default(),
        })
    }

    /// Records one outcome; commits when the batch is full or old enough.
    pub fn apply(&mut self, outcome: Outcome) -> Result<(), CatalogError> {
        let path = self.path.clone();
        if self.conn.is_autocommit() {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(sql(&path))?;
        }
        match outcome {
            Outcome::Unchanged { id } => {
                self.conn
                    .prepare_cached("UPDATE documents SET seen_run = ?1 WHERE id = ?2")
                    .and_then(|mut s| s.execute(params![self.run, id]))
                    .map_err(sql(&path))?;
                self.counts.unchanged += 1;
            }
            Outcome::Touched { id, stat } => {
                self.touch(id, &stat)?;
                self.counts.unchanged += 1;
            }
            Outcome::UnchangedPackage { ids } => {
                for id in &ids {
                    self.conn
                        .prepare_cached("UPDATE documents SET seen_run = ?1 WHERE id = ?2")
                        .and_then(|mut s| s.execute(params![self.run, id]))
                        .map_err(sql(&path))?;
                }
                self.counts.unchanged += ids.len() as u64;
            }
            Outcome::TouchedPackage { ids, stat } => {
                for id in &ids {
                    self.touch(*id, &stat)?;
                }
                self.counts.unchanged += ids.len() as u64;
            }
            Outcome::Package { key, stat, records } => {
                let (lo, hi) = super::child_range(&key);
                self.conn
                    .prepare_cached(
                        "DELETE FROM documents WHERE sort_key = ?1
                             OR (sort_key >= ?2 AND sort_key < ?3)",
                    )
                    .and_then(|mut s| s.execute(params![key, lo, hi]))
                    .map_err(sql(&path))?;
                for (child, record) in &records {
                    self.store(child, stat.as_ref(), record, None)?;
                }
                self.counts.processed += records.len() as u64;
            }
            Outcome::Processed { key, stat, record } => {
                self.store(&key, stat.as_ref(), &record, None)?;
                self.counts.processed += 1;
            }
            Outcome::Reused {
                key,
                stat,
                record,
                from,
            } => {
                self.store(&key, Some(&stat), &record, Some(&from))?;
                self.counts.reused += 1;
            }
        }
        self.pending += 1;
        if self.pending >= COMMIT_EVERY {
            self.commit()?;
        }
        self.commit_if_due()
    }

    /// Commits the batch if it holds anything and is older than [`COMMIT_INTERVAL`]; called
    /// also when no document arrives for a while (a long OCR), so finished work is not left
    /// uncommitted behind a slow document.
    pub fn commit_if_due(&mut self) -> Result<(), CatalogError> {
        if self.pending > 0 && self.last_commit.elapsed() >= COMMIT_INTERVAL {
            self.commit()?;
        }
        Ok(())
    }

    fn touch(&mut self, id: i64, stat: &FileStat) -> Result<(), CatalogError> {
        self.conn
            .prepare_cached(
                "UPDATE documents SET seen_run = ?1, size = ?2, mtime_ns = ?3,
                     ctime_ns = ?4, inode = ?5, sidecars = ?6 WHERE id = ?7",
            )
            .and_then(|mut s| {
                s.execute(params![
                    self.run,
                    stat.size as i64,
                    stat.mtime_ns,
                    stat.ctime_ns,
                    stat.inode as i64,
                    stat.sidecars,
                    id
                ])
            })
            .map_err(sql(&self.path))?;
        Ok(())
    }

    fn store(
        &mut self,
        key: &[u8],
        stat: Option<&FileStat>,
        record: &Record,
        reused_from: Option<&str>,
    ) -> Result<(), CatalogError> {
        let json = crate::output::json::to_string(record).map_err(|e| CatalogError::Io {
            path: self.path.clone(),
            source: io::Error::other(e),
        })?;
        upsert(
            &self.conn,
            &DocRow {
                key,
                stat,
                record,
                record_json: &json,
                options_hash: &self.options_hash,
                reused_from,
                created_at: None,
                updated_at: None,
            },
            self.run,
        )
        .map_err(sql(&self.path))?;
        Ok(())
    }

    pub fn commit(&mut self) -> Result<(), CatalogError> {
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("COMMIT").map_err(sql(&self.path))?;
        }
        self.pending = 0;
        self.last_commit = Instant::now();
        Ok(())
    }

    /// Ends the run: commits, and when every input was seen, makes this run the one that
    /// `documents.jsonl` and the `current_documents` view describe.
    pub fn finish(mut self, complete: bool) -> Result<FinishedRun, CatalogError> {
        self.commit()?;
        let status = if complete { "complete" } else { "interrupted" };
        (|| -> rusqlite::Result<()> {
            let tx = self.conn.unchecked_transaction()?;
            tx.execute(
                &format!(
                    "UPDATE runs SET status = ?1, finished_at = {NOW}, processed = ?2,
                         unchanged = ?3, reused = ?4 WHERE id = ?5"
                ),
                params![
                    status,
                    self.counts.processed as i64,
                    self.counts.unchanged as i64,
                    self.counts.reused as i64,
                    self.run
                ],
            )?;
            if complete {
                meta_set(&tx, "last_complete_run", &self.run.to_string())?;
            }
            tx.commit()
        })()
        .map_err(sql(&self.path))?;
        Ok(FinishedRun {
            conn: self.conn,
            path: self.path,
            run: self.run,
            counts: self.counts,
        })
    }
}

/// A committed run, whose documents can be written out.
pub struct FinishedRun {
    conn: Connection,
    path: PathBuf,
    run: i64,
    pub counts: RunCounts,
}

impl FinishedRun {
    /// The documents this run described, in path order: the current records.
    pub fn totals(&self) -> Result<Totals, CatalogError> {
        totals(&self.conn, &self.path, self.run)
    }

    /// Writes `OUT/documents.jsonl` from the catalog (streamed, atomically replaced).
    pub fn write_documents(&self, out: &Path) -> Result<Totals, CatalogError> {
        write_documents(&self.conn, &self.path, self.run, out)
    }
}

fn totals(conn: &Connection, path: &Path, run: i64) -> Result<Totals, CatalogError> {
    let mut t = Totals::default();
    let mut stmt = conn
        .prepare(
            "SELECT coalesce(origin, ''), count(*), sum(n_pages), sum(n_errors > 0)
             FROM documents WHERE seen_run = ?1 GROUP BY origin",
        )
        .map_err(sql(path))?;
    let rows = stmt
        .query_map([run], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .map_err(sql(path))?;
    for row in rows {
        let (origin, n, pages, errors) = row.map_err(sql(path))?;
        t.documents += n as u64;
        t.pages += pages as u64;
        t.with_errors += errors as u64;
        t.by_origin.insert(origin, n as u64);
    }
    Ok(t)
}

pub(super) fn write_documents(
    conn: &Connection,
    db: &Path,
    run: i64,
    out: &Path,
) -> Result<Totals, CatalogError> {
    let final_path = out.join("documents.jsonl");
    let tmp = temp_path(&final_path);
    let result =
        (|| -> Result<(), CatalogError> {
            let mut file = BufWriter::new(File::create(&tmp).map_err(io_at(&tmp))?);
            let mut stmt = conn
                .prepare("SELECT record_json FROM documents WHERE seen_run = ?1 ORDER BY sort_key")
                .map_err(sql(db))?;
            let mut rows = stmt.query([run]).map_err(sql(db))?;
            while let Some(row) = rows.next().map_err(sql(db))? {
                let json = row.get_ref(0).map_err(sql(db))?.as_str().map_err(|e| {
                    CatalogError::Sqlite {
                        path: db.to_path_buf(),
                        source: e.into(),
                    }
                })?;
                file.write_all(json.as_bytes()).map_err(io_at(&tmp))?;
                file.write_all(b"\n").map_err(io_at(&tmp))?;
            }
            file.flush().map_err(io_at(&tmp))?;
            file.get_ref().sync_all().map_err(io_at(&tmp))?;
            drop(file);
            fs::rename(&tmp, &final_path).map_err(io_at(&final_path))
        })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    totals(conn, db, run)
}
