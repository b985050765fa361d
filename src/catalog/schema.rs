//! The catalog's tables (docs/catalog.md) and the version that says which kyso can read them.

/// Bumped whenever the tables change in a way older kysos cannot read.
pub(super) const SCHEMA_VERSION: i64 = 1;

pub(super) const SCHEMA: &str = "
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

pub(super) const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
