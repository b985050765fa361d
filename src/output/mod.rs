//! Everything kyso writes goes through here: files appear whole or not at all
//! ([`write_atomic`]), and text that came from a document is made safe for the output it goes
//! to. Every field kyso writes comes from an untrusted document (agency, subject and signer
//! lines, certificate subjects, file names, producer strings), and the outputs are opened in
//! spreadsheet programs, terminals and browsers. No writer escapes for itself: each calls the
//! rule of its output here (docs/output.md has the rules and who uses them).
//!
//! - [`csv`]: text cells never start a formula (`=`, `+`, `-`, `@`, tab, CR get a leading `'`);
//! - [`terminal`]: no control character, escape sequence or bidi override reaches the terminal;
//! - [`json`]: exact text, never a NUL or an unpaired surrogate, hostile characters as `\u`;
//! - [`markup`]: HTML, hOCR, ALTO and XML content and attributes ([`escape_markup`]);
//! - [`text`]: the character classes they share, and the normalisation of metadata values.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub mod csv;
pub mod json;
pub mod markup;
pub mod terminal;
pub mod text;

pub use markup::escape_markup;

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, synced, then
/// renamed over the target. A crash leaves either the old file or the new one, never half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The temporary name used while `path` is being written.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp{}", std::process::id()));
    path.with_file_name(name)
}
