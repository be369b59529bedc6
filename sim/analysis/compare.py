"""Comparing strategy arms: paired differences from the baseline with bootstrap intervals.

Arms of a scenario share their replicate seeds (common random numbers): replicate
``r`` of every arm starts from the same people, friendships and random streams. The
honest comparison is therefore paired: for each outcome, the difference arm minus
baseline is taken replicate by replicate, and its mean gets a confidence interval
from a bootstrap over replicates. A strategist reads one plain-words verdict per
outcome and arm: "higher", "lower", or "no clear difference with N replicates".

Outcomes are scored separately (growth, retention, survival, activity, spam, money,
owner time; MECHANISMS.md), never folded into one health score.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.running.runner import RunResult

BASELINE = "baseline"
SAME = "the same in every replicate"
"""Verdict when the arm equals the baseline in every replicate (every difference is zero)."""


@dataclass(frozen=True)
class Outcome:
    """How to read one outcome.

    Attributes
    ----------
    name
        Column of the summary table, or a derived outcome (:data:`DERIVED`).
    label
        What a strategist calls it.
    short
        A few words for narrow tables (the terminal).
    kind
        ``count``, ``share``, ``money``, ``hours`` or ``day``; sets the formatting.
    good
        ``+1`` when higher is better, ``-1`` when lower is better, ``0`` when neither.
    score
        Which separate score it belongs to (growth, retention, survival, ...).
    """

    name: str
    label: str
    short: str
    kind: str
    good: int
    score: str


OUTCOMES: dict[str, Outcome] = {o.name: o for o in (
    # name, label, short label, kind, good direction, score
    Outcome("members_final", "members at end", "members at end", "count", +1, "growth"),
    Outcome("members_peak", "most members on any day", "peak members", "count", +1, "growth"),
    Outcome("joins_total", "newcomers who joined", "newcomers", "count", +1, "growth"),
    Outcome("newcomer_retention_7d", "newcomers still in after 7 days",
            "newcomer retention 7 d", "share", +1, "retention"),
    Outcome("newcomer_retention_30d", "newcomers still in after 30 days",
            "newcomer retention 30 d", "share", +1, "retention"),
    Outcome("died", "share of groups that died", "groups died", "share", -1, "survival"),
    Outcome("dead_day", "day the group died (groups that died)", "day of death", "day", +1,
            "survival"),
    Outcome("active_share_last_28d", "members who posted in the last 28 days",
            "active share (28 d)", "share", +1, "activity"),
    Outcome("active_members_final", "active members at end (posted in last 28 days)",
            "active members at end", "count", +1, "activity"),
    Outcome("messages_total", "messages over the run", "messages", "count", +1, "activity"),
    Outcome("lurker_share", "members who never posted", "never posted", "share", -1,
            "activity"),
    Outcome("off_topic_share", "off-topic share of the talk (small talk, greetings)",
            "off-topic share", "share", 0, "activity"),
    Outcome("replies_per_thread", "replies a thread drew on average", "replies per thread",
            "ratio", 0, "activity"),
    Outcome("never_wrote_30d", "members of 30+ days who never wrote", "never wrote (30+ d)",
            "share", 0, "activity"),
    Outcome("muted_share", "members who muted the group", "muted", "share", -1, "activity"),
    Outcome("top10_share", "messages written by the top 10%", "top 10% write", "share", 0,
            "activity"),
    Outcome("top1_share", "messages written by the top 1%", "top 1% write", "share", 0,
            "activity"),
    Outcome("gini_messages", "inequality of messages (Gini)", "Gini of messages", "ratio", 0,
            "activity"),
    Outcome("spam_share", "ads among messages (spam share)", "spam share", "share", -1, "spam"),
    Outcome("ads_total", "ads posted over the run", "ads", "count", -1, "spam"),
    Outcome("money_spent", "money spent (yuan)", "money spent", "money", -1, "money"),
    Outcome("revenue", "revenue (yuan)", "revenue", "money", +1, "money"),
    Outcome("net_money", "revenue minus money spent (yuan)", "net money", "money", +1, "money"),
    Outcome("roi", "return on money spent", "ROI", "ratio", +1, "money"),
    Outcome("cost_per_active_member", "money spent per active member at end (yuan)",
            "cost per active member", "money", -1, "money"),
    Outcome("owner_hours", "owner team's hours", "owner hours", "hours", -1, "effort"),
)}
"""Every outcome :func:`compare` knows how to read, by name."""

DEFAULT_OUTCOMES = (
    "members_final", "newcomer_retention_30d", "died", "active_share_last_28d",
    "active_members_final", "messages_total", "spam_share", "ads_total", "money_spent",
    "revenue", "owner_hours",
)
"""What a strategist reads first: growth, retention, survival, activity, spam, money, time.

