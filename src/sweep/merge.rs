//! `catchup merge`: the shards of a sweep put together, streaming, in bounded memory
//! and open files, byte-identical to the unsharded sweep.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use super::error::{SweepError, io};
use super::execute::{
    BANDS_FILE, BASE_FILE, MANIFEST_FILE, POINTS_FILE, RUNS_FILE, SERIES_FILE, SWEEP_FILE,
    SweepManifest,
};
use super::runs::Shard;
use crate::output::{CODEBOOK_FILE, ResultDir};

/// Merges shard results into one, byte-identical in points.csv, runs.csv and
/// bands.csv to the unsharded sweep.
pub fn merge(
    shards: &[PathBuf],
    out: &Path,
    force: bool,
) -> Result<(PathBuf, SweepManifest), SweepError> {
    if shards.is_empty() {
        return Err(SweepError::Refused(
            "expected at least one shard directory".into(),
        ));
    }
    // One shard at a time, keeping only the first manifest, running sums and each
    // shard's number: memory stays small however many shards there are.
    let mut first: Option<SweepManifest> = None;
    let mut sums = MergeSums::default();
    let mut parsed = Vec::with_capacity(shards.len());
    for dir in shards {
        let m = SweepManifest::read(dir)?;
        sums.add(&m);
        parsed.push(m.shard.clone());
        first.get_or_insert(m);
    }
    let first_text =
        fs::read_to_string(shards[0].join(SWEEP_FILE)).map_err(io(&shards[0].join(SWEEP_FILE)))?;
    for d in &shards[1..] {
        let text = fs::read_to_string(d.join(SWEEP_FILE)).map_err(io(&d.join(SWEEP_FILE)))?;
        if text != first_text {
            return Err(SweepError::Refused(
                "the shards come from different sweep files".into(),
            ));
        }
    }
    let parsed: Vec<Shard> = parsed
        .iter()
        .zip(shards)
        .map(|(s, dir)| {
            s.parse::<Shard>().map_err(|why| SweepError::Damaged {
                path: dir.join(MANIFEST_FILE),
                why,
            })
        })
        .collect::<Result<_, _>>()?;
    let count = parsed[0].count;
    let mut seen = std::collections::BTreeSet::new();
    for (s, dir) in parsed.iter().zip(shards) {
        if s.count != count {
            return Err(SweepError::Refused(format!(
                "{} is shard {s} but others are shards of {count}",
                dir.display()
            )));
        }
        if !seen.insert(s.index) {
            return Err(SweepError::Refused(format!("shard {s} is given twice")));
        }
    }
    // The first few missing shards by name (the count comes from a file: never list
    // billions), then how many more.
    let missing_total = u64::from(count) - seen.len() as u64;
    if missing_total > 0 {
        let named: Vec<String> = (1..=count)
            .filter(|k| !seen.contains(k))
            .take(20)
            .map(|k| format!("{k}/{count}"))
            .collect();
        let more = missing_total - named.len() as u64;
        let more = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        return Err(SweepError::Refused(format!(
            "missing shards: {}{more}",
            named.join(", ")
        )));
    }
    let first = first.expect("at least one shard was read");

    let result = ResultDir::create(out, force)?;
    // A shard's series.csv is sorted by run, led by run and point, as runs.csv is.
    let series = shards[0].join(SERIES_FILE).is_file();
    let files = [POINTS_FILE, RUNS_FILE, BANDS_FILE, SERIES_FILE];
    for file in &files[..if series { 4 } else { 3 }] {
        let inputs: Vec<PathBuf> = shards.iter().map(|d| d.join(file)).collect();
        merge_files(&inputs, &result.path(file), &|round, group| {
            result.path(&format!(".{file}.round-{round}-{group}"))
        })?;
    }
    result.write_text(SWEEP_FILE, &first_text)?;
    let base =
        fs::read_to_string(shards[0].join(BASE_FILE)).map_err(io(&shards[0].join(BASE_FILE)))?;
    result.write_text(BASE_FILE, &base)?;
    // Every shard's codebook is the same (it depends on the sweep file alone); a shard
    // from a build before codebooks has none, and the merge then has none either.
    let codebook = shards[0].join(CODEBOOK_FILE);
    if codebook.is_file() {
        let text = fs::read_to_string(&codebook).map_err(io(&codebook))?;
        result.write_text(CODEBOOK_FILE, &text)?;
    }
    let manifest = SweepManifest {
        shard: "merged".into(),
        ..sums.over(first)
    };
    let json = serde_json::to_string_pretty(&manifest).expect("a manifest always serializes");
    result.write_text(MANIFEST_FILE, &(json + "\n"))?;
    Ok((result.commit()?, manifest))
}

