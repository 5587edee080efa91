"""catchup from Python: the simulation of catch-up industrialization, in-process.

>>> import catchup
>>> r = catchup.run("soe-protection", seed=7, set={"policy.tariff": 0.3}, periods=60)
>>> r.series            # a pandas DataFrame: one row per period and sector (and `all`)
>>> r.firms             # the firms at the last period
>>> r.manifest["seed"]  # the manifest, as a dict

The simulation runs inside this process through the catchup library (no program is
started, no file is parsed): the numbers are those `catchup run` writes, bit for bit.
Bad input raises :class:`InputError` (a :class:`ValueError`) with the message the
command line prints: the file, line, column and key, what was expected, and the
likely intended key. See docs/python.md.
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any, Iterable, Mapping, Optional, Union

from . import _catchup
from ._catchup import InputError, RunError

__version__ = _catchup.__version__
__all__ = [
    "run",
    "sweep",
    "load",
    "scenarios",
    "Result",
    "InputError",
    "RunError",
    "FRAMES",
]

#: The kinds of data frame a result's tables come as.
FRAMES = ("pandas", "arrow", "polars")

PathLike = Union[str, "os.PathLike[str]"]


class Result:
    """A run's or a sweep's result: its tables as data frames, and what was run.

    Attributes:
        tables: every table by name (a run: ``series`` and ``firms``; a sweep:
            ``runs``, ``points``, ``bands``, and ``series`` with a ``run`` column when
            the sweep keeps its runs' series). Each is also an attribute:
            ``result.series``.
        manifest: ``manifest.json`` as a dict (program version, git commit, scenario,
            seed, periods, firms, timings).
        codebook: ``codebook.json`` as a dict: each column's type, unit and meaning.
        scenario: the scenario as run (TOML text, every default filled in): saved as a
            file, ``catchup run FILE`` repeats the run. A sweep's base scenario.
        sweep: a sweep's file, as TOML text (``None`` for a run).
        path: the result's folder (``None`` for a run kept in memory).
    """

    def __init__(self, raw: Mapping[str, Any], frames: str):
        self.tables = {
            name: _frame(columns, frames) for name, columns in raw["tables"].items()
        }
        self.manifest = json.loads(raw["manifest"])
        codebook = raw.get("codebook")
        self.codebook = json.loads(codebook) if codebook else None
        self.scenario = raw.get("scenario")
        self.sweep = raw.get("sweep")
        self.path = raw.get("path")

    def __getattr__(self, name: str):
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(
            f"a result has no `{name}`; its tables are {', '.join(sorted(tables))}"
        )

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.tables))

    def __repr__(self) -> str:
        what = (
            f"sweep {self.manifest.get('sweep')!r}"
            if "sweep" in self.manifest
            else f"run {self.manifest.get('scenario')!r} seed {self.manifest.get('seed')}"
        )
        shapes = ", ".join(
            f"{name} {_rows(t)}x{_width(t)}" for name, t in sorted(self.tables.items())
        )
        where = f" in {self.path}" if self.path else ""
        return f"<catchup {what}{where}: {shapes}>"


def run(
    scenario: Optional[PathLike] = None,
    *,
    seed: Optional[int] = None,
    periods: Optional[int] = None,
    set: Optional[Union[Mapping[str, Any], Iterable[tuple]]] = None,
    threads: Optional[int] = None,
    out: Optional[PathLike] = None,
    format: str = "csv",
    force: bool = False,
    frames: str = "pandas",
) -> Result:
    """Runs a scenario and returns its tables.

    Args:
        scenario: a built-in scenario's name (see :func:`scenarios`) or a scenario
            file; the built-in ``baseline`` when omitted.
        seed, periods: override the scenario's.
        set: scenario keys by dotted path and their values, validated like the file:
            ``{"policy.tariff": 0.3, "sector.leading.policy.tolerance": 6}``. A dict
            value sets a table's keys and keeps the others.
        threads: worker threads (default: all cores); the numbers do not depend on it.
        out: also write the result to this folder, as ``catchup run --out`` does (in
            ``format``, "csv" or "parquet"); ``force`` replaces an earlier result.
            Without it nothing is written.
        frames: "pandas" (the default), "arrow" (pyarrow Tables) or "polars".

    Raises:
        InputError: a bad scenario, key, value or folder (the command line's exit 2).
        RunError: the run failed (its numbers blew up) or could not be written.
    """
    _check_frames(frames)
    raw = _catchup.run(
        None if scenario is None else os.fspath(scenario),
        sets=_settings(set),
        seed=seed,
        periods=periods,
        threads=threads,
        out=None if out is None else os.fspath(out),
        format=format,
        force=force,
    )
    return Result(raw, frames)


def sweep(
    path: Optional[PathLike] = None,
    *,
    text: Optional[str] = None,
    out: Optional[PathLike] = None,
    threads: Optional[int] = None,
    force: bool = False,
    resume: bool = False,
    retry_failed: bool = False,
    max_failures: Optional[int] = None,
    frames: str = "pandas",
) -> Result:
    """Runs a sweep, as ``catchup sweep`` does, and returns its result.

    Give the sweep file (``path``) or its TOML text (``text``; relative paths in it
    start at the current folder). The result is written to ``out`` (default
    ``output/<sweep name>``); ``resume`` continues an interrupted sweep there. Runs that
    failed are in ``result.runs`` (``status`` "failed", with their ``error``) and
    raise a warning.
    """
    _check_frames(frames)
    where, failed = _catchup.sweep(
        None if path is None else os.fspath(path),
        text=text,
        out=None if out is None else os.fspath(out),
        threads=threads,
        force=force,
        resume=resume,
        retry_failed=retry_failed,
        max_failures=max_failures,
    )
    if failed:
        warnings.warn(
            f"{failed} run{'' if failed == 1 else 's'} failed; their errors are in the "
            "`status` and `error` columns of the result's `runs`",
            RuntimeWarning,
            stacklevel=2,
        )
    return load(where, frames=frames)


def load(path: PathLike, *, frames: str = "pandas") -> Result:
    """Reads the result folder of a run or a sweep (CSV or Parquet, written by the
    command line or by this package), each table typed by the result's codebook."""
    _check_frames(frames)
    return Result(_catchup.load(os.fspath(path)), frames)


def scenarios(name: Optional[str] = None):
    """The built-in scenarios as a pandas DataFrame (``name``, ``description``,
    ``look_at``); with a name, that scenario's TOML text, a starting point for a file
    of your own (as ``catchup scenarios NAME``)."""
    listed = _catchup.scenarios()
    if name is not None:
        for n, _, _, text in listed:
            if n == name:
                return text
        raise InputError(
            f"no built-in scenario named `{name}`; the built-ins are "
            + ", ".join(n for n, *_ in listed)
        )
    import pandas as pd

    return pd.DataFrame(
        [(n, d, look) for n, d, look, _ in listed],
        columns=["name", "description", "look_at"],
    )


def _settings(settings) -> list:
    if settings is None:
        return []
    items = settings.items() if isinstance(settings, Mapping) else settings
    out = []
    for item in items:
        key, value = item
        if not isinstance(key, str):
            raise InputError(
                f"set: a key is a scenario key's dotted path as a string, not {key!r}"
            )
        out.append((key, value))
    return out


def _check_frames(frames: str) -> None:
    if frames not in FRAMES:
        raise InputError(f"frames={frames!r}: expected one of {', '.join(FRAMES)}")


def _rows(table) -> int:
    return table.shape[0] if hasattr(table, "shape") else table.num_rows


def _width(table) -> int:
    return table.shape[1] if hasattr(table, "shape") else table.num_columns


def _arrays(kind: str, data, mask):
    """A column as NumPy values (every row) and its defined cells (None: all)."""
    import numpy as np

    defined = None if mask is None else np.frombuffer(mask, dtype="u1").astype(bool)
    if kind == "text":
        codes, categories = data
        codes = np.frombuffer(codes, dtype="<u4")
        values = np.empty(len(categories), dtype=object)
        values[:] = categories
        values = values[codes]
        if defined is not None:
            values[~defined] = None
    elif kind == "integer":
        values = np.frombuffer(data, dtype="<i8").copy()
    elif kind == "number":
        values = np.frombuffer(data, dtype="<f8").copy()
    elif kind == "boolean":
        values = np.frombuffer(data, dtype="u1").astype(bool)
    else:  # pragma: no cover - the library has no other types
        raise RunError(f"a column of unknown type {kind!r}")
    return values, defined


def _frame(columns, frames: str):
    if frames == "pandas":
        import pandas as pd

        data = {}
        for name, kind, raw, mask in columns:
            values, defined = _arrays(kind, raw, mask)
            if defined is not None and kind == "integer":
                values = pd.arrays.IntegerArray(values, ~defined)
            elif defined is not None and kind == "boolean":
                values = pd.arrays.BooleanArray(values, ~defined)
            elif defined is not None and kind == "number":
                values[~defined] = float("nan")
            data[name] = values
        return pd.DataFrame(data)
    if frames == "arrow":
        return _arrow(columns)
    import polars as pl

    try:
        import pyarrow  # noqa: F401
    except ImportError:
        series = []
        for name, kind, raw, mask in columns:
            values, defined = _arrays(kind, raw, mask)
            s = pl.Series(name, values)
            if defined is not None:
                s = pl.select(
                    pl.when(pl.lit(pl.Series(defined))).then(pl.lit(s)).alias(name)
                ).to_series()
            series.append(s)
        return pl.DataFrame(series)
    return pl.from_arrow(_arrow(columns))


def _arrow(columns):
    import pyarrow as pa

    arrays, names = [], []
    for name, kind, raw, mask in columns:
        values, defined = _arrays(kind, raw, mask)
        missing = None if defined is None else ~defined
        if kind == "text":
            arrays.append(pa.array(values, type=pa.string(), mask=missing))
        else:
            arrays.append(pa.array(values, mask=missing))
        names.append(name)
    return pa.table(arrays, names=names)
