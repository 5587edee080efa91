//! CSV records formatted by hand, in parallel, byte for byte as the `csv` crate writes
//! them through serde.
//!
//! A million-firm run writes a 300 MB `firms.csv`. Through `csv::Writer::serialize` that
//! is one thread formatting every number, about a tenth of the run's wall time. Here the
//! records are cut into blocks that the worker threads format into their own buffers
//! and write in turn, in block order, so the file does not depend on the number of
//! threads. The bytes are those the `csv` crate writes with its default settings
//! (comma, `\n`, quotes only where needed; integers by `itoa`, floats by `ryu`'s
//! shortest round-trip digits, here mostly found by `zmij`), which the tests check
//! against the crate itself: a file written either way is the same.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use super::parquet::Cell;

/// Records formatted at a time by one thread: about 0.8 ms of work and 560 KB of text
/// for `firms.csv`, which a thread holds once (the text held counts in the peak memory
/// of a run, reached at its end). Against 1,024, a quarter of the hand-overs between
/// threads: writing bench-1m took 0.012 s less of 0.24 (4 interleaved runs); 16,384
/// left one thread idle for longer at the end.
const BLOCK: usize = 4096;

/// Records whose cells are read before any of them is formatted. A sector's firms
/// are written in id order, from slots that exits and entries scatter: reading a
/// firm's fields is then a cache miss per array. Read 64 records ahead, the misses
/// overlap; read one record just before formatting it, each waited for the last
/// (`firms.csv` of bench-1m's sorted sectors took a third longer).
const GATHER: usize = 64;

/// Appends one field as the `csv` crate writes it: quoted only when it holds a comma, a
/// quote or a line break, or is empty and alone in its record (so that the record is not a
/// blank line); quotes inside are doubled.
pub fn push_text(out: &mut Vec<u8>, text: &str, alone: bool) {
    let needs_quotes = text
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        || (alone && text.is_empty());
    if !needs_quotes {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    out.push(b'"');
    for b in text.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Appends fields of digits or other text that needs no quotes, each preceded by a
/// comma.
#[inline(always)]
pub fn push_plain_fields(out: &mut Vec<u8>, fields: &[&[u8]]) {
    for field in fields {
        out.push(b',');
        out.extend_from_slice(field);
    }
}

/// Whether [`push_record`] writes `x` with zmij's digits: finite and below 1e16 in
/// magnitude (see there).
#[inline(always)]
pub fn zmij_writes(x: f64) -> bool {
    x.abs() < 1e16
}

/// Appends one record, ended by `\n`. Inlined, so that with the cells of a [`Record`]
/// made on the spot each cell's kind is known where it is formatted.
#[inline(always)]
pub fn push_record(out: &mut Vec<u8>, cells: &[Cell<'_>]) {
    let alone = cells.len() == 1;
    let mut integer = itoa::Buffer::new();
    // One buffer for the record's numbers: made per number, it cost a third of the
    // formatting.
    let mut float = zmij::Buffer::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match *cell {
            Cell::Int(v) => out.extend_from_slice(integer.format(v).as_bytes()),
            // Zmij writes the shortest digits that read back as the number, the digits
            // ryu (and so the csv crate) writes, at twice ryu's speed; but it writes a
            // positive exponent with a sign (`1e+16` for ryu's `1e16`), so numbers from
            // 1e16 up, and infinities and NaN, go to ryu.
            Cell::Float(v) if zmij_writes(v) => {
                out.extend_from_slice(float.format_finite(v).as_bytes());
            }
            Cell::Float(v) => out.extend_from_slice(ryu::Buffer::new().format(v).as_bytes()),
            Cell::Text(t) => push_text(out, t, alone),
            Cell::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
            Cell::Empty => push_text(out, "", alone),
        }
    }
    out.push(b'\n');
}

/// A record of `N` cells, as handed to [`format_in_parallel`]: the cells themselves, or
/// a row that makes them ([`crate::observe::FirmRow`]). A row is the smaller to gather
/// (a firm's is a third the size of its cells), and making its cells just before they
/// are formatted, in [`push_record`] inlined, lets the compiler see which kind each
/// cell is: no choice by kind per cell. Writing bench-1m's `firms.csv` took 5% less
/// time so (0.291 → 0.277 s, medians of 5 interleaved runs).
///
/// A record may also format itself ([`Record::push_csv`]), in code written for its
/// fields, as long as it writes what [`push_record`] writes of its cells.
pub trait Record<'a, const N: usize>: Send {
    fn cells(&self) -> [Cell<'a>; N];

    /// Appends the record's text: by default [`push_record`] on its cells.
    #[inline(always)]
    fn push_csv(&self, out: &mut Vec<u8>) {
        push_record(out, &self.cells());
    }
}

impl<'a, const N: usize> Record<'a, N> for [Cell<'a>; N] {
    fn cells(&self) -> [Cell<'a>; N] {
        *self
    }
}

/// Formats records `0..count` (record `i` is `record_of(i)`) on the current thread
/// pool and hands their text to `write` in record order, a block at a time.
///
/// Each thread of the pool takes the next block, formats it, waits for its turn (the
/// block before written) and writes it, then takes another. No thread waits for the
/// others between blocks, as threads did at the end of every batch when a batch of
/// blocks was formatted together and written while the next was (waking the pool's
/// threads for each batch cost as much as the formatting on the 2-core machines).
pub fn format_in_parallel<'a, const N: usize, R: Record<'a, N>, E: Send>(
    count: usize,
    record_of: impl Fn(usize) -> R + Sync,
    write: impl FnMut(&[u8]) -> Result<(), E> + Send,
) -> Result<(), E> {
    let blocks = count.div_ceil(BLOCK);
    let next_block = AtomicUsize::new(0);
    let turn = Mutex::new(Turn {
        written: 0,
        write,
        outcome: Ok(()),
        abandoned: false,
    });
    let turn_changed = Condvar::new();
    let threads = rayon::current_num_threads().min(blocks);
    rayon::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|_| {
                // A thread that panics (in `record_of`) must not leave the others waiting
                // for its block: the guard tells them to stop.
                let _abandon = AbandonOnPanic {
                    turn: &turn,
                    turn_changed: &turn_changed,
                };
                let mut text = Vec::new();
                let mut gathered: Vec<R> = Vec::with_capacity(GATHER);
                loop {
                    let block = next_block.fetch_add(1, Ordering::Relaxed);
                    if block >= blocks {
                        break;
                    }
                    text.clear();
                    let records = block * BLOCK..((block + 1) * BLOCK).min(count);
                    for first in records.clone().step_by(GATHER) {
                        gathered.clear();
                        gathered.extend((first..(first + GATHER).min(records.end)).map(&record_of));
                        for record in &gathered {
                            record.push_csv(&mut text);
                        }
                    }
                    let mut t = lock(&turn);
                    while t.written != block && !t.stopped() {
                        t = turn_changed.wait(t).unwrap_or_else(|e| e.into_inner());
                    }
                    if t.stopped() {
                        break;
                    }
                    t.outcome = (t.write)(&text);
                    t.written += 1;
                    turn_changed.notify_all();
                }
            });
        }
    });
    let t = turn.into_inner().unwrap_or_else(|e| e.into_inner());
    t.outcome
}