/// Most files one merge step reads at once. More shards are merged in rounds, through
/// temporary files of up to this many shards each, so that open files (and the lines
/// held, one per file) stay bounded however many shards there are: 10,000 shards
/// would otherwise exceed a usual limit of 1,024 open files.
const MERGE_FANOUT: usize = 64;

/// Merges `inputs` into `output` (see [`merge_by_point`]) in rounds of at most
/// [`MERGE_FANOUT`] files; `scratch(round, group)` names a temporary file, removed as
/// soon as the next round has read it. Merging is associative here (every point's
/// lines come from one file and stay together), so the rounds change no byte.
fn merge_files(
    inputs: &[PathBuf],
    output: &Path,
    scratch: &dyn Fn(usize, usize) -> PathBuf,
) -> Result<(), SweepError> {
    let mut level: Vec<PathBuf> = inputs.to_vec();
    let mut round = 0;
    while level.len() > MERGE_FANOUT {
        let mut next = Vec::with_capacity(level.len().div_ceil(MERGE_FANOUT));
        for (g, group) in level.chunks(MERGE_FANOUT).enumerate() {
            let tmp = scratch(round, g);
            merge_by_point(group, &tmp)?;
            next.push(tmp);
        }
        if round > 0 {
            for p in &level {
                fs::remove_file(p).map_err(io(p))?;
            }
        }
        level = next;
        round += 1;
    }
    merge_by_point(&level, output)?;
    if round > 0 {
        for p in &level {
            fs::remove_file(p).map_err(io(p))?;
        }
    }
    Ok(())
}

