"""The notebooks in notebooks/ run top to bottom (nbclient), so they never rot."""
from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = ["01_quickstart.ipynb", "02_codebook_and_reliability.ipynb", "03_emergent_themes.ipynb",
             "04_guide_and_survey.ipynb", "05_coding_by_hand.ipynb"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(root, name):
    path = root / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"
    assert len(nb.cells) < 20
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(root / "notebooks")}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
