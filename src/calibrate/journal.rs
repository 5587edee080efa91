//! The journal of a calibration's evaluations: one checksummed block per evaluation
//! (the sweeps' block format, [`crate::sweep::journal::block`]), appended in
//! evaluation order. A resumed calibration replays its search against it: the search
//! is a deterministic function of the objective values, so it asks the same points in
//! the same order, and each is answered from the journal until the journal runs out.

use std::fs;
use std::io::{BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::error::{CalibrateError, io};
use crate::sweep::journal::{block, read_blocks};

/// One evaluation of the objective.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Its number, from 0, in the order the search asked.
    pub index: u64,
    /// The point in the unit cube of the parameters.
    pub point: Vec<f64>,
    /// Every replicate's moments, replicate by replicate (NaN where undefined).
    pub moments: Vec<f64>,
    pub objective: f64,
}

const BLOCK_MAGIC: &[u8; 4] = b"CEVL";

impl Evaluation {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(24 + 8 * (self.point.len() + self.moments.len() + 1));
        for w in [
            self.index,
            self.point.len() as u64,
            self.moments.len() as u64,
        ] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        for v in self
            .point
            .iter()
            .chain(&self.moments)
            .chain([&self.objective])
        {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    fn decode(bytes: &[u8]) -> Option<Evaluation> {
        let word = |i: usize| -> Option<u64> {
            Some(u64::from_le_bytes(
                bytes.get(8 * i..8 * i + 8)?.try_into().ok()?,
            ))
        };
        let (index, k, m) = (word(0)?, word(1)? as usize, word(2)? as usize);
        let n = 3usize.checked_add(k)?.checked_add(m)?.checked_add(1)?;
        if bytes.len() != n.checked_mul(8)? {
            return None;
        }
        let float = |i: usize| f64::from_bits(word(i).unwrap_or(0));
        Some(Evaluation {
            index,
            point: (3..3 + k).map(float).collect(),
            moments: (3 + k..3 + k + m).map(float).collect(),
            objective: float(3 + k + m),
        })
    }
}

/// The journal file, open for appending.
pub struct Journal {
    file: fs::File,
    path: PathBuf,
}

impl Journal {
    /// Opens (or creates) the journal and reads its whole blocks, in order; a torn
    /// block at the end (a kill while appending) and anything after it are cut off.
    /// Blocks out of sequence mean the file is not this calibration's journal.
    pub fn open(path: &Path) -> Result<(Journal, Vec<Evaluation>), CalibrateError> {
        let mut file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(io(path))?;
        let len = file.metadata().map_err(io(path))?.len();
        let mut evaluations = Vec::new();
        let end = read_blocks(
            &mut BufReader::new(&mut file),
            len,
            BLOCK_MAGIC,
            |_, payload| {
                let Some(e) = Evaluation::decode(payload) else {
                    return Ok(false);
                };
                if e.index != evaluations.len() as u64 {
                    return Err(CalibrateError::Damaged {
                        path: path.to_path_buf(),
                        why: format!(
                            "evaluation {} where {} was expected",
                            e.index,
                            evaluations.len()
                        ),
                    });
                }
                evaluations.push(e);
                Ok(true)
            },
        )?;
        file.set_len(end).map_err(io(path))?;
        file.seek(SeekFrom::End(0)).map_err(io(path))?;
        Ok((
            Journal {
                file,
                path: path.to_path_buf(),
            },
            evaluations,
        ))
    }

    /// Appends an evaluation as one write.
    pub fn append(&mut self, e: &Evaluation) -> Result<(), CalibrateError> {
        self.file
            .write_all(&block(BLOCK_MAGIC, &e.encode()))
            .map_err(io(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(index: u64) -> Evaluation {
        Evaluation {
            index,
            point: vec![0.25, 1.0 / 3.0],
            moments: vec![1.5, f64::NAN, -0.0],
            objective: f64::INFINITY,
        }
    }

    #[test]
    fn evaluations_round_trip_and_a_torn_tail_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.bin");
        let (mut j, read) = Journal::open(&path).unwrap();
        assert!(read.is_empty());
        for i in 0..3 {
            j.append(&eval(i)).unwrap();
        }
        drop(j);
        let whole = fs::metadata(&path).unwrap().len();
        // Half of a fourth block, as a kill would leave it.
        let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&block(BLOCK_MAGIC, &eval(3).encode())[..30])
            .unwrap();
        drop(f);
        let (_, read) = Journal::open(&path).unwrap();
        assert_eq!(read.len(), 3);
        assert_eq!(fs::metadata(&path).unwrap().len(), whole);
        let e = &read[1];
        assert_eq!(e.index, 1);
        assert_eq!(e.point, eval(1).point);
        assert_eq!(e.moments[0], 1.5);
        assert!(e.moments[1].is_nan());
        assert!(e.moments[2].is_sign_negative());
        assert_eq!(e.objective, f64::INFINITY);
    }

    #[test]
    fn a_block_out_of_sequence_is_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.bin");
        let (mut j, _) = Journal::open(&path).unwrap();
        j.append(&eval(1)).unwrap();
        drop(j);
        assert!(matches!(
            Journal::open(&path),
            Err(CalibrateError::Damaged { .. })
        ));
    }
}
