//! `--shard auto`: which shard an array task is, from its scheduler's variables.
//!
//! Pure: the variables come in as a map (the `cli` reads them from the environment, the
//! only layer that does), so every scheduler's mapping is tested with a plain map. A
//! scheduler's task index (0-based, 1-based or starting anywhere) is mapped to K in
//! 1..=N; the result is a [`Shard`] exactly as `--shard K/N` would give, parsed by the
//! same parser.

use std::collections::BTreeMap;
use std::fmt;

use super::Shard;

/// `K/N`, 1-based; wins over everything else.
pub const CATCHUP_SHARD: &str = "CATCHUP_SHARD";
/// A 0-based index (such as HTCondor's `$(Process)`), with [`CATCHUP_SHARD_COUNT`].
pub const CATCHUP_SHARD_INDEX: &str = "CATCHUP_SHARD_INDEX";
/// N, for schedulers that do not export the size of the array.
pub const CATCHUP_SHARD_COUNT: &str = "CATCHUP_SHARD_COUNT";

/// Every variable `--shard auto` reads, in the order it reports them.
pub const VARIABLES: [&str; 13] = [
    CATCHUP_SHARD,
    CATCHUP_SHARD_INDEX,
    CATCHUP_SHARD_COUNT,
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_STEP",
    "SLURM_ARRAY_TASK_COUNT",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "JOB_COMPLETION_INDEX",
    "LSB_JOBINDEX",
    "LSB_JOBINDEX_END",
    "LSB_JOBINDEX_STEP",
];

/// Why no shard could be taken from the variables. The message names the variables read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoShardError(pub String);

impl fmt::Display for AutoShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "--shard auto: {}", self.0)
    }
}

impl std::error::Error for AutoShardError {}

type Vars = BTreeMap<String, String>;

fn get<'a>(vars: &'a Vars, name: &str) -> Option<&'a str> {
    vars.get(name).map(String::as_str)
}

/// A non-negative integer from `name`, if set.
fn number(vars: &Vars, name: &str) -> Result<Option<u64>, AutoShardError> {
    match get(vars, name) {
        None => Ok(None),
        Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
            AutoShardError(format!("{name}={v:?} is not a non-negative whole number"))
        }),
    }
}

/// The shard of a task `offset` places after the first (0-based), of `count`; `what`
/// names the variables it came from.
fn shard_at(offset: u64, count: u64, what: &str) -> Result<Shard, AutoShardError> {
    if count == 0 || offset >= count {
        return Err(AutoShardError(format!(
            "{what}: index out of range (task {} of {count}; K must be in 1..={count})",
            offset + 1
        )));
    }
    // The one parser of `K/N`: the same checks and the same value as `--shard K/N`.
    format!("{}/{count}", offset + 1)
        .parse::<Shard>()
        .map_err(|e| AutoShardError(format!("{what}: {e}")))
}

/// N from `CATCHUP_SHARD_COUNT`, required by schedulers that export no count.
fn catchup_count(vars: &Vars, scheduler: &str, index_var: &str) -> Result<u64, AutoShardError> {
    number(vars, CATCHUP_SHARD_COUNT)?.ok_or_else(|| {
        AutoShardError(format!(
            "{index_var} is set ({scheduler}) but {CATCHUP_SHARD_COUNT} is not: \
             {scheduler} does not export the size of the array, so set \
             {CATCHUP_SHARD_COUNT}=N in the job definition"
        ))
    })
}

/// A scheduler's own count checked against `CATCHUP_SHARD_COUNT`, if that is set too.
fn agree_count(vars: &Vars, count: u64, what: &str) -> Result<(), AutoShardError> {
    match number(vars, CATCHUP_SHARD_COUNT)? {
        Some(c) if c != count => Err(AutoShardError(format!(
            "{what} give {count} tasks but {CATCHUP_SHARD_COUNT}={c}"
        ))),
        _ => Ok(()),
    }
}

