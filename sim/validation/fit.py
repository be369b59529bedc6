"""Fit the simulator to a group's chat export (``commsim fit``, issue 19).

Likelihood-free, in three parts:

1. **Structure** (:func:`structure_of`): what the export says directly is copied, not
   fitted: the days it covers (the horizon), who was in the group on its first day
   (the founders; when the format shows founders only once they write -- a Discord
   server -- their count is divided by the share of settled joiners who wrote,
   :func:`seen_founders_share`), the operators guessed from the membership events (the
   owner: whoever ``created`` the group, else whoever added most people, else -- no
   event names anyone -- whoever posted on-topic messages answering nothing on the most
   days, :func:`top_poster`; administrators: the others who removed someone or made at
   least a tenth of the additions, five at most), the owner's on-topic posts that
   answer nothing a day (their content) and a population large enough for the joins
   seen.
2. **Search**: an Optuna study (seeded TPE, SQLite in the output folder, resumable)
   over the behavioural parameters of :data:`FIT_PARAMS` whose statistics the export
   can give. Each trial simulates :data:`REPLICATES` groups with the structure and the
   trial's values (the same seeds in every trial: common random numbers), passes each
   through the export's format (:func:`as_exported`: same blind spots), computes the
   fingerprint (:func:`sim.chats.fingerprint.fingerprint`) and scores the distance
   (:func:`distance`): the sum, over the statistics used, of
   ``((simulated mean - observed) / scale)^2`` with ``scale = sd * sqrt(1 + 1/R)``,
   ``sd`` the spread across the R replicates (at least the statistic's floor,
   :func:`floor`). The distance only guides the search: it treats the statistics as
   independent and its scales come from four groups.
3. **Intervals** (:func:`intervals`): a Gaussian synthetic likelihood (Wood 2010),
   linearised (:mod:`sim.validation.synthetic`): the simulated means as a line in the
   parameters over the lowest-distance trials (:func:`window`), the covariance of the
   statistics (correlations included) from :data:`FRESH` groups simulated with fresh
   seeds at the best trial (:func:`fresh_groups`, kept in the study), the generalised
   least squares solution and its inverse Fisher information, widened by the
   dispersion; the estimate and the 90% interval are the mean and the 5% and 95%
   points of that Gaussian cut to the ranges searched (the posterior under the
   search's uniform prior). ``docs/chat-exports.md`` ("Fitting your group") states and
   justifies the method, and "Recovery" gives its measured coverage.

Trials are sampled one at a time, the sampler seeded with ``seed + trials so far``,
and every trial's simulations use fixed seeds (the fresh groups too, and the posterior's
draws), so a study resumed after an interruption proposes exactly the trials an
uninterrupted one would have and reports the same intervals.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import yaml
from optuna.trial import TrialState

from sim.chats import ChatLog
from sim.chats.fingerprint import STATISTIC_BY_NAME, fingerprint
from sim.formats.experiment import with_values
from sim.formats.scenario import Scenario, parse_scenario
from sim.running.budget import default_workers
from sim.running.runner import start_fork_server, worker_started
from sim.validation.calibrate import model_digest, retry_cut_short
from sim.validation.chatlog import simulate_chatlog
from sim.validation.synthetic import Estimate, linear_gaussian, local_linear, shrunk_covariance

DATABASE = "study.db"
REPLICATES = 4
"""Simulated groups per trial (their spread is the distance's scale)."""
FRESH = 24
"""Simulated groups with fresh seeds at the best trial's values, for the covariance of
the statistics (the intervals)."""
WINDOW_SHARE = 3
"""The intervals' line is fitted over the best third of the trials (:func:`window`)."""
WEAK = 0.8
"""An interval wider than this share of its range says the export told little."""
MISSING_PENALTY = 9.0
"""Term of a statistic the simulated groups cannot give though the export can (three
scales away)."""
DEFAULT_BUDGET = 6.0
"""Minutes of search by default: with reading, structure and report, a 200-member,
180-day export takes under ten minutes on two cores."""
JOINS = ("joined_link", "added")
STAY_DAYS = 30
"""Days in the group after which a joiner's writing stands for a founder's."""
QR_SHARER = "m-qr-sharer"
"""Who shared the QR code of a simulated WeChat join with nobody named (the exporter)."""
EXTRA_STATISTICS = {"joins_per_day": "joins (added or by link) after the first day, a day"}
"""Statistics of the fit beyond the fingerprint."""


@dataclass(frozen=True)
class FitParam:
    """A behavioural parameter the fit searches, and the statistics that inform it."""

    key: str
    low: float
    high: float
    log: bool
    statistics: tuple[str, ...]
    why: str


FIT_PARAMS: tuple[FitParam, ...] = (
    FitParam("population.traits.silent_share", 0.2, 0.95, False,
             ("never_wrote_30d", "posters_per_member"),
             "the share who never write is the share of members who stayed 30 days and "
             "never wrote, and sets how many members post on a day"),
    FitParam("population.traits.sociability_spread", 0.5, 3.5, False,
             ("top1_share", "top10_share", "gini_messages", "rank_slope"),
             "the spread of talkativeness sets how concentrated messages are on the top "
             "members (shares, Gini, the rank slope)"),
    FitParam("dynamics.thread_continue", 0.05, 0.95, False,
             ("thread_depth_mean", "replies_per_thread"),
             "the chance a reply draws a reply sets how deep threads go and how many "
             "replies a thread has"),
    FitParam("dynamics.on_topic_talk", 0.05, 0.95, False, ("off_topic_share",),
             "the on-topic share of talk sets the off-topic share of messages"),
    FitParam("dynamics.discovery_rate", 1e-5, 1e-2, True, ("joins_per_day",),
             "the chance outsiders find the group sets how many join a day"),
    FitParam("dynamics.leave_floor", 1e-4, 5e-3, True, ("survival_30d", "survival_90d"),
             "the chance to leave for outside reasons sets how long joiners stay"),
)
PARAM_BY_KEY = {p.key: p for p in FIT_PARAMS}


def floor(statistic: str, observed: float) -> float:
    """Smallest scale of a statistic: 0.02 plus 5% of its observed size.

    Replicates can agree closely by chance (four of them, common seeds), and the
    export is one group: its statistics are never known better than this.
    """
    return 0.02 + 0.05 * abs(observed)


# --- the structure an export gives ---------------------------------------------------


@dataclass
class Structure:
    """What the export says directly: the scenario's frame, copied, not fitted."""

    days: int
    members: int
    founders: int
    joins: int
    owner: str | None
    admins: list[str]
    owner_posts_per_day: float
    population: int

    def digest_fields(self) -> dict[str, Any]:
        """The structure without the pseudonyms (they change with every reading)."""
        return {"days": self.days, "members": self.members, "founders": self.founders,
                "joins": self.joins, "owner": self.owner is not None,
                "admins": len(self.admins),
                "owner_posts_per_day": round(self.owner_posts_per_day, 9),
                "population": self.population}

    def scenario_data(self, name: str, seed: int, replicates: int) -> dict[str, Any]:
        """A scenario (as YAML data) with this structure and the defaults elsewhere."""
        admins = min(len(self.admins), max(self.founders - 1, 0))
        data: dict[str, Any] = {
            "name": name,
            "description": "",
            "days": self.days,
            "seed": seed,
            "replicates": replicates,
            "population": {"size": self.population},
            "group": {"capacity": max(500, 2 * self.members),
                      "initial_members": max(self.founders - 1 - admins, 0),
                      "founders": {"owner": 1, "admin": admins, "opinion_leader": 0,
                                   "seed_user": 0}},
            "strategies": {},
        }
        if self.owner_posts_per_day >= 0.2:
            data["strategies"]["content"] = {
                "posts_per_day": round(min(self.owner_posts_per_day, 50.0), 1)}
        return data


def _join_days(log: ChatLog) -> tuple[pd.Series, pd.Timestamp]:
    times = pd.concat([log.messages["time"], log.events["time"]])
    start = times.min().normalize()
    joins = log.events[log.events["kind"].isin(JOINS)]
    days = (joins["time"].dt.normalize() - start).dt.days
    return days.groupby(joins["member"]).min(), start


def guess_operators(log: ChatLog) -> tuple[str | None, list[str]]:
    """The owner and the administrators, guessed from the membership events.

    Owner: whoever ``created`` the group, else whoever added most people.
    Administrators: the others who removed someone, or made at least a tenth of the
    additions (three or more), five at most (most additions first).
    """
    ev = log.events
    created = ev[ev["kind"] == "created"]
    added = ev[(ev["kind"] == "added") & ev["by"].notna()]["by"].value_counts()
    owner = (str(created["member"].iloc[0]) if len(created)
             else (str(added.index[0]) if len(added) else None))
    removers = set(ev[(ev["kind"] == "removed") & ev["by"].notna()]["by"])
    big = {m for m, n in added.items() if n >= max(3, 0.1 * added.sum())}
    ranked = sorted((removers | big) - {owner},
                    key=lambda m: (-added.get(m, 0), m))
    return owner, ranked[:5]


def joins_per_day(log: ChatLog) -> float:
    """Joins after the log's first day, per day (NaN when the format shows none)."""
    if set(JOINS) <= log.platform_limits:
        return math.nan
    days, _ = _join_days(log)
    return float((days > 0).sum()) / max(log.days, 1)


def top_poster(log: ChatLog) -> str | None:
    """Who posts content: on the most days an on-topic message that answers nothing.

    Days, not messages: content comes day after day, talk in bursts (None: nobody).
    """
    m = log.messages
    posts = m[~m["off_topic"] & m["reply_to"].isna()]
    days = posts.assign(day=posts["time"].dt.normalize()).groupby("member")["day"].nunique()
    if days.empty:
        return None
    return str(days.sort_values(ascending=False, kind="stable").index[0])


def seen_founders_share(log: ChatLog, join_day: pd.Series) -> float:
    """The share of founders an export shows, when it shows only those who wrote.

    A format that hides additions and the group's creation but shows joins by link
    (a Discord server) shows a founder only once they write: the share who wrote
    among the joiners who had at least 30 days in the group stands for the founders'
    (at least 0.1; 1 for every other format, or too few such joiners).
    """
    if not {"added", "created"} <= log.platform_limits or "joined_link" in log.platform_limits:
        return 1.0
    if not len(log.messages):
        return 1.0
    end = (log.messages["time"].max().normalize()
           - log.messages["time"].min().normalize()).days
    settled = join_day[(join_day > 0) & (join_day <= end - STAY_DAYS)]
    if len(settled) < 5:
        return 1.0
    wrote = settled.index.isin(log.messages["member"].unique())
    return max(float(wrote.mean()), 0.1)


def structure_of(log: ChatLog) -> Structure:
    """The scenario's frame from an export (see the module's docstring)."""
    members = log.members()
    join_day, _ = _join_days(log)
    newcomers = int((join_day > 0).sum())
    founders = max(round((len(members) - newcomers) / seen_founders_share(log, join_day)), 2)
    owner, admins = guess_operators(log)
    if owner is None:  # no event names anyone: the one who posts most (the content)
        owner = top_poster(log)
    owner_rate = 0.0
    if owner is not None and log.days:  # content-like: on-topic posts that answer nothing
        m = log.messages
        posts = (m["member"] == owner) & ~m["off_topic"] & m["reply_to"].isna()
        owner_rate = float(posts.sum()) / log.days
    population = int(min(max(10 * len(members), 2000), 10_000))
    return Structure(days=max(log.days, 14), members=len(members), founders=founders,
                     joins=newcomers, owner=owner, admins=admins,
                     owner_posts_per_day=owner_rate, population=population)


# --- the statistics, observed and simulated -----------------------------------------


def statistics_of(log: ChatLog) -> tuple[dict[str, float], dict[str, str]]:
    """The fingerprint's values and the fit's extras; reasons for the unusable ones."""
    fp = fingerprint(log)
    values = {name: fp[name] for name in STATISTIC_BY_NAME}
    reasons = dict(fp.reasons)
    values["joins_per_day"] = joins_per_day(log)
    if math.isnan(values["joins_per_day"]):
        reasons["joins_per_day"] = "the format shows no joins"
    return values, reasons


def as_exported(log: ChatLog, fmt: str, limits: frozenset[str]) -> ChatLog:
    """A simulated log as the export's format would show it.

    What the format cannot show (event kinds, replies) is dropped, as writing the log
    in the format and reading it back would (and much faster). WeChat's replies are
    re-pointed by its quoted-sender rule (:func:`quoted_sender_replies`), as its
    reader does.
    """
    events = log.events[~log.events["kind"].isin(limits)].reset_index(drop=True)
    messages = log.messages
    if "replies" in limits:
        messages = messages.assign(reply_to=pd.array([pd.NA] * len(messages), dtype="Int64"))
    elif fmt == "wechat":
        messages = quoted_sender_replies(messages)
    if fmt == "wechat":  # WeChat names who shared the QR code ("You" when the exporter did)
        events = events.assign(by=events["by"].where(
            events["by"].notna() | (events["kind"] != "joined_link"), QR_SHARER))
    return ChatLog(messages, events, fmt, log.source, frozenset(limits))


def quoted_sender_replies(messages: pd.DataFrame) -> pd.DataFrame:
    """Replies as a WeChat export shows them: to the quoted sender's latest earlier message.

    A WeChat quote names the sender, not the message; media cannot quote
    (``docs/chat-exports.md``, WeChat).
    """
    reply_to = messages["reply_to"]
    authors = messages["member"].to_numpy()
    positions = messages.groupby("member").indices
    out = pd.array([pd.NA] * len(messages), dtype="Int64")
    quoting = np.flatnonzero(reply_to.notna().to_numpy() & ~messages["is_media"].to_numpy())
    targets = reply_to.to_numpy(dtype=float, na_value=np.nan)
    for i in quoting:
        own = positions[authors[int(targets[i])]]
        k = int(np.searchsorted(own, i)) - 1
        if k >= 0:
            out[i] = int(own[k])
    return messages.assign(reply_to=out)


def simulate_statistics(job: tuple[Scenario, int, str, frozenset[str]]) -> dict[str, float]:
    """One replicate of a trial: simulate, pass through the format, measure."""
    scenario, replicate, fmt, limits = job
    log = as_exported(simulate_chatlog(scenario, replicate), fmt, limits)
    return statistics_of(log)[0]


def distance(observed: dict[str, float], replicates: list[dict[str, float]],
             used: list[str]) -> tuple[float, dict[str, float]]:
    """The trial's distance (over ``used``) and the simulated mean of every statistic."""
    total, means = 0.0, {}
    r = len(replicates)
    for name in replicates[0]:
        values = np.array([rep[name] for rep in replicates], dtype=float)
        values = values[~np.isnan(values)]
        means[name] = float(values.mean()) if values.size else math.nan
        if name not in used:
            continue
        if values.size == 0:
            total += MISSING_PENALTY
            continue
        sd = float(values.std(ddof=1)) if values.size > 1 else 0.0
        scale = max(sd, floor(name, observed[name])) * math.sqrt(1 + 1 / r)
        total += ((means[name] - observed[name]) / scale) ** 2
    return total, means


# --- the study ------------------------------------------------------------------------


@dataclass
class Fit:
    """An opened fit: the export's statistics, the structure and the study."""

    study: optuna.Study
    structure: Structure
    observed: dict[str, float]
    reasons: dict[str, str]
    params: list[FitParam]
    dropped: dict[str, str]
    used: list[str]
    base: Scenario
    fmt: str
    limits: frozenset[str]
    seed: int
    replicates: int
    run_jobs: Callable[[list], list]
    fixed: dict[str, Any] = field(default_factory=dict)

    def counted(self) -> int:
        """Complete trials."""
        return len(self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))

    def scenario_for(self, values: dict[str, Any]) -> Scenario:
        """The structure with the trial's values (and the fixed ones) set."""
        return with_values(self.base, {**self.fixed, **values})

    def simulate(self, values: dict[str, Any], replicates: range) -> list[dict[str, float]]:
        """The statistics of the simulated groups ``replicates`` at ``values``."""
        scenario = self.scenario_for(values)
        return self.run_jobs([(scenario, k, self.fmt, self.limits) for k in replicates])

    def evaluate(self, values: dict[str, Any]) -> tuple[float, dict[str, float]]:
        """Distance and simulated means of the candidate ``values``."""
        return distance(self.observed, self.simulate(values, range(self.replicates)),
                        self.used)

    def step(self) -> optuna.trial.FrozenTrial:
        """Propose, evaluate and record one trial."""
        done = len(self.study.get_trials(deepcopy=False))
        self.study.sampler = sampler(self.seed + done)
        trial = self.study.ask()
        values = {}
        for p in self.params:
            values[p.key] = trial.suggest_float(p.key, p.low, p.high, log=p.log)
        groups = self.simulate(values, range(self.replicates))
        value, means = distance(self.observed, groups, self.used)
        trial.set_user_attr("simulated", {k: (None if math.isnan(v) else v)
                                          for k, v in means.items() if k in self.used})
        trial.set_user_attr("groups", [[_stored(g[k]) for k in self.used] for g in groups])
        return self.study.tell(trial, value)


