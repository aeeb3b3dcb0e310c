"""A sweep's results folder: one small file per finished run, consolidated tables, the manifest.

Layout of ``<out>/``::

    manifest.json      spec, spec hash, versions, git commit, times, runs done / failed / total
    runs.parquet       one row per run: ids, seed, status, error, parameters, kept metrics
    series.parquet     every step of every run (only when the spec keeps series)
    cities.parquet     per finished run and city, the city outputs in the report's statistic (only
                       when the spec keeps cities, the default)
    runlog.parquet     wall time, host, processor kernels of its floating point, finish time and
                       traceback of every run (kept apart so that runs.parquet is reproducible)
    runs/000012.parquet, series/000012.parquet, cities/000012.parquet
                       a run's row, series and cities, written the moment it ends (removed once
                       the sweep is complete and consolidated)

Every file is written to a temporary name in the same folder, flushed to disk and moved into place
with ``os.replace``, so a reader (or a sweep killed at any moment) sees whole files or none. A run
counts as done once its ``runs/<id>.parquet`` exists; its series and cities files are written before it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..params import ParameterError

LOG_COLUMNS = ("seconds", "host", "float_kernels", "finished", "traceback")
OWN_FILES = ("manifest.json", "runs.parquet", "series.parquet", "cities.parquet", "runlog.parquet")
OWN_FOLDERS = ("runs", "series", "cities", "figures")


class ResultStore:
    """Reads and writes one sweep's results folder (see the module docstring)."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.manifest_file = self.out / "manifest.json"
        self.runs_file = self.out / "runs.parquet"
        self.series_file = self.out / "series.parquet"
        self.cities_file = self.out / "cities.parquet"
        self.log_file = self.out / "runlog.parquet"
        self.run_parts = self.out / "runs"
        self.series_parts = self.out / "series"
        self.city_parts = self.out / "cities"

    # ------------------------------------------------------------------ state
    def holds_results(self) -> bool:
        """Whether the folder already holds (part of) a sweep."""
        return (self.manifest_file.exists() or self.runs_file.exists()
                or (self.run_parts.is_dir() and any(self.run_parts.glob("*.parquet"))))

    def read_manifest(self) -> dict[str, Any] | None:
        if not self.manifest_file.exists():
            return None
        return json.loads(self.manifest_file.read_text())

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        _atomic(self.manifest_file, lambda tmp: tmp.write_text(json.dumps(manifest, indent=2, default=str)))

    def clear(self) -> None:
        """Remove this module's files and folders (and nothing else) from the folder."""
        for name in OWN_FILES:
            (self.out / name).unlink(missing_ok=True)
        for name in OWN_FOLDERS:
            shutil.rmtree(self.out / name, ignore_errors=True)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive lock on the folder (released by the OS if the process dies)."""
        self.out.mkdir(parents=True, exist_ok=True)
        with open(self.out / ".lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                raise ParameterError(f"{self.out}: another sweep (pid {handle.read().strip() or '?'}) is writing here") from None
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            try:
                yield
            finally:
                (self.out / ".lock").unlink(missing_ok=True)  # while still held: no one else owns it
                fcntl.flock(handle, fcntl.LOCK_UN)

    # ------------------------------------------------------------------ runs
    def write_run(self, row: dict[str, Any], series: pd.DataFrame | None,
                  cities: pd.DataFrame | None = None) -> None:
        """Store one finished run: its series and cities first, then its row (the row marks it done)."""
        name = f"{int(row['run_id']):06d}.parquet"
        for folder, frame in ((self.series_parts, series), (self.city_parts, cities)):
            if frame is not None:
                folder.mkdir(parents=True, exist_ok=True)
                _atomic(folder / name, lambda tmp: frame.to_parquet(tmp, index=False))
        self.run_parts.mkdir(parents=True, exist_ok=True)
        _atomic(self.run_parts / name, lambda tmp: pq.write_table(pa.Table.from_pylist([row]), tmp))

    def rows(self) -> pd.DataFrame:
        """Every stored run row (consolidated table and part files; a part replaces its row)."""
        records = {}
        if self.runs_file.exists():
            table = pd.read_parquet(self.runs_file)
            if self.log_file.exists():
                table = table.merge(pd.read_parquet(self.log_file), on="run_id", how="left")
            records = {int(r["run_id"]): r for r in table.to_dict("records")}
        for part in sorted(self.run_parts.glob("*.parquet")) if self.run_parts.is_dir() else ():
            record = pq.read_table(part).to_pylist()[0]
            records[int(record["run_id"])] = record
        return pd.DataFrame([records[k] for k in sorted(records)])

    def statuses(self) -> dict[int, str]:
        """``run_id -> status`` of every stored run."""
        rows = self.rows()
        return dict(zip(rows["run_id"].astype(int), rows["status"])) if len(rows) else {}

    def consolidate(self, columns: list[str], series: bool, cities: bool = False) -> pd.DataFrame:
        """Write ``runs.parquet`` (sorted by run id, in ``columns`` order), ``runlog.parquet``,
        ``series.parquet`` and ``cities.parquet``; returns the run table."""
        rows = self.rows()
        if not len(rows):
            return rows
        table = rows.reindex(columns=columns)
        table["error"] = table["error"].astype("str")
        log = rows.reindex(columns=["run_id", *LOG_COLUMNS])
        if series:
            frame = self._series()
            _atomic(self.series_file, lambda tmp: frame.to_parquet(tmp, index=False))
        if cities:
            ok = set(rows.loc[rows["status"] == "ok", "run_id"].astype(int))
            by_city = self._cities(ok)
            if len(by_city):
                _atomic(self.cities_file, lambda tmp: by_city.to_parquet(tmp, index=False))
        _atomic(self.log_file, lambda tmp: log.to_parquet(tmp, index=False))
        _atomic(self.runs_file, lambda tmp: table.to_parquet(tmp, index=False))
        return table

    def _series(self) -> pd.DataFrame:
        parts = sorted(self.series_parts.glob("*.parquet")) if self.series_parts.is_dir() else []
        fresh = pa.concat_tables([pq.read_table(p) for p in parts]).to_pandas() if parts else None
        frames = [fresh] if fresh is not None else []
        if self.series_file.exists():
            old = pd.read_parquet(self.series_file)
            frames.insert(0, old[~old["run_id"].isin(set(fresh["run_id"]) if fresh is not None else set())])
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True).sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)

    def _cities(self, ok: set[int]) -> pd.DataFrame:
        """Every stored run's city rows (consolidated table and part files; a part replaces its
        run's rows), of the runs in ``ok`` only, sorted by run id."""
        parts = sorted(self.city_parts.glob("*.parquet")) if self.city_parts.is_dir() else []
        frames = [pd.read_parquet(p) for p in parts if int(p.stem) in ok]
        if self.cities_file.exists():
            old = pd.read_parquet(self.cities_file)
            replaced = {int(p.stem) for p in parts}
            frames.insert(0, old[old["run_id"].isin(ok - replaced)])
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True).sort_values("run_id", kind="stable").reset_index(drop=True)

    def remove_parts(self) -> None:
        """Drop the per-run files once their content is in the consolidated tables."""
        shutil.rmtree(self.run_parts, ignore_errors=True)
        shutil.rmtree(self.series_parts, ignore_errors=True)
        shutil.rmtree(self.city_parts, ignore_errors=True)

    def remove_stale_temporaries(self) -> None:
        """Temporary files of a killed writer (never read: only whole files are)."""
        for folder in (self.out, self.run_parts, self.series_parts, self.city_parts):
            if folder.is_dir():
                for tmp in folder.glob(".*.tmp-*"):
                    tmp.unlink(missing_ok=True)


def _atomic(path: Path, write) -> None:
    """Write through ``write(tmp_path)`` to a temporary name, flush to disk, then move into place."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
