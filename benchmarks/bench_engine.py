"""Speed and memory benchmark of the commsim engine (``make bench``).

Measures, on this machine, every figure DESIGN.md promises for the engine:

1. start-up: a fresh process imports ``sim`` and builds a 5,000-person world;
2. one group-year: a full 500-member group for 365 days (median of three seeds, each
   the best of three repeats);
3. a large community: 100,000 members in a population of 150,000 for 365 days, with
   build time, simulation time (best of two runs on the same world) and peak memory
   measured in a separate process, beside the idiomatic Mesa model on the same
   community (best of three 5-day runs);
4. the same 500-member group run by an idiomatic Mesa model of the core dynamics
   (``benchmarks/mesa_idiomatic.py``), and the engine's speed-up over it;
5. the speed-up for groups of 2,000, 5,000 and 20,000 members (for information).

Prints a table (target, measured figure, PASS/MISS) and writes the figures to
``benchmarks/results/latest.json``. Not part of the test suite: timings depend on
the machine, so they are reported, never asserted.

Run from the repository root: ``python benchmarks/bench_engine.py``. The script
re-invokes itself with ``--child large`` for the large community so its peak memory
is its own.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `make bench` runs this file by path, so the repo root is not on sys.path by itself.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
SEEDS = (1, 2, 3)
STARTUP_REPEATS = 3
DAYS = 365
GB = 1e9
ENGINE_LAST_DAY: list[float] = []
"""Members on the last day of each engine group-year (for the table's note)."""

SMALL_GROUP = """
name: bench group-year
days: {days}
population: {{size: 5000}}
group: {{capacity: 500, initial_members: 474}}
strategies: {{welcome: {{}}, content: {{}}}}
"""
"""A full WeChat group: 26 default founders + 474 members = 500 on day 0."""

ALL_STRATEGIES = """
name: bench group-year, every strategy on
days: {days}
population: {{size: 5000}}
group: {{capacity: 500, initial_members: 474}}
strategies:
  welcome: {{}}
  content: {{}}
  entry: {{kind: paid, fee: 9.9}}
  red_envelope: {{every: friday, greeting: true, luckiest_sends_next: true}}
  cleanup: {{}}
  rules: {{}}
  activities: {{sign_in: daily, lottery: sunday, meetup: saturday}}
  fission: {{}}
  layering: {{}}
  recognition: {{promote_to_admin: true}}
  monetization: {{}}
  benefits: {{member_coupons_per_week: 1}}
"""
"""The same full group with all twelve strategies of the playbooks switched on."""

LARGE_COMMUNITY = """
name: bench large community
days: {days}
population: {{size: 150000}}
group: {{capacity: 100000, initial_members: 99974}}
dynamics: {{noise_tolerance: 5000}}
strategies: {{welcome: {{}}, content: {{}}}}
"""
"""100,000 members on day 0 (26 founders + 99,974) in 150,000 people, default network.

Members of a community this size read selectively (a digest, not every message), so
the noise tolerance is raised: with the default, one shared stream of 100,000 members
floods on day 0 and most members mute or leave within a week -- the model's overload
mechanism (T6) working, but then the benchmark would no longer measure a 100k group.
"""
MID_SIZES = ((2_000, 10_000), (5_000, 20_000), (20_000, 50_000))
"""Groups between the 500-member group and the 100k community (members, population),
for the speed-up by group size."""
MID_COMMUNITY = """
name: bench community of {members}
days: {days}
population: {{size: {population}}}
group: {{capacity: {members}, initial_members: {initial}}}
dynamics: {{noise_tolerance: 5000}}
strategies: {{welcome: {{}}, content: {{}}}}
"""
"""A group of ``members`` on day 0 (26 founders + the rest), read selectively as the
large community is (noise tolerance 5000)."""
IDIOMATIC_MID_DAYS = 20
"""Days of the idiomatic reference for the mid-size groups (its cost per day is flat)."""
IDIOMATIC_LARGE_DAYS = 5
"""Days of the idiomatic Mesa reference at 100k members (it takes seconds per day)."""
LARGE_REPEATS = 2
"""Runs of the large community's year (same world and seed); the best counts."""
IDIOMATIC_LARGE_REPEATS = 3
"""Runs of the idiomatic reference at 100k members; the best counts. The speed-up is a
ratio of two timings, so both sides are taken as the best of several, as timeit does."""

STARTUP_CHILD = """
import time
started = time.time()
t0 = time.perf_counter()
import json
import sim
from sim.engine.seeding import run_streams
from sim.engine.world import build_world
t1 = time.perf_counter()
scenario = sim.parse_scenario("population: {size: 5000}")
world = build_world(scenario.population, run_streams(1)[0])
t2 = time.perf_counter()
world_ready = time.time()
model = sim.CommunityModel(scenario, seed=1, world=world)
t3 = time.perf_counter()
print(json.dumps({"world_ready": world_ready, "ready": time.time(), "started": started,
                  "import_s": t1 - t0, "world_s": t2 - t1, "model_s": t3 - t2,
                  "persons": world.size}))
"""
"""Program of the start-up child: time stamps around ``import sim`` and the build."""


@dataclass
class Figure:
    """One line of the results table.

    Attributes
    ----------
    name
        What was measured.
    value
        The measured figure, in ``unit``.
    unit
        Unit of ``value`` and ``target``.
    target
        Threshold to meet, or ``None`` for a figure reported for information.
    better
        ``"lower"`` if the value must stay at or below the target, ``"higher"`` if at
        or above it.
    note
        How it was measured, in a few words.
    """

    name: str
    value: float
    unit: str
    target: float | None = None
    better: str = "lower"
    note: str = ""

    @property
    def verdict(self) -> str:
        """``PASS``, ``MISS`` or ``info`` (no target)."""
        if self.target is None:
            return "info"
        ok = self.value <= self.target if self.better == "lower" else self.value >= self.target
        return "PASS" if ok else "MISS"


@dataclass
class Report:
    """Everything the benchmark measured, with the machine it ran on."""

    machine: dict[str, str] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)

    def add(self, *figures: Figure) -> None:
        """Append figures in table order."""
        self.figures.extend(figures)


