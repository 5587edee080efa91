//! The search, in the unit cube of the parameters: a scrambled Sobol' start, then
//! Nelder-Mead from its best point. Pure: it asks a batch objective for values and
//! knows nothing of runs, journals or threads.
//!
//! Why not a crate's Nelder-Mead (argmin's, say): argmin's executor drives the cost
//! function itself and counts iterations, not evaluations, so an exact budget of
//! evaluations, the evaluation of a batch in parallel (a shrink's k points at once)
//! and bounds are all outside its API; and a calibration that resumes from its journal
//! must replay exactly the same sequence of points, which pins the algorithm to a
//! crate's version. The method is short (Lagarias et al. 1998, standard coefficients)
//! and tested below on known functions.
//!
//! The objective is asked for a batch of points and answers in order; it may answer
//! fewer than asked when the budget runs out, and the search stops there.

/// Reflection, expansion, contraction and shrink coefficients (the standard ones).
const ALPHA: f64 = 1.0;
const GAMMA: f64 = 2.0;
const RHO: f64 = 0.5;
const SIGMA: f64 = 0.5;

/// How the search goes (see [`super::spec::SearchSpec`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub start: u32,
    pub step: f64,
    pub tolerance: f64,
    /// Scrambles the Sobol' start.
    pub seed: u64,
}

/// The `n` start points in `k` dimensions: a scrambled Sobol' sequence (Burley 2020,
/// the `sobol_burley` crate the sweeps' Sobol designs use), which covers the cube
/// more evenly than random points for any `n`; coordinates in [0, 1).
pub fn start_points(n: u32, k: usize, seed: u64) -> Vec<Vec<f64>> {
    let seed = (seed ^ (seed >> 32)) as u32;
    (0..n)
        .map(|i| {
            (0..k)
                .map(|d| f64::from(sobol_burley::sample(i, d as u32, seed)))
                .collect()
        })
        .collect()
}

/// The objective as the search sees it: values for a batch of points, in order,
/// fewer than asked when the budget runs out.
pub type Objective<'a, E> = dyn FnMut(&[Vec<f64>]) -> Result<Vec<f64>, E> + 'a;

/// Out of evaluations: the search stops.
struct Exhausted;

