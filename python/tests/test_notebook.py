"""The worked notebook docs/python/catchup-in-python.ipynb runs from top to bottom
(with matplotlib and SALib) and shows what its text says it shows."""

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "python" / "catchup-in-python.ipynb"


def test_the_notebook_runs_and_draws_its_charts(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("SALib")
    pytest.importorskip("matplotlib")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # Raises CellExecutionError, with the cell and its traceback, if a cell fails.
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2, "the run's chart and the Sobol' indices"
    printed = "".join(o.get("text", "") for o in outputs)
    # 16 base rows x (3 factors + 2) = 80 runs of catchup.run.
    assert "80 runs; final gap from" in printed
    indices = next(
        o["data"]["text/plain"]
        for o in outputs
        if "ST_conf" in o.get("data", {}).get("text/plain", "")
    )
    for lever in ("policy.tariff", "policy.rd_subsidy", "policy.bridge"):
        assert lever in indices
