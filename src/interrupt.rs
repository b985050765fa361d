//! Ctrl-C and SIGTERM: the first asks the scan to stop after the documents in flight, so the
//! catalog is left consistent and a re-run resumes; a second one stops the process at once
//! (the catalog is still consistent, minus the uncommitted batch).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use crate::exit::ExitCode;

static REQUESTED: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

/// Installs the handler (once per process; later calls do nothing).
pub fn install() {
    INSTALL.call_once(|| {
        // A handler another part of the process installed first wins; the scan then simply
        // cannot be stopped early, which is not worth failing the run for.
        let _ = ctrlc::set_handler(|| {
            if REQUESTED.swap(true, Ordering::SeqCst) {
                eprintln!("\nkyso: stopping now");
                std::process::exit(ExitCode::Interrupted.code());
            }
            eprintln!(
                "\nkyso: stopping after the documents in flight (press Ctrl-C again to stop at once)"
            );
        });
    });
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
