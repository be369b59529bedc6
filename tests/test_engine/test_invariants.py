"""Invariants that hold after every day of any scenario (property-based).

A :class:`DayChecker` follows one model day by day and checks, after every step,
what a user of the results relies on: the group never exceeds its capacity; every
person has exactly one status and a role that matches it; people who left never
post again; money is conserved; ``friends_in`` is the true count of member friends;
the recorded row of the day is in range and adds up.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from hypothesis import Phase, find, given, settings
from properties import ENGINE_SETTINGS, scenarios, to_scenario

import sim
from agents import ROLES, Administrator, Member, OpinionLeader, Outsider, Owner, SeedUser, Spammer
from sim.engine.metrics import run_tables
from sim.engine.plan import MemberEnvelopes
from sim.engine.state import LEFT, MEMBER, MESSAGE_KINDS, OUTSIDER, REMOVED

ROOT = Path(__file__).resolve().parents[2]
MEMBER_CODES = {cls.code for cls in ROLES if cls is not Outsider}
COUNT_COLUMNS = ("members", "joins", "leaves", "removed", "messages", "spam_messages",
                 "posters", "readers", "muted", "conversions",
                 *(f"msg_{k}" for k in MESSAGE_KINDS))
SHARE_OUTCOMES = ("active_share_last_28d", "spam_share", "newcomer_retention_7d",
                  "newcomer_retention_30d", "top1_share", "top10_share", "gini_messages",
                  "lurker_share", "muted_share")


class DayChecker:
    """Checks one model after each of its steps; remembers what it needs between days."""

    def __init__(self, model: sim.CommunityModel) -> None:
        self.model = model
        st = model.state
        self.capacity = model.group.capacity
        self.n = st.n
        self.status = st.status.copy()
        self.frozen_messages = st.messages.copy()
        self.frozen_sent = st.money_sent.copy()
        self.members_before = int(np.count_nonzero(st.status == MEMBER))
        self.check_state()  # day 0, right after founding

    def step(self) -> None:
        """Run one day and check everything."""
        day = self.model.day
        self.model.step()
        self.check_state()
        self.check_exits(day)
        self.check_record(day)

    # -------------------------------------------------------------- state
    def check_state(self) -> None:
        m, st = self.model, self.model.state
        assert set(np.unique(st.status).tolist()) <= {OUTSIDER, MEMBER, LEFT, REMOVED}
        is_member = st.status == MEMBER
        n_members = int(is_member.sum())
        assert n_members <= self.capacity, f"{n_members} members, capacity {self.capacity}"
        assert np.array_equal(m.members(), np.flatnonzero(is_member))

        # roles: members hold a member role, everyone else is an Outsider
        assert set(np.unique(st.role[is_member]).tolist()) <= MEMBER_CODES
        assert np.all(st.role[~is_member] == Outsider.code)
        # the owner and administrators run the group: they never mute it
        operators = np.isin(st.role, [Owner.code, Administrator.code])
        assert not np.any(st.muted[operators]), "an operator muted the group"
        # one agent per person, of the class of the person's role
        codes = np.fromiter((p.code for p in m.persons), dtype=np.int16, count=self.n)
        assert np.array_equal(codes, st.role.astype(np.int16))
        assert all(p.row == r for r, p in enumerate(m.persons))
        assert len(m.agents) == self.n

        # friends_in is the true count of friends who are members
        truth = m.world.adjacency @ is_member.astype(np.int64)
        assert np.array_equal(st.friends_in, truth), "friends_in out of sync with members"

        # operators stay; the owner is a member with the Owner role
        assert st.status[m.owner_row] == MEMBER and st.role[m.owner_row] == Owner.code

        for name in ("engagement", "trust", "commitment"):
            col = st.column(name)
            assert np.all((col >= 0.0) & (col <= 1.0)), name
        assert np.all(st.messages >= 0)
        assert np.all(st.money_received >= 0) and np.all(st.money_sent >= 0)

        # money is conserved: what members got is what the operator and members paid
        received = float(st.money_received.sum())
        paid = m.ledger.money_spent + float(st.money_sent.sum())
        assert math.isclose(received, paid, rel_tol=1e-9, abs_tol=1e-6), (received, paid)

    # -------------------------------------------------------------- exits
    def check_exits(self, day: int) -> None:
        st = self.model.state
        gone_before = (self.status == LEFT) | (self.status == REMOVED)
        # once out, always out, with the same status and leaving day
        assert np.array_equal(st.status[gone_before], self.status[gone_before])
        # only members leave (perhaps on the day they joined), and they leave today
        newly_gone = ((st.status == LEFT) | (st.status == REMOVED)) & ~gone_before
        assert np.all((self.status[newly_gone] == MEMBER) | (st.joined_day[newly_gone] == day))
        assert np.all(st.left_day[newly_gone] == day)
        assert np.all(st.status[self.status == MEMBER] != OUTSIDER)

        # people who left never post, nor send money, again
        rows = np.flatnonzero(gone_before)
        changed = np.any(st.messages[rows] != self.frozen_messages[rows], axis=1)
        assert not changed.any(), f"rows {rows[changed].tolist()} posted after leaving"
        assert np.array_equal(st.money_sent[rows], self.frozen_sent[rows])

        self.status = st.status.copy()
        self.frozen_messages = st.messages.copy()
        self.frozen_sent = st.money_sent.copy()

    # -------------------------------------------------------------- the day's row
    def check_record(self, day: int) -> None:
        m = self.model
        row = {name: col[day] for name, col in m.recorder.data.items()}
        for name in COUNT_COLUMNS:
            assert row[name] >= 0 and row[name] == int(row[name]), (name, row[name])
        members = int(row["members"])
        assert members == m.members().size <= self.capacity
        assert members == self.members_before + row["joins"] - row["leaves"] - row["removed"]
        self.members_before = members
        assert row["messages"] == sum(row[f"msg_{k}"] for k in MESSAGE_KINDS)
        assert row["spam_messages"] == row["msg_ad"] <= row["messages"]
        assert row["muted"] <= members
        assert row["posters"] <= row["readers"], "someone wrote without opening the chat"
        assert row["readers"] <= members, "more readers (or posters) than members"
        # threads: each has a reply, all of them discussion or chat, the longest with its
        # starter; nobody writes more than their budget
        assert row["threads"] <= row["thread_replies"] <= row["msg_discussion"] + row["msg_chat"]
        assert row["longest_thread"] <= row["thread_replies"] + 1
        assert (row["longest_thread"] >= 2) == (row["threads"] > 0)
        budget = m.dyn.writing_budget
        assert budget == 0 or row["busiest_member_messages"] <= budget
        for name in ("red_envelope_money", "money_spent", "revenue", "owner_minutes"):
            assert row[name] >= 0, name
        if members:
            for name in ("engagement", "trust"):
                assert 0.0 <= row[name] <= 1.0, (name, row[name])
        alive = m.recorder.data["alive"][: day + 1]
        assert set(np.unique(alive).tolist()) <= {0.0, 1.0}
        assert np.all(np.diff(alive) <= 0), "a dead group came back to life"


def check_outcomes(model: sim.CommunityModel) -> None:
    """The finished run's tables are in range and agree with the member table."""
    tables = run_tables(model, "check", 0)
    summary = tables.summary.iloc[0]
    for name in SHARE_OUTCOMES:
        value = summary[name]
        assert (isinstance(value, float) and math.isnan(value)) or 0.0 <= value <= 1.0, name
    assert summary["members_final"] == model.members().size
    assert summary["members_peak"] <= model.group.capacity
    ts = tables.timeseries
    assert ts["alive"].dtype == bool
    assert np.all(np.diff(ts["alive"].to_numpy().astype(int)) <= 0)
    mem = tables.members
    st = model.state
    assert len(mem) == np.count_nonzero(st.status != OUTSIDER)
    still = mem["exit"] == "member"
    assert still.sum() == model.members().size
    assert mem.loc[still, "left_day"].isna().all()
    assert mem.loc[~still, "left_day"].notna().all()
    assert (mem["messages"] >= 0).all()