fn slurm(vars: &Vars) -> Result<Option<Shard>, AutoShardError> {
    let Some(id) = number(vars, "SLURM_ARRAY_TASK_ID")? else {
        return Ok(None);
    };
    let what = "SLURM_ARRAY_TASK_ID, _MIN, _MAX, _STEP, _COUNT";
    let min = number(vars, "SLURM_ARRAY_TASK_MIN")?.ok_or_else(|| {
        AutoShardError(format!(
            "SLURM_ARRAY_TASK_ID={id} is set but SLURM_ARRAY_TASK_MIN is not, so the first \
             index of the array is unknown (read {what})"
        ))
    })?;
    let step = number(vars, "SLURM_ARRAY_TASK_STEP")?.unwrap_or(1);
    if step == 0 {
        return Err(AutoShardError("SLURM_ARRAY_TASK_STEP=0".into()));
    }
    let from_max = number(vars, "SLURM_ARRAY_TASK_MAX")?
        .map(|max| {
            if max < min {
                Err(AutoShardError(format!(
                    "SLURM_ARRAY_TASK_MAX={max} is below SLURM_ARRAY_TASK_MIN={min}"
                )))
            } else {
                Ok((max - min) / step + 1)
            }
        })
        .transpose()?;
    let given = number(vars, "SLURM_ARRAY_TASK_COUNT")?;
    let count = match (from_max, given) {
        (Some(a), Some(b)) if a != b => {
            return Err(AutoShardError(format!(
                "SLURM_ARRAY_TASK_MIN={min}, _MAX and _STEP={step} give {a} tasks but \
                 SLURM_ARRAY_TASK_COUNT={b}: the array is not one evenly spaced range \
                 (such as --array=1-{b}); use one, or set {CATCHUP_SHARD}=K/N"
            )));
        }
        (Some(n), _) | (None, Some(n)) => n,
        (None, None) => {
            return Err(AutoShardError(format!(
                "SLURM_ARRAY_TASK_ID={id} is set but neither SLURM_ARRAY_TASK_MAX nor \
                 SLURM_ARRAY_TASK_COUNT is, so the size of the array is unknown"
            )));
        }
    };
    if id < min || (id - min) % step != 0 {
        return Err(AutoShardError(format!(
            "SLURM_ARRAY_TASK_ID={id} is not in the array (SLURM_ARRAY_TASK_MIN={min}, \
             SLURM_ARRAY_TASK_STEP={step}, {count} tasks)"
        )));
    }
    agree_count(vars, count, "the SLURM_ARRAY_TASK_* variables")?;
    let what = format!(
        "SLURM_ARRAY_TASK_ID={id} (SLURM_ARRAY_TASK_MIN={min}, SLURM_ARRAY_TASK_STEP={step})"
    );
    shard_at((id - min) / step, count, &what).map(Some)
}

/// A scheduler with a 0-based index and no count of its own.
fn zero_based(
    vars: &Vars,
    index_var: &str,
    scheduler: &str,
) -> Result<Option<Shard>, AutoShardError> {
    let Some(index) = number(vars, index_var)? else {
        return Ok(None);
    };
    let count = catchup_count(vars, scheduler, index_var)?;
    shard_at(
        index,
        count,
        &format!("{index_var}={index} (0-based) with {CATCHUP_SHARD_COUNT}={count}"),
    )
    .map(Some)
}

fn lsf(vars: &Vars) -> Result<Option<Shard>, AutoShardError> {
    // LSF sets LSB_JOBINDEX=0 in a job that is not an array.
    let index = match number(vars, "LSB_JOBINDEX")? {
        None | Some(0) => return Ok(None),
        Some(i) => i,
    };
    if let Some(step) = number(vars, "LSB_JOBINDEX_STEP")?
        && step != 1
    {
        return Err(AutoShardError(format!(
            "LSB_JOBINDEX_STEP={step}: submit the array as name[1-N] (step 1), or set \
             {CATCHUP_SHARD}=K/N"
        )));
    }
    let count = match number(vars, "LSB_JOBINDEX_END")? {
        Some(end) => {
            agree_count(vars, end, "LSB_JOBINDEX_END")?;
            end
        }
        None => catchup_count(vars, "LSF", "LSB_JOBINDEX")?,
    };
    if index > count {
        return Err(AutoShardError(format!(
            "LSB_JOBINDEX={index} (1-based): index out of range (K must be in 1..={count})"
        )));
    }
    shard_at(index - 1, count, "LSB_JOBINDEX (1-based)").map(Some)
}

