//! The `kyso` binary: flags → command → exit code. All logic lives in the library.

use clap::Parser;
use kyso::cli::{Cli, Command, OcrMode};
use kyso::ExitCode;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // Tesseract's OpenMP runtime only honours its thread limit when the process starts with it
    // (see the function's docs for the measurement); only OCR needs it, and the restart costs
    // a process start that `verify` on many small files would feel.
    if matches!(&cli.command, Command::Scan(args) if args.ocr != OcrMode::None) {
        kyso::ocr::reexec_with_single_threaded_openmp();
    }
    let code = match cli.command {
        Command::Scan(args) => match args.to_config() {
            Ok(config) => kyso::pipeline::scan_command(&config),
            Err(e) => {
                kyso::output::terminal::error("kyso scan", e);
                ExitCode::Usage
            }
        },
        Command::Verify(args) => kyso::signature::verify_command(&args.to_config()),
        Command::Merge(args) => kyso::catalog::merge_command(&args.shards, &args.out, args.quiet),
        Command::Report(args) => kyso::report::report_command(&args.to_config()),
        Command::Export(args) => kyso::export::export_command(&args.to_config()),
        Command::Agencies(args) => {
            kyso::report::suggest::agencies_command(&args.from, args.out.as_deref())
        }
    };
    code.into()
}
