"""examples/notebooks/walkthrough.ipynb runs end to end."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NB = Path(__file__).resolve().parents[1] / "examples" / "notebooks" / "walkthrough.ipynb"


def test_walkthrough_notebook_executes():
    nb = nbformat.read(NB, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NB.parent)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2  # detection-rate bars and risk histograms
    text = "".join(o.get("text", "") for o in outputs)
    assert "DQ-" in text or any("DQ-" in str(o.get("data", {})) for o in outputs)
