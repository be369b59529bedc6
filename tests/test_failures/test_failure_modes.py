"""Each failure mode F1-F8 of the playbooks (MECHANISMS.md) has a shipped scenario in
``scenarios/failures/`` that produces its signature.

Scenarios run as shipped (their own seeds and replicates). The comments give what the
shipped seed and root seeds 1 and 2 produced; thresholds leave room below all three.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from signatures import by_arm, dead_share, messages_per_member, window

import sim
from sim.engine.model import CommunityModel
from sim.engine.state import KIND, MEMBER
from sim.running.runner import plan_runs

FAILURES = Path(__file__).resolve().parents[2] / "scenarios" / "failures"


def run(name: str, **changes) -> sim.RunResult:
    return sim.run(sim.load_scenario(FAILURES / f"{name}.yaml"), workers=2, **changes)


def test_every_failure_mode_has_a_scenario_with_a_comment():
    names = sorted(p.stem for p in FAILURES.glob("*.yaml"))
    assert len(names) == 8
    for name in names:
        text = (FAILURES / f"{name}.yaml").read_text(encoding="utf-8")
        assert text.startswith("# F") and sim.load_scenario(FAILURES / f"{name}.yaml")


def test_f1_hunters_come_for_envelopes_grab_and_stay_silent():
    r = run("red-envelope-grab-and-go")
    _, _, mem = by_arm(r)
    _, _, quiet = by_arm(r, "no_envelopes")

    def hunters(m):
        return m[(m["role_at_join"] == "hunter") & ~m["founder"]]

    joined, joined_without = len(hunters(mem)), len(hunters(quiet))
    assert joined >= 2 * joined_without  # 139-156 against 20-32 over 8 runs
    h = hunters(mem)
    # they stay silent or write thank-yous: under the calibrated defaults 0.77-0.80 of
    # them never write, and of those who do, 0.90-0.96 write mostly thank-yous (shipped
    # seed and root seeds 1, 2). Counted per person: pooled messages are at the mercy of
    # the voice's long tail (at root seed 1 one hunter wrote 357 messages, 0.69 of all
    # their messages; at the others the most was 16-19)
    wrote = h[h["messages"] > 0]
    assert (h["messages"] == 0).mean() > 0.6
    assert (wrote["messages_thanks"] >= 0.5 * wrote["messages"]).mean() > 0.8


def test_f2_newcomers_keep_joining_while_the_group_gets_quieter():
    _, ts, _ = by_arm(run("newcomers-join-group-quieter"))
    late_joins = window(ts, "joins", 154, 182)
    assert (late_joins > 0).all()  # 5-9 a week at the end
    early, late = messages_per_member(ts, 7, 35), messages_per_member(ts, 154, 182)
    assert (late < early).sum() >= 7  # 8/8
    assert late.mean() < 0.4 * early.mean()  # about 0.08 against 0.6 messages a member-day


def test_f3_an_active_group_goes_dead():
    s, ts, _ = by_arm(run("active-group-goes-dead"))
    early_posters = window(ts, "posters", 0, 14) / 14
    assert (early_posters >= 3).all()  # 4-16 members posting a day in the first two weeks
    # Finding (docs/model.md, "The seventh study's defaults"): 3, 2 and 4 of 8 dead
    # within the year (shipped seed 103, root seeds 1, 2), "most" no longer; under the
    # sixth study's defaults 5-7 of 8 and this asked for half. Groups nobody runs die
    # less often since muting costs less reading (the unattended check: 38 of 80 over
    # root seeds 7-14, docs/validation.md)
    assert dead_share(s) >= 0.25


def test_f4_red_envelopes_at_the_end_get_no_response():
    s, ts, _ = by_arm(run("envelopes-at-the-end-no-response"))
    died = s[s["dead_day"].notna() & (s["dead_day"] < 300)]["replicate"]
    assert len(died) >= 3
    early = window(ts, "msg_thanks", 0, 56)[died]
    late = window(ts, "msg_thanks", 308, 364)[died]
    # since operators no longer mute (docs/model.md, "Operators never mute"): at the
    # shipped seed 4 of 8 die by day 300 and 3 of the 4 get fewer thanks at the end;
    # seeds 1-4: 7-8 die, 0.86-1.00 of them; 0.40-0.56 as many thanks in the last
    # eight weeks as in the first eight (before: 0.75-1.00 of the dead, 0.37-0.78)
    assert (late < early).mean() >= 0.75
    assert late.sum() < 0.7 * early.sum()


def test_f5_daily_ads_and_ineffective_management():
    s, _, _ = by_arm(run("daily-ads-management-ineffective"))
    # shipped seed and root seeds 1-3: spam 0.033, 0.022, 0.035, 0.028 of the messages
    # (before the calibrated defaults 0.04-0.05; baseline about 0.01); 0.33, 0.41, 0.39,
    # 0.39 muted (0.31-0.51 before visible rules acted on newcomers' first messages only,
    # when this asked for 0.4; 0.6-0.7 before the calibrated defaults). The ads alone
    # seldom make anyone mute (docs/model.md, "A spam flood under the calibrated
    # defaults"): the muting here is mostly the volume's
    assert s["spam_share"].mean() > 0.02
    assert s["muted_share"].mean() > 0.3


def test_f6_an_oversized_low_fit_group_evaporates():
    s, _, _ = by_arm(run("overgrowth-evaporates"))
    # calibrated defaults, seeds 106, 1, 2: 495-500 of 500 places filled; 0.59-0.82
    # muted (the baseline's group 0.41-0.54; before the calibrated defaults 0.91-0.92,
    # when this asked for more than 0.6); 0.10-0.12 posted in the last four weeks,
    # against 0.25-0.30 in the baseline's group (before: 0.36-0.40 against 0.53-0.54)
    assert s["members_peak"].mean() > 300
    assert s["muted_share"].mean() > 0.5
    assert s["active_share_last_28d"].mean() < 0.2


def test_f7_a_group_without_positioning_keeps_fewer_members():
    lost = run("no-positioning")
    base = sim.run(sim.load_scenario(FAILURES.parent / "baseline.yaml"), workers=2)
    fewer = base.summary["members_final"].to_numpy() - lost.summary["members_final"].to_numpy()
    assert (fewer > 0).sum() >= 8  # 10/10: about 44 against 62 members
    assert lost.timeseries["value_content"].mean() < base.timeseries["value_content"].mean()


def came_for_the_topic(scenario: sim.Scenario) -> tuple[float, float]:
    """Pooled over the scenario's runs: the off-topic share of the talk, and messages per
    member-day of the newcomers who came for the topic (fit 0.5 or more, chat taste 0.5
    or less)."""
    chat = discussion = messages = days = 0
    for spec in plan_runs(scenario):
        model = CommunityModel(scenario, seed=spec.seed)
        model.run_model()
        st, w = model.state, model.world
        chat += st.messages[:, KIND["chat"]].sum()
        discussion += st.messages[:, KIND["discussion"]].sum()
        joined = np.flatnonzero(st.joined_day > 0)
        topical = joined[(w.fit[joined] >= 0.5) & (w.chat_taste[joined] <= 0.5)]
        stayed_until = np.where(st.status[topical] == MEMBER, model.day, st.left_day[topical])
        messages += st.messages[topical].sum()
        days += (stayed_until - st.joined_day[topical]).sum()
    return chat / (chat + discussion), messages / days


def test_f7_without_positioning_the_talk_turns_to_chat_and_topic_seekers_go_quiet():
    """Seed 004's first failure: "it became a chat group ... there was no positioning"."""
    more = {"replicates": 20}
    drifted, quiet = came_for_the_topic(
        sim.load_scenario(FAILURES / "no-positioning.yaml").with_changes(**more))
    kept, spoke = came_for_the_topic(
        sim.load_scenario(FAILURES.parent / "baseline.yaml").with_changes(**more))
    # 20 replicates, shipped seed and root seeds 1, 2 (calibrated defaults): the talk is
    # 0.54-0.59 small talk without positioning, 0.42-0.44 in the baseline's group
    # (before them 0.60-0.64 and 0.36-0.47)
    assert drifted > 0.5 and kept < 0.5 and drifted - kept > 0.1
    # Finding (docs/model.md, "The calibrated defaults"): the newcomers who came for the
    # topic no longer write less there: 0.033 against 0.080 messages a member-day at
    # the shipped seed, but 0.26 against 0.15 and 0.16 against 0.15 at root seeds 1
    # and 2 (pooled: 0.142 against 0.127), since with most people silent a few talkers
    # among them set the figure; pooled, 0.36 of them left against 0.31. Before the
    # calibrated defaults they went quiet (0.42-0.55 against 0.65-0.75) and did not
    # leave more.
    del quiet, spoke


