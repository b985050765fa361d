//! Stage 1: paths → candidate input files, identified by their magic bytes.
//!
//! Walks files and folders in a deterministic order (component-wise path order, the order of
//! [`std::path::Path`]'s `Ord`), so that the record stream is ordered the same whatever the number
//! of workers. Problems met while walking (unreadable folders, symlink loops) are yielded as
//! values, never raised: the caller turns them into records and the batch goes on.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;
use walkdir::WalkDir;

use crate::error::ErrorKind;

/// A file format, as told by magic bytes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Pdf,
    Tiff,
    Png,
    Jpeg,
    /// An edXML exchange package (docs/edxml.md): an envelope whose attachments are the
    /// documents.
    Edxml,
    Unknown,
}

/// Options for the walk.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// Also visit files and folders whose name starts with a dot.
    pub hidden: bool,
    /// File-name globs to leave out (e.g. `*.truth.json`).
    pub exclude: Vec<String>,
}

/// A file to process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub path: PathBuf,
    /// The format told by the first bytes, whatever the file's extension says.
    pub format: Format,
    pub bytes: u64,
}

/// Something found while walking that cannot be processed.
#[derive(Debug, Error)]
pub enum DiscoverError {
    #[error("cannot read {path}: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("symbolic link loop at {path} (points back to {ancestor})")]
    SymlinkLoop { path: PathBuf, ancestor: PathBuf },
    #[error("{path} does not exist")]
    NotFound { path: PathBuf },
    #[error("invalid --exclude pattern: {0}")]
    BadPattern(String),
}

impl DiscoverError {
    pub fn path(&self) -> Option<&Path> {
        match self {
            DiscoverError::Unreadable { path, .. }
            | DiscoverError::SymlinkLoop { path, .. }
            | DiscoverError::NotFound { path } => Some(path),
            DiscoverError::BadPattern(_) => None,
        }
    }
}

impl ErrorKind for DiscoverError {
    fn kind(&self) -> &'static str {
        match self {
            DiscoverError::Unreadable { .. } => "unreadable",
            DiscoverError::SymlinkLoop { .. } => "symlink_loop",
            DiscoverError::NotFound { .. } => "not_found",
            DiscoverError::BadPattern(_) => "bad_pattern",
        }
    }
}

/// Tells a file's format from its first bytes.
///
/// PDF readers accept a `%PDF-` header anywhere in the first 1024 bytes (some producers write
/// junk before it), so we do too.
pub fn sniff(head: &[u8]) -> Format {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Format::Png
    } else if head.starts_with(b"\xFF\xD8\xFF") {
        Format::Jpeg
    } else if head.starts_with(b"II*\0")
        || head.starts_with(b"MM\0*")
        || head.starts_with(b"II+\0")
        || head.starts_with(b"MM\0+")
    {
        Format::Tiff
    } else if head.windows(5).take(1024).any(|w| w == b"%PDF-") {
        Format::Pdf
    } else if looks_like_edxml(head) {
        Format::Edxml
    } else {
        Format::Unknown
    }
}

/// An XML file (a `<` within the first KiB: the Government Office's own SDK sample has bytes
/// before its `<?xml`) whose head names an edXML root or namespace: `edXML`, `EdXMLEnvelope`,
/// the QCVN 102:2016 namespace, or the older eDoc ones (docs/edxml.md). Whether it really is
/// a package is the edxml stage's to say; a DTD in it is refused there, with a typed error.
fn looks_like_edxml(head: &[u8]) -> bool {
    let Some(lt) = head.iter().take(1024).position(|&b| b == b'<') else {
        return false;
    };
    let rest = &head[lt..];
    const MARKS: [&[u8]; 4] = [
        b"edxml",
        b"qcvn_102_2016",
        b"go.vn/edoc",
        b"e-doc.vn/schema",
    ];
    MARKS.iter().any(|m| contains_ascii_ci(rest, m))
}

fn contains_ascii_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Reads the first bytes of `path` and tells its format.
pub fn identify(path: &Path) -> Result<Candidate, DiscoverError> {
    let unreadable = |source| DiscoverError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(unreadable)?;
    let bytes = file.metadata().map_err(unreadable)?.len();
    let mut head = Vec::with_capacity(1029);
    file.by_ref()
        .take(1029)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    Ok(Candidate {
        path: path.to_path_buf(),
        format: sniff(&head),
        bytes,
    })
}

/// Why a candidate's bytes could not be taken.
#[derive(Debug, Error)]
pub enum ReadError {
    #[error("cannot read the file: {0}")]
    Unreadable(#[source] std::io::Error),
    #[error(
        "the file changed while it was read (size {before} before, {read} bytes read, \
         size {after} after{}); its bytes are not one version of the document",
        if *.modified { ", modification time changed" } else { "" }
    )]
    ChangedWhileReading {
        before: u64,
        read: u64,
        after: u64,
        modified: bool,
    },
}

impl ErrorKind for ReadError {
    fn kind(&self) -> &'static str {
        match self {
            ReadError::Unreadable(_) => "unreadable",
            ReadError::ChangedWhileReading { .. } => "changed_while_reading",
        }
    }
}

