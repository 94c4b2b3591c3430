"""docs/ensembles.md lists exactly what ripeness.ensemble exports."""

from __future__ import annotations

import re
from pathlib import Path

import ripeness.ensemble as ensemble

DOC = Path(__file__).resolve().parents[1] / "docs" / "ensembles.md"


def test_api_section_lists_all_exports() -> None:
    api = DOC.read_text().split("## Python API", 1)[1]
    listed = set(re.findall(r"^- `(\w+)", api, flags=re.MULTILINE))
    assert listed == set(ensemble.__all__)
    assert sorted(ensemble.__all__) == ensemble.__all__


def test_importing_ensembles_imports_no_dask() -> None:
    import subprocess
    import sys

    code = "import sys, ripeness.ensemble; print('distributed' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
