//! The catalog: `OUT/catalog.sqlite`, one row per document, and what makes runs resumable,
//! incremental and shardable.
//!
//! The scan's single writer thread owns the only read-write connection and commits in batches,
//! so a killed process loses at most the documents finished since the last commit (and those in
//! flight); SQLite's write-ahead log makes every commit whole or absent. `documents.jsonl` is
//! written from the catalog at the end of a complete run, in path order, by streaming a query:
//! neither the record stream nor the catalog is ever held in memory. The schema and example
//! queries are in docs/catalog.md.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::Serialize;
use thiserror::Error;

use crate::config::{Fingerprint, Shard};
use crate::output::temp_path;
use crate::record::Record;

/// The catalog's file name inside `--out`.
pub const CATALOG_FILE: &str = "catalog.sqlite";
/// Bumped whenever the tables change in a way older kysos cannot read.
const SCHEMA_VERSION: i64 = 1;
/// A batch is committed after this many documents or this much time, whichever comes first:
/// a SIGKILL then loses at most this much finished work, and each commit's fsync is amortised
/// over many documents (a commit per document would cap a no-op re-run at the disk's fsync
/// rate).
const COMMIT_EVERY: usize = 1000;
pub const COMMIT_INTERVAL: Duration = Duration::from_millis(500);
/// Output folders holding per-document files named by document id; `merge` carries them over.
pub const OUTPUT_DIRS: [&str; 4] = ["text", "hocr", "alto", "pdf"];

#[derive(Debug, Error)]
pub enum CatalogError {
    #[error("catalog {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: catalog schema version {found}; this kyso reads version {SCHEMA_VERSION}")]
    Schema { path: PathBuf, found: i64 },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{dir} is not a kyso scan output (it has no {CATALOG_FILE})")]
    NotAnOutput { dir: PathBuf },
    #[error(
        "{dir}: its last kyso scan did not finish; run the same scan command again, then merge"
    )]
    Unfinished { dir: PathBuf },
    #[error(
        "refusing to merge {dir}: it was made by kyso {theirs}, but {first} by kyso {ours}; \
         scan every shard with the same kyso"
    )]
    VersionMismatch {
        dir: PathBuf,
        theirs: String,
        first: PathBuf,
        ours: String,
    },
    #[error(
        "refusing to merge {dir}: it was scanned with different options than {first} \
         (differing: {differences}); scan every shard with the same options"
    )]
    OptionsMismatch {
        dir: PathBuf,
        first: PathBuf,
        differences: String,
    },
    #[error("{dir} holds the output of a kyso scan; merge into a new folder")]
    MergeIntoScan { dir: PathBuf },
    #[error("{dir} is both an input and the output of the merge")]
    MergeIntoInput { dir: PathBuf },
}

impl CatalogError {
    /// Refusals caused by what the user asked for, as opposed to I/O or database failures.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, CatalogError::Sqlite { .. } | CatalogError::Io { .. })
    }
}

fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> CatalogError + '_ {
    move |source| CatalogError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