@ENGINE_SETTINGS
@given(scenario=scenarios())
def test_invariants_hold_every_day(scenario):
    model = sim.CommunityModel(scenario)
    checker = DayChecker(model)
    for _ in range(scenario.horizon):
        checker.step()
    check_outcomes(model)


def test_generated_scenarios_exercise_the_invariants():
    """The generator reaches the situations the invariants are about: a full group,
    red envelopes between members, advertisers removed, members leaving."""
    seen: set[str] = set()

    def events(scenario) -> bool:
        model = sim.CommunityModel(scenario)
        model.run_model()
        st = model.state
        if model.recorder.data["members"].max() == scenario.group.capacity:
            seen.add("full")
        if st.money_sent.sum() > 0:
            seen.add("money")
        if np.any(st.status == REMOVED):
            seen.add("removed")
        if np.any(st.status == LEFT):
            seen.add("left")
        return len(seen) == 4

    generate_only = settings(ENGINE_SETTINGS, phases=[Phase.generate], max_examples=20)
    find(scenarios(max_days=40, max_size=400), events, settings=generate_only)


def test_operators_are_never_removed_or_leave_or_mute_even_under_pressure():
    scenario = to_scenario({
        "days": 40, "seed": 5,
        "population": {"size": 300, "traits": {"spammer_share": 0.3}},
        "group": {"capacity": 60, "founders": {"admin": 3, "seed_user": 10}},
        "dynamics": {"leave_floor": 0.1, "leave_rate": 1.0, "catch_rate": 1.0,
                     "discovery_rate": 0.005, "mute_threshold": 0.0, "mute_chance": 1.0,
                     "muted_leave_factor": 1.0},  # muting shields nobody from leaving
    })
    model = sim.CommunityModel(scenario)
    operators = np.flatnonzero(np.isin(model.state.role, [Owner.code, Administrator.code]))
    assert operators.size == 4
    model.run_model()
    assert np.all(model.state.status[operators] == MEMBER)
    assert not np.any(model.state.muted[operators])
    assert np.count_nonzero(model.state.status == LEFT) > 10  # the pressure was real
    assert np.count_nonzero(model.state.muted) > 10  # members did mute
    assert np.count_nonzero(model.state.status == REMOVED) > 0


