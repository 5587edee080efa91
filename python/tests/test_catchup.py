"""The Python package against the library it calls: runs kept in memory and written,
results read back, sweeps, errors. Run from a fresh virtual environment with the
package installed from its wheel (.ci/run does): ``pytest python/tests``."""

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import catchup

SWEEP = """
version = 1
name = "py-sweep"
base = "baseline"
replicates = 2
seed = 11
set = { periods = 8 }

[design]
kind = "grid"

[[design.factor]]
key = "policy.tariff"
values = [0.0, 0.4]

[[metric]]
name = "gap_final"
series = "gap"
sector = "catch-up"
stat = "final"

[output]
series = true
"""


def test_run_returns_the_series_and_firms_of_the_scenario_as_asked():
    r = catchup.run(
        scenario="soe-protection", seed=7, set={"policy.tariff": 0.3}, periods=12
    )
    assert isinstance(r.series, pd.DataFrame) and isinstance(r.firms, pd.DataFrame)
    sectors = list(dict.fromkeys(r.series.sector))
    assert sectors[-1] == "all" and len(sectors) == r.manifest["sectors"] + 1
    assert len(r.series) == 12 * len(sectors)
    assert list(r.series.period.unique()) == list(range(1, 13))
    # The firms of the last period only, as many as the manifest counts.
    assert set(r.firms.period) == {12}
    assert len(r.firms) == r.manifest["firms_final"]
    assert r.manifest["scenario"] == "soe-protection"
    assert r.manifest["seed"] == 7 and r.manifest["periods"] == 12
    assert r.path is None and r.manifest["files"] == []
    # The scenario as run says what was set; the series show it in force where no
    # sector sets its own tariff.
    assert "seed = 7" in r.scenario and "periods = 12" in r.scenario
    assert set(r.codebook["files"]) == {"series.csv", "firms.csv"}


def test_set_reaches_the_model_and_seeds_differ():
    low = catchup.run("baseline", periods=5, set={"policy.tariff": 0.0})
    high = catchup.run("baseline", periods=5, set={"policy.tariff": 0.5})
    sectors = low.series[low.series.sector != "all"]
    assert (sectors.tariff == 0.0).all()
    assert (high.series[high.series.sector != "all"].tariff == 0.5).all()
    other_seed = catchup.run("baseline", periods=5, seed=43, set={"policy.tariff": 0.0})
    assert not low.series.capacity.equals(other_seed.series.capacity)
    # NumPy's scalars are values too (SALib's samples are NumPy arrays).
    again = catchup.run(
        "baseline", periods=5, set={"policy.tariff": np.float64(0.0), "seed": np.int64(42)}
    )
    pd.testing.assert_frame_equal(again.series, low.series)


def test_types_follow_the_codebook_integers_stay_integers():
    r = catchup.run("baseline", periods=3)
    s = r.series
    assert s.period.dtype == np.int64
    assert s.firms_private.dtype == np.int64
    assert s.capacity.dtype == np.float64
    # Empty in the `all` rows: a nullable integer, not floating point.
    assert str(s.paradigm.dtype) == "Int64"
    assert s.paradigm[s.sector == "all"].isna().all()
    assert s.paradigm[s.sector != "all"].notna().all()
    assert pd.api.types.is_string_dtype(s.sector)
    assert r.firms.id.dtype == np.int64


