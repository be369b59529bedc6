"""Observers: what a field study would have logged about a simulated group.

A study of real groups works from logs: who posted when, who grabbed how much of
which red envelope, who was in the group on the day a snapshot was taken. An
observer collects the same records from a running model, day by day, without
changing it: it reads the member table and the day's record (:class:`sim.engine.day.today.Today`)
after each step, and its :meth:`Observer.frame` is the tidy table the measurement in
:mod:`sim.validation.targets` works on, exactly as the study worked on its data.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from typing import override

import numpy as np
import pandas as pd
import scipy.sparse as sp

from agents import RedEnvelopeHunter, Spammer
from sim.engine.model import CommunityModel
from sim.engine.state import KIND, LEFT, MEMBER, OUTSIDER, VALUE_PARTS

COST = VALUE_PARTS.index("cost")


def _ordinary(model: CommunityModel, roles: np.ndarray) -> np.ndarray:
    """Whether each role code is an ordinary user (not an operator, advertiser or hunter)."""
    return ((model.roles.operator[roles] == 0) & (roles != Spammer.code)
            & (roles != RedEnvelopeHunter.code))


class Observer(ABC):
    """Base observer: ``before`` and ``after`` each day, then one table."""

    def before(self, model: CommunityModel) -> None:
        """Called before each simulated day (most observers need nothing here)."""
        return None

    def after(self, model: CommunityModel) -> None:
        """Called after each simulated day (``model.day`` is already the next day)."""
        return None

    @abstractmethod
    def frame(self, model: CommunityModel) -> pd.DataFrame:
        """The observations of the whole run."""


class PostCounts(Observer):
    """T1: messages written by everyone who was ever a member (the 90-9-1 data)."""

    @override
    def frame(self, model: CommunityModel) -> pd.DataFrame:
        st = model.state
        ever = np.flatnonzero(st.joined_day >= 0)
        return pd.DataFrame({"row": ever, "posts": st.messages[ever].sum(axis=1)})


class EnvelopeReceipts(Observer):
    """T2: each grab of a red envelope, and what the grabber sent in the next 24 hours.

    One record per member and day with money received: the amount, whether they had
    the luckiest draw of an envelope that day, and the money of the envelopes they
    posted to the group on the following day (a member who decides to send back after
    grabbing posts the envelope the next day, see :func:`sim.engine.day.envelopes.grab_envelopes`).
    The last day is dropped: its next 24 hours are not observed.
    """

    def __init__(self) -> None:
        self.receipts: list[pd.DataFrame] = []
        self.sent: dict[tuple[int, int], float] = defaultdict(float)

    @override
    def after(self, model: CommunityModel) -> None:
        today = model.today
        envelopes = today.member_envelopes
        for sender, amount in zip(envelopes.senders.tolist(), envelopes.amounts.tolist(),
                                  strict=True):
            self.sent[(sender, today.day)] += amount
        got = np.flatnonzero(today.gained > 0)
        if got.size:
            self.receipts.append(pd.DataFrame({
                "row": today.rows[got], "day": today.day, "received": today.gained[got],
                "luckiest": today.luckiest[got]}))

    @override
    def frame(self, model: CommunityModel) -> pd.DataFrame:
        if not self.receipts:
            return pd.DataFrame(columns=["row", "day", "received", "luckiest", "sent_24h"])
        frame = pd.concat(self.receipts, ignore_index=True)
        frame = frame[frame["day"] < model.day - 1].reset_index(drop=True)
        frame["sent_24h"] = [self.sent.get((r, d + 1), 0.0)
                             for r, d in zip(frame["row"].tolist(), frame["day"].tolist(),
                                             strict=True)]
        return frame


class FirstPosts(Observer):
    """T3: each newcomer's first post, whether it was answered, and their next post day.

    Founders and members seated on day 0 are not newcomers. A newcomer "posts again"
    when they write on a later day. ``ordinary`` is false for advertisers and
    red-envelope hunters, whom the studies' newcomers did not include.
    """

    def __init__(self) -> None:
        self.second: np.ndarray | None = None

    @override
    def after(self, model: CommunityModel) -> None:
        st, today = model.state, model.today
        if self.second is None:
            self.second = np.full(st.n, -1, dtype=np.int32)
        wrote = today.rows[today.wrote > 0]
        again = wrote[(st.first_post_day[wrote] >= 0) & (st.first_post_day[wrote] < today.day)
                      & (self.second[wrote] < 0)]
        self.second[again] = today.day

    @override
    def frame(self, model: CommunityModel) -> pd.DataFrame:
        st = model.state
        rows = np.flatnonzero((st.joined_day >= 1) & (st.first_post_day >= 0))
        return pd.DataFrame({
            "row": rows, "joined_day": st.joined_day[rows],
            "observed_days": model.day - st.first_post_day[rows],
            "first_post_day": st.first_post_day[rows],
            "answered": st.first_post_answered[rows] == 1,
            "welcomed": st.welcomed[rows],
            "ordinary": _ordinary(model, st.role_at_join[rows]),
            "second_post_day": (self.second[rows] if self.second is not None
                                else np.full(rows.size, -1))})


class JoiningSnapshots(Observer):
    """T4: Backstrom et al.'s design: snapshots of outsiders and who joins before the next.

    Every ``every`` days, each outsider (never a member) with friends in the group is
    recorded with how many friends are inside and how many pairs of those friends are
    friends with each other; whether they joined comes from the member table at the
    end (joined in the ``every`` days after the snapshot).
    """

    def __init__(self, every: int = 14) -> None:
        self.every = every
        self.snapshots: list[pd.DataFrame] = []

    @override
    def before(self, model: CommunityModel) -> None:
        if model.day % self.every or model.day + self.every > model.days:
            return
        st = model.state
        adj = model.world.adjacency
        inside = (st.status == MEMBER).astype(np.float64)
        outsiders = np.flatnonzero((st.status == OUTSIDER) & (st.friends_in > 0))
        if outsiders.size == 0:
            return
        friends_inside = adj[outsiders].multiply(inside[None, :]).tocsr()
        friends_inside.data[:] = 1.0
        among = sp.diags(inside) @ adj @ sp.diags(inside)
        linked = np.asarray((friends_inside @ among).multiply(friends_inside).sum(axis=1))
        self.snapshots.append(pd.DataFrame({
            "row": outsiders, "day": model.day, "friends_in": st.friends_in[outsiders],
            "linked_pairs": linked.ravel() / 2.0}))

    @override
    def frame(self, model: CommunityModel) -> pd.DataFrame:
        if not self.snapshots:
            return pd.DataFrame(columns=["row", "day", "friends_in", "linked_pairs", "joined"])
        frame = pd.concat(self.snapshots, ignore_index=True)
        joined_day = model.state.joined_day[frame["row"].to_numpy()]
        frame["joined"] = (joined_day >= frame["day"]) & (joined_day < frame["day"] + self.every)
        return frame


class NewcomerPosts(Observer):
    """T5: what each newcomer wrote, by kind, in their first ``window`` days.

    ``ordinary`` is false for advertisers and red-envelope hunters.
    """

    def __init__(self, window: int = 30) -> None:
        self.window = window
        self.posts: np.ndarray | None = None

    @override
    def after(self, model: CommunityModel) -> None:
        st, today = model.state, model.today
        if self.posts is None:
            self.posts = np.zeros((st.n, today.posts.shape[1] if today.posts.size else 8),
                                  dtype=np.int64)
        joined = st.joined_day[today.rows]
        new = (joined >= 1) & (today.day - joined < self.window)
        if new.any() and today.posts.size:
            np.add.at(self.posts, today.rows[new], today.posts[new])

    @override
    def frame(self, model: CommunityModel) -> pd.DataFrame:
        st = model.state
        rows = np.flatnonzero((st.joined_day >= 1) & (st.joined_day + self.window <= model.day))
        posts = self.posts[rows] if self.posts is not None else np.zeros((rows.size, 8))
        return pd.DataFrame({
            "row": rows, "saw_rules": st.saw_rules[rows], "posts": posts.sum(axis=1),
            "ads": posts[:, KIND["ad"]], "ordinary": _ordinary(model, st.role_at_join[rows])})


class Overload(Observer):
    """T6: muting against message volume, and why people left.

    Daily: messages in the group and the share of members who muted it. For every
    member who left of their own accord while the group fell short of what they
    expected: whether they left over ads and flooding, as a surveyed leaver would say.
    That is so when the remembered cost of noise and ads decided it (without it
    their perceived value would have met their expectation; the leave rule is in
    ``docs/model.md``) or when they had muted the group before leaving (in the model
    members mute only over noise and ads, and a muted group stops giving them
    anything). Leavers whose group met their expectation left for outside reasons.
    At the end: how long each member stayed and whether they ever muted.
    """

    def __init__(self) -> None:
        self.days: list[tuple[int, int, float]] = []
        self.leavers: list[pd.DataFrame] = []

    @override
    def after(self, model: CommunityModel) -> None:
        st, today = model.state, model.today
        members = model.members()
        muted = float(st.muted[members].mean()) if members.size else 0.0
        self.days.append((today.day, int(today.counts.sum()), muted))
        rows = today.rows
        gone = rows[(st.status[rows] == LEFT) & (st.left_day[rows] == today.day)]
        if gone.size:
            role = st.role_at_end[gone]
            cost_weight = model.roles.weights[role, COST]
            without_cost = st.value[gone] - cost_weight * st.value_parts[gone, COST]
            expected = model.roles.expectation[role] + st.expectation_extra[gone]
            short = st.value[gone] < expected
            decisive = without_cost >= expected
            muted = st.muted_day[gone] >= 0
            self.leavers.append(pd.DataFrame({
                "row": gone, "day": today.day, "short": short, "cost_decisive": short & decisive,
                "muted_before": muted, "over_noise": short & (decisive | muted)}))

    @override
    def frame(self, model: CommunityModel) -> pd.DataFrame:
        st = model.state
        ever = np.flatnonzero(st.joined_day >= 0)
        end = np.where(st.left_day[ever] >= 0, st.left_day[ever], model.day)
        people = pd.DataFrame({
            "record": "member", "row": ever, "stayed_days": end - st.joined_day[ever],
            "ever_muted": st.muted_day[ever] >= 0, "left": st.status[ever] == LEFT,
            "ordinary": _ordinary(model, np.where(st.status[ever] == MEMBER, st.role[ever],
                                                  st.role_at_end[ever]))})
        days = pd.DataFrame(self.days, columns=["day", "messages", "muted_share"])
        days["record"] = "day"
        parts = [people, days]
        if self.leavers:
            leavers = pd.concat(self.leavers, ignore_index=True)
            leavers["record"] = "leaver"
            parts.append(leavers)
        return pd.concat(parts, ignore_index=True)
