"""Where ydabm finds its shipped configuration files."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def configs_dir() -> Path:
    """The ``configs/`` folder: inside the installed wheel, else at the repository root."""
    bundled = PACKAGE_DIR / "configs"
    if bundled.is_dir():
        return bundled
    return PACKAGE_DIR.parents[1] / "configs"


def resolve_config(name_or_path: str, folder: str = "", suffix: str = ".toml") -> Path:
    """Resolve a config given by name (looked up in ``configs/<folder>``) or by path.

    Raises:
        FileNotFoundError: with the list of available names when nothing matches.
    """
    candidate = Path(name_or_path)
    if candidate.suffix and candidate.exists():
        return candidate
    base = configs_dir() / folder if folder else configs_dir()
    named = base / f"{name_or_path}{suffix}"
    if named.exists():
        return named
    available = sorted(p.stem for p in base.glob(f"*{suffix}"))
    raise FileNotFoundError(f"{name_or_path!r} is neither a file nor one of: {', '.join(available)}")