def test_departed_sender_posts_no_envelope():
    """A member decides to send an envelope (grab phase) and leaves the same day
    (churn phase); the envelope must not be posted in their name the next day."""
    scenario = to_scenario({
        "days": 30, "seed": 7, "population": {"size": 400},
        "dynamics": {"gift_send_base": 0.0}, "strategies": {"content": {}},
    })
    model = sim.CommunityModel(scenario)
    for _ in range(5):
        model.step()
    st = model.state
    senders = (st.status == MEMBER) & np.isin(st.role, [Member.code, SeedUser.code])
    sender = int(np.flatnonzero(senders)[0])
    model.pending_envelopes = MemberEnvelopes(senders=np.array([sender]), cents=np.array([500]))
    model.leave(np.array([sender]))
    before_msgs, before_sent = st.messages[sender].copy(), float(st.money_sent[sender])
    model.step()
    assert np.array_equal(st.messages[sender], before_msgs), (
        f"{sender} left on day {st.left_day[sender]} and posted "
        f"{(st.messages[sender] - before_msgs).tolist()} (by kind) the day after")
    assert st.money_sent[sender] == before_sent


def test_nobody_writes_more_than_the_writing_budget_in_a_day():
    """With a budget, the busiest member of every day stays within it, all kinds counted;
    without one (0) the long tail of sociability goes far beyond it (in a world where
    everyone writes: no silent share)."""
    base = {"days": 60, "seed": 3, "population": {"size": 2000,
                                                  "traits": {"silent_share": 0.0}},
            "strategies": {"welcome": {}, "content": {},
                           "red_envelope": {"every": "daily", "amount": 50, "shares": 20}}}
    unlimited = sim.CommunityModel(to_scenario({**base, "dynamics": {"writing_budget": 0}}))
    unlimited.run_model()
    limited = sim.CommunityModel(to_scenario({**base, "dynamics": {"writing_budget": 20}}))
    limited.run_model()
    assert unlimited.recorder.data["busiest_member_messages"].max() > 40
    busiest = limited.recorder.data["busiest_member_messages"]
    assert busiest.max() <= 20
    assert (busiest == 20).sum() >= 10  # the budget binds on many days
    summary = run_tables(limited, "budget", 0).summary.iloc[0]
    assert summary["busiest_member_day"] == busiest.max()