/// Merges CSV files whose rows are sorted by the point number in their first or
/// second column (`point` first in points.csv and bands.csv, second in runs.csv),
/// copying lines verbatim so the merge is byte-identical to a single writer's output.
fn merge_by_point(inputs: &[PathBuf], output: &Path) -> Result<(), SweepError> {
    let mut readers = Vec::new();
    let mut header: Option<Vec<u8>> = None;
    for path in inputs {
        let mut r = BufReader::new(fs::File::open(path).map_err(io(path))?);
        let mut h = Vec::new();
        r.read_until(b'\n', &mut h).map_err(io(path))?;
        match &header {
            None => header = Some(h),
            Some(first) if *first != h => {
                return Err(SweepError::Damaged {
                    path: path.clone(),
                    why: "its header differs from the first shard's".into(),
                });
            }
            _ => {}
        }
        readers.push(r);
    }
    let header = header.unwrap_or_default();
    let column = if header.starts_with(b"run,") { 1 } else { 0 };
    let key = |line: &[u8]| -> u64 {
        line.split(|&b| b == b',')
            .nth(column)
            .and_then(|f| std::str::from_utf8(f).ok())
            .and_then(|f| f.trim().parse().ok())
            .unwrap_or(u64::MAX)
    };
    let mut current: Vec<Option<Vec<u8>>> = Vec::new();
    for (r, path) in readers.iter_mut().zip(inputs) {
        let mut line = Vec::new();
        let n = r.read_until(b'\n', &mut line).map_err(io(path))?;
        current.push((n > 0).then_some(line));
    }
    let mut out = std::io::BufWriter::new(fs::File::create(output).map_err(io(output))?);
    out.write_all(&header).map_err(io(output))?;
    loop {
        // The next line is the one of the lowest point; ties keep the shard order
        // (they cannot happen: a point belongs to one shard).
        let next = current
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.as_ref().map(|l| (key(l), i)))
            .min();
        let Some((_, i)) = next else { break };
        let line = current[i].take().unwrap_or_default();
        out.write_all(&line).map_err(io(output))?;
        // Copy the rest of this point's lines from the same shard.
        let point = key(&line);
        loop {
            let mut l = Vec::new();
            let n = readers[i]
                .read_until(b'\n', &mut l)
                .map_err(io(&inputs[i]))?;
            if n == 0 {
                break;
            }
            if key(&l) == point {
                out.write_all(&l).map_err(io(output))?;
            } else {
                current[i] = Some(l);
                break;
            }
        }
    }
    let file = out.into_inner().map_err(|e| SweepError::Io {
        path: output.to_path_buf(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(io(output))
}

/// What a merged manifest adds up over its shards, one shard at a time.
#[derive(Default)]
struct MergeSums {
    runs: u64,
    runs_resumed: u64,
    runs_failed: u64,
    firm_steps: u64,
    wall_seconds: f64,
    firm_steps_per_second: f64,
    runs_per_second: f64,
    peak_memory_bytes: Option<u64>,
}

impl MergeSums {
    fn add(&mut self, m: &SweepManifest) {
        self.runs += m.runs;
        self.runs_resumed += m.runs_resumed;
        self.runs_failed += m.runs_failed;
        self.firm_steps += m.firm_steps;
        // The shards ran side by side: the longest is the merged sweep's wall time,
        // and the rates add up.
        self.wall_seconds = self.wall_seconds.max(m.wall_seconds);
        self.firm_steps_per_second += m.firm_steps_per_second;
        self.runs_per_second += m.runs_per_second;
        self.peak_memory_bytes = self.peak_memory_bytes.max(m.peak_memory_bytes);
    }

    /// `base` (the first shard's manifest) with these sums.
    fn over(self, base: SweepManifest) -> SweepManifest {
        SweepManifest {
            runs: self.runs,
            runs_resumed: self.runs_resumed,
            runs_failed: self.runs_failed,
            firm_steps: self.firm_steps,
            wall_seconds: self.wall_seconds,
            firm_steps_per_second: self.firm_steps_per_second,
            runs_per_second: self.runs_per_second,
            peak_memory_bytes: self.peak_memory_bytes,
            ..base
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 5,000 shards' files (points dealt round-robin, two lines per point) merge in
    /// three rounds into the file of a single writer, and the rounds' temporary files
    /// are gone.
    #[test]
    fn thousands_of_shards_merge_in_rounds_into_the_single_writers_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let (shards, points) = (5_000usize, 12_000usize);
        let line = |p: usize, r: usize| format!("{p},{r},x\n");
        let mut whole = String::from("point,row,v\n");
        let mut files = vec![String::from("point,row,v\n"); shards];
        for p in 0..points {
            for r in 0..2 {
                whole.push_str(&line(p, r));
                files[p % shards].push_str(&line(p, r));
            }
        }
        let inputs: Vec<PathBuf> = files
            .iter()
            .enumerate()
            .map(|(k, text)| {
                let path = dir.path().join(format!("in-{k}.csv"));
                fs::write(&path, text).unwrap();
                path
            })
            .collect();
        let scratch = dir.path().join("scratch");
        fs::create_dir(&scratch).unwrap();
        let out = dir.path().join("out.csv");
        let rounds = std::cell::Cell::new(0);
        merge_files(&inputs, &out, &|round, group| {
            rounds.set(rounds.get().max(round + 1));
            scratch.join(format!("{round}-{group}"))
        })
        .unwrap();
        assert_eq!(fs::read_to_string(&out).unwrap(), whole);
        // 5,000 -> 79 -> 2 -> 1.
        assert_eq!(rounds.get(), 2);
        assert_eq!(fs::read_dir(&scratch).unwrap().count(), 0);
    }
}
