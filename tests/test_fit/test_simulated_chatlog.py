"""A simulated baseline group as a ChatLog: the run's own counts, and its fingerprint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fit_logs import small_baseline

from sim.chats.fingerprint import Facts, fingerprint, top_share
from sim.engine.state import KIND, MESSAGE_KINDS, OFF_TOPIC_KINDS
from sim.validation.chatlog import simulate_chatlog


def day_of(log):
    start = log.messages["time"].min().normalize()
    return (log.messages["time"].dt.normalize() - start).dt.days


def test_messages_per_member_and_day_are_the_runs(group):
    log, ts, record = group.log, group.tables.timeseries, group.record.frame(None)
    assert len(log.messages) == group.tables.summary["messages_total"].iloc[0]
    by_day = record.groupby("day")[list(MESSAGE_KINDS)].sum()
    for kind in MESSAGE_KINDS:  # the record's kinds are the run's daily columns
        assert by_day[kind].reindex(ts["day"], fill_value=0).tolist() == \
            ts[f"msg_{kind}"].tolist()
    written = log.messages.assign(day=day_of(log)).groupby(["member", "day"]).size()
    expected = record.assign(member="m-" + record["row"].astype(str),
                             n=record[list(MESSAGE_KINDS)].sum(axis=1))
    expected = expected.groupby(["member", "day"])["n"].sum()
    expected = expected[expected > 0]
    pd.testing.assert_series_equal(written.sort_index(), expected.sort_index(),
                                   check_names=False)


def test_members_kinds_are_the_member_table_but_the_owner_writes_the_teams_posts(group):
    members, record = group.tables.members, group.record.frame(None)
    totals = record.groupby("row")[list(MESSAGE_KINDS)].sum()
    owner = group.record.owner
    table = members.set_index("agent_id")[[f"messages_{k}" for k in MESSAGE_KINDS]]
    table.columns = list(MESSAGE_KINDS)
    others = totals.drop(index=owner)
    pd.testing.assert_frame_equal(others, table.loc[others.index], check_dtype=False,
                                  check_names=False)
    extra = totals.loc[owner] - table.loc[owner]  # announcements, welcomes: the team's
    ts = group.tables.timeseries
    assert extra["content"] == 0 and extra["announcement"] == ts["msg_announcement"].sum()


def test_features_follow_the_kinds(group):
    log, ts = group.log, group.tables.timeseries
    daily = log.messages.assign(day=day_of(log)).groupby("day")
    questions = daily["is_question"].sum().reindex(ts["day"], fill_value=0)
    assert questions.tolist() == ts["msg_question"].tolist()
    off = daily["off_topic"].sum().reindex(ts["day"], fill_value=0)
    assert off.tolist() == ts[[f"msg_{k}" for k in OFF_TOPIC_KINDS]].sum(axis=1).tolist()
    assert log.messages["has_link"].sum() >= ts["msg_ad"].sum()


def test_replies_follow_the_runs_counts_and_come_after_what_they_answer(group):
    log, ts = group.log, group.tables.timeseries
    replies = log.messages.dropna(subset=["reply_to"])
    parents = log.messages.loc[replies["reply_to"].astype(int).to_numpy()]
    assert (parents["time"].to_numpy() <= replies["time"].to_numpy()).all()
    greetings = ts["msg_chat"].sum() - group.record.frame(None).query(
        f"row != {group.record.owner}")["chat"].sum()  # the owner's team's chat
    most = ts["msg_answer"].sum() + ts["thread_replies"].sum() + max(greetings, 0)
    assert 0.9 * most <= len(replies) <= most
    assert (parents["member"].to_numpy() != replies["member"].to_numpy()).mean() > 0.95


def test_joins_come_before_and_departures_after_the_days_messages(group):
    log = group.log
    events = log.events.assign(day=(log.events["time"].dt.normalize()
                                    - log.messages["time"].min().normalize()).dt.days)
    messages = log.messages.assign(day=day_of(log))
    first = messages.groupby(["member", "day"])["time"].min()
    last = messages.groupby(["member", "day"])["time"].max()
    for _, e in events.iterrows():
        key = (e["member"], e["day"])
        if key in first.index:
            if e["kind"] in ("added", "joined_link", "created"):
                assert e["time"] < first[key]
            else:
                assert e["time"] > last[key]
    members = group.tables.members
    assert log.describe()["members"] == len(members)
    assert log.describe()["joins"] == len(members) - 1  # the owner created the group
    exits = members["exit"].value_counts()
    assert (events["kind"] == "left").sum() == exits.get("left", 0)
    assert (events["kind"] == "removed").sum() == exits.get("removed", 0)
    invited = members.set_index("agent_id")["invited_by"]
    added = events[events["kind"] == "added"]
    assert [invited[int(m[2:])] for m in added["member"]] == \
        [int(b[2:]) for b in added["by"]]


def test_fingerprint_agrees_with_the_runs_summary(group):
    fp, summary = fingerprint(group.log), group.tables.summary.iloc[0]
    # same definition: members who stayed 30 days, over everyone who was ever a member
    assert fp["never_wrote_30d"] == pytest.approx(summary["never_wrote_30d"])
    # the run's member table does not count the team's announcements and welcomes for
    # the owner; with them the shares are the same
    totals = group.record.frame(None).groupby("row")[list(MESSAGE_KINDS)].sum().sum(axis=1)
    counts = totals.reindex(group.tables.members["agent_id"], fill_value=0).to_numpy()
    assert fp["top1_share"] == pytest.approx(top_share(counts, 0.01))
    assert fp["top10_share"] == pytest.approx(top_share(counts, 0.10))
    assert fp["top1_share"] == pytest.approx(summary["top1_share"], abs=0.05)
    assert fp["messages_per_day"] == pytest.approx(summary["messages_total"] / 60)


def test_newcomers_first_posts_are_the_runs(group):
    members = group.tables.members
    new = members[(members["joined_day"] >= 1) & (members["first_post_day"] >= 0)]
    record = group.record.frame(None)
    gifts = record[(record["red_envelope"] + record["thanks"]) > 0]
    seen = Facts(group.log).newcomers
    agree = 0
    for _, m in new.iterrows():
        name = f"m-{m['agent_id']}"
        early = gifts[(gifts["row"] == m["agent_id"]) & (gifts["day"] < m["first_post_day"])]
        if not early.empty:
            continue  # an envelope or thanks first: an earlier first post in the log
        assert name in seen.index
        agree += (seen.loc[name, "first_day"] == m["first_post_day"]
                  and seen.loc[name, "answered"] == m["first_post_answered"])
    assert agree >= 0.8 * len(new)


def test_the_log_is_a_function_of_the_run():
    scenario = small_baseline(days=20)
    one, two = simulate_chatlog(scenario), simulate_chatlog(scenario)
    pd.testing.assert_frame_equal(one.messages, two.messages)
    pd.testing.assert_frame_equal(one.events, two.events)
    other = simulate_chatlog(scenario.with_changes(replicates=2), replicate=1)
    assert len(other.messages) != len(one.messages) or not np.array_equal(
        other.messages["time"], one.messages["time"])
    with pytest.raises(ValueError, match="unknown arm 'nope'; expected one of baseline"):
        simulate_chatlog(scenario, arm="nope")


def test_kind_positions_are_the_engines():
    assert [KIND[k] for k in MESSAGE_KINDS] == list(range(len(MESSAGE_KINDS)))