def sampler(seed: int) -> optuna.samplers.BaseSampler:
    """The TPE sampler of one trial (seeded by how many trials came before)."""
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=12, multivariate=True)


def choose_params(reasons: dict[str, str], keys: list[str] | None = None
                  ) -> tuple[list[FitParam], dict[str, str], list[str]]:
    """The parameters the export can inform, those it cannot (why), the statistics used."""
    params, dropped, used = [], {}, []
    for p in FIT_PARAMS:
        if keys is not None and p.key not in keys:
            continue
        usable = [s for s in p.statistics if s not in reasons]
        if not usable:
            dropped[p.key] = "; ".join(f"{s}: {reasons[s]}" for s in p.statistics)
            continue
        params.append(p)
        used += usable
    return params, dropped, used


def study_name(observed: dict[str, float], structure: Structure, fmt: str, seed: int,
               keys: list[str], fixed: dict[str, Any]) -> str:
    """The study's id: digests of what was observed, the settings and the model."""
    text = json.dumps({"observed": {k: (None if math.isnan(v) else round(v, 9))
                                    for k, v in sorted(observed.items())},
                       "structure": structure.digest_fields(), "format": fmt, "seed": seed,
                       "keys": keys, "fixed": fixed, "replicates": REPLICATES},
                      sort_keys=True, default=str)
    return (f"commsim-fit-{hashlib.sha256(text.encode()).hexdigest()[:10]}-"
            f"{model_digest()}")


