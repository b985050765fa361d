//! The catalog: `OUT/catalog.sqlite`, one row per document, and what makes runs resumable,
//! incremental and shardable.
//!
//! The scan's single writer thread owns the only read-write connection and commits in batches,
//! so a killed process loses at most the documents finished since the last commit (and those in
//! flight); SQLite's write-ahead log makes every commit whole or absent. `documents.jsonl` is
//! written from the catalog at the end of a complete run, in path order, by streaming a query:
//! neither the record stream nor the catalog is ever held in memory. The schema and example
//! queries are in docs/catalog.md.

mod merge;
mod reader;
mod schema;
mod writer;

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use thiserror::Error;

use schema::{SCHEMA, SCHEMA_VERSION};

pub use merge::{merge, merge_command, MergeSummary};
pub use reader::{CatalogReader, FileStat, Prior};
pub use writer::{CatalogWriter, FinishedRun, Outcome, COMMIT_INTERVAL};

/// The catalog's file name inside `--out`.
pub const CATALOG_FILE: &str = "catalog.sqlite";
/// Output folders holding per-document files named by document id; `merge` carries them over.
pub const OUTPUT_DIRS: [&str; 5] = ["text", "hocr", "alto", "pdf", "pdfa"];

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

/// The catalog key of a document read from inside a package (an edXML attachment, or an
/// entry of a zipped one): the package's key, a zero byte, a tag no path component has (6),
/// then the attachment's place and the zip entry's (0 for none), big-endian. Its documents so
/// sort right after their package and in its order, and can never collide with a file's key.
pub fn child_key(package_key: &[u8], attachment: u32, entry: u32) -> Vec<u8> {
    let mut key = Vec::with_capacity(package_key.len() + 10);
    key.extend_from_slice(package_key);
    key.extend_from_slice(&[0, CHILD_TAG]);
    key.extend_from_slice(&attachment.to_be_bytes());
    key.extend_from_slice(&entry.to_be_bytes());
    key
}

const CHILD_TAG: u8 = 6;

/// The keys of every document a package made: `[lo, hi)`.
pub(crate) fn child_range(package_key: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut lo = package_key.to_vec();
    lo.extend_from_slice(&[0, CHILD_TAG]);
    let mut hi = package_key.to_vec();
    hi.extend_from_slice(&[0, CHILD_TAG + 1]);
    (lo, hi)
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

    #[test]
    fn a_packages_documents_sort_after_it_and_inside_its_range() {
        let pkg = sort_key(Path::new("in/p.xml"));
        let (lo, hi) = child_range(&pkg);
        let kids = [
            child_key(&pkg, 0, 0),
            child_key(&pkg, 0, 1),
            child_key(&pkg, 1, 0),
        ];
        assert!(kids.windows(2).all(|w| w[0] < w[1]));
        assert!(kids.iter().all(|k| *k > pkg && *k >= lo && *k < hi));
        // Files beside it and below a folder of the same name stay outside.
        for other in ["in/p.xml.bak", "in/p.xml/x", "in/p.xmm", "in/q.xml"] {
            let k = sort_key(Path::new(other));
            assert!(!(k >= lo && k < hi), "{other}");
        }
    }
}