fn io_at(path: &Path) -> impl Fn(io::Error) -> CatalogError + '_ {
    move |source| CatalogError::Io {
        path: path.to_path_buf(),
        source,
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,
    kyso_version  TEXT NOT NULL,
    options_hash  TEXT NOT NULL,
    shard         TEXT,
    processed     INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    reused        INTEGER NOT NULL DEFAULT 0,
    started_at    TEXT NOT NULL,
    finished_at   TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    id            INTEGER PRIMARY KEY,
    path          TEXT NOT NULL,
    sort_key      BLOB NOT NULL UNIQUE,
    sha256        TEXT,
    doc_id        TEXT,
    size          INTEGER,
    mtime_ns      INTEGER,
    ctime_ns      INTEGER,
    inode         INTEGER,
    sidecars      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    options_hash  TEXT NOT NULL,
    format        TEXT,
    origin        TEXT,
    verdict       TEXT,
    n_pages       INTEGER NOT NULL,
    n_errors      INTEGER NOT NULL,
    record_json   TEXT NOT NULL,
    reused_from   TEXT,
    seen_run      INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_sha256 ON documents (sha256);
CREATE INDEX IF NOT EXISTS documents_seen ON documents (seen_run, sort_key);
CREATE TABLE IF NOT EXISTS pages (
    doc                  INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    idx                  INTEGER NOT NULL,
    kind                 TEXT,
    dpi                  REAL,
    width_px             INTEGER,
    height_px            INTEGER,
    visible_text_chars   INTEGER,
    invisible_text_chars INTEGER,
    ocr_status           TEXT,
    ocr_confidence       REAL,
    ocr_chars            INTEGER,
    PRIMARY KEY (doc, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS signatures (
    doc                    INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    idx                    INTEGER NOT NULL,
    field                  TEXT,
    signed                 INTEGER,
    document_timestamp     INTEGER,
    signer_cn              TEXT,
    signer_org             TEXT,
    signer_serial          TEXT,
    signing_time           TEXT,
    integrity              TEXT,
    intact                 INTEGER,
    valid                  INTEGER,
    coverage               TEXT,
    modified_after_signing INTEGER,
    modification_level     TEXT,
    trust                  TEXT,
    role                   TEXT,
    PRIMARY KEY (doc, idx)
) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS current_documents AS
    SELECT * FROM documents
    WHERE seen_run = (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_complete_run');
";

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// Opens (creating if needed) the catalog read-write, in WAL mode.
fn open_rw(path: &Path) -> Result<Connection, CatalogError> {
    let conn = Connection::open(path).map_err(sql(path))?;
    configure(&conn).map_err(sql(path))?;
    conn.execute_batch(SCHEMA).map_err(sql(path))?;
    let found: Option<String> = meta_get(&conn, "schema_version").map_err(sql(path))?;
    match found.map(|v| v.parse::<i64>().unwrap_or(-1)) {
        None => {
            meta_set(&conn, "schema_version", &SCHEMA_VERSION.to_string()).map_err(sql(path))?
        }
        Some(SCHEMA_VERSION) => {}
        Some(found) => {
            return Err(CatalogError::Schema {
                path: path.to_path_buf(),
                found,
            })
        }
    }
    Ok(conn)
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(30))?;
    // WAL: readers (the dispatcher's look-ups) never block the writer and a commit is one
    // append; synchronous=FULL syncs the log at each commit, so a power loss, not only a
    // killed process, keeps every committed batch.
    let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
}

fn open_ro(path: &Path) -> Result<Connection, CatalogError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql(path))?;
    conn.busy_timeout(Duration::from_secs(30))
        .map_err(sql(path))?;
    let found: Option<String> = meta_get(&conn, "schema_version").map_err(sql(path))?;
    let found = found.and_then(|v| v.parse::<i64>().ok()).unwrap_or(-1);
    if found != SCHEMA_VERSION {
        return Err(CatalogError::Schema {
            path: path.to_path_buf(),
            found,
        });
    }
    Ok(conn)
}

fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
}

fn meta_set(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
    .map(|_| ())
}

/// A byte string whose plain byte order is the component-wise order of [`Path`] (the order
/// inputs are discovered in), so `ORDER BY sort_key` gives documents.jsonl the same order as an
/// uncatalogued walk: each component is tagged with its kind and components are joined by a
/// zero byte, which sorts before any byte of a file name.
pub fn sort_key(path: &Path) -> Vec<u8> {
    let mut key = Vec::with_capacity(path.as_os_str().len() + 8);
    for (i, c) in path.components().enumerate() {
        if i > 0 {
            key.push(0);
        }
        match c {
            Component::Prefix(p) => {
                key.push(1);
                key.extend_from_slice(p.as_os_str().as_encoded_bytes());
            }
            Component::RootDir => key.push(2),
            Component::CurDir => key.push(3),
            Component::ParentDir => key.push(4),
            Component::Normal(name) => {
                key.push(5);
                key.extend_from_slice(name.as_encoded_bytes());
            }
        }
    }
    key
}

/// What the file system says of an input, checked before reading it: when all of it is
/// unchanged, the bytes are taken as unchanged (as git's index and rsync do). `ctime` cannot
/// be set by a program, so a file rewritten in place with its size and mtime restored is still
/// seen as changed; `--verify-hashes` hashes every file anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStat {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
    /// The detached signatures beside the file (`FILE.p7s`, `FILE.sig`): name, size and mtime,
    /// because they are part of the record.
    pub sidecars: String,
}

