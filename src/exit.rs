//! The documented process exit codes, shared by every command.

/// What the process tells its caller. The numbers are part of the CLI contract (see README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Every document (or signature) was processed without error.
    Ok = 0,
    /// Some documents had errors, or (for `verify`) a signature is invalid or the file was
    /// modified after signing. Their records are written.
    Problems = 1,
    /// The command line was wrong, or the command is not available yet.
    Usage = 2,
    /// The run could not go on at all (e.g. the output directory is not writable).
    Fatal = 3,
    /// `verify` only: no signature was found in any input.
    NoSignature = 4,
    /// `scan` was stopped by Ctrl-C or SIGTERM before every input was seen: what was done is in
    /// the catalog, and the same command resumes. 130 is what shells report for SIGINT.
    Interrupted = 130,
}

impl ExitCode {
    pub fn code(self) -> i32 {
        self as i32
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(c: ExitCode) -> Self {
        std::process::ExitCode::from(c as u8)
    }
}
