"""Sweeps: run every point and replicate of an experiment, streaming results to disk.

Each run is a pure function of (point, replicate seed), so the results are the same
whatever runs them: one process, a local pool, or a Dask cluster. Finished runs are
written in small Parquet parts as they arrive (each part written atomically), so a
crash, a killed worker or Ctrl-C loses nothing that finished, and running the same
command again skips what is done. At the end the parts are gathered into
``runs.parquet``, sorted by point and replicate, with duplicates dropped.

Inside a worker, worlds (population and graph) are cached by population settings and
seed: points that vary only strategies or dynamics reuse the same people, which is
both faster and the common-random-numbers design.
"""

from __future__ import annotations

import json
import logging
import os
import time
import warnings
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.engine.metrics import run_tables
from sim.engine.model import CommunityModel
from sim.engine.seeding import replicate_seeds, run_streams
from sim.engine.world import World, build_world
from sim.formats import plainyaml
from sim.formats.experiment import Study
from sim.formats.scenario import Scenario
from sim.running.budget import BUILD_SECONDS_PER_PERSON, duration
from sim.running.output import REPORT_FILE, earlier_run, package_versions, write_atomic
from sim.running.runner import (
    collected_between_runs,
    start_fork_server,
    surviving_work,
    worker_started,
)

PARTS = "parts"
DAMAGED = ".damaged"
"""Suffix of a part that could not be read, set aside on resume."""
TIMESERIES = "timeseries"
RUNS_FILE = "runs.parquet"
"""The finished sweep's table: one row per run (written when every run is done)."""
EXPERIMENT_FILE = "experiment.resolved.yaml"
"""The experiment a folder holds, with its digest and where the experiment file was."""
SENSITIVITY_FILE = "sensitivity.parquet"
FLUSH_EVERY = 64
"""Finished runs buffered before a part is written (also flushed every few seconds)."""
FLUSH_SECONDS = 5.0
WORLD_CACHE = 8
"""Worlds kept per worker process."""
SAY_WORLDS_ABOVE = 5.0
"""Seconds a shared world is expected to take to build above which the sweep says so."""


@dataclass(frozen=True)
class Task:
    """One run of a sweep."""

    run_id: str
    point_id: int
    replicate: int
    seed: int
    scenario: dict[str, Any]
    keep_timeseries: bool = False


def plan_tasks(study: Study) -> list[Task]:
    """Every run of the experiment, in point then replicate order."""
    seeds = replicate_seeds(study.experiment.seed, study.experiment.replicates)
    tasks = []
    for point_id, point in enumerate(study.points):
        data = study.scenario_data(point)
        for replicate, seed in enumerate(seeds):
            tasks.append(Task(run_id=f"p{point_id:06d}-r{replicate:04d}", point_id=point_id,
                              replicate=replicate, seed=seed, scenario=data,
                              keep_timeseries=study.experiment.timeseries))
    return tasks


# ------------------------------------------------------------------ a worker


_worlds: OrderedDict[tuple, World] = OrderedDict()


def _world_key(scenario: Scenario, seed: int) -> tuple:
    """Cache key of a run's world: population settings, where files resolve, world seed."""
    world_seed, _ = run_streams(seed)
    return scenario.population.model_dump_json(), str(scenario.base_dir), world_seed


def _world_for(scenario: Scenario, seed: int) -> World:
    key = _world_key(scenario, seed)
    world_seed = key[-1]
    world = _worlds.get(key)
    if world is None:
        world = build_world(scenario.population, world_seed, scenario.base_dir)
        _worlds[key] = world
        while len(_worlds) > WORLD_CACHE:
            _worlds.popitem(last=False)
    else:
        _worlds.move_to_end(key)
    return world


def _task_scenario(task: Task, base_dir: str | None) -> Scenario:
    provenance = {"source_dir": base_dir} if base_dir else None
    return Scenario.model_validate(task.scenario).model_copy(update={"provenance": provenance})


