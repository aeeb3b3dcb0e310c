"""Input-output coefficients of the model's sectors: China's 2020 table through a shipped concordance.

The table (NBS 2020, 42 sectors, non-competitive imports; ``geography/data/io/``) gives direct
requirements a_ij = z_ij / x_j, domestic and imported, and gross output x_j. The concordance
(``configs/io_concordance.toml``) assigns each IO sector's output to model sectors with shares
W[i, K] (each row sums to 1). Flows aggregate exactly: Z' = W^T Z W, x' = W^T x, so the model's
coefficients are A'[K, S] = (W^T A diag(x) W)[K, S] / x'_S, the output-weighted mean of the member
sectors' input mixes (Miller & Blair 2009, section 4.2).

A file with the wrong shape, negative coefficients, column sums of at least 1, or a concordance that
misses a sector raises :class:`IOTableError` (a :class:`~ydabm.params.ParameterError`, so the
``ydabm`` command exits 2 before it writes anything), its message naming the file and the problem.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .params import ParameterError
from .paths import resolve_config

DATA_DIR = Path(__file__).resolve().parent / "geography" / "data" / "io"


class IOTableError(ParameterError):
    """An input-output file or concordance the model cannot use; the message names the file."""


@dataclass(frozen=True)
class IOTable:
    """Input-output coefficients aggregated to the model's sectors (S of them).

    Attributes:
        domestic: (S, S) a_KS, domestic input of sector K per yuan of sector S's gross output.
        imported: (S, S) imported input of product K per yuan of sector S's gross output.
        output: (S,) national gross output of each model sector, 1e8 yuan (the aggregation weights).
        value_added: (S,) value-added share of gross output, 1 - column sums of both matrices.
    """

    domestic: np.ndarray
    imported: np.ndarray
    output: np.ndarray

    @property
    def value_added(self) -> np.ndarray:
        return 1.0 - self.domestic.sum(axis=0) - self.imported.sum(axis=0)

    @property
    def import_share(self) -> np.ndarray:
        """(S,) imported share of each sector's intermediate inputs."""
        total = self.domestic.sum(axis=0) + self.imported.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(total > 0, self.imported.sum(axis=0) / total, 0.0)


def leontief_inverse(coefficients: np.ndarray) -> np.ndarray:
    """(I - A)^-1: gross output per unit of final demand (Leontief 1936; Miller & Blair eq. 2.11).

    Raises:
        ValueError: when I - A is singular or the inverse has a negative entry (A not productive).
    """
    size = coefficients.shape[0]
    inverse = np.linalg.inv(np.eye(size) - coefficients)
    if (inverse < -1e-12).any():
        raise ValueError("the coefficient matrix is not productive: (I - A)^-1 has negative entries")
    return inverse


def gross_output(coefficients: np.ndarray, final_demand: np.ndarray) -> np.ndarray:
    """x solving x = A x + f (a solve, not an explicit inverse)."""
    return np.linalg.solve(np.eye(coefficients.shape[0]) - coefficients, final_demand)


def read_coefficients(path: Path) -> tuple[list[str], np.ndarray]:
    """The IO codes and the square coefficient matrix of one ``code,sector_name,<codes...>`` file."""
    try:
        frame = pd.read_csv(path, dtype={"code": str})
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise IOTableError(f"{path}: cannot read the input-output file ({err})") from None
    if "code" not in frame.columns:
        raise IOTableError(f"{path}: wrong shape: no 'code' column")
    codes = [str(c).zfill(2) for c in frame["code"]]
    columns = [c for c in frame.columns if c not in ("code", "sector_name")]
    if [c.zfill(2) for c in columns] != codes:
        raise IOTableError(f"{path}: wrong shape: {len(codes)} rows and {len(columns)} sector columns, "
                           "the columns must be the row codes in the same order")
    try:
        values = frame[columns].to_numpy(dtype=float)
    except ValueError:
        raise IOTableError(f"{path}: a coefficient is not a number") from None
    if not np.isfinite(values).all():
        raise IOTableError(f"{path}: a coefficient is missing or not finite")
    if (values < 0).any():
        row, col = np.argwhere(values < 0)[0]
        raise IOTableError(f"{path}: negative coefficient {values[row, col]:g} (row {codes[row]}, "
                           f"column {codes[col]})")
    return codes, values


def _files(config: dict, path: Path) -> tuple[Path, Path, Path]:
    table = config.get("table")
    named = {key: config.get(key) for key in ("domestic", "imported", "summary")}
    if table is None and not all(named.values()):
        raise IOTableError(f"{path}: give `table` or all of `domestic`, `imported`, `summary`")
    suffix = {"domestic": "_A_domestic.csv", "imported": "_A_imported.csv", "summary": "_sector_summary.csv"}
    found = []
    for key, end in suffix.items():
        given = named[key]
        file = (path.parent / given if not Path(given).is_absolute() else Path(given)) if given else DATA_DIR / f"{table}{end}"
        if not file.exists():
            raise IOTableError(f"{path}: {key} file {file} does not exist")
        found.append(file)
    return tuple(found)


