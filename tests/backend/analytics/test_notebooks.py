"""Every analyst notebook runs headless against the small demo world, and none is committed
with outputs."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import SEED_TENANT

NOTEBOOKS = sorted((Path(__file__).parents[3] / "notebooks").glob("*.ipynb"))
EMPTY = re.compile(r"^(\[\]|\{\}|\(\)|Counter\(\)|0|''|None|'no .*'|'every .*')$", re.DOTALL)
"""What a cell shows when its query found nothing (the notebooks' own fallbacks included)."""


def test_there_are_the_four_notebooks() -> None:
    names = {p.stem for p in NOTEBOOKS}
    assert {"caller_timeline", "portfolio", "operations", "memory_health"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_carry_no_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name}: clear the outputs"


KERNEL = "switchboard-venv"


def _kernel(root: Path) -> Path:
    """A kernel spec running this interpreter: a "python3" spec of the machine's (another
    Python, without our packages) would otherwise win."""
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"})
    )
    return root


def _shown(cell: nbformat.NotebookNode) -> list[str]:
    """What a cell displayed: text, or a marker for an image."""
    out = []
    for o in cell.outputs:
        data = o.get("data", {})
        if "image/png" in data:
            out.append("<image>")
        elif "text/plain" in data:
            out.append(data["text/plain"].strip())
        elif o.get("output_type") == "stream":
            out.append(o.get("text", "").strip())
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_notebook_runs_on_the_demo_world(path: Path, seeded, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, _, _ = seeded
    # The kernel reads the settings as the server does: the data dir finds the running stack.
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SWITCHBOARD_NOTEBOOK_TENANT", SEED_TENANT)
    monkeypatch.setenv("JUPYTER_PATH", str(_kernel(tmp_path)))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name=KERNEL, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code[:-1]:  # the last one closes the connections
        shown = _shown(cell)
        assert shown, f"{path.name}: a cell showed nothing:\n{cell.source}"
        assert not any(EMPTY.match(s) for s in shown), f"{path.name}: an empty result {shown}:\n{cell.source}"
    assert sum(s == "<image>" for c in code for s in _shown(c)) >= 2  # the charts were drawn
