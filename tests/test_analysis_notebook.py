"""The quickstart notebook runs from top to bottom without error (executed with nbclient in
a fresh kernel, as a reader would run it) and tells its story with figures."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).parent.parent / "examples" / "quickstart.ipynb"


def test_quickstart_notebook_runs(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(str(o.get("text", "")) for o in outputs)
    assert "Talks between" in text  # the explanation of run 0 was printed
    assert "vs baseline" in text  # the what-if comparison
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 6  # maps, the talks, outcomes, casualties
