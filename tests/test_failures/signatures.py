"""Signatures of the failure modes F1-F8 (MECHANISMS.md), measured on run results."""

from __future__ import annotations

import numpy as np
import pandas as pd

import sim


def by_arm(result: sim.RunResult, arm: str = "baseline") -> tuple[pd.DataFrame, ...]:
    s, ts, mem = result.summary, result.timeseries, result.members
    return s[s["arm"] == arm], ts[ts["arm"] == arm], mem[mem["arm"] == arm]


def hunters_who_never_took_part(mem: pd.DataFrame) -> float:
    """Share of hunters who joined and wrote nothing but thank-yous."""
    hunters = mem[(mem["role_at_join"] == "hunter") & ~mem["founder"]]
    if hunters.empty:
        return float("nan")
    other = hunters["messages"] - hunters["messages_thanks"]
    return float((other == 0).mean())


def hunters_joined(mem: pd.DataFrame) -> pd.Series:
    """Hunters who joined, per run."""
    joined = mem[(mem["role_at_join"] == "hunter") & ~mem["founder"]]
    return joined.groupby("replicate").size().reindex(
        sorted(mem["replicate"].unique()), fill_value=0)


def window(ts: pd.DataFrame, column: str, start: int, end: int) -> pd.Series:
    """Per run, the sum of a daily column over days [start, end)."""
    part = ts[(ts["day"] >= start) & (ts["day"] < end)]
    return part.groupby("replicate")[column].sum()


def messages_per_member(ts: pd.DataFrame, start: int, end: int) -> pd.Series:
    """Per run, messages per member-day over days [start, end)."""
    return window(ts, "messages", start, end) / window(ts, "members", start, end)


def envelope_uptake(ts: pd.DataFrame, start: int, end: int) -> pd.Series:
    """Per run, red-envelope money claimed per envelope-day in days [start, end)."""
    part = ts[(ts["day"] >= start) & (ts["day"] < end) & (ts["day"] % 7 == 6)]
    return part.groupby("replicate")["red_envelope_money"].mean()


def dead_share(summary: pd.DataFrame) -> float:
    """Share of runs whose group died."""
    return float(summary["dead_day"].notna().mean())


def mean(x) -> float:
    return float(np.nanmean(np.asarray(x, dtype=float)))