# ------------------------------------------------------------------- the machine


def machine_info() -> dict[str, str]:
    """CPU count, CPU model, Python, numpy and mesa versions."""
    import mesa
    import numpy

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "mesa": mesa.__version__,
        "platform": platform.platform(),
    }


# --------------------------------------------------------------------- helpers


def scenario(template: str, days: int = DAYS):
    """Validated scenario from one of the templates above."""
    import sim

    return sim.parse_scenario(template.format(days=days), source="bench_engine.py")


def child_env() -> dict[str, str]:
    """Environment for child processes: this environment with the repo root importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_child(args: list[str]) -> dict:
    """Run a Python child process and parse the JSON its last output line holds."""
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=child_env(),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child {args[:2]} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def member_days(model) -> float:
    """Sum over the days of the engine's member count."""
    return float(model.recorder.data["members"].sum())


# ------------------------------------------------------------------ 1. start-up


def measure_startup(repeats: int = STARTUP_REPEATS) -> list[Figure]:
    """Fresh process: launch to world built, median of ``repeats`` launches.

    The judged figure runs from just before the process is launched to the moment
    the 5,000-person world exists (people with their traits, and the social graph):
    the issue's "``import sim`` plus building a 5,000-person world" (interpreter
    start-up included, teardown not). How long founding the group then takes (the
    model built, numba loaded for its first compiled call) is reported beside it.
    """
    runs = []
    for _ in range(repeats):
        launched = time.time()
        out = run_child(["-c", STARTUP_CHILD])
        out["launch_to_world_s"] = out["world_ready"] - launched
        out["launch_to_ready_s"] = out["ready"] - launched
        runs.append(out)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    return [
        Figure("start-up: launch -> 5,000-person world built", median("launch_to_world_s"), "s",
               target=2.0, note=f"fresh process, median of {repeats}"),
        Figure("  of which import sim", median("import_s"), "s"),
        Figure("  of which the world (people, graph)", median("world_s"), "s"),
        Figure("  then the group founded (model built)", median("model_s"), "s",
               note="first kernel call loads numba's tables"),
        Figure("  launch -> model ready", median("launch_to_ready_s"), "s"),
    ]


ALIAS_FILE = "\n".join(
    ['l0: &a ["x","x","x","x","x","x","x","x","x"]']
    + [f"l{i}: &{'abcdefgh'[i]} [" + ",".join([f"*{'abcdefgh'[i - 1]}"] * 9) + "]"
       for i in range(1, 8)]) + "\n"
"""A 300-byte scenario of eight levels of nested YAML aliases (9**8 strings if expanded)."""


