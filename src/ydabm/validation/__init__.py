"""Validation of the model against theory and stylised facts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_manifest(out: Path, check: str, **fields: Any) -> None:
    """``manifest.json`` of a validation check in ``out``: its name, ``fields`` and the provenance
    (versions, git commit) of the code that ran it."""
    from ..run import provenance
    manifest = {"check": check, **fields, **provenance()}
    (Path(out) / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
