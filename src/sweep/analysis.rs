//! Sensitivity analysis of sweep results (written by a helper; see the task).
