"""Running scenarios: replicates and arms, serially or on a process pool.

Each run is a pure function of (scenario, arm, replicate): the same inputs give the
same tables whatever the number of workers, and results are assembled in a fixed
order (arms in file order, then replicates).
"""

from __future__ import annotations

import gc
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import forkserver, get_context, resource_tracker
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine.metrics import RunTables, run_tables
from sim.engine.model import CommunityModel
from sim.engine.seeding import replicate_seeds, run_streams
from sim.engine.world import build_world
from sim.formats.scenario import Scenario, load_scenario
from sim.running import interrupt


@dataclass(frozen=True)
class RunSpec:
    """One run to do: which arm, which replicate, which seed."""

    arm: str
    replicate: int
    seed: int
    run_id: str


@dataclass
class RunResult:
    """Tidy results of a scenario: one row per run and day, per run, per member and run."""

    scenario: Scenario
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    members: pd.DataFrame


def plan_runs(scenario: Scenario) -> list[RunSpec]:
    """Every run of a scenario; arms share replicate seeds (common random numbers)."""
    digest = scenario.digest()
    seeds = replicate_seeds(scenario.seed, scenario.replicates)
    return [RunSpec(arm, r, seeds[r], f"{digest}-{arm}-{r}")
            for arm in scenario.arm_names() for r, _ in enumerate(seeds)]


def simulate(scenario: Scenario, spec: RunSpec,
             on_phase: Callable[[str], None] | None = None) -> RunTables:
    """Run one arm and replicate to the end and return its tables.

    ``on_phase`` hears of each phase as it starts: building the world (most of a run
    of a large population: about a minute for a million people), founding the group,
    the days. A command shows it while nothing else moves on screen.
    """
    say = on_phase or _unheard
    say(f"building the world of {scenario.population.size:,} people")
    world_seed, _ = run_streams(spec.seed)
    world = build_world(scenario.population, world_seed, scenario.base_dir)
    say(f"founding the group (arm {spec.arm}, replicate {spec.replicate})")
    model = CommunityModel(scenario, arm=spec.arm, seed=spec.seed, world=world)
    say(f"simulating {model.days} days (arm {spec.arm}, replicate {spec.replicate})")
    model.run_model()
    return run_tables(model, spec.run_id, spec.replicate)


def _unheard(_text: str) -> None:
    """Where phases go when nobody listens."""


