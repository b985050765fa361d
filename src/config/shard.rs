//! `--shard K/N`: which inputs a process of a sharded scan handles.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// `--shard K/N`: this process handles the inputs whose path, relative to the input root it was
/// found under, hashes to K modulo N. The relative path keeps the split the same on machines
/// that mount the shared folder at different places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("invalid shard {s:?}: expected K/N with 0 <= K < N, e.g. 0/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether `path` (found under one of `roots`) belongs to this shard.
    pub fn owns(&self, path: &Path, roots: &[PathBuf]) -> bool {
        let rel = relative_to_roots(path, roots);
        let digest = Sha256::digest(rel.as_os_str().as_encoded_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % self.count == self.index
    }
}

/// `path` relative to the longest of `roots` it lies under; a root that is a file itself gives
/// its file name, and a path under no root is returned as it is.
pub fn relative_to_roots(path: &Path, roots: &[PathBuf]) -> PathBuf {
    let root = roots
        .iter()
        .filter(|r| path.starts_with(r))
        .max_by_key(|r| r.components().count());
    match root.and_then(|r| path.strip_prefix(r).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| path.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_spec_parses_and_rejects_out_of_range() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert!("3/3".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }

    #[test]
    fn shards_partition_inputs_by_relative_path() {
        let roots = [PathBuf::from("/mnt/a/archive")];
        let other_mount = [PathBuf::from("/data/archive")];
        let shards: Vec<Shard> = (0..3).map(|i| Shard { index: i, count: 3 }).collect();
        let mut counts = [0; 3];
        for i in 0..300 {
            let rel = format!("dir{}/doc{i}.pdf", i % 7);
            let here = Path::new("/mnt/a/archive").join(&rel);
            let there = Path::new("/data/archive").join(&rel);
            let owners: Vec<usize> = (0..3).filter(|&k| shards[k].owns(&here, &roots)).collect();
            assert_eq!(owners.len(), 1, "{rel} belongs to exactly one shard");
            assert!(shards[owners[0]].owns(&there, &other_mount));
            counts[owners[0]] += 1;
        }
        assert!(counts.iter().all(|&c| c > 50), "uneven split: {counts:?}");
    }
}
