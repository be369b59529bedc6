"""How much work a run or a sweep is, before anything starts: person-days, memory, time.

The work of one run is its world's population times the days simulated; a scenario's
is that times its replicates and arms, a sweep's the sum over its points. Memory and
time are estimates from measurements on a 2-core machine (the figures are beside each
constant), good to a factor of about two: enough to say "about 3 minutes" before a long
run, and for the dashboard to refuse what would take the machine's memory or hours of
its cores (:func:`over_budget`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.formats.experiment import Study
    from sim.formats.scenario import Scenario

PERSON_BYTES = 6_500
"""Peak memory per person of a world being built and run: the slope of a straight line
through measured peaks of one process (the baseline, 30 days): 100,000 people 0.69 GB,
200,000 1.30 GB, 300,000 1.96 GB, 600,000 4.07 GB, 1,000,000 7.2 GB. The line is
within 10% of each (``make bench`` checks three of them)."""
BASE_BYTES = 100_000_000
"""The line's intercept (not the interpreter's own 0.29 GB: small worlds, under 50,000
people, peak at 0.29-0.41 GB, which never matters for refusing one)."""
BUILD_SECONDS_PER_PERSON = 45e-6
"""World building: 100,000 people about 5.5 s, 20,000 about 0.7 s."""
SECONDS_PER_MEMBER_DAY = 0.6e-6
"""Simulating: a group of up to 500 members about 0.3 ms a day."""
SECONDS_PER_RUN = 0.02
"""Fixed cost of a run (its tables)."""
DEFAULT_MAX_WORK = 1e9
"""Person-days a dashboard run may ask for unless the operator says otherwise (ten
100,000-person towns for a year is 3.7e8; the levers' maxima ask for 1.8e15)."""


def default_workers() -> int:
    """All cores the process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Work:
    """What a run or a sweep asks of the machine."""

    runs: int
    person_days: float
    largest_population: int
    seconds_one_process: float

    def peak_bytes(self, workers: int) -> float:
        """Peak memory with ``workers`` processes each building the largest world."""
        return BASE_BYTES + min(workers, max(self.runs, 1)) * self.largest_population * (
            PERSON_BYTES)

    def seconds(self, workers: int) -> float:
        """Expected wall time with ``workers`` processes."""
        return self.seconds_one_process / min(workers, max(self.runs, 1))

    def describe(self, workers: int) -> str:
        """One line: runs, person-days, expected time and peak memory."""
        return (f"{self.runs:,} run{'s' if self.runs != 1 else ''}, "
                f"{self.person_days:.3g} person-days: about "
                f"{duration(self.seconds(workers))} on {workers} process"
                f"{'es' if workers != 1 else ''}, peak memory about "
                f"{self.peak_bytes(workers) / 1e9:.1f} GB")


def _run_seconds(scenario: Scenario) -> float:
    population = scenario.population.size
    members = min(scenario.group.capacity, population)
    return (SECONDS_PER_RUN + BUILD_SECONDS_PER_PERSON * population
            + SECONDS_PER_MEMBER_DAY * members * scenario.horizon)


def scenario_work(scenario: Scenario) -> Work:
    """The work of running ``scenario``: every arm and replicate."""
    runs = scenario.replicates * len(scenario.arm_names())
    return Work(runs, float(scenario.population.size) * scenario.horizon * runs,
                scenario.population.size, runs * _run_seconds(scenario))


def study_work(study: Study) -> Work:
    """The work of a sweep: every point and replicate (none done yet)."""
    replicates = study.experiment.replicates
    scenarios = [study.scenario(point) for point in study.points]
    return Work(len(scenarios) * replicates,
                sum(float(s.population.size) * s.horizon for s in scenarios) * replicates,
                max((s.population.size for s in scenarios), default=0),
                replicates * sum(_run_seconds(s) for s in scenarios))


def duration(seconds: float) -> str:
    """A time as people say it: ``40 seconds``, ``3 minutes``, ``2.5 hours``."""
    if seconds < 90:
        whole = max(1, math.ceil(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} minutes"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:.1f} days"


def over_budget(work: Work, workers: int, max_work: float, memory_bytes: float) -> str | None:
    """Why ``work`` may not run (``None`` when it may).

    Refused when it asks for more than ``max_work`` person-days, or when its peak
    memory would pass half of ``memory_bytes`` (the machine's memory: the other half is
    the system's and the other users').
    """
    if work.person_days > max_work:
        return (f"this asks for {work.person_days:.3g} person-days (population x days x "
                f"replicates x arms), more than this dashboard's budget of {max_work:.3g}; "
                "lower the population, days or replicates")
    if work.peak_bytes(workers) > memory_bytes / 2:
        return (f"a world of {work.largest_population:,} people would need about "
                f"{work.peak_bytes(workers) / 1e9:.1f} GB, more than half of this machine's "
                f"{memory_bytes / 1e9:.1f} GB; lower the population")
    return None
