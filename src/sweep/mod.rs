//! Batch sweeps: experiment designs, run specifications, shards, resume, and the
//! analysis of their results. Runs are plain data (a point of the design, a
//! replicate, a seed derived from both); executing them is the job of `runner`-like
//! code in `sweep::execute`.

pub mod analysis;