def test_silent_people_never_write_and_the_rest_still_talk():
    """Zero-inflated voice: with ``traits.silent_share`` that share of people read but
    never write -- no posts, replies, introductions, sign-ins, thanks or envelopes --
    even with every writing occasion switched on; with a share of 0 none is silent."""
    base = {"days": 60, "seed": 11, "population": {"size": 1500},
            "strategies": {"welcome": {}, "content": {},
                           "red_envelope": {"every": "daily", "amount": 50, "shares": 30},
                           "activities": {"sign_in": "daily"}}}
    nobody = sim.CommunityModel(to_scenario(
        {**base, "population": {"size": 1500, "traits": {"silent_share": 0.0}}}))
    assert not nobody.world.silent.any()
    data = {**base, "population": {"size": 1500, "traits": {"silent_share": 0.6}}}
    model = sim.CommunityModel(to_scenario(data))
    model.run_model()
    st, silent = model.state, model.world.silent
    assert 0.55 < silent.mean() < 0.65
    assert not silent[model.world.natural_role == Spammer.code].any()
    ever = st.status != OUTSIDER
    assert (ever & silent).sum() >= 10  # silent people did join (17 at this seed)
    assert st.messages[silent].sum() == 0 and st.money_sent[silent].sum() == 0
    assert st.messages[ever & ~silent].sum(axis=1).astype(bool).mean() > 0.5
    operators = np.isin(st.role, [Owner.code, Administrator.code, OpinionLeader.code,
                                  SeedUser.code])
    assert not silent[operators].any()  # the founding team is chosen among those who write


def test_in_the_shipped_baseline_no_operator_mutes_and_posters_never_exceed_members():
    """Issue 18's checks on the default scenario, seeded: the people who run the group
    keep reading it, and a day's posters and readers are among its members."""
    result = sim.run(sim.load_scenario(ROOT / "scenarios" / "baseline.yaml"), replicates=3)
    mem, ts = result.members, result.timeseries
    operators = mem[mem.role_at_join.isin(["owner", "admin"])]
    assert len(operators) == 3 * 3  # the owner and two administrators, in each run
    assert operators.muted_day.isna().all()
    assert (mem.muted_day.notna()).sum() > 0  # members did mute
    assert (ts.posters <= ts.readers).all() and (ts.readers <= ts.members).all()


def threaded(thread_continue: float, budget: int = 0, **dynamics) -> sim.RunResult:
    data = {"days": 90, "seed": 5, "replicates": 2, "population": {"size": 1500},
            "strategies": {"welcome": {}, "content": {}},
            "dynamics": {"thread_continue": thread_continue, "writing_budget": budget,
                         **dynamics}}
    return sim.run(to_scenario(data))


def test_replies_are_one_level_deep_unless_threads_go_on():
    """Threads: by default every reply answers a post (one level); with
    ``thread_continue`` replies draw replies, fewer the deeper, within everyone's budget."""
    flat = threaded(0.0).timeseries
    assert (flat.thread_replies == flat.threads).all()
    assert flat.longest_thread.max() == 2 and flat.threads.sum() > 1000
    deep = threaded(0.7, budget=40)
    ts = deep.timeseries
    assert (ts.thread_replies >= ts.threads).all()
    per_thread = ts.thread_replies.sum() / ts.threads.sum()
    # a reply goes on with 0.7, then 0.42, 0.25, ...: about 1 + 0.7 + 0.29 + ... ~ 2.1
    # replies a thread, fewer when nobody else would answer or the one who would has
    # spent their day's 40: 1.58 at this seed since the talkative write most replies
    # (reply_sociability 0.7; 1.89 at the earlier 0.194, 1.83 with no budget; the
    # bound was 1.6, docs/model.md, "Overloaded readers and the T3 step"). Under the
    # seventh study's defaults (a wider voice, 2026-12-07) 1.53 pooled, 1.88 and 1.36
    # in the two replicates: in the second the few talkers who carry the threads spend
    # their day sooner, so a replicate's floor is 1.3 (it was 1.4; docs/model.md,
    # "The seventh study's defaults")
    assert 1.4 < per_thread < 2.4
    assert deep.summary.replies_per_thread.between(1.3, 2.4).all()
    assert 4 <= ts.longest_thread.max() <= 12  # fading: 7 messages at most at this seed
    # the replies are discussion or chat, written within the budget, by members
    replies = ts.msg_discussion + ts.msg_chat
    assert (ts.thread_replies <= replies).all()
    assert ts.busiest_member_messages.max() <= 40
    assert (ts.posters <= ts.readers).all() and (ts.readers <= ts.members).all()


def test_people_join_threads_of_friends_more_than_of_strangers():
    """Who joins a thread: with nobody answering back, threads go on only as far as
    other readers join in, and a stranger's thread draws fewer of them."""
    def per_thread(stranger: float) -> float:
        ts = threaded(0.9, back_and_forth=0.0, stranger_reply=stranger).timeseries
        return ts.thread_replies.sum() / ts.threads.sum()

    # at this seed: 1.34 replies a thread when only friends join, 2.54 when anyone would
    assert per_thread(0.0) < per_thread(1.0) - 0.5
