"""A simulated group as a chat export: the :class:`~sim.chats.log.ChatLog` of a run.

``commsim fit`` compares a real group's export with simulated groups through the same
fingerprint (:mod:`sim.chats.fingerprint`), so a run is turned into the table an export
is read into. :class:`ChatRecord` is an observer: after each day it keeps what the day's
record (:class:`sim.engine.day.today.Today`) already says -- each member's messages by
kind, the replies and answers they got, the owner team's posts, first posts, the number
of replies in threads -- and who joined (with who invited them), left or was removed.
:meth:`ChatRecord.chatlog` turns the record into a ChatLog with
:func:`sim.chats.log.build`, the function every export parser ends with.

What is recorded and what is drawn (``docs/chat-exports.md``, "A simulated group"):

- **recorded**: how many messages of each kind each member wrote each day (the owner
  also writes the team's posts: pushed content, announcements, welcomes, greetings and
  the operator's red envelopes), joins (``created`` for the owner; ``added`` by the
  inviter when the engine knows one, else ``joined_link`` with nobody named), leaves,
  removals (by the moderator of the day);
- **drawn**, from a generator seeded by the run's seed: the time of each message
  within its day, which messages are replies and what they answer, lengths, links and
  media. The engine does not keep message-level links, so they are drawn to agree
  with its counts: each answer answers one of the day's questions whose author got an
  answer (``today.answered``), at most one answer a question; the owner's greetings
  answer the first post of a newcomer whose first post was answered today; as many of
  the day's discussion and chat messages as the day's threads had replies
  (``today.threads``) are replies -- first those of members who started nothing today,
  never a newcomer's first post -- each to a message of a member who still has replies
  to get today (``today.replies_got``, chosen in proportion to what they have left; an
  answered newcomer's first post first), on-topic to on-topic and chat to chat where
  possible. A reply comes after the message it answers and may itself be answered,
  which makes threads deeper than one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import override

import numpy as np
import pandas as pd

from sim.chats.log import ChatLog, RawEvent, RawMessage, build
from sim.chats.synth import text_for
from sim.chats.text import Features
from sim.engine.metrics import RunTables, run_tables
from sim.engine.model import CommunityModel
from sim.engine.seeding import replicate_seeds, run_streams
from sim.engine.state import KIND, LEFT, MESSAGE_KINDS, OFF_TOPIC_KINDS, REMOVED
from sim.engine.world import build_world
from sim.formats.scenario import Scenario, load_scenario
from sim.validation.observe import Observer

START = datetime(2025, 1, 1)
"""The date of a simulated group's day 0."""
MESSAGE_HOURS = (9.0, 23.0)
"""Messages are written between these hours; joins come in the hour before, exits in
the hour after (a joiner's first message comes after their join, a leaver's last
before they go)."""
REPLY_GAP = 0.25
"""A reply comes after what it answers, within this share of the rest of the day."""
SOURCE = "simulated"
FORMAT = "simulated"
STREAM = 19
"""Spawn key of the chat log's generator under the run's seed (issue 19)."""


@dataclass(frozen=True)
class Look:
    """How the messages of one kind look: median length (lognormal), links and media."""

    length: float
    spread: float = 0.6
    link: float = 0.0
    media: float = 0.0
    media_kind: str = "image"


LOOKS: dict[str, Look] = {
    "content": Look(80, 0.7, link=0.25, media=0.25),
    "chat": Look(8, 0.5, media=0.2, media_kind="sticker"),
    "question": Look(25, 0.5),
    "answer": Look(40, 0.6, link=0.05),
    "ad": Look(60, 0.4, link=1.0),
    "red_envelope": Look(6, 0.3),
    "thanks": Look(6, 0.4),
    "announcement": Look(150, 0.5, link=0.3),
    "discussion": Look(45, 0.6),
}
"""Per message kind (:data:`sim.engine.state.MESSAGE_KINDS`). Questions are
``is_question``; the off-topic kinds (``OFF_TOPIC_KINDS``) are ``off_topic`` (a sticker
is off-topic too); ads always carry a link."""
MIN_LENGTH = {"off": 1, "on": 6, "link": 25}
"""Shortest text the classifier reads back as its features (``sim.chats.synth``)."""
OFF_TOPIC = frozenset(KIND[k] for k in OFF_TOPIC_KINDS)
ON_TOPIC_TALK = frozenset(KIND[k] for k in ("content", "discussion", "question", "answer",
                                            "announcement"))
