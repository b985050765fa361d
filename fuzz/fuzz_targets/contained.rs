//! Panics kyso contains on purpose. libFuzzer's panic hook aborts on every panic, even one
//! that `catch_unwind` would stop, so a known decoder bug that kyso already turns into a
//! `malformed` page would end every run of the target that reaches it. This hook lets those
//! panics unwind to kyso's own containment and still aborts on any other.

use std::sync::Once;

/// Crates whose panics kyso contains and reports as `malformed` (see fuzz/README.md).
const CONTAINED: &[&str] = &["zune-jpeg"];

pub fn let_contained_panics_unwind() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let contained = info
                .location()
                .is_some_and(|l| CONTAINED.iter().any(|c| l.file().contains(c)));
            if !contained {
                abort(info);
            }
        }));
    });
}
