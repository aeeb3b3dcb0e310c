"""The input-output data layer: concordance, aggregation, Leontief utilities, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from ydabm.cli import main
from ydabm.sectors import load_sectors
from ydabm.supply import (IOTableError, aggregate, concordance_weights, gross_output, leontief_inverse,
                          load_io_table, value_added_by_sector)

SECTORS = load_sectors("sectors").names


def _write_table(folder, domestic, imported, output, codes=("01", "02", "03")):
    def frame(matrix):
        lines = ["code,sector_name," + ",".join(codes)]
        for code, row in zip(codes, matrix):
            lines.append(f"{code},s{code}," + ",".join(f"{v:g}" for v in row))
        return "\n".join(lines) + "\n"
    (folder / "t_A_domestic.csv").write_text(frame(domestic))
    (folder / "t_A_imported.csv").write_text(frame(imported))
    rows = "\n".join(f"{c},s{c},{x:g}" for c, x in zip(codes, output))
    (folder / "t_sector_summary.csv").write_text(f"code,sector_name,gross_output_1e8yuan\n{rows}\n")


def _concordance(folder, body):
    path = folder / "conc.toml"
    path.write_text(f'domestic = "t_A_domestic.csv"\nimported = "t_A_imported.csv"\n'
                    f'summary = "t_sector_summary.csv"\n{body}')
    return str(path)


def test_aggregation_by_hand():
    # three IO sectors; 1 and 2 merge into model sector A, 3 is B
    a = np.array([[0.1, 0.2, 0.0], [0.3, 0.1, 0.1], [0.0, 0.2, 0.4]])
    x = np.array([10.0, 30.0, 20.0])
    weights = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    table = aggregate(a, np.zeros_like(a), x, weights)
    # flows z_ij = a_ij x_j; A's output 40: A->A (1+6+3+3)/40, B->A (0+6)/40, A->B (0+2)/20, B->B 8/20
    expected = np.array([[13 / 40, 2 / 20], [6 / 40, 8 / 20]])
    np.testing.assert_allclose(table.domestic, expected)
    np.testing.assert_allclose(table.output, [40.0, 20.0])
    # aggregation keeps total intermediate flows and output
    assert (table.domestic * table.output).sum() == pytest.approx((a * x).sum())


def test_split_sector_shares_its_column():
    a = np.array([[0.2, 0.1], [0.1, 0.3]])
    x = np.array([10.0, 10.0])
    weights = np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])
    table = aggregate(a, np.zeros_like(a), x, weights)
    # the two halves of IO sector 2 have its input mix; sector 2's sales split between them
    np.testing.assert_allclose(table.domestic[:, 1], table.domestic[:, 2])
    np.testing.assert_allclose(table.domestic[:, 0], [0.2, 0.05, 0.05])
    np.testing.assert_allclose(table.domestic[0, 1], 0.1)


def test_leontief_inverse_two_sectors():
    a = np.array([[0.2, 0.3], [0.4, 0.1]])
    # (I - A)^-1 = 1/det [[0.9, 0.3], [0.4, 0.8]], det = 0.72 - 0.12 = 0.6
    np.testing.assert_allclose(leontief_inverse(a), np.array([[0.9, 0.3], [0.4, 0.8]]) / 0.6)
    np.testing.assert_allclose(gross_output(a, np.array([1.0, 2.0])), [2.5, 3.333333333333333])
    with pytest.raises(ValueError, match="not productive"):
        leontief_inverse(np.array([[0.5, 1.0], [1.0, 0.5]]))


def test_china_2020_table_in_model_sectors():
    table = load_io_table("io_concordance", SECTORS)
    assert table.domestic.shape == (12, 12)
    # the table's headline facts survive aggregation: 7.1 % of intermediates imported, 62.3 % of
    # gross output is intermediate, electronics the most import-reliant model sector (~32 %)
    intermediates = (table.domestic + table.imported) @ table.output
    assert table.imported.sum(axis=0) @ table.output / intermediates.sum() == pytest.approx(0.071, abs=0.001)
    assert intermediates.sum() / table.output.sum() == pytest.approx(0.623, abs=0.001)
    assert SECTORS[int(np.argmax(table.import_share))] == "electronics_ic"
    assert table.import_share.max() == pytest.approx(0.317, abs=0.005)
    assert (table.value_added > 0).all()
    assert table.output.sum() == pytest.approx(2_698_886, rel=1e-3)     # 269.9 trillion yuan


def test_value_added_by_model_sector():
    """The 2020 table's value added and its parts by model sector: flows add over the concordance."""
    import pandas as pd

    from ydabm.supply import DATA_DIR
    parts = value_added_by_sector("io_concordance", SECTORS)
    raw = pd.read_csv(DATA_DIR / "china_2020_42_value_added.csv", dtype={"code": str}).set_index("code")
    # compensation + net taxes + depreciation + operating surplus = value added, sector by sector
    np.testing.assert_allclose(parts[["compensation", "net_taxes", "depreciation", "operating_surplus"]].sum(axis=1),
                               parts["value_added"], rtol=1e-9)
    # textiles: IO sectors 06-10 and 22 whole; biomedicine: 16.5 % of chemical products (12)
    textiles = raw.loc[["06", "07", "08", "09", "10", "22"], "depreciation"].sum()
    assert parts.loc["textiles", "depreciation"] == pytest.approx(textiles, rel=1e-12)
    assert parts.loc["biomedicine", "operating_surplus"] == pytest.approx(0.165 * raw.loc["12", "operating_surplus"])
    # nothing lost: the model sectors hold the whole table (gross output 269.9 trillion yuan)
    assert parts["total_input"].sum() == pytest.approx(raw["total_input"].sum(), rel=1e-12)
    assert parts["total_input"].sum() / 1e4 == pytest.approx(2_698_886, rel=1e-3)