K_ANSWER, K_CHAT, K_DISCUSSION = KIND["answer"], KIND["chat"], KIND["discussion"]


@dataclass
class Day:
    """One day of the record: members who wrote or were answered, and the owner's posts."""

    day: int
    rows: np.ndarray
    posts: np.ndarray
    replies_got: np.ndarray
    answered: np.ndarray
    first_post: np.ndarray
    first_answered: np.ndarray
    responses_only: np.ndarray
    operator: np.ndarray
    talk_replies: int


class ChatRecord(Observer):
    """The record of a run a chat export would show: messages by kind, membership events."""

    def __init__(self) -> None:
        self.days: list[Day] = []
        self.events: list[tuple[int, int, str, int]] = []  # day, row, kind, by (-1: nobody)
        self.owner = -1

    @override
    def after(self, model: CommunityModel) -> None:
        st, today = model.state, model.today
        self.owner = model.owner_row
        wrote = today.posts.sum(axis=1) if today.posts.size else np.zeros(0, np.int64)
        keep = ((wrote > 0) | (today.replies_got > 0) | (today.answered > 0)
                if today.rows.size else np.zeros(0, bool))
        rows = today.rows[keep]
        first = today.first_post[keep] if today.rows.size else keep
        answered_first = first & today.first_answered[keep] if today.rows.size else keep
        self.days.append(Day(
            today.day, rows.copy(), today.posts[keep].copy(),
            today.replies_got[keep].copy(), today.answered[keep].copy(), first.copy(),
            answered_first.copy(), st.first_post_day[rows] < 0, today.operator_posts.copy(),
            int(today.threads[1])))
        for row in np.flatnonzero(st.joined_day == today.day).tolist():
            inviter = int(st.invited_by[row])
            if row == model.owner_row and today.day == 0:
                self.events.append((today.day, row, "created", -1))
            elif inviter >= 0:
                self.events.append((today.day, row, "added", inviter))
            else:
                self.events.append((today.day, row, "joined_link", -1))
        gone = np.flatnonzero((st.left_day == today.day)
                              & ((st.status == LEFT) | (st.status == REMOVED)))
        moderator = model.moderator().row
        for row in gone.tolist():
            if st.status[row] == LEFT:
                self.events.append((today.day, row, "left", -1))
            else:
                self.events.append((today.day, row, "removed", moderator))

    @override
    def frame(self, model: CommunityModel) -> pd.DataFrame:
        """Messages per member, day and kind (the owner's team posts under the owner)."""
        parts = []
        for day in self.days:
            counts = day.posts.astype(np.int64)
            rows = day.rows
            if day.operator.any():
                rows = np.append(rows, self.owner)
                counts = np.vstack([counts, day.operator[None, :]])
            frame = pd.DataFrame(counts, columns=list(MESSAGE_KINDS))
            frame.insert(0, "row", rows)
            frame.insert(0, "day", day.day)
            parts.append(frame.groupby(["day", "row"], as_index=False).sum())
        return pd.concat(parts, ignore_index=True)

    def chatlog(self, seed: int) -> ChatLog:
        """The record as a ChatLog; links, times and looks drawn from ``seed``.

        Members are ``m-<row>`` (their row in the member table).
        """
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(STREAM,)))
        messages: list[RawMessage] = []
        for day in self.days:
            messages.extend(self._day_messages(day, rng, len(messages)))
        events = []
        for number, (day, row, kind, by) in enumerate(sorted(self.events, key=_event_order)):
            if kind in ("left", "removed"):
                hour = MESSAGE_HOURS[1] + rng.random()
            elif kind == "created":
                hour = MESSAGE_HOURS[0] - 1.0
            else:
                hour = MESSAGE_HOURS[0] - 1.0 + (1 + rng.integers(3599)) / 3600.0
            events.append((_time(day, hour), number, RawEvent(
                _time(day, hour), _name(row), kind, _name(by) if by >= 0 else None)))
        events = [e for _, _, e in sorted(events, key=lambda e: (e[0], e[1]))]
        return build(FORMAT, SOURCE, (), messages, events, RowNames())

    def _day_messages(self, day: Day, rng: np.random.Generator,
                      first_key: int) -> list[RawMessage]:
        """The day's messages in time order, replies linked (rule: module docstring)."""
        authors, kinds = [], []
        for j, row in enumerate(day.rows.tolist()):
            for k in np.flatnonzero(day.posts[j]).tolist():
                authors += [row] * int(day.posts[j, k])
                kinds += [k] * int(day.posts[j, k])
        members = len(authors)
        for k in np.flatnonzero(day.operator).tolist():
            authors += [self.owner] * int(day.operator[k])
            kinds += [k] * int(day.operator[k])
        n = len(authors)
        if n == 0:
            return []
        links = _Links(np.array(authors), np.array(kinds), rng)
        links.choose_replies(day, members)
        links.answer_questions(day)
        links.greet(day, members)
        links.reply_in_talk()
        return links.messages(day.day, first_key)