def concordance_weights(config: dict, codes: list[str], sector_names: tuple[str, ...], path: Path) -> np.ndarray:
    """(N, S) W[i, K]: share of IO sector i's output in model sector K, each row summing to 1.

    Raises:
        IOTableError: an IO code mapped twice or not at all, an unknown code or model sector, shares
            that do not sum to 1, or a model sector that receives no output.
    """
    index = {name: k for k, name in enumerate(sector_names)}
    position = {code: i for i, code in enumerate(codes)}
    weights = np.zeros((len(codes), len(sector_names)))
    seen: set[str] = set()

    def assign(code, sector, share):
        code = str(code).zfill(2)
        if code not in position:
            raise IOTableError(f"{path}: IO sector {code!r} is not in the table")
        if sector not in index:
            raise IOTableError(f"{path}: {sector!r} is not a model sector (sectors: {', '.join(sector_names)})")
        weights[position[code], index[sector]] += share

    for sector, members in config.get("sectors", {}).items():
        for code in members:
            if str(code).zfill(2) in seen:
                raise IOTableError(f"{path}: IO sector {code!r} is mapped twice")
            seen.add(str(code).zfill(2))
            assign(code, sector, 1.0)
    for code, shares in config.get("split", {}).items():
        if str(code).zfill(2) in seen:
            raise IOTableError(f"{path}: IO sector {code!r} is mapped twice")
        seen.add(str(code).zfill(2))
        if abs(sum(shares.values()) - 1.0) > 1e-9:
            raise IOTableError(f"{path}: the shares of IO sector {code!r} sum to {sum(shares.values()):g}, not 1")
        for sector, share in shares.items():
            if share < 0:
                raise IOTableError(f"{path}: negative share of IO sector {code!r} in {sector!r}")
            assign(code, sector, float(share))
    missing = [c for c in codes if c not in seen]
    if missing:
        raise IOTableError(f"{path}: the concordance misses IO sector(s) {', '.join(missing)}")
    empty = [name for k, name in enumerate(sector_names) if weights[:, k].sum() == 0]
    if empty:
        raise IOTableError(f"{path}: the concordance maps no IO sector to model sector(s) {', '.join(empty)}")
    return weights


def aggregate(domestic: np.ndarray, imported: np.ndarray, output: np.ndarray, weights: np.ndarray) -> IOTable:
    """Model-sector coefficients from IO-sector ones (output-weighted; see the module docstring)."""
    model_output = weights.T @ output
    scale = output[:, None] * weights                       # diag(x) W
    return IOTable((weights.T @ domestic @ scale) / model_output[None, :],
                   (weights.T @ imported @ scale) / model_output[None, :], model_output)


def read_concordance(concordance: str) -> tuple[Path, dict]:
    """The concordance file ``concordance`` (a name in ``configs/`` or a path) and its contents.

    Raises:
        IOTableError: no such file, or not valid TOML, naming it.
    """
    try:
        path = resolve_config(concordance)
    except FileNotFoundError as err:
        raise IOTableError(f"io_concordance: {err}") from None
    try:
        return path, tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise IOTableError(f"{path}: not valid TOML ({err})") from None


def load_io_table(concordance: str, sector_names: tuple[str, ...]) -> IOTable:
    """The model's coefficients from the concordance ``concordance`` (a name in ``configs/`` or a path)
    and the table files it names.

    Raises:
        IOTableError: a bad file or concordance (wrong shape, negative coefficients, column sums of
            at least 1, a sector missing), naming the file and the problem.
    """
    path, config = read_concordance(concordance)
    domestic_file, imported_file, summary_file = _files(config, path)
    codes, domestic = read_coefficients(domestic_file)
    imported_codes, imported = read_coefficients(imported_file)
    if imported_codes != codes:
        raise IOTableError(f"{imported_file}: wrong shape: its sectors differ from those of {domestic_file.name}")
    total = domestic.sum(axis=0) + imported.sum(axis=0)
    if (total >= 1.0).any():
        j = int(np.argmax(total))
        raise IOTableError(f"{domestic_file} and {imported_file.name}: column {codes[j]} sums to {total[j]:.4g} "
                           ">= 1 (no value added)")
    summary = pd.read_csv(summary_file, dtype={"code": str})
    if "gross_output_1e8yuan" not in summary.columns or [str(c).zfill(2) for c in summary["code"]] != codes:
        raise IOTableError(f"{summary_file}: wrong shape: needs `code` rows matching the table and a "
                           "`gross_output_1e8yuan` column")
    output = summary["gross_output_1e8yuan"].to_numpy(dtype=float)
    if not (output > 0).all():
        raise IOTableError(f"{summary_file}: gross output must be positive")
    weights = concordance_weights(config, codes, sector_names, path)
    return aggregate(domestic, imported, output, weights)


#: the parts of value added of ``<table>_value_added.csv`` (10^4 yuan; compensation + net taxes +
#: depreciation + operating surplus = value added), with total input (= gross output)
VALUE_ADDED_PARTS = ("compensation", "net_taxes", "depreciation", "operating_surplus", "value_added", "total_input")


def value_added_by_sector(concordance: str, sector_names: tuple[str, ...]) -> pd.DataFrame:
    """The 2020 table's value added and its parts (:data:`VALUE_ADDED_PARTS`, 10^4 yuan) by model sector:
    each IO sector's flows assigned to model sectors by the concordance's shares (flows add, so the
    aggregation is exact). Rows ``sector_names``.

    Raises:
        IOTableError: a bad concordance, or no value-added file beside the table it names.
    """
    path, config = read_concordance(concordance)
    if "table" not in config:
        raise IOTableError(f"{path}: value added needs `table` (the file <table>_value_added.csv)")
    file = DATA_DIR / f"{config['table']}_value_added.csv"
    if not file.exists():
        raise IOTableError(f"{path}: value-added file {file} does not exist")
    table = pd.read_csv(file, dtype={"code": str})
    missing = sorted(set(VALUE_ADDED_PARTS) - set(table.columns))
    if missing:
        raise IOTableError(f"{file}: lacks column(s) {', '.join(missing)}")
    codes = [str(c).zfill(2) for c in table["code"]]
    weights = concordance_weights(config, codes, sector_names, path)
    flows = table[list(VALUE_ADDED_PARTS)].to_numpy(dtype=float)
    return pd.DataFrame(weights.T @ flows, index=list(sector_names), columns=list(VALUE_ADDED_PARTS))