@contextmanager
def collected_between_runs() -> Iterator[Callable[[], None]]:
    """Collect a run's garbage when it ends, not while it runs; yields ``after_run``.

    A run makes thousands of agents that point at their model and back, so it is
    freed by Python's cyclic collector, whose automatic full passes also walk every
    object the imports made (numpy, pandas, numba, Mesa): a fifth to a third of a
    short run's time went there. Inside this block the automatic collector is off;
    calling ``after_run()`` once a run is finished collects the youngest generation,
    which holds exactly what was made since the last call (a run makes no cyclic
    garbage while it runs, so memory does not grow). The collector's state is
    restored on leaving.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield lambda: gc.collect(0)
    finally:
        if enabled:
            gc.enable()


def worker_started() -> None:
    """Pool initializer: the imports are done and the process only runs runs.

    Freezes what exists now out of garbage collection (``gc.freeze``), so the
    collector's passes walk only the runs' own objects (see
    :func:`collected_between_runs` for why that matters), and lets Ctrl-C through
    again (the fork server it comes from holds it back: :func:`start_fork_server`).
    A Ctrl-C ends the worker at once and silently: the process that started the pool
    gets it too and says what happened (a worker waiting for its next task would
    otherwise print a ``KeyboardInterrupt`` traceback).
    """
    gc.freeze()
    signal.signal(signal.SIGINT, _end_quietly)
    interrupt.accept()


def _end_quietly(_signum, _frame) -> None:
    os._exit(interrupt.EXIT_STATUS)


def _simulate_numbered(task: tuple[int, Scenario, RunSpec]) -> tuple[int, RunTables]:
    number, scenario, spec = task
    return number, simulate(scenario, spec)


def shared_work(submit: Callable[[Any], Future], tasks: list, window: int,
                run_here: Callable[[Any], Any]) -> Iterator[Any]:
    """Results of ``tasks``, done by a process pool and, while it starts, by this process.

    Keeps ``window`` tasks submitted to the pool (``submit``) and yields results as
    they finish, in no fixed order. Until the pool's first result arrives (its server
    still importing, its workers starting: one to two seconds here), this process
    works through the far end of the queue itself (``run_here``, collecting each
    run's garbage as it ends), so the start-up of a pool costs less than a second of
    idle cores.
    """
    pending = deque(tasks)
    first = [pending.popleft() for _ in range(min(window, len(pending)))]
    # submitting waits for the pool's server to finish importing: a helper thread
    # does it, and this process runs tasks until a worker has delivered
    with ThreadPoolExecutor(1) as helper:
        started = helper.submit(lambda: [submit(task) for task in first])

        def pool_delivered() -> bool:
            return started.done() and any(f.done() for f in started.result())

        with collected_between_runs() as after_run:
            while pending and not pool_delivered():
                result = run_here(pending.pop())
                after_run()
                yield result
        running = set(started.result())
    yield from _windowed(submit, pending, running, window)


def _windowed(submit: Callable[[Any], Future], pending: deque, running: set[Future],
              window: int) -> Iterator[Any]:
    """Results of the ``running`` futures and of ``pending`` tasks, ``window`` in the pool."""
    while pending or running:
        while pending and len(running) < window:
            running.add(submit(pending.popleft()))
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            running.discard(future)
            yield future.result()


MAX_WORKER_DEATHS = 3
"""Times one run may kill its worker process before the command stops."""


class RunKillsItsWorker(RuntimeError):
    """One run killed its worker process :data:`MAX_WORKER_DEATHS` times; ``run`` names it."""

    def __init__(self, run: str) -> None:
        super().__init__(f"{run} killed its worker process {MAX_WORKER_DEATHS} times "
                         "(out of memory?)")
        self.run = run


def _indexed(call: Callable[[Any], Any], index: int, task: Any) -> tuple[int, Any]:
    return index, call(task)


def surviving_work(open_pool: Callable[[], ProcessPoolExecutor], call: Callable[[Any], Any],
                   tasks: list, window: int, describe: Callable[[Any], str],
                   on_note: Callable[[str], None] | None = None) -> Iterator[Any]:
    """Results of ``call(task)`` for every task, by pools that outlive their workers' deaths.

    The first pool works as :func:`shared_work` does (this process helps while it
    starts). When a worker dies -- killed by a signal, or by the out-of-memory
    killer -- the pool breaks; a new one is opened and the runs that were in the broken
    one are run again, first each alone, so that a run that kills its worker is found,
    then the rest as before. ``on_note`` gets one line each time. A run that kills its
    worker :data:`MAX_WORKER_DEATHS` times stops everything (:class:`RunKillsItsWorker`,
    named by ``describe``). Each run depends on its own seed only, so the results are
    the same as without a death. ``call`` must be a module-level function (pickled).
    """
    left = set(range(len(tasks)))
    deaths: dict[int, int] = {}
    alone: list[int] = []
    in_flight: set[int] = set()
    first = True
    while left:
        in_flight.clear()
        try:
            with open_pool() as pool:
                def submit(index: int, pool=pool) -> Future:
                    in_flight.add(index)
                    return pool.submit(_indexed, call, index, tasks[index])

                if first:
                    first = False
                    stream = shared_work(submit, sorted(left), window,
                                         lambda index: _indexed(call, index, tasks[index]))
                else:
                    stream = _alone_first(submit, alone, sorted(left - set(alone)), window)
                for index, result in stream:
                    in_flight.discard(index)
                    left.discard(index)
                    yield result
        except BrokenProcessPool:
            suspects = sorted(in_flight & left)
            for index in suspects:
                deaths[index] = deaths.get(index, 0) + 1
                if deaths[index] >= MAX_WORKER_DEATHS:
                    raise RunKillsItsWorker(describe(tasks[index])) from None
            alone = suspects + [i for i in alone if i in left and i not in suspects]
            if on_note:
                on_note(f"a worker process died (killed, or out of memory?); its "
                        f"{len(suspects)} run{'s' if len(suspects) != 1 else ''} "
                        "are run again in a new one")


def _alone_first(submit: Callable[[int], Future], alone: list[int], rest: list[int],
                 window: int) -> Iterator[Any]:
    """Results of the runs ``alone``, one at a time, then of ``rest``, ``window`` at a time."""
    for index in alone:
        yield submit(index).result()
    yield from _windowed(submit, deque(rest), set(), window)


def start_fork_server(preload: list[str]) -> BaseContext:
    """Start (if needed) the fork server a pool's workers come from; its context.

    The server imports ``preload`` (the engine, with its compiled kernels) once; it
    starts loading in the background while the caller goes on. It never takes Ctrl-C
    (:func:`sim.running.interrupt.held_back`; Python's fork server ignores it only once it has
    loaded): the caller handles it, and the server exits when the caller does. Its
    workers take Ctrl-C again (:func:`worker_started`).
    """
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(preload)
    # the fork server starts Python's resource tracker first, which unblocks Ctrl-C
    # whatever it was before: started here, it is already running inside the block
    resource_tracker.ensure_running()
    with interrupt.held_back():
        forkserver.ensure_running()
    return ctx


def run_all(scenario: Scenario, specs: list[RunSpec], workers: int = 1,
            on_done: Callable[[int], None] | None = None,
            on_note: Callable[[str], None] | None = None,
            on_phase: Callable[[str], None] | None = None) -> list[RunTables]:
    """Run ``specs`` (in a pool when ``workers > 1``); results in the order of ``specs``.

    A pool's workers start from a fork server that has imported the engine and loaded
    its compiled kernels; while it starts, this process runs the last of the runs
    itself (:func:`shared_work`). The phases of runs made in this process go to
    ``on_phase`` (:func:`simulate`).
    """
    if workers <= 1 or len(specs) <= 1:
        out = []
        with collected_between_runs() as after_run:
            for spec in specs:
                out.append(simulate(scenario, spec, on_phase))
                after_run()
                if on_done:
                    on_done(1)
        return out
    ctx = start_fork_server(["sim.running.runner", "sim.running.prewarm"])
    tasks = [(number, scenario, spec) for number, spec in enumerate(specs)]
    done: dict[int, RunTables] = {}
    def open_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=min(workers, len(specs)), mp_context=ctx,
                                   initializer=worker_started)

    for number, tables in surviving_work(open_pool, _simulate_numbered, tasks, workers * 2,
                                         _describe_run, on_note):
        done[number] = tables
        if on_done:
            on_done(1)
    return [done[number] for number in range(len(specs))]


def _describe_run(task: tuple[int, Scenario, RunSpec]) -> str:
    _, _, spec = task
    return f"the run of arm {spec.arm}, replicate {spec.replicate}"


def combine(scenario: Scenario, tables: list[RunTables]) -> RunResult:
    """Concatenate per-run tables into one result."""
    return RunResult(
        scenario=scenario,
        timeseries=pd.concat([t.timeseries for t in tables], ignore_index=True),
        summary=pd.concat([t.summary for t in tables], ignore_index=True),
        members=pd.concat([t.members for t in tables], ignore_index=True),
    )


def run(scenario: Scenario | str | Path, *, replicates: int | None = None, days: int | None = None,
        seed: int | None = None, workers: int = 1,
        on_done: Callable[[int], None] | None = None,
        on_note: Callable[[str], None] | None = None,
        on_phase: Callable[[str], None] | None = None) -> RunResult:
    """Run every arm and replicate of ``scenario`` and return tidy DataFrames.

    Parameters
    ----------
    scenario
        A validated scenario (see :func:`sim.load_scenario`), or the path of a
        scenario file to load.
    replicates, days, seed
        Override the scenario's values.
    workers
        Processes to use; results are identical for any value.
    on_done
        Called with 1 after each finished run (progress bars).
    on_note
        Called with one line when a worker process died and its runs were run again
        (:func:`surviving_work`).
    on_phase
        Called with a few words as each phase of a run made in this process starts
        (building the world, founding the group, the days; :func:`simulate`).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    changes = {}
    if replicates is not None:
        changes["replicates"] = replicates
    if days is not None:
        changes.update(days=days, weeks=None)
    if seed is not None:
        changes["seed"] = seed
    if changes:
        provenance = scenario.provenance
        scenario = scenario.with_changes(**changes)
        scenario = scenario.model_copy(update={"provenance": provenance})
    specs = plan_runs(scenario)
    return combine(scenario, run_all(scenario, specs, workers, on_done, on_note, on_phase))
