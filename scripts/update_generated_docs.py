"""Rewrite the generated parts of the docs from the code (a maintainer step; the tests check them).

    .venv/bin/python scripts/update_generated_docs.py

- docs/ODD.md, between ``<!-- params:begin -->`` and ``<!-- params:end -->``: the parameter table
  (``ydabm params --markdown``);
- docs/scenarios.md, between ``<!-- scenarios:begin -->`` and ``<!-- scenarios:end -->``: the scenario
  language reference (``ydabm scenarios --markdown``).
"""

from pathlib import Path

from ydabm.params import markdown_table
from ydabm.scenarios import reference_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def replace_between(path: Path, tag: str, text: str) -> None:
    begin, end = f"<!-- {tag}:begin -->\n", f"\n<!-- {tag}:end -->"
    doc = path.read_text()
    head, rest = doc.split(begin)
    tail = rest.split(end)[1]
    path.write_text(head + begin + text + end + tail)


if __name__ == "__main__":
    replace_between(DOCS / "ODD.md", "params", markdown_table())
    replace_between(DOCS / "scenarios.md", "scenarios", reference_markdown())