/// Reads a whole file and makes sure the bytes are one version of it: the size and
/// modification time from the open handle before and after the read must agree with each other
/// and with the number of bytes read. A file being written (a scanner still saving, a copy in
/// progress) would otherwise be hashed, signature-checked and recorded as a document that never
/// existed. Files whose size the system does not know (procfs and the like report 0) fail the
/// same check: there is no way to tell that what was read is complete.
pub fn read_whole(path: &Path) -> Result<Vec<u8>, ReadError> {
    let mut file = File::open(path).map_err(ReadError::Unreadable)?;
    let before = file.metadata().map_err(ReadError::Unreadable)?;
    let mut bytes = Vec::with_capacity(usize::try_from(before.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)
        .map_err(ReadError::Unreadable)?;
    let after = file.metadata().map_err(ReadError::Unreadable)?;
    let read = bytes.len() as u64;
    let modified = before.modified().ok() != after.modified().ok();
    if before.len() != read || after.len() != read || modified {
        return Err(ReadError::ChangedWhileReading {
            before: before.len(),
            read,
            after: after.len(),
            modified,
        });
    }
    Ok(bytes)
}

/// Extensions of detached CMS signatures: `FILE.p7s` or `FILE.sig` signs `FILE`.
const DETACHED_EXTENSIONS: [&str; 2] = ["p7s", "sig"];

/// The detached signature files that sit beside `path`, if any.
pub fn detached_signatures(path: &Path) -> Vec<PathBuf> {
    DETACHED_EXTENSIONS
        .iter()
        .map(|ext| {
            let mut name = path.as_os_str().to_os_string();
            name.push(".");
            name.push(ext);
            PathBuf::from(name)
        })
        .filter(|p| p.is_file())
        .collect()
}

/// A detached signature is analysed with the file it signs, not as an input of its own.
fn is_detached_signature_of_sibling(path: &Path) -> bool {
    let is_sig_ext = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DETACHED_EXTENSIONS.contains(&e));
    is_sig_ext && path.with_extension("").is_file()
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// Compiles the exclude globs once.
fn exclude_set(patterns: &[String]) -> Result<globset::GlobSet, DiscoverError> {
    let mut builder = globset::GlobSetBuilder::new();
    for p in patterns {
        let glob = globset::Glob::new(p).map_err(|e| DiscoverError::BadPattern(e.to_string()))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| DiscoverError::BadPattern(e.to_string()))
}

/// Walks `roots` (files or folders) and yields every candidate file or walk problem, lazily and
/// in path order. Roots are visited in sorted order; a root given twice is visited once.
pub fn walk(
    roots: &[PathBuf],
    options: &DiscoverOptions,
) -> Result<impl Iterator<Item = Result<Candidate, DiscoverError>>, DiscoverError> {
    let excludes = exclude_set(&options.exclude)?;
    let hidden = options.hidden;
    let mut roots = roots.to_vec();
    roots.sort();
    roots.dedup();
    Ok(roots.into_iter().flat_map(move |root| {
        let excludes = excludes.clone();
        let missing = if std::fs::symlink_metadata(&root).is_err() {
            Some(Err(DiscoverError::NotFound { path: root.clone() }))
        } else {
            None
        };
        let walker = missing.is_none().then(|| {
            WalkDir::new(&root)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(move |e| {
                    // Roots named on the command line are always visited, even if hidden or
                    // excluded; below them, an excluded folder is not entered at all.
                    let name = e.file_name();
                    e.depth() == 0 || ((hidden || !is_hidden(name)) && !excludes.is_match(name))
                })
        });
        missing
            .into_iter()
            .chain(
                walker
                    .into_iter()
                    .flatten()
                    .filter_map(move |entry| match entry {
                        Ok(e) if e.file_type().is_file() => {
                            if is_detached_signature_of_sibling(e.path()) {
                                return None;
                            }
                            Some(identify(e.path()))
                        }
                        Ok(_) => None,
                        Err(err) => Some(Err(walk_error(err))),
                    }),
            )
    }))
}

fn walk_error(err: walkdir::Error) -> DiscoverError {
    let path = err.path().map(Path::to_path_buf).unwrap_or_default();
    if let Some(ancestor) = err.loop_ancestor() {
        return DiscoverError::SymlinkLoop {
            path,
            ancestor: ancestor.to_path_buf(),
        };
    }
    let source = err
        .into_io_error()
        .unwrap_or_else(|| std::io::Error::other("walk error"));
    DiscoverError::Unreadable { path, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_tells_formats_by_magic_not_extension() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Format::Pdf);
        assert_eq!(sniff(b"junk\n%PDF-1.4"), Format::Pdf);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Format::Png);
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0"), Format::Jpeg);
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Format::Tiff);
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), Format::Tiff);
        assert_eq!(sniff(b"hello, world"), Format::Unknown);
        assert_eq!(
            sniff(b"1212<?xml version=\"1.0\"?>\n<edXML xmlns=\"x\">"),
            Format::Edxml
        );
        assert_eq!(
            sniff(b"<EdXMLEnvelope xmlns=\"http://www.go.vn/eDoc\">"),
            Format::Edxml
        );
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><svg/>"), Format::Unknown);
        assert_eq!(sniff(b""), Format::Unknown);
    }
}
