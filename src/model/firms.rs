//! The firm population of a sector, stored as a struct of arrays.
//!
//! A period is a few tight loops over these arrays in fixed-size chunks. A firm that
//! exits leaves a dead slot (`alive = false`, no share, no capacity) that the next
//! entrant takes, so a period never moves a million firms to close a gap; slots are
//! compacted only when more than half are dead.

/// Firms per chunk: the unit of parallel work and of random streams. Fixed, so that
/// results do not depend on the number of threads.
pub const CHUNK: usize = 16384;

/// The state of one firm, used when creating firms and in tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Firm {
    pub id: u64,
    pub soe: bool,
    pub age: u32,
    /// Productivity `a` (output per worker), in the firm's paradigm.
    pub productivity: f64,
    /// Capacity `K`, output per period.
    pub capacity: f64,
    /// Net worth `W`.
    pub net_worth: f64,
    pub debt: f64,
    /// Market share `f` (normalised in the accounts phase).
    pub share: f64,
    /// Revenue of the last period: the base of this period's R&D budget.
    pub revenue: f64,
    /// Output of the last period.
    pub output: f64,
    /// Capacity ordered last period, delivered this period.
    pub pending: f64,
    /// Accumulated R&D effort, the source of absorptive capacity.
    pub rd_stock: f32,
    /// Technology path worked on, failures in a row on it, periods spent on it.
    pub path: u16,
    pub streak: u16,
    pub experience: u16,
    /// Paradigm the firm's capacity belongs to.
    pub vintage: u16,
}

/// Struct-of-arrays firm population; all vectors have the same length.
#[derive(Debug, Clone, Default)]
pub struct Firms {
    pub id: Vec<u64>,
    pub alive: Vec<bool>,
    pub soe: Vec<bool>,
    pub age: Vec<u32>,
    pub a: Vec<f64>,
    pub capacity: Vec<f64>,
    pub net_worth: Vec<f64>,
    pub debt: Vec<f64>,
    pub share: Vec<f64>,
    pub revenue: Vec<f64>,
    pub output: Vec<f64>,
    pub pending: Vec<f64>,
    pub rd_stock: Vec<f32>,
    pub path: Vec<u16>,
    pub streak: Vec<u16>,
    pub experience: Vec<u16>,
    pub vintage: Vec<u16>,
    /// Dead slots, highest index first, so that `pop` reuses the lowest.
    free: Vec<u32>,
}

