//! Skip and reuse decisions: what the file system says of an input, what the catalog knows of
//! it from earlier runs, and the read-only look-ups a running scan makes.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

use super::{open_ro, sql, CatalogError, CATALOG_FILE};
use crate::config::Fingerprint;

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

    /// The file-system facts without the sidecars: what a package's documents compare (their
    /// `sidecars` name the package's content, known only once it is read).
    pub fn same_file(&self, stat: &FileStat) -> bool {
        self.stat.as_ref().is_some_and(|s| {
            (s.size, s.mtime_ns, s.ctime_ns, s.inode)
                == (stat.size, stat.mtime_ns, stat.ctime_ns, stat.inode)
        })
    }

    pub fn same_sidecars(&self, stat: &FileStat) -> bool {
        self.stat.as_ref().map(|s| s.sidecars.as_str()) == Some(stat.sidecars.as_str())
    }
}

const PRIOR_COLUMNS: &str =
    "SELECT id, sha256, size, mtime_ns, ctime_ns, inode, sidecars, status, options_hash FROM documents";

fn prior_row(r: &rusqlite::Row) -> rusqlite::Result<Prior> {
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
            .prepare_cached(&format!("{PRIOR_COLUMNS} WHERE sort_key = ?1"))
            .map_err(sql(&self.path))?;
        stmt.query_row([key], prior_row)
            .optional()
            .map_err(sql(&self.path))
    }

    /// Everything the catalog holds from a package file: the record of the package itself
    /// (when it could not be read, or carried no attachment) and the records of its documents.
    pub fn package_priors(&self, key: &[u8]) -> Result<Vec<Prior>, CatalogError> {
        let (lo, hi) = super::child_range(key);
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{PRIOR_COLUMNS} WHERE sort_key = ?1 OR (sort_key >= ?2 AND sort_key < ?3)"
            ))
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map(rusqlite::params![key, lo, hi], prior_row)
            .map_err(sql(&self.path))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql(&self.path))
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
