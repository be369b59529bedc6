"""Red envelopes (S2), scheduled activities (S6) and recognition (S10).

Contract checks (the shared :class:`StrategyContract`), scripted cases on the day
plan and in tiny models, and direction-of-effect tests: paired arms (common random
numbers) at small size, with the range observed over several root seeds written next
to each threshold. Where a claim of the playbooks does not hold in the model, the
test asserts what happens and says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from test_strategy_contracts import StrategyContract, plans, tiny_model

import sim
from agents import Administrator
from sim.engine.plan import DayPlan, Envelope
from sim.engine.state import LEFT, MEMBER
from sim.engine.strategies import Activities, Recognition, RedEnvelopes
from sim.engine.strategies.calendar import WEEKDAYS, scheduled
from sim.engine.strategies.red_envelope import LUCKIEST_NORM
from sim.running.runner import plan_runs

FRIDAY = WEEKDAYS.index("friday")


def scenario(strategies: dict, arms: dict, *, days: int, size: int, replicates: int,
             seed: int, **extra) -> sim.Scenario:
    data = {"days": days, "seed": seed, "replicates": replicates,
            "population": {"size": size}, "strategies": strategies, "arms": arms, **extra}
    return sim.parse_scenario(yaml.safe_dump(data))


def paired(summary: pd.DataFrame, column: str, arm: str) -> pd.Series:
    """Arm minus baseline of one summary column, replicate by replicate."""
    table = summary.pivot(index="replicate", columns="arm", values=column).astype(float)
    return table[arm] - table["baseline"]


# ===================================================================== contracts


class TestRedEnvelopes(StrategyContract):
    cls = RedEnvelopes
    varied = {"greeting": True, "luckiest_sends_next": True, "rounds": 2}

    def test_design_example_form_posts_one_envelope_every_friday(self, model):
        settings = sim.parse_scenario(yaml.safe_dump({"strategies": {"red_envelope": {
            "every": "friday", "amount": 50, "shares": 20, "split": "lucky"}}})
        ).strategies_for("baseline")["red_envelope"]
        for day, plan in enumerate(plans(RedEnvelopes(settings), model, 28)):
            if day % 7 == FRIDAY:
                assert plan.envelopes == [Envelope(50.0, 20, "lucky")]
                assert plan.announcements == 1 and plan.owner_minutes == 2.0
            else:
                assert plan == DayPlan()

    def test_every_days_rounds_and_equal_split(self, model):
        strategy = RedEnvelopes(RedEnvelopes.Settings(every_days=3, rounds=4, split="equal",
                                                      amount=10.0, announce=False))
        for day, plan in enumerate(plans(strategy, model, 12)):
            expected = [Envelope(10.0, 20, "equal")] * 4 if day % 3 == 0 else []
            assert plan.envelopes == expected
            assert plan.announcements == 0

    def test_greeting_and_norm_are_set_every_day_even_when_never_scheduled(self, model):
        strategy = RedEnvelopes(RedEnvelopes.Settings(
            every="never", greeting=True, greeting_amount=8.0, greeting_shares=4,
            luckiest_sends_next=True))
        for plan in plans(strategy, model, 14):
            assert plan.envelopes == []
            assert plan.greeting_envelope == Envelope(8.0, 4, "lucky")
            assert plan.luckiest_norm == LUCKIEST_NORM

    def test_a_second_greeting_adds_to_the_first(self, model):
        plan = DayPlan(greeting_envelope=Envelope(5.0, 5, "equal"))
        RedEnvelopes(RedEnvelopes.Settings(greeting=True, every="never")).plan(model, 0, plan)
        assert plan.greeting_envelope == Envelope(15.0, 15, "equal")

    def test_opens_activity_sessions_with_envelopes(self):
        model = tiny_model({"activities": {"sign_in": "daily", "sharing_session": "tuesday"},
                            "red_envelope": {"every": "never", "on_activity_days": True}})
        strategy = next(s for s in model.strategies if isinstance(s, RedEnvelopes))
        days = [day for day, plan in enumerate(plans(strategy, model, 14)) if plan.envelopes]
        assert days == [1, 8]  # the Tuesdays; the daily sign-in is not a session

    def test_envelopes_reach_the_group_and_only_claimed_money_is_booked(self):
        model = tiny_model({"red_envelope": {"every": "daily", "amount": 20, "shares": 5,
                                             "split": "equal"}}, days=14)
        model.run_model()
        data = model.recorder.data
        assert np.all(data["msg_red_envelope"] >= 1)
        assert np.all(data["money_spent"] <= 20.0 + 1e-9)
        assert data["money_spent"].sum() > 0
        assert model.ledger.money_spent == pytest.approx(data["money_spent"].sum())
        assert data["msg_thanks"].sum() > 0


class TestActivities(StrategyContract):
    cls = Activities
    varied = {"sign_in": "daily", "lottery": "friday", "meetup": "sunday",
              "meetup_every_weeks": 2}

    def test_defaults_hold_a_weekly_sharing_session(self, model):
        effect = Activities.EFFECTS["sharing_session"]
        for day, plan in enumerate(plans(Activities(), model, 21)):
            if scheduled("wednesday", day):
                assert plan.posting_boost == effect.posting
                assert plan.bonds_boost == effect.bonds
                assert plan.announcements == effect.announcements
                assert plan.owner_minutes == effect.minutes
            else:
                assert plan == DayPlan()

    def test_effects_of_several_activities_combine(self, model):
        strategy = Activities(Activities.Settings(sign_in="daily", sharing_session="monday",
                                                  lecture="monday"))
        plan = plans(strategy, model, 1)[0]  # day 0 is a Monday
        e = Activities.EFFECTS
        kinds = ("sign_in", "sharing_session", "lecture")
        assert plan.posting_boost == pytest.approx(np.prod([e[k].posting for k in kinds]))
        assert plan.commitment_boost == pytest.approx(sum(e[k].commitment for k in kinds))
        assert plan.owner_minutes == pytest.approx(sum(e[k].minutes for k in kinds))
        assert plan.content_posts == 1 and plan.content_quality == e["lecture"].content_quality

    def test_every_kind_has_an_effect_and_a_parameter(self):
        assert set(Activities.EFFECTS) == {"sign_in", "sharing_session", "lecture",
                                           "pk_competition", "lottery", "talent_show",
                                           "meetup"}
        assert set(Activities.EFFECTS) <= {p.name for p in Activities.params}
        for effect in Activities.EFFECTS.values():
            assert effect.posting >= 1.0 and effect.minutes > 0

    def test_lottery_is_an_equal_split_prize_envelope(self, model):
        strategy = Activities(Activities.Settings(sharing_session="never", lottery="friday",
                                                  prize=60.0, lottery_winners=3))
        days = plans(strategy, model, 14)
        assert [d for d, p in enumerate(days) if p.envelopes] == [4, 11]
        assert days[4].envelopes == [Envelope(60.0, 3, "equal")]

    def test_meetups_commit_the_most_active_and_cost_their_budget(self):
        model = tiny_model({"welcome": {}, "content": {}}, days=20)
        model.run_model()
        st = model.state
        strategy = Activities(Activities.Settings(sharing_session="never", meetup="monday",
                                                  meetup_every_weeks=4, meetup_size=3,
                                                  budget_per_meetup=300.0))
        held = [day for day in range(56) if strategy.held_on(day)]
        assert held == [21, 49]  # the Monday of every fourth week
        before = st.commitment.copy()
        spent = model.ledger.money_spent
        strategy.plan(model, 21, DayPlan())
        assert model.ledger.money_spent == pytest.approx(spent + 300.0)
        gained = np.flatnonzero(st.commitment > before)
        assert 0 < gained.size <= 3
        rows = model.members()
        others = np.setdiff1d(rows[model.roles.operator[st.role[rows]] == 0], gained)
        assert st.recent_posts[gained].min() >= st.recent_posts[others].max()

    def test_owner_time_is_the_sum_of_the_activities_held(self):
        days = 28
        model = tiny_model({"activities": {"sign_in": "daily", "sharing_session": "wednesday",
                                           "lecture": "saturday"}}, days=days)
        model.run_model()
        e = Activities.EFFECTS
        expected = (days * e["sign_in"].minutes + 4 * e["sharing_session"].minutes
                    + 4 * e["lecture"].minutes)
        assert model.recorder.data["owner_minutes"].sum() == pytest.approx(expected)


class TestRecognition(StrategyContract):
    cls = Recognition
    varied = {"every_days": 7, "medal_red_envelope": 5.0, "promote_to_admin": True}

    @pytest.fixture
    def grown(self) -> sim.CommunityModel:
        model = tiny_model({"welcome": {}, "content": {}}, days=30)
        model.run_model()
        return model

    def test_nothing_happens_between_commendations(self, grown):
        strategy = Recognition()
        for day in (0, 1, 29, 31, 59):
            plan = DayPlan()
            strategy.plan(grown, day, plan)
            assert plan == DayPlan()

    def test_honours_the_top_contributors(self, grown):
        st = grown.state
        strategy = Recognition(Recognition.Settings(top_n=3, medal_red_envelope=10.0))
        rows = strategy.honourees(grown)
        assert rows.size == 3
        assert np.all(np.diff(st.recent_posts[rows]) <= 0)
        members = grown.members()
        eligible = members[(grown.roles.operator[st.role[members]] == 0)]
        others = np.setdiff1d(eligible, rows)
        assert st.recent_posts[rows].min() >= st.recent_posts[others].max()
        commitment = st.commitment.copy()
        received = st.money_received.copy()
        plan = DayPlan()
        strategy.plan(grown, 30, plan)
        assert plan.announcements == 1 and plan.owner_minutes == 30.0
        assert np.allclose(st.commitment[rows], np.minimum(1.0, commitment[rows] + 0.15))
        assert np.allclose(st.money_received[rows], received[rows] + 10.0)
        assert grown.ledger.money_spent == pytest.approx(30.0)

    def test_promotes_the_top_contributor_while_admins_are_few(self, grown):
        st = grown.state

        def admins() -> int:
            return int(np.count_nonzero(st.role[grown.members()] == Administrator.code))

        start = admins()  # the founders' two administrators
        strategy = Recognition(Recognition.Settings(promote_to_admin=True, max_admins=start + 1))
        top = strategy.honourees(grown)[0]
        strategy.plan(grown, 30, DayPlan())
        assert st.role[top] == Administrator.code and admins() == start + 1
        strategy.plan(grown, 60, DayPlan())
        assert admins() == start + 1  # the ceiling holds


# ============================================================ direction of effects
# Every effect scenario below was run at root seeds 1-5 (or 1-6) before fixing its
# thresholds; the comments give the range observed over those seeds.


@pytest.fixture(scope="module")
def weekly_envelopes() -> sim.RunResult:
    """Welcome + content (the DESIGN.md baseline) vs. the same plus Friday envelopes."""
    return sim.run(scenario({"welcome": {}, "content": {}},
                            {"envelopes": {"red_envelope": {"every": "friday", "amount": 50,
                                                            "shares": 20, "split": "lucky"}}},
                            days=120, size=2000, replicates=8, seed=3))


def test_weekly_envelopes_bring_thanks_and_a_spike_on_envelope_days(weekly_envelopes):
    ts = weekly_envelopes.timeseries
    thanks = ts.groupby(["replicate", "arm"]).msg_thanks.sum().unstack()
    gain = thanks.envelopes / thanks.baseline - 1
    # seeds 1-6: thanks more than 50% up in 7-8 of 8 pairs (one pair at seed 3: -12%),
    # mean gain per pair +440% to +850% (only members who read the chat say thanks)
    assert (gain > 0.5).sum() >= 7
    assert gain.mean() > 2.0
    # The spike: messages on Fridays relative to Thursdays, arm minus baseline.
    # Seeds 1-6 before calibration: higher in 4-8 of 8 pairs, mean +0.11 to +0.18; at
    # this seed under the calibrated defaults +0.026 (a thinner spike).
    by_day = ts.assign(weekday=ts.day % 7).groupby(["replicate", "arm", "weekday"]).messages.sum()
    ratio = (by_day.xs(FRIDAY, level="weekday") / by_day.xs(FRIDAY - 1, level="weekday")).unstack()
    lift = ratio.envelopes - ratio.baseline
    assert (lift > 0).sum() >= 4
    assert lift.mean() > 0.01
    # Not asserted: total messages over the run rise in only 3-5 of 8 pairs (seeds
    # 1-6); the paired groups drift apart and the spike is small beside that.


def test_daily_envelopes_draw_and_keep_hunters():
    # A town where one person in ten hunts envelopes; daily 50-yuan envelopes.
    result = sim.run(scenario({"welcome": {}, "content": {}},
                              {"envelopes": {"red_envelope": {"every": "daily"}}},
                              days=120, size=2000, replicates=8, seed=2,
                              population={"size": 2000, "traits": {"hunter_share": 0.1}}))
    m = result.members
    hunters = m[(m.role_at_join == "hunter") & (m.joined_day > 0)]
    stayed = (hunters[hunters.exit == "member"].groupby(["replicate", "arm"]).size()
              .unstack().reindex(index=range(8), columns=["baseline", "envelopes"]).fillna(0))
    # seeds 1-5: hunters still in at the end 8->40, 10->24, 14->38, 7->43, 9->40 (all
    # 8 replicates pooled), more in 5-7 of 8 pairs (F1: they grab and stay silent);
    # before visible rules acted on newcomers' first messages only 4-7 -> 20-26, when
    # this asked for 2.5 times at seed 2, now the seeds' weakest (2.4 times)
    assert stayed.envelopes.sum() >= 2.0 * stayed.baseline.sum()
    assert (stayed.envelopes > stayed.baseline).sum() >= 5
    found = hunters[hunters.invited_by < 0].groupby("arm").size()
    # seeds 1-5: hunters who found the group on their own 4->12, 2->8, 6->9, 5->9,
    # 3->7 (the material signal draws them). All hunter joins, invited ones included,
    # rise in only 4 of 5 seeds (22->20 at seed 2): fewer are pulled in by friends once
    # the group passes the 40-member consent threshold sooner. At weekly 50-yuan
    # envelopes neither count moves reliably; not asserted.
    assert found.get("envelopes", 0) > found.get("baseline", 0)


def test_envelopes_do_not_save_a_group_without_content():
    # F1/F4 backfire: a small group (owner, one opinion leader, eight seed users, no
    # administrator) that nobody runs, with and without Friday envelopes.
    result = sim.run(scenario({}, {"envelopes": {"red_envelope": {}}}, days=182, size=400,
                              replicates=10, seed=4,
                              group={"founders": {"admin": 0, "opinion_leader": 1,
                                                  "seed_user": 8}}))
    s, ts = result.summary, result.timeseries
    # Seventh study's defaults (2026-12-07), root seeds 1-6: with envelopes 17.7, 18.7,
    # 19.1, 20.3, 17.7, 22.8 members at the end against 18.2, 16.9, 19.0, 19.1, 18.2,
    # 19.8: fewer at 2 of 6 seeds, more at 4, by a member or so (+3.0 at seed 6). Under
    # the sixth study's, fewer at 5 of 6 (18.9, 18.9, 17.9, 18.1, 17.8, 23.4 against
    # 20.1, 19.1, 19.0, 18.5, 18.2, 18.9) and this asked for fewer; before the
    # calibrated defaults, seeds 1-4: 16.7, 16.5, 17.7, 18.2 against 18.4, 15.2, 19.4,
    # 20.6. Finding (docs/model.md, "The seventh study's defaults"): the model does not
    # say envelopes lose members; it says they do not save the group: a member or two
    # of about twenty at most (+1.2 at this seed)
    members = s.groupby("arm").members_final.mean()
    assert members["envelopes"] < members["baseline"] + 2.0
    # The conversation (messages other than envelopes and thanks) in the last four
    # weeks has no reliable direction, before or since operators stopped muting, so it
    # is not asserted: envelope arm minus baseline, mean per run, root seeds 1-4: +2,
    # +622, -316, +421 messages (before: -270, +457, +42, +41). The playbook's claim
    # that envelopes do not revive the talk is recorded as not supported by the model
    # (docs/model.md, "Operators never mute"). The grabbing and thanking go on.
    last = ts[ts.day >= 182 - 28]
    assert last[last.arm == "envelopes"].msg_thanks.sum() > 0


# Greeting envelopes (`greeting: true`) were compared with the same content group
# without them at seeds 1-6: newcomer retention at 30 days moved by -0.024 to +0.011 and
# the share of newcomers posting in their first week by -0.016 to +0.030 (mean per
# pair): no effect the model can show, so there is no direction test for them.


@pytest.fixture(scope="module")
def activity_programme() -> sim.RunResult:
    """A taken-over group of 200 members: content and welcome, plus a weekly programme.

    Eight months and 20 replicates: under the calibrated defaults most members mute
    the group (0.7-0.9 of them in both arms), and muted members seldom leave, so the
    programme's effect on who stays builds up slowly. Over 120 days with 10
    replicates it was -3.8 to +8.9 members (more in 3-8 of 10 pairs, seeds 1-6), no
    direction; the claim needs the longer run to show.
    """
    return sim.run(scenario(
        {"welcome": {}, "content": {}},
        {"programme": {"activities": {"sign_in": "daily", "sharing_session": "wednesday",
                                      "lecture": "saturday"}}},
        days=240, size=2000, replicates=20, seed=5, group={"initial_members": 200}))


def test_activities_cost_owner_time(activity_programme):
    # The playbooks also claim the programme keeps more members. Finding (docs/model.md,
    # "Activities under the calibrated defaults"): since overloaded readers write less
    # and the silence penalty fell (docs/model.md, "Overloaded readers and the T3
    # step"), seeds 1-6 keep +2.2, +2.1, +1.1, -2.0, +0.8, +1.5 members (of about 141-146
    # without it; more in 9-11 of 20 pairs): no dependable direction, so it is not
    # asserted. Before: +1.3 to +6.1 (10-14 of 20 pairs), and earlier +3.7 to +7.7.
    s = activity_programme.summary
    hours = paired(s, "owner_hours", "programme")
    # 240 days x 5 min + 34 sessions x 60 min + 34 lectures x 90 min = 105 h (the
    # baseline's welcome time differs a little with the joins)
    assert hours.mean() == pytest.approx(105.0, abs=1.0)


def test_activities_raise_the_active_share(activity_programme):
    # The playbooks claim higher sustained activity. The daily sign-in gets readers who
    # seldom post to check in (DayPlan.checkin_chance), so more members wrote in the
    # last 28 days. Finding (docs/model.md, "Activities under the calibrated
    # defaults"): silent members (0.78 of people) never check in, so the rise is a
    # third of what it was: seeds 1-6, higher in 11-19 of 20 pairs, mean +0.011 to
    # +0.044 (before: 17-20 of 20, +0.09 to +0.17).
    active = paired(activity_programme.summary, "active_share_last_28d", "programme")
    assert (active > 0).sum() > (active < 0).sum()
    assert active.mean() > 0.005


def power_users_kept(scn: sim.Scenario, snapshot: int = 60, top: int = 10) -> pd.DataFrame:
    """For every run: how many of the top posters at ``snapshot`` are still in at the end.

    Power users are the ``top`` members (not operators, advertisers or hunters) with
    the highest recent posting at the start of day ``snapshot``, found in each arm.
    """
    out = []
    for spec in plan_runs(scn):
        model = sim.CommunityModel(scn, arm=spec.arm, seed=spec.seed)
        for _ in range(snapshot):
            model.step()
        power = Recognition(Recognition.Settings(top_n=top)).honourees(model)
        model.run_model()
        status = model.state.status[power]
        out.append({"arm": spec.arm, "replicate": spec.replicate, "n": power.size,
                    "kept": int((status == MEMBER).sum()),
                    "left": int((status == LEFT).sum())})
    return pd.DataFrame(out)


def test_recognition_and_promotion_keep_power_users():
    # A group flooded with ads and without administrators (seed 004, F5), where power
    # users have reasons to leave. Titles every 30 days for the top five; in a second
    # arm the top contributor is also made an administrator (up to three).
    table = power_users_kept(scenario(
        {"welcome": {}},
        {"titles": {"recognition": {}},
         "titles_and_admins": {"recognition": {"promote_to_admin": True}}},
        days=182, size=2000, replicates=10, seed=1,
        population={"size": 2000, "traits": {"spammer_share": 0.05}},
        group={"founders": {"admin": 0}}))
    kept = table.groupby("arm").kept.sum()
    # calibrated defaults, seeds 1-4, power users of 100 still in at the end: baseline
    # 67-79, titles 72-80, titles and promotion 78-82. Promotion helps at seeds 2-4 (+8
    # to +11: promoted members are operators who never leave, and they moderate the ads
    # away) but not at seed 1 (-1), so only "not worse" is asserted here.
    assert kept["titles_and_admins"] >= kept["baseline"] - 3
    # Titles alone change it by -9 to +7: in the model power users already value the
    # group highly and are committed, so they leave mostly for outside reasons (the
    # floor hazard) or are removed for the odd ad, which a title does not touch.
    assert abs(kept["titles"] - kept["baseline"]) <= 15
