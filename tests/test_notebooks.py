"""The experiment notebooks execute without error on the committed example results, and their text
quotes no number that the results could change (numbers are computed and printed)."""

import asyncio
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "experiments").glob("*/analysis.ipynb"))
# numbers a notebook's prose may contain: years, small counts, "11 x 11", "95%" intervals
ALLOWED = re.compile(r"^(19|20)\d\d$|^\d$|^1[01]$|^95%$")


def test_every_experiment_has_a_notebook():
    assert {p.parent.name for p in NOTEBOOKS} == {"barrier_specialization", "scenarios", "sensitivity", "zombies"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_notebook_prose_quotes_no_result_numbers(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            text = re.sub(r"```.*?```", "", cell.source, flags=re.S)
            numbers = re.findall(r"(?<![\w.])\d+(?:\.\d+)?%?", text)
            assert all(ALLOWED.match(n) for n in numbers), (path.name, numbers)


@pytest.fixture(scope="module")
def executed():
    """Every notebook executed, all at once (one kernel each), from its own folder."""
    async def run(path):
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        await client.async_execute()
        return notebook

    async def run_all():
        return await asyncio.gather(*(run(p) for p in NOTEBOOKS), return_exceptions=True)

    return dict(zip(NOTEBOOKS, asyncio.run(run_all())))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_notebook_executes_and_shows_figures_and_computed_text(executed, path):
    notebook = executed[path]
    if isinstance(notebook, Exception):
        raise notebook
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(o.output_type == "display_data" and "image/png" in o.get("data", {}) for o in outputs)
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert printed.strip()