def shared_worlds(tasks: list[Task], base_dir: str | None,
                  on_note: Callable[[str], None] | None = None) -> dict[tuple, World]:
    """The worlds of ``tasks``, built once, when they are few enough to share.

    A sweep that varies strategies or dynamics uses one world per replicate seed
    for all its points. Built here, in the process that starts the pool, while the
    pool's server is importing, they reach every worker ready-made (instead of each
    worker building each one). A sweep over population settings has a world per
    point and replicate: those are left to the workers (empty result).
    """
    groups: dict[tuple, Task] = {}
    for task in tasks:
        population = json.dumps(task.scenario.get("population"), sort_keys=True, default=str)
        groups.setdefault((population, task.seed), task)
        if len(groups) > WORLD_CACHE:
            return {}
    worlds = {}
    for number, task in enumerate(groups.values(), start=1):
        scenario = _task_scenario(task, base_dir)
        key = _world_key(scenario, task.seed)
        seconds = BUILD_SECONDS_PER_PERSON * scenario.population.size
        if on_note is not None and seconds >= SAY_WORLDS_ABOVE:  # a wait worth a word
            on_note(f"building shared world {number} of {len(groups)} "
                    f"({scenario.population.size:,} people, about {duration(seconds)})")
        worlds[key] = build_world(scenario.population, key[-1], scenario.base_dir)
    return worlds


def _sweep_worker_started(worlds: dict[tuple, World]) -> None:
    """Pool initializer: the shared worlds go into this worker's cache."""
    worker_started()
    _worlds.update(worlds)


def run_task(task: Task, base_dir: str | None = None) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Run one task; returns its summary row and, if asked, its daily table."""
    scenario = _task_scenario(task, base_dir)
    model = CommunityModel(scenario, seed=task.seed, world=_world_for(scenario, task.seed))
    model.run_model()
    tables = run_tables(model, task.run_id, task.replicate)
    row = tables.summary.iloc[0].to_dict()
    row["point_id"] = task.point_id
    series = None
    if task.keep_timeseries:
        series = tables.timeseries
        series.insert(1, "point_id", task.point_id)
    return row, series


# --------------------------------------------------------------- executors


def _local(tasks: list[Task], base_dir: str | None, workers: int,
           on_note: Callable[[str], None] | None = None) -> Iterator[tuple]:
    if workers <= 1:
        yield from _in_process(tasks, base_dir)
        return
    # the server imports in the background ...
    ctx = start_fork_server(["sim.running.sweeps", "sim.running.prewarm"])
    worlds = shared_worlds(tasks, base_dir, on_note)  # ... while this builds the worlds
    _worlds.update(worlds)

    def open_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                   initializer=_sweep_worker_started, initargs=(worlds,))

    yield from surviving_work(open_pool, partial(run_task, base_dir=base_dir), tasks,
                              workers * 4, _describe_task, on_note)


def _describe_task(task: Task) -> str:
    return f"the run of point {task.point_id}, replicate {task.replicate}"


def _in_process(tasks: list[Task], base_dir: str | None) -> Iterator[tuple]:
    """Run ``tasks`` here, in order.

    The garbage of each run is collected when it ends (see
    :func:`sim.running.runner.collected_between_runs`).
    """
    with collected_between_runs() as after_run:
        for task in tasks:
            result = run_task(task, base_dir)
            after_run()
            yield result


SCHEDULER_TIMEOUT = "15s"
"""How long a sweep tries to reach a Dask scheduler before giving up with a message."""
SCHEDULER_SILENCE = 25.0
"""Seconds after which an address that took the connection but never answered as a
scheduler (some other server) is given up (Dask's own timeout does not cover it)."""


class SchedulerLost(RuntimeError):
    """The Dask scheduler went away in the middle of a sweep (the finished runs are saved)."""


def _connect(client_class, address: str):
    """A Dask client of the scheduler at ``address``, or a ValueError saying why not."""
    import threading

    outcome: dict[str, Any] = {}

    def attempt() -> None:
        try:
            outcome["client"] = client_class(address, timeout=SCHEDULER_TIMEOUT)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=attempt, name="commsim-dask-connect", daemon=True)
    worker.start()
    worker.join(SCHEDULER_SILENCE)
    if worker.is_alive():
        raise ValueError(f"the server at {address} took the connection but did not answer "
                         "as a Dask scheduler; is the address right?")
    error = outcome.get("error")
    if error is not None:
        raise ValueError(f"cannot reach the Dask scheduler at {address} "
                         f"({type(error).__name__}: {error}); is it running, and is the "
                         "address tcp://host:port?") from None
    return outcome["client"]