def measure_check(repeats: int = STARTUP_REPEATS) -> list[Figure]:
    """``commsim check`` from launch to answer: a good scenario and an alias bomb.

    The whole command as a user meets it (interpreter, command line, loader, the one
    line it prints), median of ``repeats`` launches. The alias file must be answered
    within a second, whatever it would expand to.
    """
    import tempfile

    command = str(Path(sys.executable).parent / "commsim")

    def seconds(path: Path, status: int) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            done = subprocess.run([command, "check", str(path)], cwd=ROOT, env=child_env(),
                                  capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - t0)
            if done.returncode != status:
                raise RuntimeError(f"commsim check {path.name}: exit {done.returncode}, "
                                   f"{done.stderr.strip()[:200]}")
        return statistics.median(times)

    with tempfile.TemporaryDirectory() as folder:
        bomb = Path(folder) / "aliases.yaml"
        bomb.write_text(ALIAS_FILE, encoding="utf-8")
        refused = seconds(bomb, 2)
    good = seconds(ROOT / "scenarios" / "baseline.yaml", 0)
    return [
        Figure("commsim check: 300-byte, 8-level alias file refused", refused, "s", target=1.0,
               note=f"launch to exit, median of {repeats}"),
        Figure("commsim check scenarios/baseline.yaml", good, "s", target=1.0,
               note=f"launch to exit, median of {repeats}"),
    ]


# ------------------------------------------------- 2. group-year and 4. idiomatic


def time_engine(seed: int) -> tuple[float, float]:
    """Seconds of ``run_model()`` and member-days of one 500-member group-year."""
    import sim

    warm_up()
    model = sim.CommunityModel(scenario(SMALL_GROUP), seed=seed)
    t0 = time.perf_counter()
    model.run_model()
    seconds = time.perf_counter() - t0
    # the group shrinks as people leave; say so, since fewer members cost less per day
    ENGINE_LAST_DAY.append(float(model.recorder.data["members"][-1]))
    return seconds, member_days(model)


def warm_up() -> None:
    """Load the compiled kernels (numba's cache) before anything is timed."""
    import sim

    sim.CommunityModel(scenario(SMALL_GROUP, days=3), seed=0).run_model()


def time_all_strategies(seed: int) -> tuple[float, float]:
    """Seconds and member-days of the group-year with every strategy switched on."""
    import sim

    warm_up()
    model = sim.CommunityModel(scenario(ALL_STRATEGIES), seed=seed)
    t0 = time.perf_counter()
    model.run_model()
    return time.perf_counter() - t0, member_days(model)


def time_idiomatic(seed: int) -> tuple[float, float]:
    """Seconds and member-days of the idiomatic Mesa model on the same day-0 group."""
    import sim
    from benchmarks.mesa_idiomatic import IdiomaticGroup

    community = sim.CommunityModel(scenario(SMALL_GROUP), seed=seed)
    reference = IdiomaticGroup(community, seed=seed)
    t0 = time.perf_counter()
    for _ in range(community.days):
        reference.step()
    return time.perf_counter() - t0, float(reference.member_days())


REPEATS = 3
"""Timings of each seed; the fastest counts (as ``timeit`` does: the run least
disturbed by the rest of the machine, whose noise here is +-10%)."""


def median_run(timer, seeds=SEEDS) -> tuple[float, float]:
    """Median over ``seeds`` of each seed's best of ``REPEATS`` runs of ``timer``.

    Returns seconds and member-days/s. Every repeat is a fresh model with the same
    seed, so the repeats do the same work.
    """
    runs = [min(timer(seed) for _ in range(REPEATS)) for seed in seeds]
    seconds = statistics.median(s for s, _ in runs)
    rate = statistics.median(md / s for s, md in runs)
    return seconds, rate


def measure_group_year() -> tuple[list[Figure], float]:
    """The 500-member group for 365 days; returns the figures and member-days/s."""
    seconds, rate = median_run(time_engine)
    n = len(SEEDS)
    return [
        Figure("group-year: 500 members x 365 days", seconds, "s", target=0.1,
               note=f"run_model() only, median of {n} seeds, best of {REPEATS}"),
        Figure("  engine member-days/s", rate, "/s",
               note=f"500 -> {statistics.median(ENGINE_LAST_DAY):.0f} members (median)"),
    ], rate


def measure_all_strategies() -> list[Figure]:
    """The group-year with all twelve strategies on: the library must not cost speed."""
    seconds, rate = median_run(time_all_strategies)
    return [
        Figure("group-year, all 12 strategies on", seconds, "s", target=0.1,
               note=f"run_model() only, median of {len(SEEDS)} seeds, best of {REPEATS}"),
        Figure("  member-days/s, all strategies", rate, "/s"),
    ]


