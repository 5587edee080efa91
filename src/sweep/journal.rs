//! The journal of a sweep's finished (and failed) runs: an append-only file of
//! checksummed blocks, one per run, and its index. It is what makes a sweep resumable
//! after any kill, and what the result is assembled from.

use std::fs;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::execute::{RunSpec, Shard, SweepError, io};

/// What a finished run leaves: its metrics and the series summarised in bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct RecordHeader {
    pub(super) id: u64,
    pub(super) point: u64,
    pub(super) replicate: u32,
    pub(super) seed: u64,
    pub(super) periods: u32,
    /// Rows of the bands: the sectors, then `all`.
    pub(super) rows: Vec<String>,
    pub(super) firm_steps: u64,
    /// Why the run failed (a numeric blow-up, say); `None` for a run that finished.
    /// Left out of the JSON when `None`, so a finished run's block reads as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Record {
    pub(super) header: RecordHeader,
    /// One per metric; NaN when undefined.
    pub(super) metrics: Vec<f64>,
    /// `[row][band series][period]`, flattened; NaN when undefined.
    pub(super) bands: Vec<f64>,
}

const RECORD_MAGIC: &[u8; 8] = b"CATCHUP1";

impl Record {
    /// The record of a run that failed: its error, no metrics and no bands. Kept in
    /// the journal like a finished run, so that a resumed sweep does not run it again
    /// (it would fail the same way) and its result is the uninterrupted one's.
    pub(super) fn failed(run: RunSpec, error: &str) -> Record {
        Record {
            header: RecordHeader {
                id: run.id,
                point: run.point,
                replicate: run.replicate,
                seed: run.seed,
                periods: 0,
                rows: Vec::new(),
                firm_steps: 0,
                // One line: runs.csv is merged line by line.
                error: Some(error.split_whitespace().collect::<Vec<_>>().join(" ")),
            },
            metrics: Vec::new(),
            bands: Vec::new(),
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = RECORD_MAGIC.to_vec();
        let header = serde_json::to_vec(&self.header).expect("a header always serializes");
        out.extend_from_slice(&(header.len() as u64).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&(self.metrics.len() as u64).to_le_bytes());
        out.extend_from_slice(&(self.bands.len() as u64).to_le_bytes());
        for v in self.metrics.iter().chain(&self.bands) {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    fn decode(bytes: &[u8]) -> Option<Record> {
        let mut at = 0usize;
        let mut take = |n: usize| {
            let s = bytes.get(at..at + n)?;
            at += n;
            Some(s)
        };
        if take(8)? != RECORD_MAGIC {
            return None;
        }
        let word = |s: &[u8]| u64::from_le_bytes(s.try_into().unwrap_or([0; 8]));
        let header_len = word(take(8)?) as usize;
        let header: RecordHeader = serde_json::from_slice(take(header_len)?).ok()?;
        let n_metrics = word(take(8)?) as usize;
        let n_bands = word(take(8)?) as usize;
        let mut floats = |n: usize| -> Option<Vec<f64>> {
            (0..n)
                .map(|_| take(8).map(|s| f64::from_le_bytes(s.try_into().unwrap_or([0; 8]))))
                .collect()
        };
        let metrics = floats(n_metrics)?;
        let bands = floats(n_bands)?;
        (at == bytes.len()).then_some(Record {
            header,
            metrics,
            bands,
        })
    }
}

/// The journal of finished runs: an append-only file of checksummed blocks, one per
/// run. Appending a whole block is one write; a block cut short by a kill fails its
/// length or checksum and is cut off when the journal is reopened, so no half-written
/// run survives and every whole one is kept.
pub(super) struct Journal {
    file: std::sync::Mutex<fs::File>,
    path: PathBuf,
}

const BLOCK_MAGIC: &[u8; 4] = b"CRUN";

/// Where a finished run's record is in the journal (the offset of its payload; the
/// block's length word lies just before it), and whether the run failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct JournalEntry {
    pub(super) offset: u64,
    pub(super) failed: bool,
}

/// The journal's runs, one word for each run of the shard, in run order: 8 bytes a
/// run, the one structure of a sweep that grows with its runs. A run found twice (run
/// again by `--retry-failed`) is the later block's.
pub(super) struct JournalIndex {
    /// The payload's offset, with [`Self::FAILED`] set for a failed run, or
    /// [`Self::ABSENT`].
    slots: Vec<u64>,
    shard: Shard,
    replicates: u64,
}

impl JournalIndex {
    const ABSENT: u64 = u64::MAX;
    const FAILED: u64 = 1 << 63;

    /// An empty index of the runs of `shard`: `points` design points (all shards
    /// together) of `replicates` runs each.
    pub(super) fn new(shard: Shard, points: u64, replicates: u32) -> JournalIndex {
        let first = u64::from(shard.index - 1);
        let mine = points
            .saturating_sub(first)
            .div_ceil(u64::from(shard.count));
        JournalIndex {
            slots: vec![Self::ABSENT; (mine * u64::from(replicates)) as usize],
            shard,
            replicates: u64::from(replicates),
        }
    }

    /// The slot of run `id`, if it is a run of the shard.
    fn slot(&self, id: u64) -> Option<usize> {
        let (point, replicate) = (id / self.replicates, id % self.replicates);
        if !self.shard.has_point(point) {
            return None;
        }
        let nth = point / u64::from(self.shard.count);
        let slot = (nth * self.replicates + replicate) as usize;
        (slot < self.slots.len()).then_some(slot)
    }

    fn insert(&mut self, id: u64, entry: JournalEntry) {
        if let Some(slot) = self.slot(id) {
            self.slots[slot] = entry.offset | if entry.failed { Self::FAILED } else { 0 };
        }
    }

    pub(super) fn get(&self, id: u64) -> Option<JournalEntry> {
        let word = self.slots[self.slot(id)?];
        (word != Self::ABSENT).then_some(JournalEntry {
            offset: word & !Self::FAILED,
            failed: word & Self::FAILED != 0,
        })
    }

    pub(super) fn any_failed(&self) -> bool {
        self.slots
            .iter()
            .any(|&w| w != Self::ABSENT && w & Self::FAILED != 0)
    }
}

/// FNV-1a: a cheap checksum that catches a torn block.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Journal {
    /// Opens (or creates) the journal; fills `index` with where every whole block's
    /// run is, after cutting off a torn tail.
    pub(super) fn open(path: &Path, index: &mut JournalIndex) -> Result<Journal, SweepError> {
        let mut file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(io(path))?;
        // Read block by block, so memory stays flat however many runs there are.
        let file_len = file.metadata().map_err(io(path))?.len();
        let mut reader = BufReader::new(&mut file);
        let mut at = 0u64;
        let mut head = [0u8; 12];
        let mut payload = Vec::new();
        let mut sum = [0u8; 8];
        loop {
            if reader.read_exact(&mut head).is_err() || &head[..4] != BLOCK_MAGIC {
                break;
            }
            let len = u64::from_le_bytes(head[4..12].try_into().unwrap_or([0; 8]));
            // A length past the end of the file is a torn or corrupt block, not a
            // reason to allocate.
            if at.saturating_add(20).saturating_add(len) > file_len {
                break;
            }
            payload.resize(len as usize, 0);
            if reader.read_exact(&mut payload).is_err() || reader.read_exact(&mut sum).is_err() {
                break;
            }
            if u64::from_le_bytes(sum) != checksum(&payload) {
                break;
            }
            let Some(record) = Record::decode(&payload) else {
                break;
            };
            let entry = JournalEntry {
                offset: at + 12,
                failed: record.header.error.is_some(),
            };
            index.insert(record.header.id, entry);
            at += 20 + len;
        }
        drop(reader);
        // Cut off anything after the last whole block.
        file.set_len(at).map_err(io(path))?;
        use std::io::Seek;
        file.seek(std::io::SeekFrom::End(0)).map_err(io(path))?;
        Ok(Journal {
            file: std::sync::Mutex::new(file),
            path: path.to_path_buf(),
        })
    }

    pub(super) fn append(&self, record: &Record) -> Result<(), SweepError> {
        let payload = record.encode();
        let mut block = Vec::with_capacity(payload.len() + 20);
        block.extend_from_slice(BLOCK_MAGIC);
        block.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        block.extend_from_slice(&payload);
        block.extend_from_slice(&checksum(&payload).to_le_bytes());
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(&block).map_err(io(&self.path))
    }
}

/// Reads one record of the journal.
pub(super) fn read_record(
    path: &Path,
    file: &mut fs::File,
    JournalEntry { offset, .. }: JournalEntry,
) -> Result<Record, SweepError> {
    use std::io::Seek;
    let damaged = || SweepError::Damaged {
        path: path.to_path_buf(),
        why: format!("no whole record at byte {offset}"),
    };
    // The block's length word, just before the payload.
    file.seek(std::io::SeekFrom::Start(
        offset.checked_sub(8).ok_or_else(damaged)?,
    ))
    .map_err(io(path))?;
    let mut word = [0u8; 8];
    file.read_exact(&mut word).map_err(io(path))?;
    let mut payload = vec![0u8; u64::from_le_bytes(word) as usize];
    file.read_exact(&mut payload).map_err(io(path))?;
    Record::decode(&payload).ok_or_else(damaged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_reject_truncation() {
        let r = Record {
            header: RecordHeader {
                id: 3,
                point: 1,
                replicate: 1,
                seed: 99,
                periods: 2,
                rows: vec!["a".into(), "all".into()],
                firm_steps: 100,
                error: None,
            },
            metrics: vec![0.5, f64::NAN],
            bands: vec![1.0, 2.0, f64::NAN, 4.0],
        };
        let bytes = r.encode();
        let back = Record::decode(&bytes).unwrap();
        assert_eq!(back.header, r.header);
        assert_eq!(back.metrics[0], 0.5);
        assert!(back.metrics[1].is_nan());
        assert!(Record::decode(&bytes[..bytes.len() - 1]).is_none());
    }

    /// Every run of a shard has a slot of its own in the journal's index, the slots
    /// fill it exactly, and runs of other shards have none.
    #[test]
    fn the_journal_index_gives_each_run_of_the_shard_one_slot() {
        for count in 1..6u32 {
            for index in 1..=count {
                let shard = Shard { index, count };
                let (points, reps) = (13u64, 3u32);
                let mut idx = JournalIndex::new(shard, points, reps);
                let mut slots = Vec::new();
                for id in 0..points * u64::from(reps) {
                    match idx.slot(id) {
                        Some(s) => {
                            assert!(shard.has_point(id / u64::from(reps)));
                            slots.push(s);
                        }
                        None => assert!(!shard.has_point(id / u64::from(reps))),
                    }
                }
                assert_eq!(slots, (0..idx.slots.len()).collect::<Vec<_>>(), "{shard}");
                let Some(&last) = slots.last() else { continue };
                let id = (0..points * u64::from(reps))
                    .find(|&i| idx.slot(i) == Some(last))
                    .unwrap();
                assert_eq!(idx.get(id), None);
                assert!(!idx.any_failed());
                idx.insert(
                    id,
                    JournalEntry {
                        offset: 40,
                        failed: true,
                    },
                );
                assert_eq!(
                    idx.get(id),
                    Some(JournalEntry {
                        offset: 40,
                        failed: true
                    })
                );
                assert!(idx.any_failed());
                idx.insert(
                    id,
                    JournalEntry {
                        offset: 99,
                        failed: false,
                    },
                );
                assert_eq!(
                    idx.get(id),
                    Some(JournalEntry {
                        offset: 99,
                        failed: false
                    })
                );
            }
        }
    }
}
