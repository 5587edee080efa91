//! The journal of a sweep's finished (and failed) runs: an append-only file of
//! checksummed blocks, one per run, and its index. It is what makes a sweep resumable
//! after any kill, and what the result is assembled from.

use std::fs;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::error::{SweepError, io};
use super::runs::{RunSpec, Shard};

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
    file: Mutex<fs::File>,
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

/// The journal's runs in run order, one 8-byte word for each run of the shard, kept
/// in a file beside the journal (`index.bin`) rather than in memory: a sweep of 10^8
/// runs would otherwise hold 0.8 GB for it, and what the sweep holds in memory must
/// not grow with its runs. The file is derived from the journal each time it is
/// opened (never trusted from a previous process), so a journal written before the
/// index existed resumes like any other. A word is 0 for a run not in the journal
/// (so a never-written stretch of the file, a hole, reads as absent), else the
/// payload's offset, never 0, with [`Self::FAILED`] set for a failed run. A run found
/// twice (run again by `--retry-failed`) is the later block's.
pub(super) struct JournalIndex {
    shard: Shard,
    replicates: u64,
    /// Runs of the shard: the file is 8 bytes each.
    slots: u64,
    path: PathBuf,
    /// Words found but not yet written, in the order found: written when
    /// [`Self::PENDING`] have gathered, or when the journal has been read through.
    pending: Vec<(u64, u64)>,
    /// The file, and the stretch of it last read: runs are looked up in run order, so
    /// one read serves [`Self::WINDOW`] lookups.
    window: Mutex<Window>,
}

struct Window {
    file: fs::File,
    /// The slot of `words[0]`.
    first: u64,
    words: Vec<u64>,
}

impl JournalIndex {
    const FAILED: u64 = 1 << 63;
    /// Words gathered before they are written: 1 MiB.
    const PENDING: usize = 1 << 16;
    /// Words read at once for lookups: 32 KiB.
    const WINDOW: u64 = 1 << 12;

    /// An empty index of the runs of `shard` (`points` design points, all shards
    /// together, of `replicates` runs each), in the file `path`, which is replaced.
    pub(super) fn create(
        path: &Path,
        shard: Shard,
        points: u64,
        replicates: u32,
    ) -> Result<JournalIndex, SweepError> {
        let first = u64::from(shard.index - 1);
        let mine = points
            .saturating_sub(first)
            .div_ceil(u64::from(shard.count));
        let slots = mine * u64::from(replicates);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(path)
            .map_err(io(path))?;
        // All zeros (absent), without writing them where the file system keeps holes.
        file.set_len(slots * 8).map_err(io(path))?;
        Ok(JournalIndex {
            shard,
            replicates: u64::from(replicates),
            slots,
            path: path.to_path_buf(),
            pending: Vec::with_capacity(Self::PENDING),
            window: Mutex::new(Window {
                file,
                first: 0,
                words: Vec::with_capacity(Self::WINDOW as usize),
            }),
        })
    }

    /// The slot of run `id`, if it is a run of the shard.
    fn slot(&self, id: u64) -> Option<u64> {
        let (point, replicate) = (id / self.replicates, id % self.replicates);
        if !self.shard.has_point(point) {
            return None;
        }
        let nth = point / u64::from(self.shard.count);
        let slot = nth * self.replicates + replicate;
        (slot < self.slots).then_some(slot)
    }