def _dask(tasks: list[Task], base_dir: str | None, address: str, workers: int) -> Iterator[tuple]:
    with dask_client(address, workers) as (client, where):
        yield from dask_results(client, where, tasks, base_dir, workers)


@contextmanager
def dask_client(address: str, workers: int) -> Iterator[tuple[Any, str]]:
    """A Dask client of the scheduler at ``address`` (``local``: a cluster started here).

    Yields the client and a few words naming where it runs; its workers start warm
    (:class:`sim.running.dask_workers.WarmWorker`). The client (and a local cluster)
    is closed on leaving.
    """
    from distributed import Client, LocalCluster

    cluster = None
    if address == "local":
        # a Ctrl-C stops the workers with the sweep; their nannies need not say so, nor
        # need the scheduler that the results it was sending back went with them
        # ("Couldn't gather keys"): a failing run reaches the user as its own error
        logging.getLogger("distributed.nanny").setLevel(logging.ERROR)
        logging.getLogger("distributed.scheduler").setLevel(logging.CRITICAL)
        with warnings.catch_warnings():
            # its scheduler's status server takes another port when 8787 is in use (another
            # cluster on this machine): nothing a user need be told
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    else:
        client = _connect(Client, address)
    # a lost scheduler reaches the user as one line (SchedulerLost), not as the client's
    # logged tracebacks of its attempts to reconnect
    logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
    where = "the local Dask cluster" if cluster is not None else (
        f"the Dask scheduler at {address}")
    try:
        from sim.running.dask_workers import WarmWorker

        try:
            client.register_plugin(WarmWorker(own_cluster=cluster is not None))
        except (OSError, TimeoutError, CancelledError) as exc:  # gone while we set up
            raise SchedulerLost(f"lost {where} mid-sweep ({type(exc).__name__})") from None
        yield client, where
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def dask_results(client, where: str, tasks: list[Task], base_dir: str | None,
                 workers: int) -> Iterator[tuple]:
    """Results of ``tasks`` run on the workers of ``client``, as they finish."""
    from distributed import as_completed
    from distributed.comm.core import CommClosedError

    try:
        workers_there = len(client.scheduler_info().get("workers", {}))
    except (OSError, TimeoutError, CancelledError) as exc:  # gone while we set up
        raise SchedulerLost(f"lost {where} mid-sweep ({type(exc).__name__})") from None
    window = max(4, 4 * max(1, workers_there or workers))
    pending: deque[Task] = deque(tasks)
    running = as_completed()
    for _ in range(min(window, len(pending))):
        task = pending.popleft()
        running.add(client.submit(run_task, task, base_dir, key=f"commsim-{task.run_id}",
                                  pure=False, retries=3))
    try:
        for future in running:
            yield future.result()
            future.release()
            if pending:
                task = pending.popleft()
                running.add(client.submit(run_task, task, base_dir,
                                          key=f"commsim-{task.run_id}", pure=False,
                                          retries=3))
    # cancelled: the client lost its scheduler (a run's own error keeps its type)
    except (CancelledError, CommClosedError, TimeoutError) as exc:
        raise SchedulerLost(f"lost {where} mid-sweep ({type(exc).__name__})") from None


# ----------------------------------------------------------------- results