class _Links:
    """The drawing of one day's reply links and times (rule: module docstring).

    ``key`` is each message's place in the day (0-1); a reply's key is above its
    parent's, so it comes after it. ``first`` is the first post of each member whose
    first post is today: the first message of theirs that is no reply.
    """

    def __init__(self, author: np.ndarray, kind: np.ndarray,
                 rng: np.random.Generator) -> None:
        self.author, self.kind, self.rng = author, kind, rng
        n = author.size
        self.parent = np.full(n, -1)
        self.key = np.full(n, np.nan)
        self.replying = np.zeros(n, dtype=bool)
        self.placed: list[int] = []
        self.quota: dict[int, int] = {}
        self.asked: dict[int, int] = {}
        self.first: dict[int, int] = {}
        self.unheard: set[int] = set()  # first posts answered today, not yet linked
        self.talk = np.empty(0, dtype=np.int64)

    def choose_replies(self, day: Day, members: int) -> None:
        """Which messages are replies: answers, greetings, and the threads' replies.

        The threads' replies are taken first from members who started nothing today
        (everything they wrote was a response), then from other members' talk, never
        the one message that is a newcomer's first post.
        """
        author, kind, rng = self.author, self.kind, self.rng
        index = np.arange(author.size)
        member = index < members
        talk = index[member & ((kind == K_DISCUSSION) | (kind == K_CHAT))]
        kept: set[int] = set()
        for j in np.flatnonzero(day.first_post).tolist():
            row = int(day.rows[j])
            theirs = index[member & (author == row)]
            starts = theirs[~np.isin(kind[theirs], (K_DISCUSSION, K_CHAT, K_ANSWER))]
            if starts.size == 0 and np.isin(talk, theirs).any():
                kept.add(int(rng.choice(np.intersect1d(talk, theirs))))
        silent = {int(day.rows[j]) for j in np.flatnonzero(day.responses_only)}
        talk = rng.permutation(talk)
        must = [t for t in talk.tolist() if int(author[t]) in silent]
        may = [t for t in talk.tolist() if int(author[t]) not in silent and t not in kept]
        self.talk = np.array((must + may)[:day.talk_replies], dtype=np.int64)
        greetings = index[(kind == K_CHAT) & ~member]
        self.replying[np.concatenate([self.talk, greetings, index[kind == K_ANSWER]])] = True
        starters = index[~self.replying]
        self.key[starters] = rng.random(starters.size)
        self.placed = starters.tolist()
        for j, row in enumerate(day.rows.tolist()):
            self.quota[row] = int(day.replies_got[j])
            self.asked[row] = int(day.answered[j])
            theirs = starters[author[starters] == row]
            if day.first_post[j] and theirs.size:
                self.first[row] = int(theirs[np.argmin(self.key[theirs])])
                if day.first_answered[j]:
                    self.unheard.add(row)

    def attach(self, child: int, options: np.ndarray) -> bool:
        """Make ``child`` a reply to one of ``options`` (a newcomer's unheard first post first)."""
        if options.size == 0:
            return False
        firsts = [o for o in options.tolist()
                  if int(self.author[o]) in self.unheard and self.first.get(
                      int(self.author[o])) == o and self.author[o] != self.author[child]]
        chosen = firsts[0] if firsts else int(options[self.rng.integers(options.size)])
        self.unheard.discard(int(self.author[chosen]))
        self.parent[child] = chosen
        base = self.key[chosen]
        self.key[child] = base + (1.0 - base) * REPLY_GAP * self.rng.random()
        self.placed.append(child)
        return True

    def _pick(self, left: dict[int, int], exclude: int) -> int | None:
        """A member with replies still to get: unheard newcomers first, then by what is left."""
        people = [r for r, k in left.items() if k > 0 and r != exclude]
        if not people:
            return None
        unheard = [r for r in people if r in self.unheard]
        if unheard:
            return unheard[int(self.rng.integers(len(unheard)))]
        weights = np.array([left[r] for r in people], dtype=float)
        return people[int(self.rng.choice(len(people), p=weights / weights.sum()))]

    def answer_questions(self, day: Day) -> None:
        """Each answer answers one question of a member whose questions were answered."""
        author, kind, rng = self.author, self.kind, self.rng
        questions = np.flatnonzero(kind == KIND["question"])
        open_questions = {row: [q for q in questions.tolist() if author[q] == row]
                          for row in self.asked}
        for child in rng.permutation(np.flatnonzero(kind == K_ANSWER)).tolist():
            row = self._pick({r: min(k, len(open_questions[r])) for r, k in self.asked.items()},
                             int(author[child]))
            if row is None:
                if not self.attach(child, questions[author[questions] != author[child]]):
                    self.key[child] = rng.random()
                continue
            own = np.array(open_questions[row])
            before = len(self.placed)
            self.attach(child, own)
            if len(self.placed) > before:
                open_questions[row].remove(int(self.parent[child]))
                self.asked[row] -= 1

    def greet(self, day: Day, members: int) -> None:
        """The owner's greetings answer first posts answered today."""
        kind, rng = self.kind, self.rng
        greetings = np.flatnonzero((kind == K_CHAT) & (np.arange(kind.size) >= members))
        for child in greetings.tolist():
            waiting = sorted(r for r in self.unheard if self.first.get(r) is not None
                             and r != self.author[child])
            if waiting:
                row = waiting[int(rng.integers(len(waiting)))]
                self.attach(child, np.array([self.first[row]]))
                self.quota[row] = max(0, self.quota.get(row, 0) - 1)
            else:
                self.key[child] = rng.random()

    def reply_in_talk(self) -> None:
        """The threads' replies: to members with replies still to get, in kind where possible."""
        author, kind, rng = self.author, self.kind, self.rng
        for child in rng.permutation(self.talk).tolist():
            done = np.array(self.placed)
            row = self._pick(self.quota, int(author[child]))
            if row is not None:
                theirs = done[author[done] == row]
                if row in self.unheard and self.first.get(row) is not None:
                    theirs = np.array([self.first[row]])
                same = theirs[np.isin(kind[theirs], list(_topic_of(int(kind[child]))))]
                if self.attach(child, same if same.size else theirs):
                    self.quota[row] -= 1
                    continue
            others = done[author[done] != author[child]]
            if not self.attach(child, others if others.size else done):
                self.key[child] = rng.random()

    def messages(self, day: int, first_key: int) -> list[RawMessage]:
        """The day's messages in time order, with times, looks and reply keys."""
        key, kind, author, parent = self.key, self.kind, self.author, self.parent
        order = np.argsort(key, kind="stable")
        position = np.empty(key.size, dtype=np.int64)
        position[order] = np.arange(key.size)
        out = []
        low, high = MESSAGE_HOURS
        for i in order.tolist():
            look = _looks(int(kind[i]), self.rng)
            media = LOOKS[MESSAGE_KINDS[kind[i]]].media_kind if look.is_media else None
            number = first_key + int(position[i])
            out.append(RawMessage(
                _time(day, low + key[i] * (high - low)), _name(int(author[i])),
                text_for(look, number), media=media, key=number,
                reply_key=None if parent[i] < 0 else first_key + int(position[parent[i]])))
        return out