def test_a_run_is_the_same_in_memory_written_as_csv_or_parquet_and_loaded(tmp_path):
    kept = catchup.run("catch-up", seed=3, periods=10)
    for fmt in ("csv", "parquet"):
        out = tmp_path / fmt
        written = catchup.run("catch-up", seed=3, periods=10, out=out, format=fmt)
        assert written.path == str(out)
        assert sorted(written.manifest["files"]) == sorted(
            [f"series.{fmt}", f"firms.{fmt}", "scenario.toml", "codebook.json", "manifest.json"]
        )
        loaded = catchup.load(out)
        for r in (written, loaded):
            pd.testing.assert_frame_equal(r.series, kept.series)
            pd.testing.assert_frame_equal(r.firms, kept.firms)
            assert r.scenario == kept.scenario
            assert set(r.codebook["files"]) == {f"series.{fmt}", f"firms.{fmt}"}
    # The folder is a catchup result: a second run into it is refused, then forced.
    with pytest.raises(catchup.InputError, match="already exists; pass --force"):
        catchup.run("catch-up", periods=2, out=tmp_path / "csv")
    catchup.run("catch-up", periods=2, out=tmp_path / "csv", force=True)
    assert catchup.load(tmp_path / "csv").manifest["periods"] == 2


def test_threads_do_not_change_the_numbers():
    one = catchup.run("three-regimes", periods=6, threads=1)
    two = catchup.run("three-regimes", periods=6, threads=2)
    pd.testing.assert_frame_equal(one.series, two.series)
    pd.testing.assert_frame_equal(one.firms, two.firms)


def test_a_built_in_written_out_runs_as_the_built_in(tmp_path):
    listed = catchup.scenarios()
    assert list(listed.columns) == ["name", "description", "look_at"]
    assert "soe-protection" in set(listed.name)
    path = tmp_path / "mine.toml"
    path.write_text(catchup.scenarios("soe-protection"))
    a = catchup.run(path, periods=4)
    b = catchup.run("soe-protection", periods=4)
    pd.testing.assert_frame_equal(a.series, b.series)
    with pytest.raises(catchup.InputError, match="did you mean `soe-protection`"):
        catchup.run("soe-protecton")


def test_bad_input_raises_the_located_messages_of_the_command_line(tmp_path):
    with pytest.raises(catchup.InputError) as e:
        catchup.run(set={"policy.tarif": 0.3})
    assert "key `policy.tarif`: unknown key" in str(e.value)
    assert str(e.value).endswith("(did you mean `tariff`?)")
    assert isinstance(e.value, ValueError)
    with pytest.raises(catchup.InputError, match="expected a number from 0 to 10, found -1"):
        catchup.run(set={"policy.tariff": -1.0})
    # A file's mistake is located: file, line and column.
    text = catchup.scenarios("baseline").replace("periods = 100", "periods = 100\nperiod = 5")
    path = tmp_path / "typo.toml"
    path.write_text(text)
    line = text.splitlines().index("period = 5") + 1
    with pytest.raises(catchup.InputError) as e:
        catchup.run(path)
    assert str(e.value).startswith(f"{path}:{line}:1: key `period`: unknown key")
    assert "did you mean `periods`?" in str(e.value)
    with pytest.raises(catchup.InputError, match="is no scenario value"):
        catchup.run(set={"policy.tariff": object()})
    with pytest.raises(catchup.InputError, match="frames="):
        catchup.run(frames="excel")
    with pytest.raises(catchup.InputError, match="expected \"csv\" or \"parquet\""):
        catchup.run(periods=2, out=tmp_path / "x", format="xlsx")
    with pytest.raises(catchup.InputError, match="nothing-here: no such folder"):
        catchup.load(tmp_path / "nothing-here")
    with pytest.raises(catchup.InputError, match="not a catchup result: it has no manifest"):
        catchup.load(tmp_path)


