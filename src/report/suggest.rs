//! `kyso agencies --from DIR`: a suggested `--agencies` file from a run, for an inspector to
//! review and pass back.
//!
//! Each agency key of the run becomes an `[[agency]]` entry, with its count, example paths and
//! the evidence its resolution rested on as comments. Keys that may be one agency (a name read
//! two ways, a name with and without its province: [`super::review::near_duplicates`]) are
//! joined into one entry whose `aliases` hold the other keys, so passing the file back with
//! `--agencies` puts them in one row; the comment says which were joined and why, so a wrong
//! join is one line to delete. Unresolved documents are listed as comments with their
//! candidates: they need a person.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::exit::ExitCode;
use crate::metadata::resolve::EvidenceSource;
use crate::output::write_atomic;
use crate::record::Record;

use super::review::near_duplicates;
use super::ReportError;

/// Example paths kept per agency.
const EXAMPLES: usize = 3;

/// What the run says of one agency key.
#[derive(Debug, Default)]
struct Seen {
    documents: u64,
    examples: Vec<String>,
    /// Display names (resolution or agency file), by count.
    names: BTreeMap<String, u64>,
    /// Printed names with their parents, by count.
    printed: BTreeMap<String, u64>,
    listed: bool,
    /// The first document's evidence, one line each.
    evidence: Vec<String>,
    confidence: (f32, f32),
}

/// What the run says of the unresolved documents.
#[derive(Debug, Default)]
struct Unresolved {
    documents: u64,
    /// Candidate key → (name, documents, example path).
    candidates: BTreeMap<String, (String, u64, String)>,
    /// Printed names, by count.
    printed: BTreeMap<String, u64>,
    without_candidates: Vec<String>,
}

fn source_name(s: EvidenceSource) -> &'static str {
    match s {
        EvidenceSource::AgencyLine => "agency line",
        EvidenceSource::ParentLine => "parent line",
        EvidenceSource::Place => "date line place",
        EvidenceSource::Symbol => "symbol",
        EvidenceSource::Certificate => "certificate",
        EvidenceSource::Envelope => "envelope",
    }
}