    fn insert(&mut self, id: u64, entry: JournalEntry) -> Result<(), SweepError> {
        if let Some(slot) = self.slot(id) {
            let word = entry.offset | if entry.failed { Self::FAILED } else { 0 };
            self.pending.push((slot, word));
            if self.pending.len() >= Self::PENDING {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Writes the pending words, sorted by slot so that the runs of consecutive
    /// slots (most of them: runs are handed out in run order) are one write each.
    fn flush(&mut self) -> Result<(), SweepError> {
        // Stable: of two words for one slot, the later found stays the later written.
        self.pending.sort_by_key(|&(slot, _)| slot);
        let window = self.window.get_mut().unwrap_or_else(|p| p.into_inner());
        window.words.clear();
        let mut bytes: Vec<u8> = Vec::new();
        let mut start = 0u64;
        let path = &self.path;
        let write = |file: &mut fs::File, start: u64, bytes: &[u8]| {
            if bytes.is_empty() {
                return Ok(());
            }
            file.seek(SeekFrom::Start(start * 8)).map_err(io(path))?;
            file.write_all(bytes).map_err(io(path))
        };
        for &(slot, word) in &self.pending {
            let next = start + bytes.len() as u64 / 8;
            if !bytes.is_empty() && slot + 1 == next {
                // The same run again: the later word wins.
                let at = bytes.len() - 8;
                bytes[at..].copy_from_slice(&word.to_le_bytes());
                continue;
            }
            if slot != next {
                write(&mut window.file, start, &bytes)?;
                bytes.clear();
                start = slot;
            }
            bytes.extend_from_slice(&word.to_le_bytes());
        }
        write(&mut window.file, start, &bytes)?;
        self.pending.clear();
        Ok(())
    }

    /// Where run `id` is in the journal, if it is there.
    pub(super) fn get(&self, id: u64) -> Result<Option<JournalEntry>, SweepError> {
        let Some(slot) = self.slot(id) else {
            return Ok(None);
        };
        let mut window = self.window.lock().unwrap_or_else(|p| p.into_inner());
        let w = &mut *window;
        if !(w.first..w.first + w.words.len() as u64).contains(&slot) {
            let n = Self::WINDOW.min(self.slots - slot);
            let mut bytes = vec![0u8; n as usize * 8];
            w.file
                .seek(SeekFrom::Start(slot * 8))
                .map_err(io(&self.path))?;
            w.file.read_exact(&mut bytes).map_err(io(&self.path))?;
            w.first = slot;
            w.words.clear();
            w.words.extend(
                bytes
                    .chunks_exact(8)
                    .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]))),
            );
        }
        let word = w.words[(slot - w.first) as usize];
        Ok((word != 0).then_some(JournalEntry {
            offset: word & !Self::FAILED,
            failed: word & Self::FAILED != 0,
        }))
    }

    /// Whether any run of the journal failed: one pass over the file.
    pub(super) fn any_failed(&self) -> Result<bool, SweepError> {
        let mut window = self.window.lock().unwrap_or_else(|p| p.into_inner());
        let file = &mut window.file;
        file.seek(SeekFrom::Start(0)).map_err(io(&self.path))?;
        let mut reader = BufReader::new(file);
        let mut word = [0u8; 8];
        for _ in 0..self.slots {
            reader.read_exact(&mut word).map_err(io(&self.path))?;
            if u64::from_le_bytes(word) & Self::FAILED != 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Bytes the index holds in memory, whatever the number of runs.
    #[cfg(test)]
    fn memory_bytes(&self) -> usize {
        let window = self.window.lock().unwrap_or_else(|p| p.into_inner());
        self.pending.capacity() * 16 + window.words.capacity() * 8
    }
}

/// FNV-1a: a cheap checksum that catches a torn block.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A checksummed block: `magic`, the payload's length, the payload, its checksum.
/// Appended whole with one write, so that a kill leaves at most one torn block at the
/// end, which [`read_blocks`] stops at. The calibration's journal is made of them too.
pub(crate) fn block(magic: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut block = Vec::with_capacity(payload.len() + 20);
    block.extend_from_slice(magic);
    block.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    block.extend_from_slice(payload);
    block.extend_from_slice(&checksum(payload).to_le_bytes());
    block
}

/// Reads the whole blocks of a journal of `file_len` bytes from its start, handing
/// each payload and its offset to `take`, until a block is torn, corrupt, or refused
/// by `take` (false). Returns the length of the whole blocks read: the journal is cut
/// there before anything is appended.
pub(crate) fn read_blocks<E>(
    reader: &mut impl Read,
    file_len: u64,
    magic: &[u8; 4],
    mut take: impl FnMut(u64, &[u8]) -> Result<bool, E>,
) -> Result<u64, E> {
    let mut at = 0u64;
    let mut head = [0u8; 12];
    let mut payload = Vec::new();
    let mut sum = [0u8; 8];
    loop {
        if reader.read_exact(&mut head).is_err() || &head[..4] != magic {
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
        if u64::from_le_bytes(sum) != checksum(&payload) || !take(at + 12, &payload)? {
            break;
        }
        at += 20 + len;
    }
    Ok(at)
}

impl Journal {
    /// Opens (or creates) the journal; fills `index` (a fresh one) with where every
    /// whole block's run is, after cutting off a torn tail.
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
        let at = read_blocks(&mut reader, file_len, BLOCK_MAGIC, |offset, payload| {
            let Some(record) = Record::decode(payload) else {
                return Ok::<bool, SweepError>(false);
            };
            let entry = JournalEntry {
                offset,
                failed: record.header.error.is_some(),
            };
            index.insert(record.header.id, entry)?;
            Ok(true)
        })?;
        drop(reader);
        index.flush()?;
        // Cut off anything after the last whole block.
        file.set_len(at).map_err(io(path))?;
        file.seek(std::io::SeekFrom::End(0)).map_err(io(path))?;
        Ok(Journal {
            file: Mutex::new(file),
            path: path.to_path_buf(),
        })
    }

    pub(super) fn append(&self, record: &Record) -> Result<(), SweepError> {
        let block = block(BLOCK_MAGIC, &record.encode());
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
    let damaged = || SweepError::Damaged {
        path: path.to_path_buf(),
        why: format!("no whole record at byte {offset}"),
    };
    // The block's length word, just before the payload.
    file.seek(SeekFrom::Start(offset.checked_sub(8).ok_or_else(damaged)?))
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
    /// fill it exactly, runs of other shards have none, and the later of two entries
    /// for a run wins, however they fall around the points where pending words are
    /// written.
    #[test]
    fn the_journal_index_gives_each_run_of_the_shard_one_slot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        for count in 1..6u32 {
            for index in 1..=count {
                let shard = Shard { index, count };
                let (points, reps) = (13u64, 3u32);
                let mut idx = JournalIndex::create(&path, shard, points, reps).unwrap();
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
                assert_eq!(slots, (0..idx.slots).collect::<Vec<_>>(), "{shard}");
                assert_eq!(fs::metadata(&path).unwrap().len(), idx.slots * 8);
                let Some(&last) = slots.last() else { continue };
                let id = (0..points * u64::from(reps))
                    .find(|&i| idx.slot(i) == Some(last))
                    .unwrap();
                assert_eq!(idx.get(id).unwrap(), None);
                assert!(!idx.any_failed().unwrap());
                let failed = JournalEntry {
                    offset: 40,
                    failed: true,
                };
                idx.insert(id, failed).unwrap();
                idx.flush().unwrap();
                assert_eq!(idx.get(id).unwrap(), Some(failed));
                assert!(idx.any_failed().unwrap());
                let finished = JournalEntry {
                    offset: 99,
                    failed: false,
                };
                idx.insert(id, finished).unwrap();
                idx.flush().unwrap();
                assert_eq!(idx.get(id).unwrap(), Some(finished));
                assert!(!idx.any_failed().unwrap());
            }
        }
    }

    /// Many runs found out of order and twice, more than are gathered before a write
    /// and more than one window of lookups: each run reads back as its last entry, the
    /// others as absent.
    #[test]
    fn the_journal_index_keeps_the_last_entry_of_each_run_out_of_order() {
        let dir = tempfile::tempdir().unwrap();
        let shard = Shard { index: 2, count: 3 };
        let (points, reps) = (60_000u64, 5u32);
        let mut idx =
            JournalIndex::create(&dir.path().join("index.bin"), shard, points, reps).unwrap();
        let ids: Vec<u64> = (0..points * u64::from(reps))
            .filter(|&id| idx.slot(id).is_some())
            .collect();
        // A fixed shuffle: blocks of runs in reverse, every seventh run twice.
        let mut expected = std::collections::BTreeMap::new();
        let mut n = 0u64;
        for chunk in ids.chunks(1000).rev() {
            for &id in chunk {
                if id % 11 == 0 {
                    continue;
                }
                n += 1;
                let entry = JournalEntry {
                    offset: 12 + n,
                    failed: id % 13 == 0,
                };
                idx.insert(id, entry).unwrap();
                expected.insert(id, entry);
                if id % 7 == 0 {
                    n += 1;
                    let again = JournalEntry {
                        offset: 12 + n,
                        failed: false,
                    };
                    idx.insert(id, again).unwrap();
                    expected.insert(id, again);
                }
            }
        }
        idx.flush().unwrap();
        assert!(n as usize > JournalIndex::PENDING);
        for &id in &ids {
            assert_eq!(idx.get(id).unwrap(), expected.get(&id).copied(), "run {id}");
        }
        // A run of another shard is not in this one's index.
        assert_eq!(idx.get(0).unwrap(), None);
        assert!(idx.any_failed().unwrap());
    }

    /// The index holds a bounded amount in memory, the same for 10^3 runs as for 10^8:
    /// the rest is in its file.
    #[test]
    fn the_journal_index_memory_does_not_grow_with_the_runs() {
        let dir = tempfile::tempdir().unwrap();
        let mut held = Vec::new();
        for points in [1_000u64, 100_000_000] {
            let path = dir.path().join(format!("index-{points}.bin"));
            let mut idx = JournalIndex::create(&path, Shard::WHOLE, points, 1).unwrap();
            for id in (0..points).step_by(points as usize / 100) {
                let entry = JournalEntry {
                    offset: 12 + id,
                    failed: false,
                };
                idx.insert(id, entry).unwrap();
            }
            idx.flush().unwrap();
            for id in (0..points).step_by(points as usize / 100) {
                assert!(idx.get(id).unwrap().is_some());
                assert_eq!(idx.get(id + 1).unwrap(), None);
            }
            held.push(idx.memory_bytes());
        }
        assert_eq!(held[0], held[1]);
        assert!(held[1] <= (2 << 20), "{held:?}");
    }
}
