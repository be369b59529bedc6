"""The measurements on hand-made logs whose answer is known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.validation.targets import (
    Band,
    measure_first_reply,
    measure_gift_contagion,
    measure_joining,
    measure_overload,
    measure_participation,
    measure_rules,
)


def _one(frame):
    return [({}, frame)]


def test_participation_90_9_1():
    # 1 member writes 90 posts, 9 write 1 each, 90 write nothing
    posts = [90] + [1] * 9 + [0] * 90
    m = measure_participation(_one(pd.DataFrame({"posts": posts})))
    assert m["lurker_share"] == 0.9
    assert m["top1_share"] == 90 / 99
    assert m["next9_share_of_rest"] == 1.0


def test_gift_regression_recovers_the_slope():
    rng = np.random.default_rng(1)
    n = 20_000
    received = rng.uniform(0, 10, n)
    luckiest = rng.random(n) < 0.1
    chance = 0.02 * received + 0.2 * luckiest  # the luckiest: +20 points at any amount
    sent = np.where(rng.random(n) < chance, 5.0, 0.0)
    m = measure_gift_contagion(_one(pd.DataFrame(
        {"received": received, "luckiest": luckiest, "sent_24h": sent})))
    assert abs(m["send_back_per_yuan"] - 0.1) < 0.01  # 0.02 per yuan x 5 yuan
    assert abs(m["extensive_share"] - 1.0) < 0.05  # the amount never depends on receipts
    assert abs(m["luckiest_ratio"] - 3.0) < 0.3  # (0.1 + 0.2) / 0.1 at the mean amount


def test_first_reply_split_and_window():
    frame = pd.DataFrame({
        "first_post_day": [10, 10, 10, 10, 100],
        "second_post_day": [12, -1, 50, 20, 101],
        "answered": [True, True, False, False, True], "ordinary": True,
        "observed_days": [80, 80, 80, 80, 20],  # the last is not observed long enough
    })
    m = measure_first_reply(_one(frame))
    assert m["return_if_answered"] == 0.5
    assert m["return_if_ignored"] == 0.5  # day 50 is outside the 30-day window
    assert m["first_posts_unanswered"] == 0.5


def test_joining_rise_slowdown_and_ties():
    rows = []
    for k, rate in ((1, 0.1), (2, 0.15), (3, 0.2), (5, 0.22), (6, 0.23), (7, 0.24)):
        for i in range(100):
            rows.append({"friends_in": k, "joined": i < rate * 100,
                         "linked_pairs": 1.0 if (k in (2, 3, 4) and i % 2 == 0) else 0.0})
    m = measure_joining(_one(pd.DataFrame(rows)))
    assert math.isclose(m["rise"], 2.0)
    assert m["slowdown"] < 1.0
    assert m["linked_ratio"] > 1.0  # joiners sit in the even (linked) rows first


def test_rules_uplift_and_compliance():
    hidden = pd.DataFrame({"posts": [1, 0, 0, 0], "ads": [1, 0, 0, 0], "ordinary": True})
    shown = pd.DataFrame({"posts": [2, 2, 0, 0], "ads": [1, 0, 0, 0], "ordinary": True})
    key = "strategies.welcome.announce_rules"
    m = measure_rules([({key: False}, hidden), ({key: True}, shown)])
    assert m["participation_uplift"] == 1.0
    assert m["compliance_gain"] == 0.75


def test_overload_counts_only_ordinary_members_who_stayed():
    frame = pd.DataFrame([
        {"record": "member", "ordinary": True, "stayed_days": 30, "ever_muted": True,
         "left": False},
        {"record": "member", "ordinary": True, "stayed_days": 30, "ever_muted": False,
         "left": True},
        {"record": "member", "ordinary": False, "stayed_days": 30, "ever_muted": False,
         "left": False},
        {"record": "member", "ordinary": True, "stayed_days": 3, "ever_muted": False,
         "left": True},
        {"record": "leaver", "over_noise": True},
        {"record": "leaver", "over_noise": False},
    ])
    m = measure_overload(_one(frame))
    assert m["muted_share"] == 0.5
    assert m["mute_rather_than_leave"] == 0.5
    assert m["left_over_noise"] == 0.5


def test_bands_and_miss_distance():
    band = Band(0.4, 0.6)
    assert band.contains(0.5) and not band.contains(0.7) and not band.contains(math.nan)
    assert band.miss(0.5) == 0.0
    assert math.isclose(band.miss(0.8), 1.0)
    assert Band(1.5, None).contains(10.0) and Band(None, 1.0).text() == "<= 1"