fn printed_name(r: &Record) -> Option<String> {
    let m = &r.metadata;
    let agency = m.agency.as_ref()?.value.clone();
    Some(match &m.parent_agency {
        Some(p) => format!("{} {agency}", p.value),
        None => agency,
    })
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// Comment text on one line: no line breaks can end the comment early.
fn comment(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// Builds the suggested agency file from `documents.jsonl`.
pub fn suggest(documents: &Path) -> Result<String, ReportError> {
    let read_err = |source| ReportError::Read {
        path: documents.to_path_buf(),
        source,
    };
    let file = File::open(documents).map_err(read_err)?;
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    let mut unresolved = Unresolved::default();
    let mut total = 0u64;
    for (n, line) in (1u64..).zip(BufReader::new(file).lines()) {
        let line = line.map_err(read_err)?;
        if line.trim().is_empty() {
            continue;
        }
        let r: Record = serde_json::from_str(&line).map_err(|source| ReportError::Parse {
            path: documents.to_path_buf(),
            line: n,
            source,
        })?;
        total += 1;
        let m = &r.metadata;
        let Some(key) = m.agency_key.as_ref().map(|k| k.value.clone()) else {
            unresolved.documents += 1;
            if let Some(p) = printed_name(&r) {
                *unresolved.printed.entry(p).or_default() += 1;
            }
            let cands = m
                .agency_resolution
                .as_ref()
                .map(|res| res.candidates.clone())
                .unwrap_or_default();
            if cands.is_empty() && unresolved.without_candidates.len() < EXAMPLES {
                unresolved.without_candidates.push(r.path.clone());
            }
            for c in cands.into_iter().take(2) {
                let e = unresolved
                    .candidates
                    .entry(c.key.clone())
                    .or_insert_with(|| (c.name.clone(), 0, r.path.clone()));
                e.1 += 1;
            }
            continue;
        };
        let s = seen.entry(key).or_default();
        s.documents += 1;
        if s.examples.len() < EXAMPLES {
            s.examples.push(r.path.clone());
        }
        if let Some(name) = &m.agency_name {
            *s.names.entry(name.value.clone()).or_default() += 1;
        }
        if let Some(p) = printed_name(&r) {
            *s.printed.entry(p).or_default() += 1;
        }
        let source = m.agency_key.as_ref().and_then(|k| k.source.as_deref());
        s.listed |= matches!(source, Some("gazetteer" | "agency_file" | "envelope"));
        if let Some(res) = &m.agency_resolution {
            let c = res.confidence;
            s.confidence = if s.documents == 1 {
                (c, c)
            } else {
                (s.confidence.0.min(c), s.confidence.1.max(c))
            };
            if s.evidence.is_empty() {
                s.evidence = res
                    .evidence
                    .iter()
                    .map(|e| {
                        format!(
                            "{} \"{}\" → {}",
                            source_name(e.source),
                            comment(&e.text),
                            e.reads_as.as_deref().unwrap_or("nothing listed")
                        )
                    })
                    .collect();
            }
        }
    }

    // Clusters: keys joined through near-duplicate pairs (union-find over the key list).
    let keys: Vec<String> = seen.keys().cloned().collect();
    let index: BTreeMap<&str, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let mut parent: Vec<usize> = (0..keys.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let facts: BTreeMap<String, (u64, bool)> = seen
        .iter()
        .map(|(k, s)| (k.clone(), (s.documents, s.listed)))
        .collect();
    let pairs = near_duplicates(&facts);
    let mut why: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for d in &pairs {
        let (a, b) = (index[d.a.as_str()], index[d.b.as_str()]);
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[rb] = ra;
        }
        why.entry(a)
            .or_default()
            .push(format!("{} ~ {}: {}", d.a, d.b, d.why));
    }
    let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..keys.len() {
        let r = root(&mut parent, i);
        clusters.entry(r).or_default().push(i);
    }

    let mut out = String::new();
    out.push_str(&format!(
        "# Suggested by `kyso agencies --from {}`: {total} documents, {} agency keys in {} \
         entries, {} documents unresolved.\n",
        comment(&documents.display().to_string()),
        keys.len(),
        clusters.len(),
        unresolved.documents
    ));
    out.push_str(
        "# Review every entry: correct its name, delete a wrong join (an alias that is another\n\
         # agency's key), add printed names as aliases. Then pass the file back:\n\
         #   kyso report --from DIR --agencies FILE      (or kyso scan ... --agencies FILE)\n\
         # Keys come from the gazetteer (docs/gazetteer.md) where the agency is listed.\n\n",
    );
    // Entries: biggest first, then by key, so the file reads top-down by importance.
    let mut entries: Vec<(u64, String, Vec<usize>)> = clusters
        .into_values()
        .map(|members| {
            let docs = members.iter().map(|i| seen[&keys[*i]].documents).sum();
            let main = *members
                .iter()
                .max_by_key(|i| {
                    let s = &seen[&keys[**i]];
                    (s.listed, s.documents, std::cmp::Reverse(keys[**i].clone()))
                })
                .unwrap_or(&members[0]);
            let mut ordered = vec![main];
            ordered.extend(members.into_iter().filter(|i| *i != main));
            (docs, keys[main].clone(), ordered)
        })
        .collect();
    entries.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    // An alias claimed by two entries would make the file ambiguous (and refused): such
    // printed names are left out, and said so.
    let mut alias_owner: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, key, members) in &entries {
        for i in members {
            for p in seen[&keys[*i]].printed.keys() {
                alias_owner
                    .entry(crate::metadata::agency_key(p).replace('-', ""))
                    .or_default()
                    .insert(key.clone());
            }
        }
    }
    for (docs, key, members) in &entries {
        let main = &seen[key];
        let name = main
            .names
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(n, _)| n.clone())
            .or_else(|| main.printed.keys().next().cloned())
            .unwrap_or_else(|| key.clone());
        out.push_str(&format!("# {docs} documents"));
        if members.len() > 1 {
            let parts: Vec<String> = members
                .iter()
                .map(|i| format!("{} ({})", keys[*i], seen[&keys[*i]].documents))
                .collect();
            out.push_str(&format!(", joined from {}", parts.join(", ")));
        }
        out.push('\n');
        for i in members {
            for w in why.get(i).into_iter().flatten() {
                out.push_str(&format!("#   may be one agency: {}\n", comment(w)));
            }
        }
        out.push_str(&format!("# e.g. {}\n", comment(&main.examples.join(", "))));
        out.push_str(&format!(
            "# {}, confidence {:.2}–{:.2}\n",
            if main.listed {
                "resolved from a list"
            } else {
                "not in the gazetteer: keyed by its printed name"
            },
            main.confidence.0,
            main.confidence.1
        ));
        for e in &main.evidence {
            out.push_str(&format!("#   {e}\n"));
        }
        let mut aliases: Vec<String> = members[1..].iter().map(|i| keys[*i].clone()).collect();
        let mut dropped: Vec<String> = Vec::new();
        for i in members {
            for p in seen[&keys[*i]].printed.keys() {
                let owners = &alias_owner[&crate::metadata::agency_key(p).replace('-', "")];
                if owners.len() > 1 {
                    dropped.push(p.clone());
                } else if !aliases.contains(p) && *p != name {
                    aliases.push(p.clone());
                }
            }
        }
        for d in dropped.iter().collect::<BTreeSet<_>>() {
            out.push_str(&format!(
                "#   printed \"{}\" is also another entry's: not an alias\n",
                comment(d)
            ));
        }
        out.push_str("[[agency]]\n");
        out.push_str(&format!("key = {}\n", quoted(key)));
        out.push_str(&format!("name = {}\n", quoted(&name)));
        let list: Vec<String> = aliases.iter().map(|a| quoted(a)).collect();
        out.push_str(&format!("aliases = [{}]\n\n", list.join(", ")));
    }
    if unresolved.documents > 0 {
        out.push_str(&format!(
            "# Unresolved: {} documents whose agency could not be told. Their candidates (add\n\
             # the printed names below to the right entry's aliases, or write a new entry):\n",
            unresolved.documents
        ));
        let mut cands: Vec<(&String, &(String, u64, String))> =
            unresolved.candidates.iter().collect();
        cands.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(a.0.cmp(b.0)));
        for (key, (name, n, example)) in cands {
            out.push_str(&format!(
                "#   {key} \"{}\": candidate for {n} documents, e.g. {}\n",
                comment(name),
                comment(example)
            ));
        }
        for (p, n) in &unresolved.printed {
            out.push_str(&format!("#   printed \"{}\" ({n} documents)\n", comment(p)));
        }
        for p in &unresolved.without_candidates {
            out.push_str(&format!("#   no agency read at all, e.g. {}\n", comment(p)));
        }
    }
    Ok(out)
}

/// `kyso agencies`: writes the suggestion and prints its path.
pub fn agencies_command(from: &Path, out: Option<&Path>) -> ExitCode {
    let documents = if from.is_dir() {
        from.join("documents.jsonl")
    } else {
        from.to_path_buf()
    };
    let text = match suggest(&documents) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kyso agencies: {e}");
            return match e {
                ReportError::Read { .. } => ExitCode::Usage,
                _ => ExitCode::Fatal,
            };
        }
    };
    let path: PathBuf = out.map(Path::to_path_buf).unwrap_or_else(|| {
        documents
            .parent()
            .unwrap_or(Path::new("."))
            .join("agencies.suggested.toml")
    });
    match write_atomic(&path, text.as_bytes()) {
        Ok(()) => {
            println!("{}", path.display());
            ExitCode::Ok
        }
        Err(e) => {
            eprintln!("kyso agencies: cannot write {}: {e}", path.display());
            ExitCode::Fatal
        }
    }
}
