"""What every Optuna study of commsim shares: the model's digest and resuming a study.

The calibration (:mod:`sim.validation.calibrate`) and the optimization
(:mod:`sim.optimize.search`) keep their trials in SQLite so that an interrupted study
resumes; a study belongs to one version of the model, which :func:`model_digest`
names.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

DATABASE = "study.db"
"""The study's SQLite file in its folder."""


def model_digest() -> str:
    """Short hash of the model's source (the engine and the agents).

    Trials scored under one version of the model say nothing about another, so a
    study belongs to one version: changing the engine starts a new study.
    """
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    sources = [*(root / "sim" / "engine").rglob("*.py"), *(root / "agents").rglob("*.py")]
    for path in sorted(sources):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def storage_url(out: Path) -> str:
    """The SQLite address of the study kept in the folder ``out``."""
    return f"sqlite:///{(out / DATABASE).resolve()}"


def open_storage(out: Path):
    """The Optuna storage of the study kept in the folder ``out`` (SQLite, made quick).

    SQLite syncs every commit to disk by default, and Optuna commits each value of
    each trial: on a busy disk that was 9 ms a commit, more than the runs of a small
    trial took. In write-ahead-log mode with ``synchronous=NORMAL`` a commit waits for
    no disk sync (the log is synced at checkpoints); a crash of the machine may lose
    the last trials, never damage the file, and a lost trial is only run again.
    """
    import optuna
    from sqlalchemy import event

    storage = optuna.storages.RDBStorage(storage_url(out))

    def quick(connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    event.listen(storage.engine, "connect", quick)
    storage.engine.dispose()  # connections opened before the listener: closed
    return storage


def finished_trials(storage, name: str) -> int:
    """Trials of the study ``name`` already in ``storage`` (0 when it does not exist).

    ``storage`` is an address or an Optuna storage.
    """
    import optuna

    try:
        old = optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        return 0
    return len(old.get_trials(deepcopy=False))
