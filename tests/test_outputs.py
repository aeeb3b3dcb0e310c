"""Output paths are checked before any work: a file, a folder holding another kind of result, or figures
of other results are refused with one line and exit 2, and nothing already written changes."""

import json

import pytest

from ydabm.cli import main
from ydabm.outputs import folder_kind
from ydabm.params import QUICK_SCALE

SMALL = [arg for name, value in QUICK_SCALE.items() for arg in ("--set", f"{name}={value:g}")]
SPEC = "steps = 1\n[vary]\nbarrier = [0.5]\n[set]\n" + "".join(f"{k} = {v!r}\n" for k, v in QUICK_SCALE.items())


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A finished sweep (with its figures) and a run, made once for the module."""
    root = tmp_path_factory.mktemp("made")
    spec = root / "spec.toml"
    spec.write_text(SPEC)
    assert main(["sweep", str(spec), "--out", str(root / "sweep"), "--workers", "1", "--quiet"]) == 0
    assert main(["report", str(root / "sweep"), "--format", "png"]) == 0
    assert main(["run", "--steps", "1", "--out", str(root / "run"), *SMALL]) == 0
    return root


def contents(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("ydabm: error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert message in err


def test_the_kind_of_a_folder_is_read_from_what_it_holds(made):
    assert folder_kind(made / "sweep") == "sweep"
    assert folder_kind(made / "run") == "run"
    assert folder_kind(made / "sweep" / "figures") == "figures"
    assert json.loads((made / "run" / "manifest.json").read_text())["kind"] == "run"


def test_a_run_into_a_sweep_folder_is_refused_and_the_sweep_is_untouched(made, capsys):
    sweep = made / "sweep"
    before = contents(sweep)
    for force in ([], ["--force"]):
        refused(capsys, ["run", "--steps", "1", "--out", str(sweep), *force, *SMALL],
                f"{sweep}: holds a sweep's results; give another folder for a run's results")
    assert contents(sweep) == before  # manifest.json byte for byte, and everything else
    assert main(["report", str(sweep), "--format", "png"]) == 0  # the sweep still reports


def test_a_sweep_into_a_run_folder_or_a_file_is_refused(made, capsys, tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    run = made / "run"
    before = contents(run)
    refused(capsys, ["sweep", str(spec), "--out", str(run), "--workers", "1"],
            f"{run}: holds a run's results; give another folder for a sweep's results")
    refused(capsys, ["sweep", str(spec), "--out", str(run), "--workers", "1", "--force"], "holds a run's results")
    assert contents(run) == before
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    refused(capsys, ["sweep", str(spec), "--out", str(a_file), "--workers", "1"], f"{a_file}: is a file, not a folder")
    assert a_file.read_text() == "x"


def test_report_output_is_checked_before_drawing(made, capsys, tmp_path):
    sweep, run = made / "sweep", made / "run"
    a_file = tmp_path / "figures.png"
    a_file.write_bytes(b"png")
    refused(capsys, ["report", str(sweep), "--out", str(a_file)], f"{a_file}: is a file, not a folder")
    refused(capsys, ["report", str(sweep), "--out", str(run)], "holds a run's results; give another folder")
    refused(capsys, ["report", str(sweep), "--out", str(sweep)], "holds a sweep's results; give another folder")
    refused(capsys, ["report", str(a_file)], f"{a_file}: not a folder; give a sweep's results folder")
    assert a_file.read_bytes() == b"png"


def test_figures_of_other_results_are_replaced_only_with_force(made, capsys, tmp_path):
    figures = tmp_path / "figures"
    assert main(["report", str(made / "sweep"), "--out", str(figures), "--format", "png"]) == 0
    assert main(["report", str(made / "sweep"), "--out", str(figures), "--format", "png"]) == 0  # same results: redrawn
    other = tmp_path / "other"
    other.mkdir()
    for name in ("manifest.json", "runs.parquet", "runlog.parquet"):
        (other / name).write_bytes((made / "sweep" / name).read_bytes())
    before = contents(figures)
    refused(capsys, ["report", str(other), "--out", str(figures), "--format", "png"],
            f"{figures}: holds the figures of {(made / 'sweep').resolve()}; pass --force to replace them")
    assert contents(figures) == before
    assert main(["report", str(other), "--out", str(figures), "--format", "pdf", "--force"]) == 0
    assert sorted(p.suffix for p in figures.iterdir()) == [".json", ".pdf"]  # the old PNG is gone
    assert json.loads((figures / "figures.json").read_text())["results"] == str(other.resolve())
