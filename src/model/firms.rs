//! The firm population of a sector, stored as a struct of arrays.
//!
//! A period is a few tight loops over these arrays in fixed-size chunks. A firm that
//! exits leaves a dead slot (`alive = false`, no share, no capacity) that the next
//! entrant takes, so a period never moves a million firms to close a gap; slots are
//! compacted only when more than half are dead.

/// Firms per chunk: the unit of parallel work; per-chunk sums are added in chunk order.
/// Fixed, so that results do not depend on the number of threads. (Random draws are
/// keyed by firm id, not by chunk: see `model::rng`.)
pub const CHUNK: usize = 16384;

/// Slots per block of a firm pass's branch-free loops (`innovation::prepare_block`,
/// `accounts::settle_block`): a block's draw-free work is computed in one loop the
/// compiler vectorises, into arrays of this length that stay in the L1 cache, and the
/// firm-by-firm rest of the pass follows over the same block.
pub const BLOCK: usize = 64;

use crate::scenario::Ownership;

/// Declares the firm state once: [`Firm`] (one firm), [`Firms`] (the struct of arrays),
/// [`FirmChunk`] (a chunk's views) and the code that moves firms between them. `fixed`
/// fields never change after a firm is created (read-only in a chunk); `state` fields
/// change each period. A field is named as in the arrays, with the name in `Firm` in
/// parentheses where it differs.
macro_rules! firm_state {
    (
        fixed { $( $(#[$fm:meta])* $f:ident : $fty:ty, )* }
        state { $( $(#[$sm:meta])* $s:ident ($sone:ident) : $sty:ty, )* }
    ) => {
        /// The state of one firm, used when creating firms and in tests.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct Firm {
            /// Unique within its sector: the order of entry. 32 bits, 4 bytes less per
            /// slot than 64 (see `Sector::next_id` for the limit).
            pub id: u32,
            $( $(#[$fm])* pub $f: $fty, )*
            $( $(#[$sm])* pub $sone: $sty, )*
        }

        /// Struct-of-arrays firm population; all vectors have the same length.
        #[derive(Debug, Clone, Default)]
        pub struct Firms {
            pub id: Vec<u32>,
            /// Whether the slot holds a living firm.
            pub alive: Vec<bool>,
            $( $(#[$fm])* pub $f: Vec<$fty>, )*
            $( $(#[$sm])* pub $s: Vec<$sty>, )*
            /// Dead slots, a min-heap, so that `pop` reuses the lowest.
            free: std::collections::BinaryHeap<std::cmp::Reverse<u32>>,
        }

        /// Mutable views of one chunk of every array.
        pub struct FirmChunk<'a> {
            /// Index of the chunk (firms `index * CHUNK ..`). Random draws are keyed by
            /// firm id, never by chunk or slot.
            pub index: usize,
            pub id: &'a [u32],
            pub alive: &'a mut [bool],
            $( $(#[$fm])* pub $f: &'a [$fty], )*
            $( $(#[$sm])* pub $s: &'a mut [$sty], )*
        }

        impl FirmChunk<'_> {
            /// Number of slots in the chunk, checked to be the length of every array.
            /// A pass calls it before its loop over `0..slots`: knowing every length,
            /// the compiler drops the bounds checks from the loop (a tenth of the
            /// hot passes' instructions were bounds checks).
            #[inline(always)]
            pub fn slots(&self) -> usize {
                let n = self.id.len();
                assert!(
                    self.alive.len() == n $( && self.$f.len() == n )* $( && self.$s.len() == n )*,
                    "firm arrays out of step"
                );
                n
            }
        }

        impl Firms {
            /// No firms, with room for `n` in every array: a sector's founding firms
            /// then fill its arrays without growing each of them a dozen times.
            pub fn with_capacity(n: usize) -> Firms {
                Firms {
                    id: Vec::with_capacity(n),
                    alive: Vec::with_capacity(n),
                    $( $f: Vec::with_capacity(n), )*
                    $( $s: Vec::with_capacity(n), )*
                    free: std::collections::BinaryHeap::new(),
                }
            }

            /// Adds a firm in the lowest dead slot, or at the end. Returns its slot.
            pub fn add(&mut self, firm: Firm) -> usize {
                match self.free.pop() {
                    Some(std::cmp::Reverse(slot)) => {
                        let i = slot as usize;
                        self.set(i, firm);
                        i
                    }
                    None => {
                        self.id.push(firm.id);
                        self.alive.push(true);
                        $( self.$f.push(firm.$f); )*
                        $( self.$s.push(firm.$sone); )*
                        self.id.len() - 1
                    }
                }
            }

            fn set(&mut self, i: usize, firm: Firm) {
                self.id[i] = firm.id;
                self.alive[i] = true;
                $( self.$f[i] = firm.$f; )*
                $( self.$s[i] = firm.$sone; )*
            }

            /// The firm in slot `i`.
            pub fn get(&self, i: usize) -> Firm {
                Firm {
                    id: self.id[i],
                    $( $f: self.$f[i], )*
                    $( $sone: self.$s[i], )*
                }
            }

            /// Drops dead slots, keeping the living in their order.
            fn compact(&mut self) {
                let keep: Vec<bool> = self.alive.clone();
                fn retain<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
                    let mut k = keep.iter();
                    v.retain(|_| *k.next().unwrap_or(&false));
                }
                retain(&mut self.id, &keep);
                $( retain(&mut self.$f, &keep); )*
                $( retain(&mut self.$s, &keep); )*
                retain(&mut self.alive, &keep);
                self.free.clear();
            }

            /// Splits every array into chunks of [`CHUNK`] firms, in slot order.
            pub fn chunks_mut(&mut self) -> impl Iterator<Item = FirmChunk<'_>> {
                let mut ids = self.id.chunks(CHUNK).enumerate();
                let mut alive = self.alive.chunks_mut(CHUNK);
                $( let mut $f = self.$f.chunks(CHUNK); )*
                $( let mut $s = self.$s.chunks_mut(CHUNK); )*
                std::iter::from_fn(move || {
                    let (index, id) = ids.next()?;
                    // All arrays have the same length, so every iterator yields together.
                    let chunk = (|| {
                        Some(FirmChunk {
                            index,
                            id,
                            alive: alive.next()?,
                            $( $f: $f.next()?, )*
                            $( $s: $s.next()?, )*
                        })
                    })();
                    match chunk {
                        Some(c) => Some(c),
                        None => unreachable!("firm arrays out of step"),
                    }
                })
            }
        }
    };
}

firm_state! {
    fixed {
        /// Private, or state-owned (soft budget, may be bailed out).
        owner: Ownership,
    }
    state {
        age(age): u32,
        /// Productivity `a` (output per worker), in the firm's paradigm.
        a(productivity): f64,
        /// Capacity `K`, output per period.
        capacity(capacity): f64,
        /// Net worth `W`.
        net_worth(net_worth): f64,
        debt(debt): f64,
        /// Market share `f` (normalised in the accounts phase).
        share(share): f64,
        /// Revenue of the last period: the base of this period's R&D budget.
        revenue(revenue): f64,
        /// Output of the last period.
        output(output): f64,
        /// Capacity ordered last period, delivered this period.
        pending(pending): f64,
        /// Accumulated R&D effort, the source of absorptive capacity.
        rd_stock(rd_stock): f32,
        /// This period's research intensity, a multiple of the normal R&D share of
        /// revenue (1, or more for a firm losing buyers: problemistic search). Set
        /// by the innovation pass, paid for in the accounts.
        search(search): f32,
        /// Technology path worked on.
        path(path): u16,
        /// Failures in a row on the path.
        streak(streak): u16,
        /// Periods spent on the path.
        experience(experience): u16,
        /// Paradigm the firm's capacity belongs to.
        vintage(vintage): u16,
        /// Times the firm was rescued from insolvency (SOEs under a soft budget).
        /// Recorded, never read by the model: the classroom's firm view shows who
        /// was bailed out in a period.
        rescues(rescues): u16,
    }
}

impl Firms {
    /// Number of slots, dead ones included.
    pub fn slots(&self) -> usize {
        self.id.len()
    }

    /// Number of living firms.
    pub fn living(&self) -> usize {
        self.id.len() - self.free.len()
    }

    /// Removes the firms in the given slots (ascending, living).
    pub fn remove(&mut self, slots: &[u32]) {
        for &s in slots {
            let i = s as usize;
            debug_assert!(self.alive[i]);
            self.alive[i] = false;
            self.share[i] = 0.0;
            self.capacity[i] = 0.0;
            self.pending[i] = 0.0;
            self.output[i] = 0.0;
            self.revenue[i] = 0.0;
        }
        self.free
            .extend(slots.iter().map(|&s| std::cmp::Reverse(s)));
        if self.free.len() * 2 > self.id.len() {
            self.compact();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firm(id: u32) -> Firm {
        Firm {
            id,
            owner: Ownership::Private,
            age: 0,
            productivity: 1.0,
            capacity: 1.0,
            net_worth: 1.0,
            debt: 0.0,
            share: 0.1,
            revenue: 0.0,
            output: 0.0,
            pending: 0.0,
            rd_stock: 0.0,
            search: 1.0,
            path: 0,
            streak: 0,
            experience: 0,
            vintage: 0,
            rescues: 0,
        }
    }

    #[test]
    fn entrants_take_the_lowest_dead_slot() {
        let mut f = Firms::default();
        for i in 0..5 {
            f.add(firm(i));
        }
        f.remove(&[1, 3]);
        assert_eq!(f.living(), 3);
        assert_eq!(f.add(firm(10)), 1);
        assert_eq!(f.add(firm(11)), 3);
        assert_eq!(f.add(firm(12)), 5);
        assert_eq!(f.living(), 6);
        assert_eq!(f.get(3).id, 11);
    }

    /// Dead slots are compacted away once more than half are dead, in a small
    /// population too; the living keep their order.
    #[test]
    fn more_than_half_dead_compacts_any_population() {
        let mut f = Firms::default();
        for i in 0..10 {
            f.add(firm(i));
        }
        f.remove(&[0, 2, 4, 6, 8]);
        assert_eq!(f.slots(), 10, "half dead: not yet");
        f.remove(&[1]);
        assert_eq!((f.slots(), f.living()), (4, 4));
        let ids: Vec<u32> = (0..4).map(|i| f.get(i).id).collect();
        assert_eq!(ids, vec![3, 5, 7, 9]);
        assert_eq!(f.add(firm(10)), 4);
    }

    #[test]
    fn chunks_cover_every_slot_once() {
        let mut f = Firms::default();
        for i in 0..(CHUNK as u32 * 2 + 7) {
            f.add(firm(i));
        }
        let chunks: Vec<_> = f.chunks_mut().collect();
        assert_eq!(chunks.len(), 3);
        assert_eq!(
            chunks.iter().map(|c| c.id.len()).sum::<usize>(),
            CHUNK * 2 + 7
        );
        assert_eq!(chunks[2].index, 2);
    }
}
