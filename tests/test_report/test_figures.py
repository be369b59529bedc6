"""``sim.analysis.figures``: the numbers behind the charts, on hand-computable tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import scipy.sparse as sp

from sim.analysis import figures
from sim.analysis.compare import compare


def members_table(rows: list[dict]) -> pd.DataFrame:
    base = {"arm": "baseline", "run_id": "r0", "founder": False, "left_day": pd.NA,
            "exit": "member", "messages": 0, "role_at_end": "member"}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["left_day"] = frame["left_day"].astype("Int32")
    return frame


def test_band_stats_mean_and_quantiles_over_replicates():
    ts = pd.DataFrame({"arm": "a", "replicate": [0, 0, 1, 1, 2, 2], "day": [0, 1] * 3,
                       "members": [10, 20, 12, 22, 14, 24]})
    stats = figures.band_stats(ts, "members", "a")
    assert list(stats["mean"]) == [12, 22]
    assert stats["low"].tolist() == pytest.approx([10.4, 20.4])
    assert stats["high"].tolist() == pytest.approx([13.6, 23.6])
    smooth = figures.band_stats(ts, "members", "a", smooth=2)
    assert list(smooth["mean"]) == [12, 17]


def test_rolling_spam_share_is_per_run_and_empty_without_messages():
    ts = pd.DataFrame({"run_id": ["a"] * 3 + ["b"] * 3, "day": [0, 1, 2] * 2,
                       "spam_messages": [1, 0, 0, 0, 0, 0], "messages": [2, 2, 0, 0, 0, 4]})
    share = figures.rolling_spam_share(ts, window=2)
    assert share.tolist()[:3] == [0.5, 0.25, 0.0]
    assert np.isnan(share.iloc[3]) and np.isnan(share.iloc[4]) and share.iloc[5] == 0


def test_retention_curves_follow_the_same_people():
    # 10 newcomers join on day 5; 4 leave 10 days later; a founder is not a newcomer.
    rows = [{"joined_day": 5, "left_day": 15 if i < 4 else pd.NA} for i in range(10)]
    rows.append({"joined_day": 0, "founder": True, "left_day": 1})
    curves = figures.retention_curves(members_table(rows), days=100)
    assert set(curves["cohort"]) == {1} and set(curves["people"]) == {10}
    share = curves.set_index("k")["share"]
    assert share[0] == 1.0 and share[10] == 1.0 and share[11] == pytest.approx(0.6)
    assert curves["k"].max() == 100 - 1 - 29  # everyone of the month followed that long
    assert (np.diff(share.to_numpy()) <= 0).all()


def test_retention_curves_skip_small_or_short_cohorts():
    rows = [{"joined_day": 95} for _ in range(20)] + [{"joined_day": 35} for _ in range(3)]
    assert figures.retention_curves(members_table(rows), days=100).empty


def test_participation_curves_count_people_with_at_least_x_messages():
    frame = members_table([{"messages": m} for m in (0, 1, 1, 5)])
    curves = figures.participation_curves(frame)
    assert curves["messages"].tolist() == [1, 5]
    assert curves["share_at_least"].tolist() == [0.75, 0.25]
    assert curves["never_posted"].iloc[0] == 0.25


def test_graph_frames_keep_members_and_their_friendships():
    # A path 0-1-2-3-4 and a lone person 5; persons 6 and 7 were never members.
    edges = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 6), (5, 7)]
    i, j = zip(*edges, strict=True)
    adj = sp.csr_array((np.ones(12), (i + j, j + i)), shape=(8, 8))
    frame = members_table([{"agent_id": a, "messages": a, "exit": "member" if a != 2 else "left"}
                           for a in range(6)])
    nodes, links = figures.graph_frames(adj, frame, seed=1)
    assert nodes["agent_id"].tolist() == list(range(6))
    assert sorted(map(tuple, links[["source", "target"]].to_numpy())) == [(0, 1), (1, 2),
                                                                          (2, 3), (3, 4)]
    assert nodes["friends"].tolist() == [1, 2, 2, 2, 1, 0]
    assert np.hypot(nodes["x"].iloc[5], nodes["y"].iloc[5]) == pytest.approx(1.3)
    assert nodes.loc[2, "status"] == "left"
    again, _ = figures.graph_frames(adj, frame, seed=1)
    pd.testing.assert_frame_equal(nodes, again)
    few, few_links = figures.graph_frames(adj, frame, seed=1, max_nodes=3)
    assert few["agent_id"].tolist() == [3, 4, 5]  # current members, most active first
    assert len(few_links) == 1


def test_every_figure_has_data_and_titled_axes(tiny_result):
    ts, summary, members = tiny_result.timeseries, tiny_result.summary, tiny_result.members
    made = [
        figures.timeseries_figure(ts, "members", "Members", "members (people)"),
        figures.timeseries_figure(ts, figures.rolling_spam_share, "Spam", "share", percent=True),
        figures.messages_by_kind_figure(ts),
        figures.survival_figure(ts),
        figures.money_figure(summary),
        figures.cost_per_active_figure(summary),
        figures.retention_figure(figures.retention_curves(members, 45)),
        figures.participation_figure(members),
        figures.differences_figure(compare(tiny_result)),
    ]
    for fig in made:
        assert isinstance(fig, go.Figure)
        assert len(fig.data) > 0
        assert fig.layout.title.text
        if fig.layout.xaxis.visible is not False:
            assert fig.layout.yaxis.title.text or fig.layout.annotations
    assert made[0].layout.xaxis.title.text.startswith("day of the simulation")


def test_figures_are_pure(tiny_result):
    ts = tiny_result.timeseries.copy()
    figures.timeseries_figure(ts, "posters", "Posters", "people", smooth=7)
    figures.messages_by_kind_figure(ts)
    pd.testing.assert_frame_equal(ts, tiny_result.timeseries)