/// The writing side of [`format_in_parallel`]: blocks written so far, and the first error.
struct Turn<W, E> {
    written: usize,
    write: W,
    outcome: Result<(), E>,
    /// A formatting thread panicked: the others stop.
    abandoned: bool,
}

impl<W, E> Turn<W, E> {
    /// A write failed or a formatting thread panicked: nothing more is written.
    fn stopped(&self) -> bool {
        self.outcome.is_err() || self.abandoned
    }
}

/// The turn's lock; a thread that panicked while holding it left nothing half-done
/// (the count and the outcome are set after the write), so the lock is taken anyway.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Marks the turn abandoned when dropped by a panicking thread; see [`format_in_parallel`].
struct AbandonOnPanic<'t, W, E> {
    turn: &'t Mutex<Turn<W, E>>,
    turn_changed: &'t Condvar,
}

impl<W, E> Drop for AbandonOnPanic<'_, W, E> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(self.turn).abandoned = true;
            self.turn_changed.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the `csv` crate writes for one serialized record.
    fn by_the_csv_crate<T: serde::Serialize>(record: &T) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize(record).unwrap();
        w.into_inner().unwrap()
    }

    fn by_hand(cells: &[Cell<'_>]) -> Vec<u8> {
        let mut out = Vec::new();
        push_record(&mut out, cells);
        out
    }

    #[derive(serde::Serialize)]
    struct Row<'a>(u32, &'a str, u64, f64, u16, bool);

    fn cells<'a>(r: &Row<'a>) -> [Cell<'a>; 6] {
        [
            Cell::Int(i64::from(r.0)),
            Cell::Text(r.1),
            Cell::Int(r.2 as i64),
            Cell::Float(r.3),
            Cell::Int(i64::from(r.4)),
            Cell::Bool(r.5),
        ]
    }

    /// Every number is written with ryu's digits, which zmij gives below 1e16: a
    /// million numbers of random bits (every exponent), and numbers around 1e16.
    #[test]
    fn numbers_are_written_with_ryus_digits() {
        let mut bits = 0x9E37_79B9_7F4A_7C15_u64;
        let check = |x: f64| {
            let mut text = Vec::new();
            push_record(&mut text, &[Cell::Float(x), Cell::Float(-x)]);
            let expected = format!(
                "{},{}\n",
                ryu::Buffer::new().format(x),
                ryu::Buffer::new().format(-x)
            );
            assert_eq!(String::from_utf8(text).unwrap(), expected, "{x:e}");
        };
        for _ in 0..1_000_000 {
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            check(f64::from_bits(bits));
        }
        let mut x = 1e16_f64;
        for _ in 0..1000 {
            x = x.next_down();
            check(x);
        }
        for k in 1..1000 {
            check(1e16 + f64::from(k) * 2.0);
        }
    }

    /// Numbers where formats differ: integral floats, tiny and huge magnitudes,
    /// negative zero, subnormals, the extremes, and the non-finite.
    #[test]
    fn awkward_numbers_are_written_as_the_csv_crate_writes_them() {
        let floats = [
            0.0,
            -0.0,
            1.0,
            -1.5,
            0.1,
            1e-7,
            1.234e-5,
            1e15,
            9999999999999998.0,
            1e16,
            -1e16,
            1.2345678901234567e17,
            1.7976931348623157e308,
            5e-324,
            2.2250738585072014e-308,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for x in floats {
            let row = Row(u32::MAX, "catch-up", u64::MAX >> 1, x, u16::MAX, x > 0.0);
            assert_eq!(by_hand(&cells(&row)), by_the_csv_crate(&row), "{x:?}");
        }
    }

    /// Text is quoted exactly where the crate quotes it.
    #[test]
    fn awkward_text_is_quoted_as_the_csv_crate_quotes_it() {
        for text in [
            "",
            " ",
            "a,b",
            "say \"hi\"",
            "\"",
            "line\nbreak",
            "cr\r",
            "#",
            "é",
        ] {
            let row = Row(1, text, 2, 3.5, 4, true);
            assert_eq!(by_hand(&cells(&row)), by_the_csv_crate(&row), "{text:?}");
            let alone = [text];
            assert_eq!(
                by_hand(&[Cell::Text(text)]),
                by_the_csv_crate(&alone),
                "{text:?} alone"
            );
        }
    }

    proptest! {
        #[test]
        fn any_record_is_written_as_the_csv_crate_writes_it(
            a in any::<u32>(),
            text in "[a-z ,\"\\-]{0,6}",
            id in 0u64..(1 << 62),
            bits in any::<u64>(),
            p in any::<u16>(),
            flag in any::<bool>(),
        ) {
            let row = Row(a, &text, id, f64::from_bits(bits), p, flag);
            prop_assert_eq!(by_hand(&cells(&row)), by_the_csv_crate(&row));
        }
    }

    /// Blocks reach the writer in record order, whatever the pool's size, and every
    /// record once; a count that is not a multiple of the block included.
    #[test]
    fn parallel_formatting_keeps_the_records_in_order_on_any_pool() {
        // Several blocks for each thread of the biggest pool, not a multiple of a block.
        let count = BLOCK * 8 * 3 + 17;
        let expected: Vec<u8> = (0..count)
            .flat_map(|i| by_hand(&[Cell::Int(i as i64), Cell::Float(i as f64 / 3.0)]))
            .collect();
        for threads in [1, 2, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut written = Vec::new();
            let mut texts = 0;
            pool.install(|| {
                format_in_parallel(
                    count,
                    |i| [Cell::Int(i as i64), Cell::Float(i as f64 / 3.0)],
                    |text| {
                        // The text held at once stays bounded: a block at most.
                        assert!(text.iter().filter(|&&b| b == b'\n').count() <= BLOCK);
                        texts += 1;
                        written.extend_from_slice(text);
                        Ok::<(), ()>(())
                    },
                )
            })
            .unwrap();
            assert!(written == expected, "{threads} threads");
            // One text a block, none empty.
            assert_eq!(texts, count.div_ceil(BLOCK), "{threads} threads");
        }
    }

    /// An error of the writer stops the writing and is returned.
    #[test]
    fn a_write_error_is_returned() {
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut calls = 0;
            let r = pool.install(|| {
                format_in_parallel(
                    BLOCK * 12,
                    |i| [Cell::Int(i as i64)],
                    |_| {
                        calls += 1;
                        Err("disk full")
                    },
                )
            });
            assert_eq!(r, Err("disk full"));
            assert_eq!(calls, 1, "{threads} threads");
        }
    }

    /// A panic while formatting a record is the caller's, and the other threads,
    /// waiting for the panicking thread's block, stop rather than wait for ever.
    #[test]
    fn a_panic_while_formatting_reaches_the_caller() {
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| {
                    format_in_parallel(
                        BLOCK * 12,
                        |i| {
                            assert!(i != BLOCK * 3 + 5, "a record that cannot be formatted");
                            [Cell::Int(i as i64)]
                        },
                        |_| Ok::<(), ()>(()),
                    )
                })
            }));
            assert!(caught.is_err(), "{threads} threads");
        }
    }
}
