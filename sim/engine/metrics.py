"""Outcomes: the daily record, the per-run summary and the members table.

Daily columns are recorded into preallocated arrays (:class:`Recorder`); summary
outcomes are small pure functions registered by name (:data:`SUMMARY_METRICS`), each
``f(run) -> number`` over one run's tables, so a new outcome is one function.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.engine import metrics_kernels
from sim.engine.state import (
    KIND,
    MEMBER,
    MESSAGE_KINDS,
    OUTSIDER,
    STATUS_LABELS,
    VALUE_COMPONENTS,
)

if TYPE_CHECKING:
    from sim.engine.community import Community
    from sim.engine.day.today import Today
    from sim.engine.plan import DayPlan

LURKER_STAY = 30
"""Days a member must have stayed to count in ``never_wrote_30d`` (T1's lurker share)."""

DAILY_COLUMNS = (
    "members", "joins", "leaves", "removed", "messages", "spam_messages",
    *(f"msg_{k}" for k in MESSAGE_KINDS), "red_envelope_money", "money_spent", "revenue",
    "conversions", "owner_minutes", "alive", "busiest_member_messages",
    "threads", "thread_replies", "longest_thread",
    # computed by sim.engine.metrics_kernels.member_means, in its order
    "posters", "readers", "muted", "engagement", "trust", "value",
    *(f"value_{c}" for c in VALUE_COMPONENTS), "value_cost",
)
"""Timeseries columns besides the run's identity (run_id, arm, replicate, seed, day)."""
_MEANS_FROM = DAILY_COLUMNS.index("posters")



class Recorder:
    """Preallocated daily record of one run: one row per day, one column per metric.

    ``data[name]`` is the column of metric ``name`` (a view into ``table``).
    """

    def __init__(self, days: int) -> None:
        self.table = np.zeros((days, len(DAILY_COLUMNS)), dtype=np.float64)
        self.data = {name: self.table[:, i] for i, name in enumerate(DAILY_COLUMNS)}

    def record(self, model: Community, plan: DayPlan, today: Today) -> None:
        """Write today's row; also update the signals outsiders see and the death clock."""
        d = model.day
        rows = model.members()
        counts = today.counts.tolist()
        row = self.table[d]
        if model.dead_day is None and today.conversation:
            model.last_conversation = d
        alive = model.dead_day is None and (d - model.last_conversation) < model.dyn.dead_after
        if not alive and model.dead_day is None:
            model.dead_day = d
        head = (rows.size, today.joins, today.leaves, today.removed, sum(counts),
                counts[KIND["ad"]], *counts, today.envelope_money, today.money_spent,
                today.revenue, today.conversions, plan.owner_minutes, alive,
                int(today.wrote.max()) if today.wrote.size else 0, *today.threads)
        row[:_MEANS_FROM] = head
        metrics_kernels.member_means(rows, model.member_record, model.group_record,
                                     (today.rows, today.read, today.wrote), row[_MEANS_FROM:])
        model.ledger.owner_minutes += plan.owner_minutes
        model.group_value = row[_MEANS_FROM + 5]
        model.material_signal = 0.9 * model.material_signal + 0.1 * (
            1.0 - math.exp(-today.envelope_money / max(1, rows.size) / model.dyn.money_scale))


@dataclass
class RunTables:
    """The three tidy tables of one run."""

    timeseries: pd.DataFrame
    summary: pd.DataFrame
    members: pd.DataFrame


def _ids(model: Community, run_id: str, replicate: int) -> dict:
    return {"run_id": run_id, "arm": model.arm, "replicate": replicate, "seed": model.run_seed}


INTEGER_COLUMNS = frozenset({
    "members", "joins", "leaves", "removed", "posters", "readers", "muted", "messages",
    "spam_messages", "conversions", "busiest_member_messages", "threads", "thread_replies",
    "longest_thread",
    *(f"msg_{k}" for k in MESSAGE_KINDS)})
"""Daily columns that count things (stored as integers)."""


def timeseries_frame(model: Community, run_id: str, replicate: int) -> pd.DataFrame:
    """One row per day of the run."""
    days = model.recorder.data["members"].size
    columns = {k: np.repeat(v, days) for k, v in _ids(model, run_id, replicate).items()}
    columns["day"] = np.arange(days)
    for name, values in model.recorder.data.items():
        if name == "alive":
            columns[name] = values.astype(bool)
        elif name in INTEGER_COLUMNS:
            columns[name] = values.astype(np.int64)
        else:
            columns[name] = values.copy()
    return pd.DataFrame(columns)


def _missing_when_negative(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Nullable integers: -1 (never happened) becomes missing."""
    values = np.asarray(values, dtype=np.int32)
    return pd.arrays.IntegerArray(values, values < 0)


def members_frame(model: Community, run_id: str, replicate: int) -> pd.DataFrame:
    """One row per person who was ever a member in the run."""
    from agents import ROLES

    st = model.state
    rows = np.flatnonzero(st.status != OUTSIDER)
    labels = np.array([r.label for r in ROLES])
    still = st.status[rows] == MEMBER
    end_role = np.where(still, st.role[rows], st.role_at_end[rows])
    answered = st.first_post_answered[rows]
    messages = st.messages[rows].astype(np.int64)
    columns = {
        "run_id": np.repeat(run_id, rows.size), "arm": np.repeat(model.arm, rows.size),
        "replicate": np.repeat(replicate, rows.size),
        "seed": np.repeat(model.run_seed, rows.size),
        "agent_id": rows.astype(np.int64),
        "role_at_join": labels[st.role_at_join[rows]],
        "role_at_end": labels[end_role],
        "layer_at_end": np.array(["potential", "intention", "strong"])[st.layer[rows]],
        "founder": st.founder[rows],
        "joined_day": st.joined_day[rows],
        "left_day": _missing_when_negative(np.where(still, -1, st.left_day[rows])),
        "exit": np.array(STATUS_LABELS)[st.status[rows]],
        "invited_by": st.invited_by[rows],
        "first_post_day": st.first_post_day[rows],
        "first_post_answered": pd.arrays.BooleanArray(answered > 0, answered < 0),
        "messages": messages.sum(axis=1),
    }
    for kind, i in KIND.items():
        columns[f"messages_{kind}"] = messages[:, i]
    columns["money_received"] = st.money_received[rows]
    columns["money_sent"] = st.money_sent[rows]
    columns["converted"] = st.converted[rows]
    columns["purchases"] = st.purchases[rows].astype(np.int64)
    columns["muted_day"] = _missing_when_negative(st.muted_day[rows])
    return pd.DataFrame(columns)


# ------------------------------------------------------------- summary outcomes

SummaryMetric = Callable[["Community", pd.DataFrame, pd.DataFrame], float]
SUMMARY_METRICS: dict[str, SummaryMetric] = {}


def summary_metric(name: str) -> Callable[[SummaryMetric], SummaryMetric]:
    """Register ``f(model, timeseries, members) -> number`` as summary outcome ``name``."""

    def register(func: SummaryMetric) -> SummaryMetric:
        SUMMARY_METRICS[name] = func
        return func

    return register


@summary_metric("days")
def _days(model, ts, mem):
    return len(ts)


@summary_metric("members_final")
def members_final(model, ts, mem):
    """Members on the last day."""
    return int(ts["members"].iloc[-1])


@summary_metric("members_peak")
def members_peak(model, ts, mem):
    """Most members on any day."""
    return int(ts["members"].max())


@summary_metric("joins_total")
def joins_total(model, ts, mem):
    """People who joined after the founding (founders and existing members excluded)."""
    return int((~mem["founder"]).sum())


@summary_metric("messages_total")
def messages_total(model, ts, mem):
    """Messages of every kind over the run."""
    return int(ts["messages"].sum())


@summary_metric("busiest_member_day")
def busiest_member_day(model, ts, mem):
    """Most messages any one member wrote in a day, over the run (0 if nobody wrote)."""
    return int(ts["busiest_member_messages"].max()) if len(ts) else 0


@summary_metric("active_share_last_28d")
def active_share_last_28d(model, ts, mem):
    """Share of final members who posted in the last 28 days (of the run, if shorter)."""
    st = model.state
    rows = model.members()
    if rows.size == 0:
        return 0.0
    cutoff = max(model.day - 28, 0)  # never posted: last_post_day is -1
    return float((st.last_post_day[rows] >= cutoff).mean())


@summary_metric("spam_share")
def spam_share(model, ts, mem):
    """Ads as a share of all messages."""
    total = ts["messages"].sum()
    return float(ts["spam_messages"].sum() / total) if total else 0.0


@summary_metric("ads_total")
def ads_total(model, ts, mem):
    """Ads posted over the run.

    Read it with the spam share: fewer messages overall can raise the share of ads
    while there are fewer of them.
    """
    return int(ts["spam_messages"].sum())


def newcomer_retention(mem: pd.DataFrame, horizon: int, days: int) -> float:
    """Share of newcomers still members ``horizon`` days after joining.

    Newcomers are people who joined after the founding (not founders or members the
    group had on day 0) and at least ``horizon`` days before the end of the run.
    """
    joined = mem["joined_day"].to_numpy()
    cohort = ~mem["founder"].to_numpy(dtype=bool) & (joined <= days - horizon)
    if not cohort.any():
        return float("nan")
    left = mem["left_day"].to_numpy(dtype=float, na_value=np.nan)[cohort]
    stayed = np.isnan(left) | (left - joined[cohort] >= horizon)
    return float(stayed.mean())


@summary_metric("newcomer_retention_7d")
def _retention_7(model, ts, mem):
    return newcomer_retention(mem, 7, len(ts))


@summary_metric("newcomer_retention_30d")
def _retention_30(model, ts, mem):
    return newcomer_retention(mem, 30, len(ts))


def top_share(messages: np.ndarray, share: float) -> float:
    """Share of messages written by the top ``share`` of people (at least one person)."""
    if messages.size == 0 or messages.sum() == 0:
        return 0.0
    k = max(1, int(round(share * messages.size)))
    return float(np.sort(messages)[::-1][:k].sum() / messages.sum())


@summary_metric("top1_share")
def top1_share(model, ts, mem):
    """Share of messages by the top 1% of people who were ever members (T1)."""
    return top_share(mem["messages"].to_numpy(), 0.01)


@summary_metric("top10_share")
def top10_share(model, ts, mem):
    """Share of messages by the top 10% of people who were ever members."""
    return top_share(mem["messages"].to_numpy(), 0.10)


@summary_metric("gini_messages")
def gini_messages(model, ts, mem):
    """Gini coefficient of messages per person who was ever a member."""
    x = np.sort(mem["messages"].to_numpy().astype(np.float64))
    if x.size == 0 or x.sum() == 0:
        return 0.0
    ranks = np.arange(1, x.size + 1)
    return float((2 * (ranks * x).sum()) / (x.size * x.sum()) - (x.size + 1) / x.size)


@summary_metric("lurker_share")
def lurker_share(model, ts, mem):
    """Share of people who were ever members and never posted."""
    return float((mem["messages"] == 0).mean()) if len(mem) else 0.0


def off_topic_share_of(ts: pd.DataFrame) -> float:
    """Share of the group's talk that is off-topic, in a daily table (0 without talk).

    The talk is what members say beyond posting content, asking and answering:
    discussion (on topic) and chat (greetings, small talk, personal chat).
    """
    off, on = ts["msg_chat"].sum(), ts["msg_discussion"].sum()
    return float(off / (on + off)) if on + off else 0.0


@summary_metric("off_topic_share")
def off_topic_share(model, ts, mem):
    """Share of the group's talk that is small talk rather than discussion of its topic."""
    return off_topic_share_of(ts)


@summary_metric("replies_per_thread")
def replies_per_thread(model, ts, mem):
    """Replies a thread drew on average (a post with at least one reply is a thread)."""
    threads = ts["threads"].sum()
    return float(ts["thread_replies"].sum() / threads) if threads else 0.0


@summary_metric("never_wrote_30d")
def never_wrote_30d(model, ts, mem):
    """Share of members who stayed at least 30 days and never wrote a message.

    T1's lurkers: studies of real groups find 45-90%. 0 if nobody stayed that long.
    """
    joined = mem["joined_day"].to_numpy(dtype=float)
    left = mem["left_day"].to_numpy(dtype=float, na_value=np.nan)
    stayed = np.where(np.isnan(left), len(ts), left) - joined >= LURKER_STAY
    if not stayed.any():
        return 0.0
    return float((mem["messages"].to_numpy()[stayed] == 0).mean())


@summary_metric("muted_share")
def muted_share(model, ts, mem):
    """Share of final members who muted the group."""
    last = ts["members"].iloc[-1]
    return float(ts["muted"].iloc[-1] / last) if last else 0.0


@summary_metric("money_spent")
def money_spent(model, ts, mem):
    """Money the operator paid out (red envelopes, gifts, rewards)."""
    return float(model.ledger.money_spent)


@summary_metric("revenue")
def revenue(model, ts, mem):
    """Revenue from conversions."""
    return float(model.ledger.revenue)


@summary_metric("roi")
def roi(model, ts, mem):
    """(revenue - money spent) / money spent; empty when nothing was spent."""
    spent = model.ledger.money_spent
    return float((model.ledger.revenue - spent) / spent) if spent > 0 else float("nan")


@summary_metric("owner_hours")
def owner_hours(model, ts, mem):
    """Hours of the owner's team the strategies took."""
    return float(model.ledger.owner_minutes / 60.0)


@summary_metric("dead_day")
def dead_day(model, ts, mem):
    """First day the group counted as dead; empty when it survived."""
    return float("nan") if model.dead_day is None else float(model.dead_day)


def summary_frame(model: Community, ts: pd.DataFrame, mem: pd.DataFrame, run_id: str,
                  replicate: int) -> pd.DataFrame:
    """One row: the run's identity and every registered summary outcome."""
    row = _ids(model, run_id, replicate)
    row.update({name: func(model, ts, mem) for name, func in SUMMARY_METRICS.items()})
    frame = pd.DataFrame([row])
    frame["dead_day"] = frame["dead_day"].astype("Int32") if frame["dead_day"].notna().all() \
        else pd.array([None], dtype="Int32")
    return frame


def run_tables(model: Community, run_id: str, replicate: int) -> RunTables:
    """The timeseries, summary and members tables of a finished run."""
    ts = timeseries_frame(model, run_id, replicate)
    mem = members_frame(model, run_id, replicate)
    return RunTables(ts, summary_frame(model, ts, mem, run_id, replicate), mem)