def measure_idiomatic(engine_rate: float) -> list[Figure]:
    """Idiomatic Mesa on the same groups, and the engine's speed-up over it."""
    seconds, rate = median_run(time_idiomatic)
    n = len(SEEDS)
    return [
        Figure("idiomatic Mesa: same group x 365 days", seconds, "s",
               note=f"shuffle_do('step'), median of {n} seeds, best of {REPEATS}"),
        Figure("  idiomatic member-days/s", rate, "/s", note="no churn: less work per day"),
        Figure("speed-up engine / idiomatic at 500 members", engine_rate / rate, "x",
               target=20.0, better="higher"),
    ]


# ------------------------------------------------- speed-up by group size


def time_mid(members: int, population: int) -> tuple[float, float, float]:
    """Engine and idiomatic member-days/s of one mid-size group; mean engine members.

    Each side is the best of two runs on the same world (the engine for a year, the
    reference for ``IDIOMATIC_MID_DAYS`` days, on the engine's day-0 group).
    """
    import sim
    from benchmarks.mesa_idiomatic import IdiomaticGroup

    def mid(days: int):
        return sim.parse_scenario(MID_COMMUNITY.format(
            members=members, population=population, initial=members - 26, days=days),
            source="bench_engine.py")

    warm_up()
    model = sim.CommunityModel(mid(DAYS), seed=SEEDS[0])
    world = model.world
    engine = []
    for _ in range(2):
        model = sim.CommunityModel(mid(DAYS), seed=SEEDS[0], world=world)
        start = time.perf_counter()
        model.run_model()
        engine.append(member_days(model) / (time.perf_counter() - start))
    idiomatic = []
    for _ in range(2):
        reference = IdiomaticGroup(sim.CommunityModel(mid(IDIOMATIC_MID_DAYS), seed=SEEDS[0],
                                                      world=world), seed=SEEDS[0])
        start = time.perf_counter()
        for _ in range(IDIOMATIC_MID_DAYS):
            reference.step()
        idiomatic.append(reference.member_days() / (time.perf_counter() - start))
    return max(engine), max(idiomatic), member_days(model) / DAYS


def measure_by_size() -> list[Figure]:
    """The speed-up over idiomatic Mesa for groups between 500 and 100k members.

    Reported for information: where the engine's fixed cost per day (about 80
    microseconds of Python and kernel calls) stops mattering.
    """
    figures = []
    for members, population in MID_SIZES:
        engine, idiomatic, mean = time_mid(members, population)
        figures.append(Figure(
            f"speed-up at {members:,} members", engine / idiomatic, "x",
            note=f"engine {engine / 1e6:.1f} M / idiomatic {idiomatic / 1e6:.2f} M member-days/s;"
            f" {population:,} people, mean {mean:,.0f} members"))
    return figures


# ------------------------------------------------------------ 3. large community