impl FileStat {
    pub fn of(path: &Path) -> io::Result<FileStat> {
        let m = fs::metadata(path)?;
        let mut sidecars = String::new();
        for sig in crate::discover::detached_signatures(path) {
            if let Ok(s) = fs::metadata(&sig) {
                let name = sig.extension().unwrap_or_default().to_string_lossy();
                sidecars.push_str(&format!("{name}:{}:{};", s.len(), mtime_ns(&s)));
            }
        }
        Ok(FileStat {
            size: m.len(),
            mtime_ns: mtime_ns(&m),
            ctime_ns: m.ctime() * 1_000_000_000 + m.ctime_nsec(),
            inode: m.ino(),
            sidecars,
        })
    }
}

fn mtime_ns(m: &fs::Metadata) -> i64 {
    m.mtime() * 1_000_000_000 + m.mtime_nsec()
}

/// What the catalog knows of a path from earlier runs.
#[derive(Debug, Clone)]
pub struct Prior {
    pub id: i64,
    pub sha256: Option<String>,
    stat: Option<FileStat>,
    pub done: bool,
    pub options_hash: String,
}

impl Prior {
    /// The earlier record still stands for these options, when the bytes are the same.
    pub fn still_valid(&self, fingerprint: &Fingerprint, retry_failed: bool) -> bool {
        self.options_hash == fingerprint.hash && (self.done || !retry_failed)
    }

    pub fn same_stat(&self, stat: &FileStat) -> bool {
        self.stat.as_ref() == Some(stat)
    }

    pub fn same_sidecars(&self, stat: &FileStat) -> bool {
        self.stat.as_ref().map(|s| s.sidecars.as_str()) == Some(stat.sidecars.as_str())
    }
}

/// A read-only connection for look-ups while a scan runs (WAL readers never block the writer).
pub struct CatalogReader {
    conn: Connection,
    path: PathBuf,
}

impl CatalogReader {
    pub fn open(out: &Path) -> Result<Self, CatalogError> {
        let path = out.join(CATALOG_FILE);
        Ok(CatalogReader {
            conn: open_ro(&path)?,
            path,
        })
    }

    pub fn prior(&self, key: &[u8]) -> Result<Option<Prior>, CatalogError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, sha256, size, mtime_ns, ctime_ns, inode, sidecars, status, options_hash
                 FROM documents WHERE sort_key = ?1",
            )
            .map_err(sql(&self.path))?;
        stmt.query_row([key], |r| {
            let size: Option<i64> = r.get(2)?;
            let stat = match size {
                Some(size) => Some(FileStat {
                    size: size as u64,
                    mtime_ns: r.get::<_, Option<i64>>(3)?.unwrap_or_default(),
                    ctime_ns: r.get::<_, Option<i64>>(4)?.unwrap_or_default(),
                    inode: r.get::<_, Option<i64>>(5)?.unwrap_or_default() as u64,
                    sidecars: r.get(6)?,
                }),
                None => None,
            };
            Ok(Prior {
                id: r.get(0)?,
                sha256: r.get(1)?,
                stat,
                done: r.get::<_, String>(7)? == "done",
                options_hash: r.get(8)?,
            })
        })
        .optional()
        .map_err(sql(&self.path))
    }

    /// A finished record of the same bytes under another path (a renamed or copied file), made
    /// with the same options and with no detached signature involved, whose record therefore
    /// holds for `sha256` under any name: `(path, record_json)`.
    pub fn reusable(
        &self,
        sha256: &str,
        fingerprint: &Fingerprint,
    ) -> Result<Option<(String, String)>, CatalogError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT path, record_json FROM documents
                 WHERE sha256 = ?1 AND options_hash = ?2 AND status = 'done' AND sidecars = ''
                 LIMIT 1",
            )
            .map_err(sql(&self.path))?;
        stmt.query_row([sha256, fingerprint.hash.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .map_err(sql(&self.path))
    }
}