def _topic_of(k: int) -> frozenset[int]:
    return ON_TOPIC_TALK if k == K_DISCUSSION else OFF_TOPIC


def _looks(k: int, rng: np.random.Generator) -> Features:
    """The features of one message of kind ``k``, drawn as :data:`LOOKS` says."""
    name = MESSAGE_KINDS[k]
    look = LOOKS[name]
    off = k in OFF_TOPIC
    question = name == "question"
    if not question and rng.random() < look.media:
        return Features(0, False, False, look.media_kind == "sticker", True)
    link = rng.random() < look.link
    floor = MIN_LENGTH["link" if link else "off" if off else "on"]
    length = max(floor, int(round(look.length * np.exp(look.spread * rng.standard_normal()))))
    return Features(length, link, question, off, False)


def _time(day: int, hour: float) -> datetime:
    return START + timedelta(days=day, seconds=int(hour * 3600))


def _name(row: int) -> str:
    return f"m-{row}"


def _event_order(event: tuple[int, int, str, int]) -> tuple[int, int, int]:
    day, row, kind, _ = event
    return day, 0 if kind == "created" else 1, row


class RowNames:
    """Pseudonyms of a simulated group: the names are already ``m-<row>``."""

    def __call__(self, name: str) -> str:
        """``name`` itself."""
        return name