def large_child() -> None:
    """Child process: build and run the large community, print figures as JSON.

    Peak RSS is read from this process alone (``RUSAGE_SELF``), so the parent's own
    memory never counts.
    """
    t0 = time.perf_counter()
    import sim
    from benchmarks.mesa_idiomatic import IdiomaticGroup

    warm_up()
    t0b = time.perf_counter()
    model = sim.CommunityModel(scenario(LARGE_COMMUNITY), seed=SEEDS[0])
    t1 = time.perf_counter()
    built_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    day0 = int(model.members().size)
    model.run_model()
    run_s = time.perf_counter() - t1
    members = model.recorder.data["members"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # of the first run alone
    world = model.world
    for _ in range(LARGE_REPEATS - 1):
        del model
        gc.collect()
        model = sim.CommunityModel(scenario(LARGE_COMMUNITY), seed=SEEDS[0], world=world)
        start = time.perf_counter()
        model.run_model()
        run_s = min(run_s, time.perf_counter() - start)
    del model
    gc.collect()
    # the idiomatic reference on the same day-0 community, for a few days
    idiomatic_s = float("inf")
    for _ in range(IDIOMATIC_LARGE_REPEATS):
        community = sim.CommunityModel(scenario(LARGE_COMMUNITY, days=IDIOMATIC_LARGE_DAYS),
                                       seed=SEEDS[0], world=world)
        reference = IdiomaticGroup(community, seed=SEEDS[0])
        start = time.perf_counter()
        for _ in range(IDIOMATIC_LARGE_DAYS):
            reference.step()
        idiomatic_s = min(idiomatic_s, time.perf_counter() - start)
        idiomatic_days = float(reference.member_days())
        del community, reference
        gc.collect()
    print(json.dumps({
        "build_s": t1 - t0b, "import_s": t0b - t0, "run_s": run_s,
        "member_days": float(members.sum()),
        "members_day0": day0, "members_last": float(members[-1]),
        "network": scenario(LARGE_COMMUNITY).population.network.kind,
        # ru_maxrss is in KiB on Linux
        "peak_rss_bytes": peak * 1024,
        "build_rss_bytes": built_rss * 1024,
        "idiomatic_s": idiomatic_s, "idiomatic_member_days": idiomatic_days,
    }))


def measure_large() -> list[Figure]:
    """The 100,000-member community in its own process."""
    out = run_child([str(Path(__file__).resolve()), "--child", "large"])
    network = out["network"]
    engine_rate = out["member_days"] / out["run_s"]
    idiomatic_rate = out["idiomatic_member_days"] / out["idiomatic_s"]
    return [
        Figure("large: 100k members x 365 days, simulation", out["run_s"], "s", target=15.0,
               note=f"150k people, {network} network, noise tolerance 5000, "
               f"best of {LARGE_REPEATS}"),
        Figure("  build (world + model)", out["build_s"], "s"),
        Figure("  member-days/s", engine_rate, "/s",
               note=f"{out['members_day0']:,} -> {out['members_last']:,.0f} members, "
               f"mean {out['member_days'] / DAYS:,.0f}"),
        Figure("  peak memory (RSS)", out["peak_rss_bytes"] / GB, "GB", target=1.5,
               note=f"{out['build_rss_bytes'] / GB:.2f} GB after build"),
        Figure("  idiomatic Mesa, same community", idiomatic_rate, "/s",
               note=f"{IDIOMATIC_LARGE_DAYS} days, shuffle_do('step'), "
               f"best of {IDIOMATIC_LARGE_REPEATS}"),
        Figure("speed-up engine / idiomatic at 100k members", engine_rate / idiomatic_rate,
               "x", target=20.0, better="higher"),
    ]


# ---------------------------------------------------------------------- output


def number(value: float, unit: str) -> str:
    """Format a figure for the table: rates with thousands separators."""
    if unit == "/s":
        return f"{value:,.0f} /s"
    if unit == "x":
        return f"{value:.1f}x"
    return f"{value:.3f} {unit}" if value < 10 else f"{value:.1f} {unit}"


def render(report: Report, elapsed: float) -> None:
    """Print the machine and the results table with rich."""
    from rich.console import Console
    from rich.table import Table

    m = report.machine
    title = (f"commsim engine benchmark - {m['nproc']} CPU ({m['cpu']}), Python {m['python']}, "
             f"numpy {m['numpy']}, mesa {m['mesa']}")
    table = Table(title=title, title_justify="left")
    table.add_column("benchmark")
    table.add_column("target", justify="right")
    table.add_column("measured", justify="right")
    table.add_column("result", justify="center")
    table.add_column("how")
    styles = {"PASS": "bold green", "MISS": "bold red", "info": "dim"}
    for f in report.figures:
        bound = "" if f.target is None else (
            ("<= " if f.better == "lower" else ">= ") + number(f.target, f.unit))
        verdict = f.verdict
        table.add_row(f.name, bound, number(f.value, f.unit),
                      f"[{styles[verdict]}]{verdict}[/]", f.note)
    console = Console(width=150)
    console.print(table)
    console.print(f"benchmark wall time {elapsed:.0f} s; figures written to "
                  f"{RESULTS.relative_to(ROOT)}")


def write_json(report: Report, elapsed: float) -> None:
    """Write the machine and every figure (with its verdict) to ``RESULTS``."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "elapsed_s": elapsed,
        "machine": report.machine,
        "figures": [{**asdict(f), "verdict": f.verdict} for f in report.figures],
    }
    RESULTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    """Measure everything, print the table and write the JSON."""
    started = time.perf_counter()
    report = Report(machine=machine_info())
    report.add(*measure_startup())
    report.add(*measure_check())
    figures, engine_rate = measure_group_year()
    report.add(*figures)
    report.add(*measure_all_strategies())
    report.add(*measure_large())
    report.add(*measure_idiomatic(engine_rate))
    report.add(*measure_by_size())
    elapsed = time.perf_counter() - started
    write_json(report, elapsed)
    render(report, elapsed)


if __name__ == "__main__":
    if sys.argv[1:3] == ["--child", "large"]:
        large_child()
    else:
        main()