@contextmanager
def opened(log: ChatLog, out: Path, seed: int = 0, workers: int | None = None,
           keys: list[str] | None = None, fixed: dict[str, Any] | None = None,
           replicates: int = REPLICATES) -> Iterator[Fit]:
    """Open (or resume) the fit of ``log`` stored in ``out`` (``study.db``).

    ``keys`` restricts the search to some parameters of :data:`FIT_PARAMS`; ``fixed``
    sets other scenario keys (recovery tests fix the rest at their true values).
    """
    observed, reasons = statistics_of(log)
    structure = structure_of(log)
    params, dropped, used = choose_params(reasons, keys)
    fixed = dict(fixed or {})
    data = structure.scenario_data("fitted", seed, replicates)
    base = parse_scenario(yaml.safe_dump(data, sort_keys=False), "<fitted structure>")
    fmt = log.format if log.format in ("whatsapp", "telegram", "wechat", "discord",
                                       "csv") else "csv"
    out.mkdir(parents=True, exist_ok=True)
    storage = f"sqlite:///{(out / DATABASE).resolve()}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    name = study_name(observed, structure, fmt, seed, [p.key for p in params], fixed)
    study = optuna.create_study(storage=storage, study_name=name, direction="minimize",
                                sampler=sampler(seed), load_if_exists=True)
    n = workers or default_workers()

    def make(run_jobs: Callable[[list], list]) -> Fit:
        return Fit(study, structure, observed, reasons, params, dropped, used, base, fmt,
                   log.platform_limits, seed, replicates, run_jobs, fixed)

    if n <= 1:
        yield make(lambda jobs: [simulate_statistics(j) for j in jobs])
        return
    ctx = start_fork_server(["sim.validation.fit", "sim.running.prewarm"])
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx,
                             initializer=worker_started) as pool:
        yield make(lambda jobs: list(pool.map(simulate_statistics, jobs)))