/// What became of one discovered input; sent to the writer.
#[derive(Debug)]
pub enum Outcome {
    /// Same path, same file-system facts, same options: the earlier record stands.
    Unchanged { id: i64 },
    /// Same bytes (hashed again because the file-system facts changed, e.g. `touch`).
    Touched { id: i64, stat: FileStat },
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

/// What a run did, by kind of outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub processed: u64,
    pub unchanged: u64,
    pub reused: u64,
}

/// The documents of a finished run, as written to documents.jsonl.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub documents: u64,
    pub pages: u64,
    pub with_errors: u64,
    pub by_origin: BTreeMap<String, u64>,
}

/// A row of `documents` as stored; `created_at`/`updated_at` are kept from the source by
/// merges and set to now by scans.
struct DocRow<'a> {
    key: &'a [u8],
    stat: Option<&'a FileStat>,
    record: &'a Record,
    record_json: &'a str,
    options_hash: &'a str,
    reused_from: Option<&'a str>,
    created_at: Option<&'a str>,
    updated_at: Option<&'a str>,
}

fn enum_str<T: Serialize>(v: &T) -> Option<String> {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

/// Inserts or replaces the document at `row.key`, with its pages and signatures.
fn upsert(conn: &Connection, row: &DocRow, run: i64) -> rusqlite::Result<i64> {
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
                    .map_err(sql(&path))?;
                self.counts.unchanged += 1;
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

    fn store(
        &mut self,
        key: &[u8],
        stat: Option<&FileStat>,
        record: &Record,
        reused_from: Option<&str>,
    ) -> Result<(), CatalogError> {
        let json = serde_json::to_string(record).map_err(|e| CatalogError::Io {
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

fn write_documents(
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

/// What `kyso merge` did.
#[derive(Debug, Clone, Default)]
pub struct MergeSummary {
    pub shards: usize,
    pub totals: Totals,
    pub files_copied: u64,
}

/// A shard output's identity, read from its catalog.
struct ShardInfo {
    dir: PathBuf,
    conn: Connection,
    kyso_version: String,
    options_hash: String,
    options: BTreeMap<String, serde_json::Value>,
    run: i64,
}

fn read_shard(dir: &Path) -> Result<ShardInfo, CatalogError> {
    let path = dir.join(CATALOG_FILE);
    if !path.is_file() {
        return Err(CatalogError::NotAnOutput {
            dir: dir.to_path_buf(),
        });
    }
    let conn = open_ro(&path)?;
    let get = |k: &str| meta_get(&conn, k).map_err(sql(&path));
    let last_run = get("last_run")?;
    let last_complete = get("last_complete_run")?;
    let run = match (last_run, last_complete) {
        (Some(a), Some(b)) if a == b => b.parse::<i64>().unwrap_or(-1),
        _ => {
            return Err(CatalogError::Unfinished {
                dir: dir.to_path_buf(),
            })
        }
    };
    let options = get("options")?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    Ok(ShardInfo {
        kyso_version: get("kyso_version")?.unwrap_or_default(),
        options_hash: get("options_hash")?.unwrap_or_default(),
        options,
        run,
        dir: dir.to_path_buf(),
        conn,
    })
}

fn differing_options(
    a: &BTreeMap<String, serde_json::Value>,
    b: &BTreeMap<String, serde_json::Value>,
) -> String {
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let diff: Vec<String> = keys
        .into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| k.to_string())
        .collect();
    if diff.is_empty() {
        "options hash".into()
    } else {
        diff.join(", ")
    }
}

/// `kyso merge`: the union of the shard outputs' current documents becomes `out`'s catalog
/// and documents.jsonl; their per-document output files are linked (or copied) over. Merging
/// again with the same shards gives the same result. Shards made by another kyso version or
/// with other options are refused before anything is written.
pub fn merge(shards: &[PathBuf], out: &Path) -> Result<MergeSummary, CatalogError> {
    let mut dirs: Vec<PathBuf> = shards.to_vec();
    dirs.dedup();
    let out_canon = fs::canonicalize(out).ok();
    let mut infos = Vec::with_capacity(dirs.len());
    for dir in &dirs {
        if out_canon.is_some() && fs::canonicalize(dir).ok() == out_canon {
            return Err(CatalogError::MergeIntoInput { dir: dir.clone() });
        }
        infos.push(read_shard(dir)?);
    }
    if let Some(first) = infos.first() {
        for other in &infos[1..] {
            if other.kyso_version != first.kyso_version {
                return Err(CatalogError::VersionMismatch {
                    dir: other.dir.clone(),
                    theirs: other.kyso_version.clone(),
                    first: first.dir.clone(),
                    ours: first.kyso_version.clone(),
                });
            }
            if other.options_hash != first.options_hash {
                return Err(CatalogError::OptionsMismatch {
                    dir: other.dir.clone(),
                    first: first.dir.clone(),
                    differences: differing_options(&first.options, &other.options),
                });
            }
        }
    }
    fs::create_dir_all(out).map_err(io_at(out))?;
    let db = out.join(CATALOG_FILE);
    if db.is_file() {
        let conn = open_ro(&db)?;
        if meta_get(&conn, "kind").map_err(sql(&db))?.as_deref() == Some("scan") {
            return Err(CatalogError::MergeIntoScan {
                dir: out.to_path_buf(),
            });
        }
    }
    let conn = open_rw(&db)?;
    let run = merge_rows(&conn, &db, &infos)?;
    let mut summary = MergeSummary {
        shards: infos.len(),
        ..MergeSummary::default()
    };
    for info in &infos {
        summary.files_copied += link_outputs(&info.dir, out)?;
    }
    summary.totals = write_documents(&conn, &db, run, out)?;
    Ok(summary)
}

/// `kyso merge`: merges, prints a summary line and tells the exit code.
pub fn merge_command(shards: &[PathBuf], out: &Path, quiet: bool) -> crate::exit::ExitCode {
    use crate::exit::ExitCode;
    match merge(shards, out) {
        Ok(summary) => {
            if !quiet {
                eprintln!(
                    "kyso merge: {} shards, {} documents ({} with errors), {} output files \
                     linked → {}",
                    summary.shards,
                    summary.totals.documents,
                    summary.totals.with_errors,
                    summary.files_copied,
                    out.join("documents.jsonl").display()
                );
            }
            ExitCode::Ok
        }
        Err(e) => {
            eprintln!("kyso merge: {e}");
            if e.is_refusal() {
                ExitCode::Usage
            } else {
                ExitCode::Fatal
            }
        }
    }
}

fn merge_rows(conn: &Connection, db: &Path, infos: &[ShardInfo]) -> Result<i64, CatalogError> {
    let (version, hash, options) = infos
        .first()
        .map(|i| {
            (
                i.kyso_version.clone(),
                i.options_hash.clone(),
                serde_json::to_string(&i.options).unwrap_or_default(),
            )
        })
        .unwrap_or_else(|| {
            (
                Fingerprint::kyso_version().to_string(),
                String::new(),
                "{}".into(),
            )
        });
    let tx = conn.unchecked_transaction().map_err(sql(db))?;
    let shard_list: Vec<String> = infos.iter().map(|i| i.dir.display().to_string()).collect();
    (|| -> rusqlite::Result<()> {
        meta_set(&tx, "kind", "merge")?;
        meta_set(&tx, "kyso_version", &version)?;
        meta_set(&tx, "options_hash", &hash)?;
        meta_set(&tx, "options", &options)?;
        meta_set(
            &tx,
            "merged_from",
            &serde_json::to_string(&shard_list).unwrap_or_default(),
        )?;
        tx.execute(
            &format!(
                "INSERT INTO runs (kind, status, kyso_version, options_hash, started_at)
                 VALUES ('merge', 'running', ?1, ?2, {NOW})"
            ),
            params![version, hash],
        )
        .map(|_| ())
    })()
    .map_err(sql(db))?;
    let run = tx.last_insert_rowid();
    for info in infos {
        let src = info.dir.join(CATALOG_FILE);
        let mut stmt = info
            .conn
            .prepare(
                "SELECT sort_key, size, mtime_ns, ctime_ns, inode, sidecars, options_hash,
                     record_json, reused_from, created_at, updated_at
                 FROM documents WHERE seen_run = ?1 ORDER BY sort_key",
            )
            .map_err(sql(&src))?;
        let mut rows = stmt.query([info.run]).map_err(sql(&src))?;
        while let Some(r) = rows.next().map_err(sql(&src))? {
            let key: Vec<u8> = r.get(0).map_err(sql(&src))?;
            let size: Option<i64> = r.get(1).map_err(sql(&src))?;
            let stat = match size {
                Some(size) => Some(FileStat {
                    size: size as u64,
                    mtime_ns: r.get::<_, Option<i64>>(2).map_err(sql(&src))?.unwrap_or(0),
                    ctime_ns: r.get::<_, Option<i64>>(3).map_err(sql(&src))?.unwrap_or(0),
                    inode: r.get::<_, Option<i64>>(4).map_err(sql(&src))?.unwrap_or(0) as u64,
                    sidecars: r.get(5).map_err(sql(&src))?,
                }),
                None => None,
            };
            let options_hash: String = r.get(6).map_err(sql(&src))?;
            let json: String = r.get(7).map_err(sql(&src))?;
            let reused_from: Option<String> = r.get(8).map_err(sql(&src))?;
            let created_at: String = r.get(9).map_err(sql(&src))?;
            let updated_at: String = r.get(10).map_err(sql(&src))?;
            let record: Record = serde_json::from_str(&json).map_err(|e| CatalogError::Io {
                path: src.clone(),
                source: io::Error::new(io::ErrorKind::InvalidData, e),
            })?;
            // The same path in two shards (overlapping shard runs): the later analysis wins,
            // so the merge does not depend on the order the shards are named in.
            let newer: Option<String> = tx
                .query_row(
                    "SELECT updated_at FROM documents WHERE sort_key = ?1 AND seen_run = ?2",
                    params![key, run],
                    |x| x.get(0),
                )
                .optional()
                .map_err(sql(db))?;
            if newer.is_some_and(|t| t >= updated_at) {
                continue;
            }
            upsert(
                &tx,
                &DocRow {
                    key: &key,
                    stat: stat.as_ref(),
                    record: &record,
                    record_json: &json,
                    options_hash: &options_hash,
                    reused_from: reused_from.as_deref(),
                    created_at: Some(&created_at),
                    updated_at: Some(&updated_at),
                },
                run,
            )
            .map_err(sql(db))?;
        }
    }
    (move || -> rusqlite::Result<()> {
        tx.execute(
            &format!("UPDATE runs SET status = 'complete', finished_at = {NOW} WHERE id = ?1"),
            [run],
        )?;
        meta_set(&tx, "last_run", &run.to_string())?;
        meta_set(&tx, "last_complete_run", &run.to_string())?;
        tx.commit()
    })()
    .map_err(sql(db))?;
    Ok(run)
}

/// Hard-links (or copies, across file systems) a shard's per-document output files into the
/// merged folder. They are named by content id, so a file already there is the same file.
fn link_outputs(shard: &Path, out: &Path) -> Result<u64, CatalogError> {
    let mut n = 0;
    for sub in OUTPUT_DIRS {
        let from_dir = shard.join(sub);
        let Ok(entries) = fs::read_dir(&from_dir) else {
            continue;
        };
        let to_dir = out.join(sub);
        fs::create_dir_all(&to_dir).map_err(io_at(&to_dir))?;
        for entry in entries {
            let entry = entry.map_err(io_at(&from_dir))?;
            let from = entry.path();
            let name = entry.file_name();
            // Temporary files of an interrupted write are not outputs.
            if name.to_string_lossy().contains(".tmp") {
                continue;
            }
            let to = to_dir.join(&name);
            if to.exists() {
                continue;
            }
            if fs::hard_link(&from, &to).is_err() {
                let tmp = temp_path(&to);
                fs::copy(&from, &tmp)
                    .and_then(|_| fs::rename(&tmp, &to))
                    .map_err(io_at(&to))?;
            }
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_key_orders_like_paths() {
        let mut paths: Vec<PathBuf> = [
            "a/b", "a-b", "a", "a/b/c", "a.b", "/x", "b", "../y", "a/b-c", "a/b/c-d", "ab",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let mut by_key = paths.clone();
        paths.sort();
        by_key.sort_by_key(|p| sort_key(p));
        assert_eq!(by_key, paths);
    }
}
