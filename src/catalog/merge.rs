//! `kyso merge`: shard outputs into one catalog and documents.jsonl, their per-document output
//! files linked over.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use super::schema::NOW;
use super::writer::{upsert, write_documents, DocRow};
use super::{
    io_at, meta_get, meta_set, open_ro, open_rw, sql, CatalogError, FileStat, Totals, CATALOG_FILE,
    OUTPUT_DIRS,
};
use crate::config::Fingerprint;
use crate::output::temp_path;
use crate::record::Record;

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
            crate::output::terminal::error("kyso merge", &e);
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
