//! Who owns a firm, and one value per owner.
//!
//! Ownership is the model's one fixed difference between firms: an SOE has a soft
//! budget, may be bailed out, is preferred in procurement and carries X-inefficiency.
//! Everything that differs by ownership — levers, tallies, records — is a
//! [`PerOwner`], indexed by [`Ownership`], rather than a pair indexed by a flag. (A
//! loop the compiler vectorises takes its value with [`PerOwner::pick`], a choice by
//! whether the firm is an SOE: an index per firm would be a gather.)

use serde::{Deserialize, Serialize};
use std::ops::{Add, Index, IndexMut};

/// Ownership of a firm. Its number (private 0, SOE 1) is its place in a [`PerOwner`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Ownership {
    /// A private firm: hard budget, exits when its net worth is negative.
    Private,
    /// A state-owned enterprise: soft budget, may be bailed out.
    Soe,
}

impl Ownership {
    /// Every ownership, in the order of tables and of sums (private first).
    pub const ALL: [Ownership; 2] = [Ownership::Private, Ownership::Soe];

    /// The name used in scenario keys (`policy.soe.…`) and in `firms.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Ownership::Private => "private",
            Ownership::Soe => "soe",
        }
    }
}

/// One value for each ownership: private first, then SOE.
///
/// An array indexed by the ownership's number, not two named fields: the firm passes
/// index per-owner values several times per firm, and a choice between two fields
/// compiled to a branch on the firm's ownership in places (mispredicted for a mixed
/// population: 8% of the mispredicted branches and 3.5% of the instructions of
/// bench-1m at 10,000 firms, by cachegrind).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PerOwner<T>([T; 2]);

impl<T> PerOwner<T> {
    /// The values of private firms and of SOEs.
    pub const fn new(private: T, soe: T) -> PerOwner<T> {
        PerOwner([private, soe])
    }

    /// The value of each ownership, from a function of it.
    pub fn from_fn(mut f: impl FnMut(Ownership) -> T) -> PerOwner<T> {
        let private = f(Ownership::Private);
        PerOwner::new(private, f(Ownership::Soe))
    }

    /// The SOEs' value if `soe`, else the private firms': a choice between two values
    /// rather than an index, which a loop the compiler vectorises needs (an index
    /// per firm is a gather).
    #[inline(always)]
    pub fn pick(&self, soe: bool) -> T
    where
        T: Copy,
    {
        if soe { self.0[1] } else { self.0[0] }
    }

    /// Each ownership with its value, private first.
    pub fn iter(&self) -> impl Iterator<Item = (Ownership, &T)> {
        Ownership::ALL.into_iter().map(move |o| (o, &self[o]))
    }
}

impl<T: Copy + Add<Output = T>> PerOwner<T> {
    /// The sum over owners, private first (so that float sums are always taken in
    /// the same order).
    pub fn total(&self) -> T {
        self[Ownership::Private] + self[Ownership::Soe]
    }
}

impl<T> Index<Ownership> for PerOwner<T> {
    type Output = T;
    #[inline]
    fn index(&self, o: Ownership) -> &T {
        // `o as usize` is 0 or 1: no bounds check, no branch.
        &self.0[o as usize]
    }
}

impl<T> IndexMut<Ownership> for PerOwner<T> {
    #[inline]
    fn index_mut(&mut self, o: Ownership) -> &mut T {
        &mut self.0[o as usize]
    }
}

impl<T: Copy + Add<Output = T>> Add for PerOwner<T> {
    type Output = PerOwner<T>;
    fn add(self, o: PerOwner<T>) -> PerOwner<T> {
        PerOwner::from_fn(|owner| self[owner] + o[owner])
    }
}

impl<T: Copy + Add<Output = T>> std::ops::AddAssign for PerOwner<T> {
    fn add_assign(&mut self, o: PerOwner<T>) {
        *self = *self + o;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_indexes_its_own_value() {
        let mut v = PerOwner::from_fn(|o| o.as_str().len());
        assert_eq!((v[Ownership::Private], v[Ownership::Soe]), (7, 3));
        v[Ownership::Soe] += 1;
        assert_eq!(v, PerOwner::new(7, 4));
        assert_eq!(v.total(), 11);
        let order: Vec<_> = v.iter().map(|(o, &x)| (o.as_str(), x)).collect();
        assert_eq!(order, [("private", 7), ("soe", 4)]);
        assert_eq!(v + v, PerOwner::new(14, 8));
    }

    #[test]
    fn ownership_reads_and_writes_its_scenario_name() {
        for o in Ownership::ALL {
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(json, format!("\"{}\"", o.as_str()));
            assert_eq!(serde_json::from_str::<Ownership>(&json).unwrap(), o);
        }
    }
}
