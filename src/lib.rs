//! kyso: batch analysis of scanned and born-digital administrative documents.
//!
//! The library is organised by pipeline stage; data flows one way:
//!
//! ```text
//! discover → source → signature → ocr → metadata → verdict → record → catalog / report / export
//! ```
//!
//! Each stage owns its input/output types and its error enum. [`pipeline`] wires the stages
//! together over a rayon pool whose unit of work is one page; the binary (`src/main.rs`) only
//! parses flags, runs a command and maps its outcome to an [`exit::ExitCode`].

pub mod archive;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod discover;
pub mod edxml;
pub mod error;
pub mod evidence;
pub mod exit;
pub mod export;
pub mod interrupt;
pub mod marks;
pub mod metadata;
pub mod ocr;
pub mod output;
pub mod pdf_bytes;
pub mod pipeline;
pub mod record;
pub mod report;
pub mod sign;
pub mod signature;
pub mod source;
pub mod verdict;

pub use exit::ExitCode;