/// The shard given by the variables: `CATCHUP_SHARD=K/N` if set; otherwise the one
/// that every scheduler's variables present agree on. Errors when none is set, when a
/// value is malformed or out of range, or when two schedulers disagree.
pub fn shard_from_vars(vars: &Vars) -> Result<Shard, AutoShardError> {
    if let Some(v) = get(vars, CATCHUP_SHARD) {
        return v
            .parse::<Shard>()
            .map_err(|e| AutoShardError(format!("{CATCHUP_SHARD}: {e}")));
    }
    let found: Vec<(&str, Shard)> = [
        (
            "CATCHUP_SHARD_INDEX",
            zero_based(vars, CATCHUP_SHARD_INDEX, "CATCHUP_SHARD_INDEX")?,
        ),
        ("SLURM", slurm(vars)?),
        (
            "AWS Batch",
            zero_based(vars, "AWS_BATCH_JOB_ARRAY_INDEX", "AWS Batch")?,
        ),
        (
            "Kubernetes",
            zero_based(vars, "JOB_COMPLETION_INDEX", "a Kubernetes Indexed Job")?,
        ),
        ("LSF", lsf(vars)?),
    ]
    .into_iter()
    .filter_map(|(name, s)| s.map(|s| (name, s)))
    .collect();
    match found.as_slice() {
        [] => Err(AutoShardError(format!(
            "no array scheduler's variables are set; read {} (none set). Run it as an array \
             task (SLURM, AWS Batch, a Kubernetes Indexed Job, LSF; HTCondor with \
             {CATCHUP_SHARD_INDEX}), set {CATCHUP_SHARD}=K/N, \
             or give --shard K/N",
            VARIABLES.join(", ")
        ))),
        [(_, first), rest @ ..] => {
            if let Some((other, s)) = rest.iter().find(|(_, s)| s != first) {
                return Err(AutoShardError(format!(
                    "the schedulers' variables disagree: {} gives shard {first} but {other} \
                     gives {s}; set {CATCHUP_SHARD}=K/N to choose",
                    found[0].0
                )));
            }
            Ok(*first)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(list: &[(&str, &str)]) -> Vars {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn shard(list: &[(&str, &str)]) -> Result<String, String> {
        shard_from_vars(&vars(list))
            .map(|s| s.to_string())
            .map_err(|e| e.to_string())
    }

    #[track_caller]
    fn refused(list: &[(&str, &str)], parts: &[&str]) {
        let e = shard(list).expect_err("should be refused");
        for p in parts {
            assert!(e.contains(p), "{e:?} lacks {p:?}");
        }
    }

    #[test]
    fn slurm_arrays_starting_anywhere_map_to_1_to_n() {
        // --array=1-8
        let one = |id: &str| {
            shard(&[
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "8"),
                ("SLURM_ARRAY_TASK_COUNT", "8"),
                ("SLURM_ARRAY_TASK_STEP", "1"),
            ])
        };
        assert_eq!(one("1"), Ok("1/8".into()));
        assert_eq!(one("8"), Ok("8/8".into()));
        // --array=0-3, count only from MAX
        let zero = |id: &str| {
            shard(&[
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "3"),
            ])
        };
        assert_eq!(zero("0"), Ok("1/4".into()));
        assert_eq!(zero("3"), Ok("4/4".into()));
        // --array=100-104, count only from COUNT
        assert_eq!(
            shard(&[
                ("SLURM_ARRAY_TASK_ID", "102"),
                ("SLURM_ARRAY_TASK_MIN", "100"),
                ("SLURM_ARRAY_TASK_COUNT", "5"),
            ]),
            Ok("3/5".into())
        );
        // --array=0-20:5 -> 0, 5, 10, 15, 20
        assert_eq!(
            shard(&[
                ("SLURM_ARRAY_TASK_ID", "15"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "20"),
                ("SLURM_ARRAY_TASK_STEP", "5"),
                ("SLURM_ARRAY_TASK_COUNT", "5"),
            ]),
            Ok("4/5".into())
        );
        // A plain SLURM job (no array) is no source.
        refused(
            &[("SLURM_JOB_ID", "17")],
            &["no array scheduler", "SLURM_ARRAY_TASK_ID"],
        );
    }

    #[test]
    fn slurm_inconsistencies_are_refused_naming_the_variables() {
        refused(
            &[
                ("SLURM_ARRAY_TASK_ID", "9"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "8"),
            ],
            &["SLURM_ARRAY_TASK_ID=9", "out of range", "1..=8"],
        );
        refused(
            &[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "8"),
            ],
            &["SLURM_ARRAY_TASK_ID=0"],
        );
        // --array=1,3,7: MIN..MAX spans 7 but there are 3 tasks.
        refused(
            &[
                ("SLURM_ARRAY_TASK_ID", "3"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "7"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ],
            &["SLURM_ARRAY_TASK_COUNT=3", "give 7 tasks"],
        );
        refused(
            &[
                ("SLURM_ARRAY_TASK_ID", "3"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            &["SLURM_ARRAY_TASK_MIN is not"],
        );
        refused(
            &[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "0")],
            &["SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_COUNT"],
        );
        refused(
            &[
                ("SLURM_ARRAY_TASK_ID", "three"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "8"),
            ],
            &[
                "SLURM_ARRAY_TASK_ID=\"three\"",
                "not a non-negative whole number",
            ],
        );
        refused(
            &[
                ("SLURM_ARRAY_TASK_ID", "2"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "8"),
                ("CATCHUP_SHARD_COUNT", "4"),
            ],
            &["give 8 tasks", "CATCHUP_SHARD_COUNT=4"],
        );
    }

    #[test]
    fn aws_batch_is_0_based_with_the_count_from_catchup_shard_count() {
        let aws = |i: &str, n: &str| {
            shard(&[("AWS_BATCH_JOB_ARRAY_INDEX", i), ("CATCHUP_SHARD_COUNT", n)])
        };
        assert_eq!(aws("0", "10"), Ok("1/10".into()));
        assert_eq!(aws("9", "10"), Ok("10/10".into()));
        let e = aws("10", "10").unwrap_err();
        assert!(
            e.contains("AWS_BATCH_JOB_ARRAY_INDEX=10") && e.contains("out of range"),
            "{e}"
        );
        refused(
            &[("AWS_BATCH_JOB_ARRAY_INDEX", "3")],
            &["AWS_BATCH_JOB_ARRAY_INDEX", "CATCHUP_SHARD_COUNT is not"],
        );
        refused(
            &[
                ("AWS_BATCH_JOB_ARRAY_INDEX", "0"),
                ("CATCHUP_SHARD_COUNT", "0"),
            ],
            &["out of range"],
        );
        refused(
            &[
                ("AWS_BATCH_JOB_ARRAY_INDEX", "-1"),
                ("CATCHUP_SHARD_COUNT", "4"),
            ],
            &["AWS_BATCH_JOB_ARRAY_INDEX=\"-1\""],
        );
    }

    #[test]
    fn kubernetes_indexed_jobs_are_0_based_with_catchup_shard_count() {
        let k8s = |i: &str| shard(&[("JOB_COMPLETION_INDEX", i), ("CATCHUP_SHARD_COUNT", "4")]);
        assert_eq!(k8s("0"), Ok("1/4".into()));
        assert_eq!(k8s("3"), Ok("4/4".into()));
        assert!(k8s("4").unwrap_err().contains("JOB_COMPLETION_INDEX=4"));
        refused(
            &[("JOB_COMPLETION_INDEX", "1")],
            &["CATCHUP_SHARD_COUNT is not"],
        );
    }

    #[test]
    fn lsf_is_1_based_with_the_count_from_lsb_jobindex_end_or_catchup_shard_count() {
        assert_eq!(
            shard(&[("LSB_JOBINDEX", "1"), ("LSB_JOBINDEX_END", "6")]),
            Ok("1/6".into())
        );
        assert_eq!(
            shard(&[
                ("LSB_JOBINDEX", "6"),
                ("LSB_JOBINDEX_END", "6"),
                ("LSB_JOBINDEX_STEP", "1")
            ]),
            Ok("6/6".into())
        );
        assert_eq!(
            shard(&[("LSB_JOBINDEX", "2"), ("CATCHUP_SHARD_COUNT", "3")]),
            Ok("2/3".into())
        );
        refused(
            &[("LSB_JOBINDEX", "7"), ("LSB_JOBINDEX_END", "6")],
            &["LSB_JOBINDEX=7", "out of range"],
        );
        refused(
            &[("LSB_JOBINDEX", "2")],
            &["LSB_JOBINDEX", "CATCHUP_SHARD_COUNT is not"],
        );
        refused(
            &[
                ("LSB_JOBINDEX", "2"),
                ("LSB_JOBINDEX_END", "6"),
                ("CATCHUP_SHARD_COUNT", "3"),
            ],
            &["LSB_JOBINDEX_END give 6", "CATCHUP_SHARD_COUNT=3"],
        );
        refused(
            &[
                ("LSB_JOBINDEX", "3"),
                ("LSB_JOBINDEX_END", "9"),
                ("LSB_JOBINDEX_STEP", "3"),
            ],
            &["LSB_JOBINDEX_STEP=3"],
        );
        // LSF's LSB_JOBINDEX=0 marks a job that is not an array.
        refused(&[("LSB_JOBINDEX", "0")], &["no array scheduler"]);
    }

    #[test]
    fn htcondor_passes_its_0_based_process_as_catchup_shard_index() {
        let condor = |i: &str| shard(&[("CATCHUP_SHARD_INDEX", i), ("CATCHUP_SHARD_COUNT", "5")]);
        assert_eq!(condor("0"), Ok("1/5".into()));
        assert_eq!(condor("4"), Ok("5/5".into()));
        assert!(condor("5").unwrap_err().contains("CATCHUP_SHARD_INDEX=5"));
        refused(
            &[("CATCHUP_SHARD_INDEX", "0")],
            &["CATCHUP_SHARD_COUNT is not"],
        );
    }

    #[test]
    fn catchup_shard_wins_over_everything_and_uses_the_one_parser() {
        assert_eq!(
            shard(&[
                ("CATCHUP_SHARD", "2/7"),
                ("SLURM_ARRAY_TASK_ID", "5"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "8"),
                ("AWS_BATCH_JOB_ARRAY_INDEX", "junk"),
            ]),
            Ok("2/7".into())
        );
        let cli = "4/3".parse::<Shard>().unwrap_err();
        refused(&[("CATCHUP_SHARD", "4/3")], &["CATCHUP_SHARD", &cli]);
        refused(&[("CATCHUP_SHARD", "x")], &["CATCHUP_SHARD: expected K/N"]);
    }

    #[test]
    fn schedulers_that_agree_are_accepted_and_ones_that_disagree_are_refused() {
        assert_eq!(
            shard(&[
                ("JOB_COMPLETION_INDEX", "1"),
                ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
                ("CATCHUP_SHARD_COUNT", "4"),
            ]),
            Ok("2/4".into())
        );
        refused(
            &[
                ("SLURM_ARRAY_TASK_ID", "2"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "4"),
                ("JOB_COMPLETION_INDEX", "2"),
                ("CATCHUP_SHARD_COUNT", "4"),
            ],
            &["disagree", "SLURM gives shard 2/4", "Kubernetes gives 3/4"],
        );
    }

    #[test]
    fn nothing_set_is_refused_naming_every_variable_read() {
        let e = shard(&[("HOME", "/root")]).unwrap_err();
        for v in VARIABLES {
            assert!(e.contains(v), "{e:?} does not name {v}");
        }
    }
}