def run_fit(fit: Fit, budget_minutes: float | None = DEFAULT_BUDGET,
            trials: int | None = None,
            on_trial: Callable[[optuna.trial.FrozenTrial, int, float], None] | None = None
            ) -> None:
    """Run trials until ``trials`` are complete or ``budget_minutes`` have passed.

    ``on_trial(trial, complete, elapsed_seconds)`` is called after each (progress).
    Trials an interruption cut short are tried again first.
    """
    retry_cut_short(fit.study)
    started = time.monotonic()
    if not fit.params:
        return
    while True:
        if trials is not None and fit.counted() >= trials:
            return
        if budget_minutes is not None and time.monotonic() - started >= 60 * budget_minutes:
            return
        trial = fit.step()
        if on_trial:
            on_trial(trial, fit.counted(), time.monotonic() - started)


# --- intervals ------------------------------------------------------------------------


def _stored(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def to_unit(p: FitParam, value: float) -> float:
    """A value on the 0-1 scale of its range (log scale for rates)."""
    if p.log:
        return (math.log(value) - math.log(p.low)) / (math.log(p.high) - math.log(p.low))
    return (value - p.low) / (p.high - p.low)


def from_unit(p: FitParam, unit: float) -> float:
    """The value at ``unit`` on the 0-1 scale of its range."""
    if p.log:
        return math.exp(math.log(p.low) + unit * (math.log(p.high) - math.log(p.low)))
    return p.low + unit * (p.high - p.low)


def window(study: optuna.Study, params: int) -> list[optuna.trial.FrozenTrial]:
    """The trials the mean is linearised over: the lowest distances, best first.

    A third of the complete trials, at least ``4 x (params + 1)`` (all, when fewer):
    enough for the slopes, near enough to the best for a line.
    """
    done = sorted(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)),
                  key=lambda t: (t.value, t.number))
    return done[:max(len(done) // WINDOW_SHARE, 4 * (params + 1))]


def accepted(study: optuna.Study, params: int = 1) -> list[optuna.trial.FrozenTrial]:
    """The trials the intervals are computed from (:func:`window`)."""
    return window(study, params)


def fresh_groups(fit: Fit, best: optuna.trial.FrozenTrial) -> list[list[float | None]]:
    """The used statistics of :data:`FRESH` groups at the best trial's values, fresh seeds.

    Simulated once per best trial and kept in the study (a resumed fit reads them).
    """
    key = f"fresh-{best.number}"
    if key not in fit.study.user_attrs:
        values = {p.key: best.params[p.key] for p in fit.params}
        groups = fit.simulate(values, range(fit.replicates, fit.replicates + FRESH))
        fit.study.set_user_attr(key, [[_stored(g[k]) for k in fit.used] for g in groups])
    return fit.study.user_attrs[key]


def synthetic_estimate(fit: Fit) -> tuple[Estimate | None, list[optuna.trial.FrozenTrial]]:
    """The linear-Gaussian synthetic likelihood's estimate (:mod:`sim.validation.synthetic`).

    None when there are too few trials for the line (fewer than the parameters + 2).
    Statistics some window trial or fresh group cannot give are left out.
    """
    near = window(fit.study, len(fit.params))
    if len(near) < len(fit.params) + 2:
        return None, near
    samples = np.array(fresh_groups(fit, near[0]) + near[0].user_attrs.get("groups", []),
                       dtype=float)
    means = np.array([[t.user_attrs["simulated"].get(k) for k in fit.used] for t in near],
                     dtype=float)
    ok = np.isfinite(samples).all(axis=0) & np.isfinite(means).all(axis=0)
    if not ok.any():
        return None, near
    used = [k for k, good in zip(fit.used, ok, strict=True) if good]
    observed = np.array([fit.observed[k] for k in used])
    x = np.array([[to_unit(p, t.params[p.key]) for p in fit.params] for t in near])
    line = local_linear(x, means[:, ok])
    floors = np.array([floor(k, fit.observed[k]) for k in used])
    covariance = shrunk_covariance(samples[:, ok], floors)
    return linear_gaussian(observed, line, covariance, fit.replicates), near


def intervals(fit: Fit) -> pd.DataFrame:
    """Each fitted parameter: estimate, 90% interval, best trial (module docstring, 3.).

    ``width`` is the interval's share of the range (log range for rates): near 1, the
    export told little about the parameter. ``dispersion`` is what the intervals were
    widened by (the same on every row; 1 with too few trials for the line).
    """
    estimate, near = synthetic_estimate(fit)
    dispersion = 1.0 if estimate is None else float(estimate.dispersion)
    rows = []
    for j, p in enumerate(fit.params):
        if not near:
            continue
        best = float(near[0].params[p.key])
        if estimate is None:  # too few trials for a line: the best, anywhere in range
            centre, low, high = best, p.low, p.high
        else:
            centre = from_unit(p, float(estimate.x[j]))
            low = from_unit(p, float(estimate.low[j]))
            high = from_unit(p, float(estimate.high[j]))
        rows.append({"parameter": p.key, "estimate": centre, "low": low, "high": high,
                     "best": best, "range_low": p.low, "range_high": p.high,
                     "width": to_unit(p, high) - to_unit(p, low), "accepted": len(near),
                     "dispersion": dispersion,
                     "statistics": ", ".join(s for s in p.statistics if s in fit.used)})
    return pd.DataFrame(rows)


def trial_table(study: optuna.Study) -> pd.DataFrame:
    """Every trial: number, state, distance, values."""
    return pd.DataFrame([{"trial": t.number, "state": t.state.name.lower(),
                          "distance": t.value if t.value is not None else math.nan,
                          **t.params} for t in study.get_trials(deepcopy=False)])


def fitted_values(fit: Fit) -> dict[str, float]:
    """The estimates as scenario keys (the fixed keys included)."""
    table = intervals(fit)
    return {**fit.fixed, **{r.parameter: r.estimate for r in table.itertuples()}}


# --- a demo group ---------------------------------------------------------------------


def demo_scenario(seed: int = 0, values: dict[str, Any] | None = None,
                  days: int = 180) -> Scenario:
    """A group to try ``commsim fit`` on (``commsim demo-export``), in the fit's family.

    An owner posting three content messages a day, one administrator and 40 members on
    day 1, in a town of 2,000 people, for ``days`` days (about 200 members by day 180
    with the defaults); ``values`` sets scenario keys (recovery tests set the true
    values of the fitted parameters).
    """
    data = {"name": "demo", "description": "A simulated group for commsim fit.",
            "days": days, "seed": seed, "replicates": 1,
            "population": {"size": 2000},
            "dynamics": {"discovery_rate": 0.0025},
            "group": {"initial_members": 40,
                      "founders": {"owner": 1, "admin": 1, "opinion_leader": 0,
                                   "seed_user": 0}},
            "strategies": {"content": {"posts_per_day": 3.0}}}
    scenario = parse_scenario(yaml.safe_dump(data, sort_keys=False), "<demo>")
    return with_values(scenario, values or {})