/// Runs the whole search against `objective` until it converges or the budget runs
/// out. The best point is whatever the objective saw lowest (the caller keeps it).
pub fn minimise<E>(
    k: usize,
    settings: Settings,
    objective: &mut Objective<'_, E>,
) -> Result<(), E> {
    let mut ask = |points: &[Vec<f64>]| -> Result<Result<Vec<f64>, Exhausted>, E> {
        let values = objective(points)?;
        Ok(if values.len() == points.len() {
            Ok(values)
        } else {
            Err(Exhausted)
        })
    };
    // The start: Sobol' points, or the middle of the cube.
    let starts = if settings.start == 0 {
        vec![vec![0.5; k]]
    } else {
        start_points(settings.start, k, settings.seed)
    };
    let Ok(values) = ask(&starts)? else {
        return Ok(());
    };
    let best = first_min(&values);
    let x0 = starts[best].clone();
    let f0 = values[best];
    // The first simplex: the best start point and one step along each axis (back
    // instead of forward where forward leaves the cube).
    let mut vertices = vec![x0.clone()];
    for d in 0..k {
        let mut x = x0.clone();
        x[d] = if x0[d] + settings.step <= 1.0 {
            x0[d] + settings.step
        } else {
            x0[d] - settings.step
        };
        vertices.push(x);
    }
    let Ok(rest) = ask(&vertices[1..])? else {
        return Ok(());
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = vertices
        .into_iter()
        .zip(std::iter::once(f0).chain(rest))
        .collect();
    loop {
        // Stable sort: of equal values the older vertex stays first.
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        if diameter(&simplex) <= settings.tolerance {
            return Ok(());
        }
        let n = simplex.len() - 1;
        let centroid: Vec<f64> = (0..k)
            .map(|d| simplex[..n].iter().map(|v| v.0[d]).sum::<f64>() / n as f64)
            .collect();
        let toward = |from: &[f64], to: &[f64], t: f64| -> Vec<f64> {
            from.iter()
                .zip(to)
                .map(|(a, b)| (a + t * (b - a)).clamp(0.0, 1.0))
                .collect()
        };
        let worst = simplex[n].clone();
        let xr = toward(&centroid, &worst.0, -ALPHA);
        let Ok(fr) = ask(std::slice::from_ref(&xr))?.map(|v| v[0]) else {
            return Ok(());
        };
        if fr < simplex[0].1 {
            let xe = toward(&centroid, &xr, GAMMA);
            let Ok(fe) = ask(std::slice::from_ref(&xe))?.map(|v| v[0]) else {
                return Ok(());
            };
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
            continue;
        }
        if fr < simplex[n - 1].1 {
            simplex[n] = (xr, fr);
            continue;
        }
        // Contract: outside when the reflection beat the worst, inside otherwise.
        let outside = fr < worst.1;
        let xc = if outside {
            toward(&centroid, &xr, RHO)
        } else {
            toward(&centroid, &worst.0, RHO)
        };
        let Ok(fc) = ask(std::slice::from_ref(&xc))?.map(|v| v[0]) else {
            return Ok(());
        };
        if (outside && fc <= fr) || (!outside && fc < worst.1) {
            simplex[n] = (xc, fc);
            continue;
        }
        // Shrink toward the best vertex: k points at once.
        let best = simplex[0].0.clone();
        let shrunk: Vec<Vec<f64>> = simplex[1..]
            .iter()
            .map(|v| toward(&best, &v.0, SIGMA))
            .collect();
        let Ok(values) = ask(&shrunk)? else {
            return Ok(());
        };
        for (slot, (x, f)) in simplex[1..].iter_mut().zip(shrunk.into_iter().zip(values)) {
            *slot = (x, f);
        }
    }
}

/// The index of the lowest value (the first of equals; NaN counts as highest).
pub fn first_min(values: &[f64]) -> usize {
    let key = |v: f64| if v.is_nan() { f64::INFINITY } else { v };
    (0..values.len())
        .min_by(|&a, &b| key(values[a]).total_cmp(&key(values[b])).then(a.cmp(&b)))
        .unwrap_or(0)
}

/// The largest distance (max norm) from the best vertex to another.
fn diameter(simplex: &[(Vec<f64>, f64)]) -> f64 {
    let best = &simplex[0].0;
    simplex[1..]
        .iter()
        .flat_map(|v| v.0.iter().zip(best).map(|(a, b)| (a - b).abs()))
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Minimises `f` with `budget` evaluations; returns the best point, its value,
    /// and every point asked.
    fn run(
        k: usize,
        budget: usize,
        settings: Settings,
        f: impl Fn(&[f64]) -> f64,
    ) -> (Vec<f64>, f64, Vec<Vec<f64>>) {
        let mut asked: Vec<Vec<f64>> = Vec::new();
        let mut objective = |points: &[Vec<f64>]| -> Result<Vec<f64>, ()> {
            let room = budget - asked.len();
            let take = &points[..points.len().min(room)];
            asked.extend(take.iter().cloned());
            Ok(take.iter().map(|p| f(p)).collect())
        };
        minimise(k, settings, &mut objective).unwrap();
        let values: Vec<f64> = asked.iter().map(|p| f(p)).collect();
        let best = first_min(&values);
        (asked[best].clone(), values[best], asked)
    }

    const SETTINGS: Settings = Settings {
        start: 8,
        step: 0.2,
        tolerance: 1e-6,
        seed: 1,
    };

    #[test]
    fn a_quadratic_bowl_is_found() {
        let target = [0.3, 0.7, 0.55];
        let f = |x: &[f64]| x.iter().zip(&target).map(|(a, b)| (a - b).powi(2)).sum();
        let (x, fx, asked) = run(3, 400, SETTINGS, f);
        assert!(fx < 1e-8, "{fx} at {x:?}");
        assert!(asked.len() < 400, "it converged before the budget");
        assert!(asked.iter().flatten().all(|&v| (0.0..=1.0).contains(&v)));
    }

    #[test]
    fn the_rosenbrock_valley_is_followed() {
        // Rosenbrock's function on [-2, 2]^2 mapped to the cube: minimum at (1, 1),
        // that is u = (0.75, 0.75).
        let f = |u: &[f64]| {
            let (a, b) = (4.0 * u[0] - 2.0, 4.0 * u[1] - 2.0);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let (x, fx, _) = run(2, 600, SETTINGS, f);
        assert!(fx < 1e-6, "{fx} at {x:?}");
        assert!((x[0] - 0.75).abs() < 1e-3 && (x[1] - 0.75).abs() < 1e-3);
    }

    #[test]
    fn a_minimum_on_the_boundary_is_reached() {
        let f = |x: &[f64]| (x[0] + 0.5).powi(2) + (x[1] - 0.4).powi(2);
        let (x, _, _) = run(2, 300, SETTINGS, f);
        assert!(x[0] < 1e-6 && (x[1] - 0.4).abs() < 1e-3, "{x:?}");
    }

    #[test]
    fn the_budget_is_never_exceeded_and_the_sequence_repeats() {
        let f = |x: &[f64]| (x[0] - 0.2).abs() + (x[1] - 0.9).abs();
        let (_, _, a) = run(2, 13, SETTINGS, f);
        assert_eq!(a.len(), 13);
        let (_, _, b) = run(2, 13, SETTINGS, f);
        assert_eq!(a, b);
        // A longer budget asks the same points first: a resumed search replays them.
        let (_, _, c) = run(2, 40, SETTINGS, f);
        assert_eq!(&c[..13], &a[..]);
    }

    #[test]
    fn start_points_spread_over_the_cube() {
        let p = start_points(16, 2, 5);
        assert_eq!(p.len(), 16);
        assert!(p.iter().flatten().all(|&v| v > 0.0 && v < 1.0));
        // Every quarter of each axis holds four of sixteen Sobol' points.
        for d in 0..2 {
            for q in 0..4 {
                let n = p
                    .iter()
                    .filter(|x| (x[d] * 4.0).floor() as usize == q)
                    .count();
                assert_eq!(n, 4, "axis {d}, quarter {q}");
            }
        }
        assert_ne!(start_points(4, 2, 5), start_points(4, 2, 6));
    }
}