/// Mutable views of one chunk of every array.
pub struct FirmChunk<'a> {
    /// Index of the chunk (firms `index * CHUNK ..`): the key of its random stream.
    pub index: usize,
    pub id: &'a [u64],
    pub alive: &'a mut [bool],
    pub soe: &'a [bool],
    pub age: &'a mut [u32],
    pub a: &'a mut [f64],
    pub capacity: &'a mut [f64],
    pub net_worth: &'a mut [f64],
    pub debt: &'a mut [f64],
    pub share: &'a mut [f64],
    pub revenue: &'a mut [f64],
    pub output: &'a mut [f64],
    pub pending: &'a mut [f64],
    pub rd_stock: &'a mut [f32],
    pub path: &'a mut [u16],
    pub streak: &'a mut [u16],
    pub experience: &'a mut [u16],
    pub vintage: &'a mut [u16],
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

    /// Adds a firm in the lowest dead slot, or at the end. Returns its slot.
    pub fn add(&mut self, f: Firm) -> usize {
        match self.free.pop() {
            Some(slot) => {
                let i = slot as usize;
                self.set(i, f);
                i
            }
            None => {
                self.id.push(f.id);
                self.alive.push(true);
                self.soe.push(f.soe);
                self.age.push(f.age);
                self.a.push(f.productivity);
                self.capacity.push(f.capacity);
                self.net_worth.push(f.net_worth);
                self.debt.push(f.debt);
                self.share.push(f.share);
                self.revenue.push(f.revenue);
                self.output.push(f.output);
                self.pending.push(f.pending);
                self.rd_stock.push(f.rd_stock);
                self.path.push(f.path);
                self.streak.push(f.streak);
                self.experience.push(f.experience);
                self.vintage.push(f.vintage);
                self.id.len() - 1
            }
        }
    }

    fn set(&mut self, i: usize, f: Firm) {
        self.id[i] = f.id;
        self.alive[i] = true;
        self.soe[i] = f.soe;
        self.age[i] = f.age;
        self.a[i] = f.productivity;
        self.capacity[i] = f.capacity;
        self.net_worth[i] = f.net_worth;
        self.debt[i] = f.debt;
        self.share[i] = f.share;
        self.revenue[i] = f.revenue;
        self.output[i] = f.output;
        self.pending[i] = f.pending;
        self.rd_stock[i] = f.rd_stock;
        self.path[i] = f.path;
        self.streak[i] = f.streak;
        self.experience[i] = f.experience;
        self.vintage[i] = f.vintage;
    }

    /// The firm in slot `i`.
    pub fn get(&self, i: usize) -> Firm {
        Firm {
            id: self.id[i],
            soe: self.soe[i],
            age: self.age[i],
            productivity: self.a[i],
            capacity: self.capacity[i],
            net_worth: self.net_worth[i],
            debt: self.debt[i],
            share: self.share[i],
            revenue: self.revenue[i],
            output: self.output[i],
            pending: self.pending[i],
            rd_stock: self.rd_stock[i],
            path: self.path[i],
            streak: self.streak[i],
            experience: self.experience[i],
            vintage: self.vintage[i],
        }
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
        self.free.extend_from_slice(slots);
        self.free.sort_unstable_by(|a, b| b.cmp(a));
        if self.free.len() * 2 > self.id.len() && self.id.len() > CHUNK {
            self.compact();
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
        retain(&mut self.soe, &keep);
        retain(&mut self.age, &keep);
        retain(&mut self.a, &keep);
        retain(&mut self.capacity, &keep);
        retain(&mut self.net_worth, &keep);
        retain(&mut self.debt, &keep);
        retain(&mut self.share, &keep);
        retain(&mut self.revenue, &keep);
        retain(&mut self.output, &keep);
        retain(&mut self.pending, &keep);
        retain(&mut self.rd_stock, &keep);
        retain(&mut self.path, &keep);
        retain(&mut self.streak, &keep);
        retain(&mut self.experience, &keep);
        retain(&mut self.vintage, &keep);
        retain(&mut self.alive, &keep);
        self.free.clear();
    }

    /// Splits every array into chunks of [`CHUNK`] firms.
    pub fn chunks_mut(&mut self) -> Vec<FirmChunk<'_>> {
        let mut out = Vec::with_capacity(self.id.len().div_ceil(CHUNK));
        let mut alive = self.alive.chunks_mut(CHUNK);
        let mut soe = self.soe.chunks(CHUNK);
        let mut age = self.age.chunks_mut(CHUNK);
        let mut a = self.a.chunks_mut(CHUNK);
        let mut capacity = self.capacity.chunks_mut(CHUNK);
        let mut net_worth = self.net_worth.chunks_mut(CHUNK);
        let mut debt = self.debt.chunks_mut(CHUNK);
        let mut share = self.share.chunks_mut(CHUNK);
        let mut revenue = self.revenue.chunks_mut(CHUNK);
        let mut output = self.output.chunks_mut(CHUNK);
        let mut pending = self.pending.chunks_mut(CHUNK);
        let mut rd_stock = self.rd_stock.chunks_mut(CHUNK);
        let mut path = self.path.chunks_mut(CHUNK);
        let mut streak = self.streak.chunks_mut(CHUNK);
        let mut experience = self.experience.chunks_mut(CHUNK);
        let mut vintage = self.vintage.chunks_mut(CHUNK);
        for (index, id) in self.id.chunks(CHUNK).enumerate() {
            // All arrays have the same length, so every iterator yields together.
            let chunk = (|| {
                Some(FirmChunk {
                    index,
                    id,
                    alive: alive.next()?,
                    soe: soe.next()?,
                    age: age.next()?,
                    a: a.next()?,
                    capacity: capacity.next()?,
                    net_worth: net_worth.next()?,
                    debt: debt.next()?,
                    share: share.next()?,
                    revenue: revenue.next()?,
                    output: output.next()?,
                    pending: pending.next()?,
                    rd_stock: rd_stock.next()?,
                    path: path.next()?,
                    streak: streak.next()?,
                    experience: experience.next()?,
                    vintage: vintage.next()?,
                })
            })();
            match chunk {
                Some(c) => out.push(c),
                None => unreachable!("firm arrays out of step"),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firm(id: u64) -> Firm {
        Firm {
            id,
            soe: false,
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
            path: 0,
            streak: 0,
            experience: 0,
            vintage: 0,
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

    #[test]
    fn chunks_cover_every_slot_once() {
        let mut f = Firms::default();
        for i in 0..(CHUNK as u64 * 2 + 7) {
            f.add(firm(i));
        }
        let chunks = f.chunks_mut();
        assert_eq!(chunks.len(), 3);
        assert_eq!(
            chunks.iter().map(|c| c.id.len()).sum::<usize>(),
            CHUNK * 2 + 7
        );
        assert_eq!(chunks[2].index, 2);
    }
}