POINTS_FILE = "points.parquet"
SWEEP_FILES = (RUNS_FILE, POINTS_FILE, SENSITIVITY_FILE, REPORT_FILE, PARTS, TIMESERIES)
"""What a sweep writes into its folder (besides :data:`EXPERIMENT_FILE`)."""


def _check_nothing_to_overwrite(out: Path) -> None:
    """Refuse a folder that is not a sweep's but holds a run or files a sweep writes."""
    if not out.is_dir():
        return
    scenario = earlier_run(out)
    if scenario is not None:
        raise ValueError(f"{out} holds the results of a run (scenario '{scenario}'); "
                         "choose another folder for a sweep")
    taken = [name for name in SWEEP_FILES if (out / name).exists()]
    if taken:
        raise ValueError(f"{out} already holds {', '.join(taken)}, which a sweep would "
                         "overwrite; choose an empty or new folder")


def _check_same_versions(out: Path, recorded: dict) -> None:
    """Refuse to resume a sweep begun with other package versions."""
    now = package_versions()
    changed = [f"{name} {recorded[name]} (now {now.get(name, 'not installed')})"
               for name in sorted(recorded) if recorded[name] != now.get(name)]
    if changed:
        raise ValueError(f"{out} holds runs made with {', '.join(changed)}; resuming would mix "
                         "versions in one table: choose another --out folder")


class ResultsFolder:
    """The folder a sweep writes to: parts while running, tables at the end."""

    def __init__(self, out: Path, study: Study) -> None:
        self.out = out
        self.study = study
        self.parts = out / PARTS
        self._sequence = 0

    def prepare(self) -> None:
        """Create the folder or check that it holds this experiment's results.

        Refused: a path that is a file, a folder holding a run or files a sweep would
        overwrite, results of another experiment or base scenario, and results made
        with other package versions (resuming would mix them in one table).
        """
        marker = self.out / EXPERIMENT_FILE
        digest = self.study.digest()
        if self.out.exists() and not self.out.is_dir():
            raise ValueError(f"{self.out} exists and is not a folder; give a folder for the "
                             "results")
        if marker.is_file():
            provenance = (plainyaml.load(marker.read_text(encoding="utf-8")) or {}).get(
                "provenance", {})
            recorded = provenance.get("experiment_digest")
            if recorded != digest:
                raise ValueError(f"{self.out} holds results of a different experiment or "
                                 "base scenario "
                                 f"(digest {recorded}, this one {digest}); choose another "
                                 "--out folder")
            _check_same_versions(self.out, provenance.get("versions") or {})
        else:
            _check_nothing_to_overwrite(self.out)
        self.parts.mkdir(parents=True, exist_ok=True)
        if self.study.experiment.timeseries:
            (self.out / TIMESERIES).mkdir(exist_ok=True)
        data = self.study.experiment.model_dump(mode="json")
        data["provenance"] = {"experiment_digest": digest, "versions": package_versions(),
                              "points": len(self.study.points),
                              "experiment_dir": str(Path(self.study.source).resolve().parent)}
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        write_atomic(marker, lambda p: p.write_text(text, encoding="utf-8"))
        points = pd.DataFrame(self.study.points)
        points.insert(0, "point_id", np.arange(len(points)))
        write_atomic(self.out / POINTS_FILE,
                     lambda p: _frame_for_parquet(points).to_parquet(p, index=False))

    def done(self) -> set[str]:
        """Run ids already on disk.

        A part that cannot be read (truncated by an interrupted copy, a disk error) is
        set aside: renamed ``*.damaged`` with its daily table, so its runs are run again;
        :attr:`set_aside` names it.
        """
        ids: set[str] = set()
        self.set_aside: list[tuple[Path, str]] = []
        parts = sorted(self.parts.glob("runs-*.parquet"))
        for part in parts:
            try:
                ids.update(pd.read_parquet(part, columns=["run_id"])["run_id"])
            except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
                self._set_aside(part)
                self.set_aside.append((part, str(exc).split("\n")[0][:120]))
        self._sequence = len(parts)
        return ids

    def _set_aside(self, part: Path) -> None:
        for damaged in (part, self.out / TIMESERIES / part.name):
            if damaged.exists():
                damaged.rename(damaged.with_name(damaged.name + DAMAGED))

    def flush(self, rows: list[dict], series: list[pd.DataFrame]) -> None:
        """Write one part of finished runs (and their daily tables) atomically."""
        if not rows:
            return
        self._sequence += 1
        name = f"runs-{self._sequence:06d}-{os.getpid()}.parquet"
        frame = _frame_for_parquet(pd.DataFrame(rows))
        if series:
            daily = pd.concat(series, ignore_index=True)
            write_atomic(self.out / TIMESERIES / name,
                         lambda p: daily.to_parquet(p, index=False))
        write_atomic(self.parts / name, lambda p: frame.to_parquet(p, index=False))

    def gather(self) -> pd.DataFrame:
        """All finished runs, one row each, sorted by point and replicate."""
        parts = sorted(self.parts.glob("runs-*.parquet"))
        if not parts:
            return pd.DataFrame()
        frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
        frame = frame.drop_duplicates("run_id").sort_values(["point_id", "replicate"])
        return frame.reset_index(drop=True)