def test_concordance_errors(tmp_path):
    a = np.full((3, 3), 0.1)
    _write_table(tmp_path, a, a * 0.1, [1.0, 2.0, 3.0])
    ok = _concordance(tmp_path, '[sectors]\nx = ["01", "02"]\ny = ["03"]\n')
    assert load_io_table(ok, ("x", "y")).domestic.shape == (2, 2)
    cases = {
        '[sectors]\nx = ["01"]\ny = ["03"]\n': "misses IO sector\\(s\\) 02",
        '[sectors]\nx = ["01", "02", "03"]\n': "maps no IO sector to model sector\\(s\\) y",
        '[sectors]\nx = ["01", "02"]\ny = ["03", "02"]\n': "'02' is mapped twice",
        '[sectors]\nx = ["01", "02"]\nz = ["03"]\n': "'z' is not a model sector",
        '[sectors]\nx = ["01", "02"]\n[split]\n"03" = {x = 0.5, y = 0.6}\n': "sum to 1.1",
    }
    for body, message in cases.items():
        with pytest.raises(IOTableError, match=message):
            load_io_table(_concordance(tmp_path, body), ("x", "y"))
    with pytest.raises(IOTableError, match="misses"):
        concordance_weights({"sectors": {"x": ["01"]}}, ["01", "02"], ("x",), tmp_path / "c.toml")


@pytest.mark.parametrize("case, message", [
    ("negative", "negative coefficient -0.1 \\(row 02, column 01\\)"),
    ("sums", "column 03 sums to 1.05 >= 1"),
    ("shape", "wrong shape"),
])
def test_bad_table_files(tmp_path, case, message):
    a = np.full((3, 3), 0.1)
    if case == "negative":
        a[1, 0] = -0.1
    if case == "sums":
        a[:, 2] = 0.35
    _write_table(tmp_path, a, np.full((3, 3), 0.0), [1.0, 2.0, 3.0])
    if case == "shape":
        path = tmp_path / "t_A_domestic.csv"
        lines = path.read_text().splitlines()
        path.write_text("\n".join(lines[:-1]) + "\n")          # drops row 03: 2 rows, 3 columns
    conc = _concordance(tmp_path, '[sectors]\nx = ["01", "02"]\ny = ["03"]\n')
    with pytest.raises(IOTableError, match=message) as err:
        load_io_table(conc, ("x", "y"))
    assert "t_A_domestic.csv" in str(err.value)


def test_cli_refuses_a_bad_table(tmp_path, capsys):
    a = np.full((3, 3), 0.1)
    a[0, 1] = -0.2
    _write_table(tmp_path, a, np.zeros((3, 3)), [1.0, 2.0, 3.0])
    conc = _concordance(tmp_path, "[sectors]\n" + "\n".join(f'{n} = ["0{k + 1}"]' for k, n in enumerate(SECTORS[:3])))
    out = tmp_path / "run"
    code = main(["run", "--steps", "1", "--out", str(out), "--set", "input_output=1",
                 "--set", f"io_concordance={conc}"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "t_A_domestic.csv: negative coefficient -0.2" in err
    assert not out.exists()