The active share is read beside the active members: removing silent members (a
cleanup) raises the share by shrinking its denominator, without anyone writing more."""


def _active_members(s: pd.DataFrame) -> pd.Series:
    return (s["members_final"].astype(float) * s["active_share_last_28d"].astype(float)).round()


def _cost_per_active(s: pd.DataFrame) -> pd.Series:
    active = _active_members(s)
    spent = s["money_spent"].astype(float)
    return (spent / active.where(active > 0)).where(~((spent == 0) & (active == 0)), 0.0)


DERIVED: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "died": lambda s: s["dead_day"].notna().astype(float),
    "active_members_final": _active_members,
    "net_money": lambda s: s["revenue"].astype(float) - s["money_spent"].astype(float),
    "cost_per_active_member": _cost_per_active,
}
"""Outcomes computed from summary columns: ``died`` is 1 for a group that died, else 0
(``dead_day`` is empty when the group survived, so its mean would hide the survivors)."""


def outcome_values(summary: pd.DataFrame, name: str) -> pd.Series:
    """Values of outcome ``name`` per run (float; NaN where the run has no value).

    Parameters
    ----------
    summary
        The summary table (one row per run).
    name
        A summary column or a derived outcome (:data:`DERIVED`).
    """
    if name in DERIVED:
        values = DERIVED[name](summary)
    elif name in summary.columns:
        values = summary[name]
    else:
        known = sorted(set(DERIVED) | set(summary.columns) - {"run_id", "arm", "seed"})
        near = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ValueError(f"unknown outcome {name!r}{hint}; known: {', '.join(known)}")
    return pd.to_numeric(values, errors="coerce").astype(float)


def outcome_info(name: str) -> Outcome:
    """How to read ``name`` (a plain default for columns not in :data:`OUTCOMES`)."""
    words = name.replace("_", " ")
    return OUTCOMES.get(name, Outcome(name, words, words, "ratio", 0, "other"))


def expanded_alpha(alpha: float, n: int) -> float:
    """Tail probability for a percentile bootstrap of a mean of ``n`` values.

    The plain percentile interval is too narrow for small samples; widening it so
    that its normal quantile matches ``sqrt(n / (n - 1))`` times Student's ``t`` with
    ``n - 1`` degrees of freedom (Hesterberg's "expanded percentile" interval) keeps
    the coverage near the nominal level with 5-30 replicates.
    """
    if n < 2:
        return alpha
    from scipy import stats  # only needed here; keeps `import sim` quick

    z = math.sqrt(n / (n - 1)) * stats.t.ppf(1 - alpha / 2, n - 1)
    return float(2 * stats.norm.sf(z))


def paired_interval(differences: np.ndarray, confidence: float = 0.95,
                    resamples: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Mean of paired differences and its bootstrap interval ``(mean, low, high)``.

    Replicates are resampled with replacement ``resamples`` times (one vectorized
    draw, seeded with ``seed`` and the number of pairs, so every outcome with the
    same pairs is resampled the same way). The interval is empty (NaN) with fewer
    than two pairs, and a single point when every difference is the same.
    """
    d = np.asarray(differences, dtype=np.float64)
    n = d.size
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(d.mean())
    if n == 1:
        return mean, math.nan, math.nan
    if np.all(d == d[0]):
        return mean, float(d[0]), float(d[0])
    rng = np.random.default_rng([seed, n])
    means = d[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    tail = expanded_alpha(1.0 - confidence, n) / 2
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return mean, float(low), float(high)


MIN_PAIRS = 5
"""Fewest paired replicates for a "higher" or "lower" verdict. A bootstrap interval
cannot be wider than the range of the differences, so with 2-4 pairs it is far too
narrow: with no true difference, 2 pairs call one in half the cases, 3 in a quarter,
4 in an eighth (simulated with :func:`paired_interval`); from 5 pairs on, the
expanded interval (:func:`expanded_alpha`) keeps the rate near the nominal 5%."""


def verdict(n_pairs: int, low: float, high: float) -> str:
    """Plain words for an interval of a difference (arm minus baseline)."""
    if n_pairs == 0:
        return "no replicates to compare"
    if n_pairs == 1:
        return "only 1 replicate: no confidence interval"
    if low == 0 and high == 0:
        return SAME
    if n_pairs < MIN_PAIRS:
        return f"too few replicates to tell ({n_pairs}; use {MIN_PAIRS} or more)"
    if low > 0:
        return "higher"
    if high < 0:
        return "lower"
    return f"no clear difference with {n_pairs} replicates"


def assessment(good: int, word: str) -> str:
    """``better`` or ``worse`` for a clear difference in an outcome with a direction."""
    if good == 0 or word not in ("higher", "lower"):
        return ""
    return "better" if (word == "higher") == (good > 0) else "worse"


COLUMNS = (
    "outcome", "label", "short", "score", "arm", "baseline", "n", "mean", "baseline_mean",
    "difference", "ci_low", "ci_high", "relative_difference", "n_pairs", "common_seeds",
    "verdict", "assessment", "confidence", "note",
)


def compare(result: RunResult | pd.DataFrame, outcomes: Iterable[str] | None = None,
            confidence: float = 0.95, resamples: int = 2000, seed: int = 0,
            baseline: str = BASELINE) -> pd.DataFrame:
    """Compare every arm with the baseline, outcome by outcome.

    Parameters
    ----------
    result
        A :class:`~sim.running.runner.RunResult` (or its summary table).
    outcomes
        Outcome names (summary columns or derived outcomes such as ``died``); by
        default :data:`DEFAULT_OUTCOMES`.
    confidence
        Level of the confidence intervals (0.95 = 95%).
    resamples
        Bootstrap resamples of the replicates.
    seed
        Seed of the bootstrap (the table is the same for the same seed).
    baseline
        Arm the others are compared with (the first arm when there is none so named).

    Returns
    -------
    pandas.DataFrame
        One row per outcome and arm (outcomes in the order given, arms in run order):
        ``mean`` over the arm's replicates and, for the other arms, ``difference``
        (mean of arm minus baseline, replicate by replicate, matched on the
        ``replicate`` column), ``ci_low``/``ci_high``, ``n_pairs``, ``common_seeds``
        (whether the pairs shared their seeds), ``verdict`` in plain words and
        ``assessment`` (better or worse, for outcomes with a good direction).
        Replicates where either arm has no value (NaN) are left out of the pairs
        and counted in ``note``.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples!r}")
    summary = result.summary if isinstance(result, RunResult) else result
    arms = list(dict.fromkeys(summary["arm"]))
    if not arms:
        return pd.DataFrame(columns=list(COLUMNS))
    if baseline in arms:
        base = baseline
    elif baseline == BASELINE:
        base = arms[0]
    else:
        raise ValueError(f"no arm named {baseline!r} to compare with; arms are "
                         f"{', '.join(arms)}")
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    names = list(DEFAULT_OUTCOMES if outcomes is None else outcomes)
    ids = summary[["arm", "replicate", "seed"]].reset_index(drop=True)
    rows = []
    for name in names:
        info = outcome_info(name)
        frame = ids.assign(value=outcome_values(summary, name).to_numpy())
        wide = frame.pivot(index="replicate", columns="arm", values="value")
        seeds = frame.pivot(index="replicate", columns="arm", values="seed")
        base_values = frame.loc[frame["arm"] == base, "value"]
        for arm in arms:
            values = frame.loc[frame["arm"] == arm, "value"]
            row = {
                "outcome": name, "label": info.label, "short": info.short, "score": info.score,
                "arm": arm,
                "baseline": base, "n": int(values.notna().sum()), "mean": values.mean(),
                "baseline_mean": base_values.mean(), "difference": math.nan,
                "ci_low": math.nan, "ci_high": math.nan, "relative_difference": math.nan,
                "n_pairs": 0, "common_seeds": True, "verdict": "baseline",
                "assessment": "", "confidence": confidence, "note": "",
            }
            if arm != base:
                pairs = wide[[base, arm]].dropna()
                n_pairs = len(pairs)
                diff, low, high = paired_interval(
                    (pairs[arm] - pairs[base]).to_numpy(), confidence, resamples, seed)
                word = (verdict(n_pairs, low, high) if n_pairs or wide.empty
                        else "no value to compare")
                paired_base = float(pairs[base].mean()) if n_pairs else math.nan
                row.update(
                    baseline_mean=paired_base if n_pairs else row["baseline_mean"],
                    difference=diff, ci_low=low, ci_high=high, n_pairs=n_pairs,
                    relative_difference=diff / abs(paired_base)
                    if n_pairs and paired_base != 0 else math.nan,
                    common_seeds=bool((seeds.loc[pairs.index, base]
                                       == seeds.loc[pairs.index, arm]).all()),
                    verdict=word, assessment=assessment(info.good, word),
                    note=_note(name, len(wide), n_pairs),
                )
            rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _note(name: str, replicates: int, n_pairs: int) -> str:
    if n_pairs == replicates:
        return ""
    if n_pairs == 0 and name.startswith("newcomer_retention_"):
        days = name.removeprefix("newcomer_retention_").removesuffix("d")
        return (f"no newcomer joined {days} days or more before the end of a run; "
                f"runs longer than {days} days are needed")
    if name == "dead_day":
        return (f"only the {n_pairs} of {replicates} replicates where both groups died; "
                "see 'died' for how often they died")
    return f"{replicates - n_pairs} of {replicates} replicates without a value left out"


# ------------------------------------------------------------------ plain words

UNITS = {"share": " pts", "money": " yuan", "hours": " h", "day": " days"}
"""Unit written after a difference of each kind of outcome (shares in percentage points)."""


def _number(kind: str, value: float, sign: str) -> str:
    if kind == "share":
        digits = 1 if abs(100 * value) >= 0.95 or value == 0 else 2
        return f"{_no_minus_zero(100 * value, digits):{sign}.{digits}f}"
    if kind in ("money", "count"):
        digits = 0 if abs(value) >= 10 or value == int(value) else (2 if kind == "money" else 1)
        return f"{_no_minus_zero(value, digits):{sign},.{digits}f}"
    if kind in ("hours", "day"):
        digits = 1 if kind == "hours" else 0
        return f"{_no_minus_zero(value, digits):{sign},.{digits}f}"
    return f"{value:{sign}.3g}"


def _no_minus_zero(value: float, digits: int) -> float:
    """``value``, or 0 when it shows as zero at ``digits`` decimals (never "-0.00")."""
    return 0.0 if round(value, digits) == 0 else value


def format_value(name: str, value: float) -> str:
    """An outcome's value as a strategist reads it (``-`` when empty)."""
    if value is None or not np.isfinite(value):
        return "-"
    kind = outcome_info(name).kind
    if kind == "share":
        return f"{value:.1%}"
    if kind == "day":
        return f"day {value:.0f}"
    return _number(kind, value, "") + {"money": " yuan", "hours": " h"}.get(kind, "")


def format_difference(name: str, value: float, signed: bool = True) -> str:
    """A difference in an outcome's unit (shares in percentage points, ``pts``).

    With ``signed`` the sign is always shown (``+3``, ``-3``); without, the size only.
    """
    if value is None or not np.isfinite(value):
        return "-"
    kind = outcome_info(name).kind
    number = _number(kind, value if signed else abs(value), "+" if signed else "")
    return number + UNITS.get(kind, "")


def format_interval(name: str, low: float, high: float) -> str:
    """``low to high`` in the outcome's unit, the unit written once (``-`` when none)."""
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return "-"
    kind = outcome_info(name).kind
    return f"{_number(kind, low, '+')} to {_number(kind, high, '+')}{UNITS.get(kind, '')}"


def sentence(row: pd.Series | dict) -> str:
    """One row of :func:`compare` as a sentence a non-statistician can read."""
    name, arm, base = row["outcome"], row["arm"], row["baseline"]
    if arm == base:
        return f"{row['label']}: {format_value(name, row['mean'])} in the {base}."
    word = row["verdict"]
    level = f"{row['confidence']:.0%}"
    head = (f"{row['label']}: {format_value(name, row['mean'])} with {arm} against "
            f"{format_value(name, row['baseline_mean'])} in the {base}")
    if word in ("higher", "lower"):
        judged = f" ({row['assessment']})" if row["assessment"] else ""
        size = format_difference(name, row["difference"], signed=False)
        interval = format_interval(name, row["ci_low"], row["ci_high"])
        return f"{head}: {word}{judged} by {size} ({level} interval {interval})."
    return f"{head}: {word}."