def saved_runs(out: Path) -> int:
    """How many runs a sweep folder holds in its parts (the readable ones)."""
    ids: set[str] = set()
    for part in (out / PARTS).glob("runs-*.parquet"):
        try:
            ids.update(pd.read_parquet(part, columns=["run_id"])["run_id"])
        except (OSError, ValueError):
            continue
    return len(ids)


def _frame_for_parquet(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns of mixed Python values become strings or numbers Parquet stores.

    A column is numeric when every value that is there is a number (an outcome such
    as ``dead_day`` is missing for the runs where it never happened).
    """
    for column in frame.columns:
        if frame[column].dtype == object:
            converted = pd.to_numeric(frame[column], errors="coerce")
            if (converted.notna() | frame[column].isna()).all():
                frame[column] = converted
            else:
                frame[column] = frame[column].astype(str)
    return frame


def runs_table(study: Study, gathered: pd.DataFrame) -> pd.DataFrame:
    """The runs table: ids, seed, every varied parameter as its own column, outcomes."""
    if gathered.empty:
        return gathered
    points = _frame_for_parquet(pd.DataFrame(study.points))
    points.insert(0, "point_id", np.arange(len(points)))
    factors = list(study.names)
    # a varied key that is also an outcome (days) appears once, as the varied key
    gathered = gathered.drop(columns=[c for c in factors if c in gathered.columns])
    table = gathered.merge(points, on="point_id", how="left")
    ids = ["run_id", "point_id", "replicate", "seed"]
    rest = [c for c in table.columns if c not in ids + factors + ["arm"]]
    return table[ids + factors + rest]


# ---------------------------------------------------------------- the sweep


def sweep(study: Study, out: Path | None = None, workers: int = 1, cluster: str | None = None,
          on_done: Callable[[int], None] | None = None, on_start: Callable[[int, int], None]
          | None = None, finish: Callable[[Path, Study, pd.DataFrame], None] | None = None,
          on_note: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Run an experiment and return its runs table (one row per run).

    Parameters
    ----------
    study
        A loaded experiment (:func:`sim.formats.experiment.load_experiment`).
    out
        Results folder (a path or a string). With a folder, finished runs are
        written as they come and a second call resumes; without one, results stay in
        memory.
    workers
        Local processes (ignored with ``cluster`` other than ``"local"``).
    cluster
        ``None`` for local processes, ``"local"`` for a Dask LocalCluster, or the
        address of a Dask scheduler (``tcp://host:8786``).
    on_done, on_start
        Progress callbacks: ``on_start(total, already_done)``, ``on_done(1)`` per run.
    finish
        Called as ``finish(out, study, table)`` once every run of a folder is done and
        ``runs.parquet`` is written: :func:`sim.analysis.sweep_report.finish_sweep`
        adds the sensitivity table and the report (as :func:`sim.sweep` and
        ``commsim sweep`` do). Running sits below analysis, so it does not call it itself.
    on_note
        Called with one line for what the user should know on resume (a damaged part
        set aside and its runs run again).
    """
    tasks = plan_tasks(study)
    base_dir = str(study.base.base_dir) if study.base.base_dir else None
    out = Path(out) if out is not None else None
    folder = ResultsFolder(out, study) if out is not None else None
    done: set[str] = set()
    if folder is not None:
        folder.prepare()
        done = folder.done()
        for part, why in folder.set_aside:
            if on_note:
                on_note(f"{part} could not be read ({why}); set aside as {part.name}{DAMAGED}, "
                        "its runs are run again")
    todo = [t for t in tasks if t.run_id not in done]
    if on_start:
        on_start(len(tasks), len(tasks) - len(todo))
    rows: list[dict] = []
    series: list[pd.DataFrame] = []
    kept: list[dict] = []
    last = time.monotonic()
    if cluster is not None:
        results = _dask(todo, base_dir, cluster, workers)
    else:
        results = _local(todo, base_dir, workers, on_note)
    try:
        for row, daily in results:
            rows.append(row)
            if daily is not None:
                series.append(daily)
            if on_done:
                on_done(1)
            if folder is not None and (len(rows) >= FLUSH_EVERY
                                       or time.monotonic() - last > FLUSH_SECONDS):
                folder.flush(rows, series)
                rows, series, last = [], [], time.monotonic()
            elif folder is None:
                kept.append(rows.pop())
    finally:
        if folder is not None:
            folder.flush(rows, series)
        close = getattr(results, "close", None)
        if close is not None:
            close()
    gathered = folder.gather() if folder is not None else (
        _frame_for_parquet(pd.DataFrame(kept)).sort_values(["point_id", "replicate"])
        .reset_index(drop=True) if kept else pd.DataFrame())
    table = runs_table(study, gathered)
    if folder is not None and len(table) == len(tasks):
        write_atomic(out / RUNS_FILE, lambda p: table.to_parquet(p, index=False))
        if finish is not None:
            finish(out, study, table)
    return table


# ------------------------------------------------------------ reading back


def folder_study(folder: Path) -> Study:
    """The experiment of a sweep folder, loaded again (to repeat one of its points).

    The base scenario is found relative to where the experiment file was when the
    sweep ran (recorded in the folder); folders written before that was recorded
    are tried against ``experiments/`` and the working folder.

    Raises
    ------
    ScenarioError
        When the folder holds no experiment or its base scenario cannot be found.
    """
    from sim.formats.experiment import parse_experiment
    from sim.formats.scenario import Problem, ScenarioError

    marker = folder / EXPERIMENT_FILE
    if not marker.is_file():
        raise ScenarioError([Problem(str(marker), None, "", "not a sweep folder: no "
                                     f"{EXPERIMENT_FILE}")])
    text = marker.read_text(encoding="utf-8")
    data = plainyaml.load(text) or {}
    recorded = (data.get("provenance") or {}).get("experiment_dir")
    places = [Path(recorded)] if recorded else [Path.cwd() / "experiments", Path.cwd()]
    base = next((p for p in places if (p / str(data.get("scenario", ""))).is_file()), places[0])
    data.pop("provenance", None)
    return parse_experiment(yaml.safe_dump(data, sort_keys=False), str(marker), base_dir=base)


def point_timeseries(folder: Path, point_id: int) -> pd.DataFrame | None:
    """Daily tables of one point's runs, if the sweep kept them (``timeseries: true``)."""
    daily = folder / TIMESERIES
    if not daily.is_dir() or not any(daily.glob("*.parquet")):
        return None
    frame = pd.read_parquet(daily, filters=[("point_id", "==", int(point_id))])
    return frame.sort_values(["replicate", "day"]).reset_index(drop=True)