def test_f8_irregular_long_pushes_are_worth_less_and_draw_fewer_posters():
    r = run("irregular-pushes-ignored")
    s, ts, _ = by_arm(r)
    s2, ts2, _ = by_arm(r, "regular_structured")
    value = ts.groupby("replicate")["value_content"].mean()
    value_regular = ts2.groupby("replicate")["value_content"].mean()
    # 16 replicates of six posts a day (see the scenario's comment). Shipped seed and
    # seeds 1-4: value lower in 11-16 of 16 pairs, about 0.07-0.08 against 0.09-0.095
    assert (value < value_regular).sum() >= 10
    posters = window(ts, "posters", 90, 182).sum()
    # Finding: the playbook says irregular pushes also draw fewer posters. Under the
    # current defaults the effect is weak at most: same seeds, 0.79-1.00 as many
    # poster-days as with regular structured posts (fewer in 8-12 of 16 pairs); with
    # the former 8 replicates of three posts a day 0.74-1.29. Asserted: not more.
    assert posters < 1.05 * window(ts2, "posters", 90, 182).sum()
    assert np.isfinite(s["members_final"]).all() and len(s2) == len(s)


@pytest.mark.parametrize("path", sorted(FAILURES.glob("*.yaml")), ids=lambda p: p.stem)
def test_failure_scenarios_pass_check(path):
    assert sim.load_scenario(path).name.startswith("F")
