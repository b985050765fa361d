//! Scores a scan of a layout-variety corpus against its truth (the bench's half of
//! `tests/agency_attribution.rs`):
//!
//! ```text
//! cargo run --release --example agency_eval -- CORPUS OUT LABEL [born_digital]
//! ```
//!
//! OUT is a `kyso scan` output folder with `kyso report --format json` written to OUT/report.
//! Prints the rows, placement and per-field accuracy, then the issue's targets it misses.

#[path = "../tests/agency_eval/mod.rs"]
mod agency_eval;

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: agency_eval CORPUS OUT LABEL [born_digital]");
        std::process::exit(2);
    }
    let (corpus, out) = (Path::new(&args[0]), Path::new(&args[1]));
    let only = args.get(3).map(String::as_str);
    let score = agency_eval::score(corpus, out, &out.join("report/report.json"), only);
    print!("{}", score.summary(&args[2]));
    let failures = score.failures(only.is_none());
    if failures.is_empty() {
        println!("  targets: all met");
    } else {
        for f in failures {
            println!("  target missed: {f}");
        }
    }
}