@dataclass
class SimulatedGroup:
    """One simulated run as a chat export, with the run's own tables."""

    log: ChatLog
    tables: RunTables
    record: ChatRecord


def simulate_group(scenario: Scenario | str | Path, replicate: int = 0,
                   arm: str | None = None) -> SimulatedGroup:
    """Run one replicate of one arm with a :class:`ChatRecord`; its ChatLog and tables.

    The run is the one ``sim.run`` makes for that replicate and arm (same seed, same
    world), so its tables equal that run's.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    arm = arm or scenario.arm_names()[0]
    if arm not in scenario.arm_names():
        raise ValueError(f"unknown arm '{arm}'; expected one of "
                         f"{', '.join(scenario.arm_names())}")
    if replicate < 0:
        raise ValueError(f"replicate must be 0 or more, got {replicate}")
    seed = replicate_seeds(scenario.seed, replicate + 1)[replicate]
    world = build_world(scenario.population, run_streams(seed)[0], scenario.base_dir)
    model = CommunityModel(scenario, arm=arm, seed=seed, world=world)
    record = ChatRecord()
    while model.day < model.days:
        record.before(model)
        model.step()
        record.after(model)
    run_id = f"{scenario.digest()}-{arm}-{replicate}"
    return SimulatedGroup(record.chatlog(seed), run_tables(model, run_id, replicate), record)


def simulate_chatlog(scenario: Scenario | str | Path, replicate: int = 0,
                     arm: str | None = None) -> ChatLog:
    """The ChatLog of one replicate of one arm of ``scenario`` (see :func:`simulate_group`)."""
    return simulate_group(scenario, replicate, arm).log
