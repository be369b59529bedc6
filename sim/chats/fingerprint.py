"""The fingerprint of a group: the statistics ``commsim fit`` matches, from a ChatLog alone.

A real group's export and a simulated group (:mod:`sim.validation.chatlog`) are both a
:class:`~sim.chats.log.ChatLog`; :func:`fingerprint` computes the same statistics from
either, in the family ``commsim validate`` measures (participation inequality, newcomers
and the first reply, tenure, volume, replies and threads, topic, joining through
members). Each statistic is declared once in :data:`STATISTICS` (name, description,
what it mirrors, the function); a function returns a number, or :class:`Unusable` with
the reason when the log cannot give it (the format cannot show what it needs, or the
group has too few newcomers, days or threads). ``docs/chat-exports.md`` ("The
fingerprint") has the table.

Days are calendar days counted from the log's first day (the day of its first message
or event), so day 0 is the first day and the log ends after day ``last``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from sim.chats.log import REPLIES, ChatLog

STAY = 30
"""Days a member must have been in the group to count in ``never_wrote_30d``."""
RETURN_WINDOW = 30
"""A newcomer returns if they write again on a later day within this many days."""
FIRST_WEEK = 7
"""Without join events, a member first seen after this many days counts as a newcomer."""
MIN_MEMBERS = 10
"""Fewest members (or writers) a share or slope over members is computed from."""
MIN_NEWCOMERS = 5
"""Fewest newcomers (in each group compared) a newcomer statistic is computed from."""
MIN_DAYS = 14
"""Fewest days the daily statistics are computed from."""
MIN_THREADS = 5
"""Fewest threads the thread statistics are computed from."""
SURVIVAL_DAYS = (30, 90)
"""Days at which the survival of joiners is estimated."""
JOINS = ("joined_link", "added")
EXITS = ("left", "removed")
ENTRIES = (*JOINS, "created")
EXIT_WORDS = {"left": "departures", "removed": "removals"}


@dataclass(frozen=True)
class Unusable:
    """A statistic this log cannot give, and why (said to the user as is)."""

    reason: str


Value = float | Unusable


class Facts:
    """What the statistics share, worked out once per log: days, members, threads.

    Attributes
    ----------
    log
        The log.
    last
        The log's last day (days count from its first day, 0).
    """

    def __init__(self, log: ChatLog) -> None:
        self.log = log
        times = pd.concat([log.messages["time"], log.events["time"]])
        self.start = times.min().normalize() if len(times) else pd.Timestamp(0)
        self.last = max(0, log.days - 1)
        self.limits = log.platform_limits

    def day(self, times: pd.Series) -> np.ndarray:
        """Day numbers of ``times``."""
        return ((times.dt.normalize() - self.start).dt.days).to_numpy(dtype=np.int64)

    @cached_property
    def message_days(self) -> np.ndarray:
        """Day number of each message."""
        return self.day(self.log.messages["time"])

    @cached_property
    def joins_seen(self) -> bool:
        """Whether the log has any join (the export shows them, and the group had some)."""
        return bool(self.log.events["kind"].isin(JOINS).any())

    @cached_property
    def replies_seen(self) -> bool:
        """Whether the format says which message a message answers."""
        return REPLIES not in self.limits

    @cached_property
    def members(self) -> pd.DataFrame:
        """One row per member seen: messages, first message day, join, exit, stay.

        ``start``: the day of their first join (``created`` counts); without one, day 0
        when the log shows joins (they were in before it starts), else the day they are
        first seen. ``end``: the day of their last exit when no join follows it, else
        the day after the log's last day. ``stay`` is ``end - start``.
        """
        log = self.log
        names = log.members()
        table = pd.DataFrame(index=pd.Index(names, name="member"))
        counts = log.messages["member"].value_counts()
        table["messages"] = counts.reindex(table.index, fill_value=0).astype(np.int64)
        days = pd.Series(self.message_days, index=log.messages.index)
        first_message = days.groupby(log.messages["member"]).min()
        table["first_message"] = first_message.reindex(table.index)
        events = log.events.assign(day=self.day(log.events["time"]))
        entries = events[events["kind"].isin(ENTRIES)]
        exits = events[events["kind"].isin(EXITS)]
        table["join"] = entries.groupby("member")["day"].min().reindex(table.index)
        last_entry = entries.groupby("member")["day"].max().reindex(table.index)
        last_exit = exits.groupby("member")["day"].max().reindex(table.index)
        seen = events.groupby("member")["day"].min().reindex(table.index)
        first_seen = pd.concat([table["first_message"], seen], axis=1).min(axis=1)
        table["start"] = table["join"].fillna(0 if self.joins_seen else first_seen).fillna(0)
        gone = last_exit.notna() & (last_entry.isna() | (last_exit >= last_entry))
        table["end"] = np.where(gone, last_exit, self.last + 1)
        table["left"] = gone
        table["stay"] = table["end"] - table["start"]
        return table

    @cached_property
    def newcomers(self) -> pd.DataFrame:
        """Newcomers who wrote: their first post, whether it was answered, whether they returned.

        Newcomers joined after day 0 (without join events: were first seen after
        :data:`FIRST_WEEK` days). The first post is their first message that is not a
        reply (their first message, when the format has no replies); answered: another
        member replied to it. Returned: they wrote on a later day within
        :data:`RETURN_WINDOW` days. ``observed``: the first post came more than
        ``RETURN_WINDOW`` days before the log ends (the window is fully seen).
        """
        members = self.members
        if self.joins_seen:
            new = members.index[members["join"].fillna(0) > 0]
        else:
            new = members.index[members["first_message"] >= FIRST_WEEK]
        messages = self.log.messages.assign(day=self.message_days)
        starts = messages
        if self.replies_seen:
            starts = messages[messages["reply_to"].isna()]
        starts = starts[starts["member"].isin(new)]
        first = starts.groupby("member").first()
        if first.empty:
            return pd.DataFrame({"first_day": pd.Series(dtype=np.int64),
                                 **{c: pd.Series(dtype=bool)
                                    for c in ("answered", "returned", "observed")}})
        replies = messages[messages["reply_to"].notna()]
        parents = replies["reply_to"].astype(np.int64).to_numpy()
        author = messages["member"].to_numpy()
        by_other = replies["member"].to_numpy() != author[parents]
        answered_ids = set(parents[by_other].tolist())
        days = messages.groupby("member")["day"].apply(np.unique)
        out = pd.DataFrame(index=first.index)
        out["first_day"] = first["day"]
        out["answered"] = [i in answered_ids for i in first["message_id"].tolist()]
        out["returned"] = [bool(((d > f) & (d <= f + RETURN_WINDOW)).any())
                           for d, f in zip(days.reindex(out.index), out["first_day"],
                                           strict=True)]
        out["observed"] = self.last + 1 - out["first_day"] > RETURN_WINDOW
        return out

    @cached_property
    def threads(self) -> pd.DataFrame:
        """Per message: its depth (reply hops to the message that started its thread) and root."""
        reply_to = self.log.messages["reply_to"]
        parents = reply_to.fillna(-1).astype(np.int64).to_numpy()
        depth = np.zeros(parents.size, dtype=np.int64)
        root = np.arange(parents.size)
        for i, parent in enumerate(parents.tolist()):  # a parent always comes first
            if parent >= 0:
                depth[i] = depth[parent] + 1
                root[i] = root[parent]
        return pd.DataFrame({"depth": depth, "root": root})

    @cached_property
    def daily(self) -> np.ndarray:
        """Messages on each day of the log, days without any included."""
        return np.bincount(self.message_days, minlength=self.last + 1).astype(np.float64)


# ------------------------------------------------------------------- helpers


def top_share(messages: np.ndarray, share: float) -> float:
    """Share of messages written by the top ``share`` of people (at least one person).

    As the run's ``top1_share`` counts it (:func:`sim.engine.metrics.top_share`).
    """
    if messages.size == 0 or messages.sum() == 0:
        return 0.0
    k = max(1, int(round(share * messages.size)))
    return float(np.sort(messages)[::-1][:k].sum() / messages.sum())


def _over_members(facts: Facts) -> Unusable | None:
    if not facts.joins_seen:
        return Unusable("members who never wrote are seen only through join events, and "
                        "this log has none: shares over members would be over writers")
    if len(facts.members) < MIN_MEMBERS:
        return Unusable(f"only {len(facts.members)} members (at least {MIN_MEMBERS} needed)")
    return None


def _no_replies(facts: Facts) -> Unusable | None:
    if not facts.replies_seen:
        return Unusable(f"the {facts.log.format} export does not say which message a "
                        "message answers")
    return None


# --------------------------------------------------------- participation


def _never_wrote_30d(facts: Facts) -> Value:
    members = facts.members
    stayed = members[members["stay"] >= STAY]
    if (why := _over_members(facts)) is not None:
        return why
    if len(stayed) < MIN_MEMBERS:
        return Unusable(f"only {len(stayed)} members stayed {STAY} days "
                        f"(at least {MIN_MEMBERS} needed)")
    return float((stayed["messages"] == 0).mean())


def _top1_share(facts: Facts) -> Value:
    why = _over_members(facts)
    return why or top_share(facts.members["messages"].to_numpy(), 0.01)


def _top10_share(facts: Facts) -> Value:
    why = _over_members(facts)
    return why or top_share(facts.members["messages"].to_numpy(), 0.10)


def _gini_messages(facts: Facts) -> Value:
    if (why := _over_members(facts)) is not None:
        return why
    x = np.sort(facts.members["messages"].to_numpy().astype(np.float64))
    if x.sum() == 0:
        return 0.0
    ranks = np.arange(1, x.size + 1)
    return float((2 * (ranks * x).sum()) / (x.size * x.sum()) - (x.size + 1) / x.size)


def _rank_slope(facts: Facts) -> Value:
    counts = np.sort(facts.members["messages"].to_numpy())[::-1]
    counts = counts[counts > 0].astype(np.float64)
    if counts.size < MIN_MEMBERS:
        return Unusable(f"only {counts.size} members wrote (at least {MIN_MEMBERS} needed)")
    ranks = np.arange(1, counts.size + 1, dtype=np.float64)
    slope, _ = np.polyfit(np.log(ranks), np.log(counts), 1)
    return float(slope)


# --------------------------------------------------------------- newcomers


def _newcomers(facts: Facts, answered: bool | None) -> pd.DataFrame | Unusable:
    if answered is not None and (why := _no_replies(facts)) is not None:
        return why
    new = facts.newcomers
    new = new.loc[new["observed"].to_numpy(dtype=bool)]
    if answered is not None:
        new = new.loc[new["answered"].to_numpy(dtype=bool) == answered]
    if len(new) < MIN_NEWCOMERS:
        which = "" if answered is None else (" answered" if answered else " ignored")
        return Unusable(f"only {len(new)} newcomers whose first post was{which} more than "
                        f"{RETURN_WINDOW} days before the end (at least {MIN_NEWCOMERS} "
                        "needed)")
    return new


def _first_posts_unanswered(facts: Facts) -> Value:
    if (why := _no_replies(facts)) is not None:
        return why
    new = _newcomers(facts, None)
    return new if isinstance(new, Unusable) else float((~new["answered"].astype(bool)).mean())


def _return_30d(facts: Facts) -> Value:
    new = _newcomers(facts, None)
    return new if isinstance(new, Unusable) else float(new["returned"].mean())


def _return_if_answered(facts: Facts) -> Value:
    new = _newcomers(facts, True)
    return new if isinstance(new, Unusable) else float(new["returned"].mean())


def _return_if_ignored(facts: Facts) -> Value:
    new = _newcomers(facts, False)
    return new if isinstance(new, Unusable) else float(new["returned"].mean())


# ------------------------------------------------------------------ tenure


def survival(facts: Facts, days: int) -> Value:
    """Kaplan-Meier estimate that a joiner is still in the group ``days`` after joining.

    Joiners are members with a join after day 0; one with no exit is censored at the
    log's end. ``left`` and ``removed`` both end a stay.
    """
    hidden = [EXIT_WORDS[k] for k in EXITS if k in facts.limits]
    if hidden:
        return Unusable(f"the {facts.log.format} export does not show "
                        f"{' or '.join(hidden)}: nobody would ever seem to go")
    members = facts.members
    joiners = members[members["join"].fillna(0) > 0]
    if len(joiners) < MIN_NEWCOMERS:
        return Unusable(f"only {len(joiners)} joins after the first day "
                        f"(at least {MIN_NEWCOMERS} needed)")
    followed = int((joiners["join"] + days <= facts.last + 1).sum())
    if followed < MIN_NEWCOMERS:
        return Unusable(f"only {followed} joiners joined {days} days or more before the "
                        f"end (at least {MIN_NEWCOMERS} needed)")
    stay = joiners["stay"].to_numpy(dtype=np.float64)
    ended = joiners["left"].to_numpy(dtype=bool)
    alive = 1.0
    for t in np.unique(stay[ended & (stay < days)]):
        at_risk = (stay >= t).sum()
        alive *= 1.0 - ((stay == t) & ended).sum() / at_risk
    return float(alive)


def _survival_30d(facts: Facts) -> Value:
    return survival(facts, 30)


def _survival_90d(facts: Facts) -> Value:
    return survival(facts, 90)


# ------------------------------------------------------------ daily volume


def _days(facts: Facts) -> Unusable | None:
    if facts.last + 1 < MIN_DAYS:
        return Unusable(f"the log covers {facts.last + 1} days (at least {MIN_DAYS} needed)")
    return None


def _messages_per_day(facts: Facts) -> Value:
    return _days(facts) or float(facts.daily.mean())


def _daily_cv(facts: Facts) -> Value:
    if (why := _days(facts)) is not None:
        return why
    mean = facts.daily.mean()
    return float(facts.daily.std() / mean) if mean > 0 else Unusable("no messages")


def _weekly_trend(facts: Facts) -> Value:
    """Slope of log(1 + messages a day) against weeks (+0.1: about 10% more a week)."""
    if (why := _days(facts)) is not None:
        return why
    weeks = np.arange(facts.daily.size) / 7.0
    slope, _ = np.polyfit(weeks, np.log1p(facts.daily), 1)
    return float(slope)


def _posters_per_member(facts: Facts) -> Value:
    """Mean over days of the members who wrote that day over the members in the group."""
    if (why := _days(facts) or _over_members(facts)) is not None:
        return why
    members = facts.members
    start = members["start"].to_numpy(dtype=np.int64)
    end = members["end"].to_numpy(dtype=np.int64)
    present = np.zeros(facts.last + 2, dtype=np.int64)
    np.add.at(present, np.clip(start, 0, facts.last + 1), 1)
    np.add.at(present, np.clip(end, 0, facts.last + 1), -1)
    present = np.cumsum(present)[:facts.last + 1]
    pairs = pd.DataFrame({"day": facts.message_days,
                          "member": facts.log.messages["member"].to_numpy()})
    posters = np.bincount(pairs.drop_duplicates()["day"].to_numpy(),
                          minlength=facts.last + 1)
    days = present > 0
    return float(np.mean(posters[days] / present[days]))


# ---------------------------------------------------------------- replies


def _reply_share(facts: Facts) -> Value:
    if (why := _no_replies(facts)) is not None:
        return why
    n = len(facts.log.messages)
    return float((facts.threads["depth"] > 0).sum() / n) if n else Unusable("no messages")


def _thread_depths(facts: Facts) -> pd.Series | Unusable:
    if (why := _no_replies(facts)) is not None:
        return why
    threads = facts.threads
    replies = threads[threads["depth"] > 0]
    depths = replies.groupby("root")["depth"].max()
    if len(depths) < MIN_THREADS:
        return Unusable(f"only {len(depths)} threads (at least {MIN_THREADS} needed)")
    return depths


def _thread_depth_mean(facts: Facts) -> Value:
    depths = _thread_depths(facts)
    return depths if isinstance(depths, Unusable) else float(depths.mean())


def _thread_depth_max(facts: Facts) -> Value:
    depths = _thread_depths(facts)
    return depths if isinstance(depths, Unusable) else float(depths.max())


def _replies_per_thread(facts: Facts) -> Value:
    depths = _thread_depths(facts)
    if isinstance(depths, Unusable):
        return depths
    return float((facts.threads["depth"] > 0).sum() / len(depths))


# ------------------------------------------------------------------ topic


def _share(column: str) -> Callable[[Facts], Value]:
    def share(facts: Facts) -> Value:
        messages = facts.log.messages
        return float(messages[column].mean()) if len(messages) else Unusable("no messages")

    share.__name__ = f"{column}_share"
    return share


# ------------------------------------------------------------------ joins


def _joins_by_member(facts: Facts) -> Value:
    events = facts.log.events
    joins = events[events["kind"].isin(JOINS)]
    if "added" in facts.limits:
        return Unusable(f"the {facts.log.format} export shows no additions, only joins "
                        "by link, whose sharer it does not name")
    if len(joins) < MIN_NEWCOMERS:
        return Unusable(f"only {len(joins)} joins (at least {MIN_NEWCOMERS} needed)")
    return float(joins["by"].notna().mean())


# --------------------------------------------------------------- registry


@dataclass(frozen=True)
class Statistic:
    """One statistic of the fingerprint: its name, what it is, what it mirrors, how."""

    name: str
    description: str
    mirrors: str
    """The ``commsim validate`` measure or run outcome it corresponds to."""
    compute: Callable[[Facts], Value]


STATISTICS: tuple[Statistic, ...] = (
    Statistic("never_wrote_30d", "members who were in the group 30+ days and never wrote",
              "T1 lurker_share; run outcome never_wrote_30d", _never_wrote_30d),
    Statistic("top1_share", "share of messages by the top 1% of members (at least one)",
              "T1 top1_share; run outcome top1_share", _top1_share),
    Statistic("top10_share", "share of messages by the top 10% of members",
              "run outcome top10_share (T1's top 1% + next 9%)", _top10_share),
    Statistic("gini_messages", "Gini coefficient of messages per member",
              "run outcome gini_messages", _gini_messages),
    Statistic("rank_slope", "slope of log messages against log rank, over members who "
              "wrote (a Zipf exponent, negative)", "T1 (the shape of 90-9-1)", _rank_slope),
    Statistic("first_posts_unanswered", "newcomers whose first post got no reply from "
              "another member", "T3 first_posts_unanswered", _first_posts_unanswered),
    Statistic("return_30d", "newcomers who wrote again on a later day within 30 days of "
              "their first post", "T3 (both groups together)", _return_30d),
    Statistic("return_if_answered", "the same, of newcomers whose first post got a reply",
              "T3 return_if_answered", _return_if_answered),
    Statistic("return_if_ignored", "the same, of newcomers whose first post got none",
              "T3 return_if_ignored", _return_if_ignored),
    Statistic("survival_30d", "joiners still in the group 30 days after joining "
              "(Kaplan-Meier)", "run outcome newcomer_retention_30d", _survival_30d),
    Statistic("survival_90d", "the same at 90 days", "run outcome newcomer_retention_30d, "
              "later", _survival_90d),
    Statistic("messages_per_day", "mean messages a day, days without any included",
              "run outcome messages_total / days", _messages_per_day),
    Statistic("daily_cv", "coefficient of variation of messages a day",
              "daily messages (timeseries)", _daily_cv),
    Statistic("weekly_trend", "slope of log(1 + messages a day) per week",
              "daily messages (timeseries)", _weekly_trend),
    Statistic("posters_per_member", "mean over days of members who wrote over members "
              "in the group", "daily posters / members (timeseries)", _posters_per_member),
    Statistic("reply_share", "messages that are replies", "daily msg_answer + "
              "thread_replies over messages", _reply_share),
    Statistic("thread_depth_mean", "mean over threads of the longest reply chain (a "
              "thread: a message that is no reply, with all replies under it)",
              "daily longest_thread", _thread_depth_mean),
    Statistic("thread_depth_max", "longest reply chain of any thread",
              "daily longest_thread", _thread_depth_max),
    Statistic("replies_per_thread", "replies under a thread on average",
              "run outcome replies_per_thread", _replies_per_thread),
    Statistic("off_topic_share", "messages that are off-topic (chat, greetings, stickers)",
              "run outcome off_topic_share (over all messages here)", _share("off_topic")),
    Statistic("question_share", "messages that are questions", "daily msg_question",
              _share("is_question")),
    Statistic("link_share", "messages with a link", "daily msg_ad (ads carry links)",
              _share("has_link")),
    Statistic("joins_by_member", "joins for which the export names a member who added "
              "them or shared the link", "T4 (joining through friends)", _joins_by_member),
)
"""Every statistic of the fingerprint, in the order of its table."""

STATISTIC_BY_NAME = {s.name: s for s in STATISTICS}


@dataclass(frozen=True)
class Fingerprint:
    """The fingerprint of one log.

    Attributes
    ----------
    values
        One row, one column per statistic (``NaN`` where unusable).
    reasons
        For each unusable statistic, why (statistics not in it are usable).
    """

    values: pd.DataFrame
    reasons: dict[str, str]

    def __getitem__(self, name: str) -> float:
        return float(self.values[name].iloc[0])

    def usable(self, name: str) -> bool:
        """Whether statistic ``name`` could be computed from this log."""
        if name not in STATISTIC_BY_NAME:
            raise KeyError(f"unknown statistic '{name}'; expected one of "
                           f"{', '.join(STATISTIC_BY_NAME)}")
        return name not in self.reasons

    @property
    def usable_names(self) -> list[str]:
        """The statistics a fit can use, in table order."""
        return [s.name for s in STATISTICS if s.name not in self.reasons]

    def table(self) -> pd.DataFrame:
        """One row per statistic: name, value, usable, reason, description, mirrors."""
        return pd.DataFrame({
            "statistic": [s.name for s in STATISTICS],
            "value": [self[s.name] for s in STATISTICS],
            "usable": [s.name not in self.reasons for s in STATISTICS],
            "reason": [self.reasons.get(s.name, "") for s in STATISTICS],
            "description": [s.description for s in STATISTICS],
            "mirrors": [s.mirrors for s in STATISTICS]})


def fingerprint(log: ChatLog) -> Fingerprint:
    """The fingerprint of ``log``: every statistic of :data:`STATISTICS`, and which are usable.

    Pure pandas and numpy over the log's two tables; the same for an export and a
    simulated group.
    """
    facts = Facts(log)
    values: dict[str, float] = {}
    reasons: dict[str, str] = {}
    for statistic in STATISTICS:
        value = statistic.compute(facts)
        if isinstance(value, Unusable):
            values[statistic.name] = math.nan
            reasons[statistic.name] = value.reason
        else:
            values[statistic.name] = float(value)
    return Fingerprint(pd.DataFrame([values]), reasons)
