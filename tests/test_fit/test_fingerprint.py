"""The fingerprint on hand-built logs whose answers are worked out by hand."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from fit_logs import M, chat_log, founded

from sim.chats import read_chat
from sim.chats.fingerprint import STATISTICS, fingerprint

SAMPLES = Path(__file__).parents[1] / "test_chats" / "samples"
DOCS = Path(__file__).parents[2] / "docs" / "chat-exports.md"
PEOPLE = [f"p{i:02d}" for i in range(20)]


def participation_log(limits=()):
    """20 members for 40 days; 9 wrote 50, 20, 10, 5, 5, 4, 3, 2, 1 messages, 11 none."""
    counts = [50, 20, 10, 5, 5, 4, 3, 2, 1]
    messages = [M(i % 40, "p00") for i in range(50)]
    messages += [M(39, PEOPLE[j]) for j, c in enumerate(counts[1:], start=1) for _ in range(c)]
    messages.sort(key=lambda m: m.day)
    return chat_log(messages, founded(PEOPLE), limits)


def test_participation_inequality():
    fp = fingerprint(participation_log())
    assert fp["never_wrote_30d"] == pytest.approx(11 / 20)
    assert fp["top1_share"] == pytest.approx(0.50)  # 1% of 20 rounds to 0: one member
    assert fp["top10_share"] == pytest.approx(0.70)  # two members: 50 + 20 of 100
    x = np.array([50, 20, 10, 5, 5, 4, 3, 2, 1] + [0] * 11, dtype=float)
    mean_difference = np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size ** 2 * x.mean())
    assert fp["gini_messages"] == pytest.approx(mean_difference)


def test_a_short_stay_does_not_count_among_lurkers():
    events = founded(PEOPLE) + [(39, "p00", "removed", "p00"), (20, "p19", "left")]
    events.sort(key=lambda e: e[0])
    log = participation_log()
    log = chat_log([M(d.day, d.member) for d in _messages(log)], events)
    # p19 (silent) stayed 20 days: out; everyone else 39 or 40
    assert fingerprint(log)["never_wrote_30d"] == pytest.approx(10 / 19)


def _messages(log):
    return [M(int((t - log.messages["time"].min().normalize()).days), m)
            for t, m in zip(log.messages["time"], log.messages["member"], strict=True)]


def test_rank_frequency_slope_of_a_zipf_group():
    writers = [f"w{r}" for r in range(1, 11)]
    messages = [M(0, w) for r, w in enumerate(writers, start=1) for _ in range(2520 // r)]
    fp = fingerprint(chat_log(messages, founded(writers)))
    assert fp["rank_slope"] == pytest.approx(-1.0)


def newcomer_log(limits=()):
    """10 founders, 5 newcomers answered (3 return in 30 days), 5 ignored (1 returns)."""
    founders = [f"f{i}" for i in range(10)]
    answered = ["a1", "a2", "a3", "a4", "a5"]
    ignored = ["i1", "i2", "i3", "i4", "i5"]
    messages = [M(3, "f0"), M(3, "a5", reply=0)]  # a5's first message is a reply: no first post
    messages += [M(5, m) for m in answered + ignored]  # ids 2-11
    messages += [M(5, "f1", reply=2), M(5, "f1", reply=3), M(5, "f1", reply=4),
                 M(5, "f1", reply=5), M(5, "f2", reply=6),
                 M(5, "i1", reply=7)]  # answering oneself is no answer
    messages += [M(6, "a5"), M(10, "a1"), M(20, "i1"), M(35, "a2"),
                 M(36, "a3"),  # 31 days after: too late
                 M(50, "l1"), M(50, "f1", reply=23),  # joined late: not observed 30 days
                 M(69, "f0")]
    events = founded(founders) + [(1, m, "joined_link") for m in answered + ignored]
    events += [(50, "l1", "added", "f0")]
    return chat_log(messages, events, limits)


def test_newcomers_first_reply_and_return():
    fp = fingerprint(newcomer_log())
    assert fp["first_posts_unanswered"] == pytest.approx(0.5)
    assert fp["return_30d"] == pytest.approx(0.4)
    assert fp["return_if_answered"] == pytest.approx(0.6)
    assert fp["return_if_ignored"] == pytest.approx(0.2)


def test_without_replies_only_the_overall_return_is_usable():
    fp = fingerprint(newcomer_log(limits={"replies"}))
    for name in ("first_posts_unanswered", "return_if_answered", "return_if_ignored"):
        assert not fp.usable(name)
        assert "does not say which message" in fp.reasons[name]
    # the first post is now the first message, a reply or not: a5's on day 3
    assert fp["return_30d"] == pytest.approx(0.4)


def test_too_few_newcomers_are_flagged():
    fp = fingerprint(participation_log())  # everyone was there from the first day
    for name in ("first_posts_unanswered", "return_30d", "return_if_answered",
                 "return_if_ignored"):
        assert fp.reasons[name].startswith("only 0 newcomers whose first post")


def tenure_log(limits=()):
    """7 joiners: leave after 10, 20 and 40 days; 3 stay 99 days, 1 joins late (20 days)."""
    founders = [f"f{i}" for i in range(5)]
    joiners = [f"j{i}" for i in range(1, 8)]
    events = founded(founders) + [(1, j, "added", "f0") for j in joiners[:6]]
    events += [(11, "j1", "left"), (21, "j2", "left"), (41, "j3", "removed", "f0"),
               (80, "j7", "joined_link")]
    events = [e for e in events if e[2] not in limits]
    return chat_log([M(0, "f0"), M(99, "f0")], sorted(events, key=lambda e: e[0]), limits)


def test_survival_is_kaplan_meier():
    fp = fingerprint(tenure_log())
    assert fp["survival_30d"] == pytest.approx(6 / 7 * 5 / 6)  # j7 censored at 20 days
    assert fp["survival_90d"] == pytest.approx(6 / 7 * 5 / 6 * 3 / 4)


def test_survival_is_unusable_without_departures():
    fp = fingerprint(tenure_log(limits={"left", "created"}))
    assert not fp.usable("survival_30d") and not fp.usable("survival_90d")
    assert "does not show departures" in fp.reasons["survival_30d"]


def thread_log(limits=()):
    """Five blocks of seven messages: a thread 2 deep with 3 replies, one 1 deep, a post."""
    messages = []
    for b in range(0, 35, 7):
        messages += [M(0, "a"), M(0, "b", reply=b), M(0, "a", reply=b + 1), M(0, "c"),
                     M(0, "d", reply=b + 3), M(0, "e"), M(0, "f", reply=b)]
    return chat_log(messages, [], limits)


def test_reply_structure():
    fp = fingerprint(thread_log())
    assert fp["reply_share"] == pytest.approx(4 / 7)
    assert fp["thread_depth_mean"] == pytest.approx(1.5)
    assert fp["thread_depth_max"] == 2
    assert fp["replies_per_thread"] == pytest.approx(2.0)


def test_reply_structure_is_unusable_without_replies():
    fp = fingerprint(thread_log(limits={"replies"}))
    for name in ("reply_share", "thread_depth_mean", "thread_depth_max", "replies_per_thread"):
        assert not fp.usable(name)
        assert math.isnan(fp[name])


def test_daily_volume_of_a_symmetric_fortnight():
    members = [f"m{i}" for i in range(10)]
    messages = [M(0, m) for m in members[:3]]
    messages += [M(d, members[d % 10]) for d in range(1, 13)]
    messages += [M(13, m) for m in members[3:6]]
    fp = fingerprint(chat_log(messages, founded(members)))
    assert fp["messages_per_day"] == pytest.approx(18 / 14)
    assert fp["daily_cv"] == pytest.approx(math.sqrt(24) / 9)
    assert fp["weekly_trend"] == pytest.approx(0.0, abs=1e-12)
    assert fp["posters_per_member"] == pytest.approx((2 * 0.3 + 12 * 0.1) / 14)


def test_weekly_trend_of_a_step():
    members = [f"m{i}" for i in range(10)]
    messages = [M(d, members[k]) for d in range(7, 14) for k in range(3)]
    fp = fingerprint(chat_log(messages, founded(members)))  # day 0: the group is created
    assert fp["messages_per_day"] == pytest.approx(1.5)
    assert fp["weekly_trend"] == pytest.approx(49 / 65 * math.log(4))


def test_topic_shares_and_joins_through_members():
    members = [f"m{i}" for i in range(10)]
    messages = [M(0, "m0", off=True), M(0, "m1", off=True), M(0, "m2", question=True),
                M(0, "m3", link=True), M(0, "m4")]
    events = [(0, "m0", "created")] + [(0, m, "added", "m0") for m in members[1:6]]
    events += [(1, "m6", "joined_link", "m1"), (1, "m7", "joined_link", "m2")]
    events += [(2, m, "joined_link") for m in members[8:]] + [(2, "m1", "left")]
    fp = fingerprint(chat_log(messages, events))
    assert fp["off_topic_share"] == pytest.approx(0.4)
    assert fp["question_share"] == pytest.approx(0.2)
    assert fp["link_share"] == pytest.approx(0.2)
    assert fp["joins_by_member"] == pytest.approx(7 / 9)


def test_wechat_sample_cannot_show_tenure():
    fp = fingerprint(read_chat(SAMPLES / "wechat_memotrace.csv", salt=b"k"))
    assert not fp.usable("survival_30d")
    assert fp.reasons["survival_30d"].startswith("the wechat export does not show departures")
    assert fp.usable("reply_share")  # quotes: replies, by the quoted-sender rule
    assert fp.usable("joins_by_member")


def test_whatsapp_sample_cannot_show_replies():
    fp = fingerprint(read_chat(SAMPLES / "whatsapp_ios.txt", salt=b"k"))
    for name in ("reply_share", "thread_depth_mean", "replies_per_thread",
                 "first_posts_unanswered", "return_if_answered", "return_if_ignored"):
        assert fp.reasons[name] == "the whatsapp export does not say which message a " \
                                   "message answers"
    # the overall return needs no replies: here only the sample is too short for it
    assert "does not say" not in fp.reasons["return_30d"]
    assert fp.usable("off_topic_share") and fp.usable("joins_by_member")


def test_the_fingerprint_table_and_names():
    fp = fingerprint(thread_log(limits={"replies"}))
    table = fp.table()
    assert table["statistic"].tolist() == [s.name for s in STATISTICS]
    assert list(fp.values.columns) == [s.name for s in STATISTICS]
    assert len({s.name for s in STATISTICS}) == len(STATISTICS)
    assert set(fp.usable_names) == set(table.loc[table["usable"], "statistic"])
    assert (table.loc[~table["usable"], "reason"] != "").all()
    with pytest.raises(KeyError, match="unknown statistic 'lurkers'; expected one of"):
        fp.usable("lurkers")


def test_an_empty_log_has_no_usable_statistic():
    fp = fingerprint(chat_log([], []))
    assert fp.usable_names == []


def test_the_docs_list_every_statistic():
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## The fingerprint"):]
    listed = re.findall(r"^\| `([a-z0-9_]+)` \|", section, flags=re.M)
    assert listed[:len(STATISTICS)] == [s.name for s in STATISTICS]