def test_a_sweep_holds_its_runs_metrics_and_series_in_one_long_table(tmp_path):
    out = tmp_path / "sweep"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = catchup.sweep(text=SWEEP, out=out)
    assert r.path == str(out) and r.manifest["sweep"] == "py-sweep"
    assert len(r.points) == 2 and len(r.runs) == 4
    assert list(r.points.policy_tariff) == [0.0, 0.4]
    assert (r.runs.status == "ok").all()
    assert r.runs.seed.dtype == np.int64 and (r.runs.seed < 2**53).all()
    # The runs' series in one long table, with the run and point of each row.
    assert list(r.series.columns[:3]) == ["run", "point", "period"]
    assert sorted(r.series.run.unique()) == [0, 1, 2, 3]
    assert len(r.series) == 4 * 8 * 4
    # Each run is the scenario run with its seed and factors: the same numbers.
    for run in r.runs.itertuples():
        alone = catchup.run(
            "baseline", seed=int(run.seed), periods=8, set={"policy.tariff": run.policy_tariff}
        )
        final = alone.series[(alone.series.sector == "catch-up") & (alone.series.period == 8)]
        assert math.isclose(final.gap.iloc[0], run.gap_final, rel_tol=0, abs_tol=0)
        mine = r.series[r.series.run == run.run]
        assert (mine.point == run.point).all()
        mine = mine.drop(columns=["run", "point"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.series)
    # Read again from its folder: the same tables.
    again = catchup.load(out)
    pd.testing.assert_frame_equal(again.runs, r.runs)
    # Done already: nothing to do with resume; refused without.
    assert len(catchup.sweep(text=SWEEP, out=out, resume=True).runs) == 4
    with pytest.raises(catchup.InputError, match="already exists"):
        catchup.sweep(text=SWEEP, out=out)


def test_a_parquet_sweep_loads_as_the_csv_sweep(tmp_path):
    csv = catchup.sweep(text=SWEEP, out=tmp_path / "csv")
    pq = catchup.sweep(text=SWEEP + 'format = "parquet"\n', out=tmp_path / "pq")
    assert (tmp_path / "pq" / "runs.parquet").is_file()
    assert not (tmp_path / "pq" / "runs.csv").exists()
    assert sorted(pq.tables) == sorted(csv.tables) == ["bands", "points", "runs", "series"]
    for name in csv.tables:
        pd.testing.assert_frame_equal(pq.tables[name], csv.tables[name])


def test_a_bad_sweep_is_refused_with_its_location(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(SWEEP.replace('key = "policy.tariff"', 'key = "policy.tarif"'))
    with pytest.raises(catchup.InputError) as e:
        catchup.sweep(path, out=tmp_path / "out")
    assert str(e.value).startswith(f"{path}:")
    assert "did you mean" in str(e.value)
    assert not (tmp_path / "out").exists()
    with pytest.raises(catchup.InputError, match="one of them"):
        catchup.sweep()


def test_arrow_and_polars_frames_hold_the_same_values():
    pa = pytest.importorskip("pyarrow")
    r = catchup.run("baseline", periods=3)
    a = catchup.run("baseline", periods=3, frames="arrow")
    assert isinstance(a.series, pa.Table)
    assert a.series.schema.field("paradigm").type == pa.int64()
    assert a.series.column("paradigm").null_count == 3
    # Undefined numbers are nulls in Arrow, NaN in pandas.
    back = a.series.to_pandas()
    pd.testing.assert_series_equal(back.capacity, r.series.capacity)
    assert back.utilization.isna().equals(r.series.utilization.isna())
    pl = pytest.importorskip("polars")
    p = catchup.run("baseline", periods=3, frames="polars")
    assert isinstance(p.series, pl.DataFrame)
    assert p.series["paradigm"].null_count() == 3
    assert p.series["capacity"].to_list() == r.series.capacity.tolist()
    assert p.series["sector"].to_list() == r.series.sector.tolist()


def test_the_codebook_and_manifest_are_dicts_from_the_files(tmp_path):
    r = catchup.run("baseline", periods=2, out=tmp_path / "r")
    assert r.manifest == json.loads((tmp_path / "r" / "manifest.json").read_text())
    cols = {c["column"]: c for c in r.codebook["files"]["series.csv"]}
    assert set(cols) == set(r.series.columns)
    assert cols["paradigm"]["type"] == "integer" and cols["paradigm"]["empty"]
    assert {"series", "firms"} <= set(dir(r))
    with pytest.raises(AttributeError, match="its tables are firms, series"):
        r.nothing
