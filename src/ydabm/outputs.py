"""Output folders: what a folder already holds, and whether a command may write there.

Every command that writes results (``run``, ``sweep``, ``report``) checks its output path with
:func:`check_output` before any work starts, so that nothing is ever written over a different kind
of result. A folder's kind is the ``kind`` of its ``manifest.json`` (``figures.json`` for a report's
figures), or, for folders written before manifests carried one, the files it holds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .params import ParameterError

#: kinds of result folders and how messages name them
KINDS = {"run": "a run's results", "sweep": "a sweep's results", "figures": "a report's figures",
         "compare": "a comparison"}
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
FIGURES_MARKER = "figures.json"  # a report's record of the results its figures were drawn from


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``, or ``None`` when it is missing or not a JSON object."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def folder_kind(path: str | Path) -> str | None:
    """What an existing folder holds: ``run``, ``sweep``, ``figures``, ``other``, or ``None`` when it
    is empty (hidden files such as a sweep's lock aside)."""
    path = Path(path)
    names = {p.name for p in path.iterdir() if not p.name.startswith(".")}
    if not names:
        return None
    marker = read_json(path / "manifest.json") or read_json(path / FIGURES_MARKER) or {}
    if marker.get("kind") in KINDS:
        return marker["kind"]
    if "spec_hash" in marker or names & {"runs.parquet", "runlog.parquet", "runs", "figures"}:
        return "sweep"
    if names & {"model.parquet", "cities.parquet"}:
        return "run"
    if all(Path(name).suffix in FIGURE_SUFFIXES for name in names):
        return "figures"
    return "other"


def check_output(path: str | Path, kind: str) -> bool:
    """Refuse an output path that cannot take results of ``kind``; nothing is written.

    Args:
        path: the output folder (it may not exist yet).
        kind: ``run``, ``sweep`` or ``figures``.

    Returns:
        Whether the folder already holds results of this kind (the caller decides: replace with
        ``--force``, continue with ``--resume``, or refuse).

    Raises:
        ParameterError: the path (or a folder above it) is a file, or the folder holds another kind
            of result or files that are not ydabm results; one line naming the path.
    """
    path = Path(path)
    existing = next(p for p in (path, *path.parents) if p.exists())  # "." or "/" at the latest
    if not existing.is_dir():
        where = "is a file, not a folder" if existing == path else f"is inside {existing}, which is a file"
        raise ParameterError(f"{path}: {where}; give a folder for {KINDS[kind]}")
    if existing != path:
        return False
    found = folder_kind(path)
    if found is None or found == kind:
        return found == kind
    if found == "other":
        raise ParameterError(f"{path}: the folder holds files that are not ydabm results; "
                             f"give a new or empty folder for {KINDS[kind]}")
    raise ParameterError(f"{path}: holds {KINDS[found]}; give another folder for {KINDS[kind]}")
