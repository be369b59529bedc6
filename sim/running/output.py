"""Run folders, written atomically.

Every file is first written under a temporary name in the same folder and then
renamed into place (``os.replace`` is atomic on one filesystem), and the folder's
files are all staged before the first one is moved in. A crash or Ctrl-C therefore
leaves either no file or a complete one, never a half-written file that looks done.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
import yaml

from sim.formats import plainyaml
from sim.running.runner import RunResult

RESULT_FILES = ("timeseries.parquet", "summary.parquet", "members.parquet",
                "scenario.resolved.yaml")
"""The data files of every run folder."""
REPORT_FILE = "report.html"
"""The HTML report, written with the data files when given (``write_run(report=...)``)."""
VERSIONED_PACKAGES = ("commsim", "mesa", "numpy", "numba", "scipy", "networkx", "pandas",
                      "pyarrow", "pydantic")


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages results depend on."""
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def resolved_yaml(result: RunResult) -> str:
    """The scenario with every default filled in, the seed and package versions."""
    data = result.scenario.resolved()
    data["provenance"] = {
        "scenario_digest": result.scenario.digest(),
        "replicate_seeds": [int(s) for s in result.summary.sort_values("replicate")
                            .drop_duplicates("replicate")["seed"]],
        "versions": package_versions(),
    }
    header = ("# Resolved by commsim: every key with the value used. Run it again with\n"
              "#   commsim run scenario.resolved.yaml\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def default_out_dir(name: str, root: Path = Path("runs")) -> Path:
    """``runs/<scenario-name>-<UTC time>`` (a new folder for every run)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "scenario"
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return root / f"{slug}-{stamp}"


class WriteFailed(OSError):
    """A file commsim writes could not be written: ``path`` and ``reason`` say which and why.

    Raised by every writer here (so by every place commsim writes) in place of the
    operating system's error; what was there before is left as it was, and no partial
    file is left behind. Commands turn it into one line (:mod:`sim.cli.common`).
    """

    def __init__(self, path: Path, cause: OSError) -> None:
        code = cause.errno or _errno_in(str(cause))
        reason = (os.strerror(code) if code else str(cause) or type(cause).__name__).lower()
        super().__init__(code, reason)
        self.path, self.reason = path, reason

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.reason}"


def _errno_in(text: str) -> int | None:
    """The error number in pyarrow's message (``... detail: [errno 28] no space ...``).

    pyarrow's own words ("error writing bytes to file") say less than the number does.
    """
    found = re.search(r"\[errno (\d+)\]", text, flags=re.IGNORECASE)
    return int(found.group(1)) if found else None


@contextmanager
def _writing(path: Path):
    """Turn an operating-system error while writing ``path`` into :class:`WriteFailed`."""
    try:
        yield
    except WriteFailed:
        raise
    except OSError as exc:
        raise WriteFailed(path, exc) from exc


def _write_staged(path: Path, write) -> Path:
    with _writing(path):
        handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".partial", delete=False)
        handle.close()
    staged = Path(handle.name)
    try:
        with _writing(path):
            write(staged)
            os.chmod(staged, 0o644)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def write_atomic(path: Path, write) -> None:
    """Write one file through ``write(tmp_path)`` and rename it into place."""
    with _writing(path.parent):
        path.parent.mkdir(parents=True, exist_ok=True)
    staged = _write_staged(path, write)
    try:
        with _writing(path):
            os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)


def write_run(result: RunResult, out: Path, report: str | None = None) -> Path:
    """Write a run folder: the three Parquet tables and the resolved scenario.

    Parameters
    ----------
    result
        What :func:`sim.run` returned.
    out
        The folder (created if missing).
    report
        The HTML of the run's report (:func:`sim.analysis.report.report_html`), to
        write as ``report.html``, moved in together with the data files: the folder
        gets every file or none.
    """
    report_text = report
    text = resolved_yaml(result)
    writers = {name: parquet_writer(frame) for name, frame in (
        ("timeseries.parquet", result.timeseries), ("summary.parquet", result.summary),
        ("members.parquet", result.members))}
    writers["scenario.resolved.yaml"] = text_writer(text)
    if report_text is not None:
        writers[REPORT_FILE] = text_writer(report_text)
    replacing = is_run_folder(out)
    write_together(out, writers)
    if report_text is None and replacing:  # the earlier run's report: other results
        (out / REPORT_FILE).unlink(missing_ok=True)
    return out


def write_together(out: Path, writers: dict[str, Callable[[Path], None]]) -> Path:
    """Write files into the folder ``out``, all or nothing.

    Each ``writers[name](tmp_path)`` writes one file to a staged path next to its
    final place; only when all are written are they renamed into place.
    """
    with _writing(out):
        out.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, write in writers.items():
            staged.append((_write_staged(out / name, write), out / name))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    with _writing(out):
        _move_all_or_nothing(staged)
    return out


def _move_all_or_nothing(staged: list[tuple[Path, Path]]) -> None:
    """Rename staged files into place; if one rename fails, undo the others.

    Files that were already there are set aside first and put back on failure, so
    the folder ends either with every new file or with what it had before.
    """
    moved: list[tuple[Path, Path | None]] = []
    try:
        for tmp, final in staged:
            backup = None
            if final.is_file():
                backup = final.with_name(f".{final.name}.previous")
                os.replace(final, backup)
            moved.append((final, backup))
            os.replace(tmp, final)
    except BaseException:
        for final, backup in reversed(moved):
            if backup is not None:
                os.replace(backup, final)
            elif final.is_file():
                final.unlink()
        raise
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    for _, backup in moved:
        if backup is not None:
            backup.unlink(missing_ok=True)


def parquet_writer(frame: pd.DataFrame):
    """A writer (for :func:`write_together`) of ``frame`` as Parquet."""
    def write(path: Path) -> None:
        frame.to_parquet(path, index=False)

    return write


def text_writer(text: str):
    """A writer (for :func:`write_together`) of ``text`` as UTF-8."""
    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a finished run (every data file of :data:`RESULT_FILES`)."""
    return all((folder / name).is_file() for name in RESULT_FILES)


def read_run(folder: str | Path) -> RunResult:
    """Load a run folder written by :func:`write_run` back into a :class:`RunResult`.

    Raises
    ------
    ScenarioError
        When the folder is not a run folder or its resolved scenario does not validate.
    """
    from sim.formats.scenario import Problem, ScenarioError, parse_scenario

    folder = Path(folder)
    if not is_run_folder(folder):
        missing = [name for name in RESULT_FILES if not (folder / name).is_file()]
        raise ScenarioError([Problem(str(folder), None, "", "not a run folder: missing "
                                     + ", ".join(missing))])
    resolved = folder / "scenario.resolved.yaml"
    scenario = parse_scenario(resolved.read_text(encoding="utf-8"), str(resolved),
                              base_dir=folder)
    tables = {name: pd.read_parquet(folder / f"{name}.parquet")
              for name in ("timeseries", "summary", "members")}
    return RunResult(scenario=scenario.model_copy(update={"provenance": None}), **tables)


def prepare_out_dir(folder: Path) -> Path | None:
    """Create the results folder ``folder`` (and its parents) before any work is done.

    Returns the outermost folder it created (None when ``folder`` existed), for
    :func:`remove_created` to take away again if the run stops before writing.

    Raises
    ------
    ScenarioError
        Naming ``--out`` and what is wrong: the path is a file, or the folder cannot be
        created or written to.
    """
    from sim.formats.scenario import Problem, ScenarioError

    def problem(message: str) -> ScenarioError:
        return ScenarioError([Problem(str(folder), None, "--out", message)])

    if folder.exists() and not folder.is_dir():
        raise problem("exists and is not a folder; give a folder for the results")
    folder = Path(os.path.normpath(folder))  # "a/b/../c" creates no "a/b"
    top = None
    for parent in (folder, *folder.parents):
        if parent.exists():
            break
        top = parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test.", delete=True)
        probe.close()
    except OSError as exc:
        remove_created(folder, top)
        reason = exc.strerror or type(exc).__name__
        raise problem(f"cannot write results there ({reason})") from None
    return top


def remove_created(folder: Path, top: Path | None) -> None:
    """Remove ``folder`` and its parents up to ``top`` where they are empty.

    ``top`` is what :func:`prepare_out_dir` returned: folders it made, nothing else.
    """
    if top is None:
        return
    folder = Path(os.path.normpath(folder))
    for path in (folder, *folder.parents):
        remove_if_empty(path)
        if path == top:
            break


def earlier_run(folder: Path) -> str | None:
    """Name of the scenario whose results are in ``folder``, or None if there are none."""
    resolved = folder / "scenario.resolved.yaml"
    if not resolved.is_file():
        return None
    try:
        data = plainyaml.load(resolved.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return "(unreadable)"
    return str(data.get("name", "")) if isinstance(data, dict) else "(unreadable)"


def remove_if_empty(path: Path) -> None:
    """Remove a folder we created if nothing was written into it."""
    if path.is_dir() and not any(path.iterdir()):
        shutil.rmtree(path, ignore_errors=True)
