"""Entry threshold (S1), exclusive benefits (S12) and monetization (S11).

Contract checks come from :class:`StrategyContract`; scripted cases check the plans
and admission filters by hand. Direction-of-effect tests run one scenario per claim
with a baseline and arms (paired: arms share the replicate seeds) at a fixed root
seed, and compare per replicate. Every threshold was set after running the same
comparison at root seeds 1-6 (see the ranges next to each assertion) with room to
spare for all of them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_strategy_contracts import StrategyContract, plans, tiny_model

import sim
from agents import RedEnvelopeHunter, Spammer
from sim.engine.plan import DayPlan, Offer
from sim.engine.strategies.benefits import ExclusiveBenefits, weekly_days
from sim.engine.strategies.entry import (
    SUNK_COST_HALF,
    SUNK_COST_MAX,
    EntryFee,
    EntryThreshold,
    InvitationOnly,
    Screening,
)
from sim.engine.strategies.monetization import (
    COUPON_APPEAL_GAIN,
    HARD_APPEAL,
    HARD_SELL_COST,
    Monetization,
)

ROOT_SEED = 1


def scenario(strategies: dict, arms: dict, *, size: int = 3000, days: int = 150,
             replicates: int = 8, seed: int = ROOT_SEED, traits: dict | None = None,
             capacity: int = 500) -> sim.Scenario:
    data = {"days": days, "seed": seed, "replicates": replicates,
            "population": {"size": size, "traits": traits or {}},
            "group": {"capacity": capacity}, "strategies": strategies, "arms": arms}
    return sim.parse_scenario(yaml.safe_dump(data))


def paired(summary, arm: str, column: str, base: str = "baseline") -> np.ndarray:
    """Per-replicate difference ``arm - base`` of one summary column."""
    def values(name):
        return summary[summary["arm"] == name].sort_values("replicate")[column].to_numpy(float)

    return values(arm) - values(base)


def window_sum(timeseries, column: str, start: int, stop: int) -> dict:
    """Per arm, the per-replicate sum of a daily column over days [start, stop)."""
    part = timeseries[(timeseries["day"] >= start) & (timeseries["day"] < stop)]
    table = part.groupby(["arm", "replicate"])[column].sum().unstack(0)
    return {arm: table[arm].to_numpy(float) for arm in table.columns}


# ====================================================================== contracts


class TestEntryThreshold(StrategyContract):
    cls = EntryThreshold
    varied = {"kind": "paid"}

    def test_open_changes_nothing(self, model):
        strategy = EntryThreshold(EntryThreshold.Settings(kind="open"))
        assert plans(strategy, model, 5) == [DayPlan()] * 5

    @pytest.mark.parametrize("kind", ["invitation_code", "paid", "screening"])
    def test_any_threshold_adds_a_filter_scarcity_and_review_time(self, model, kind):
        strategy = EntryThreshold(EntryThreshold.Settings(
            kind=kind, fee=50.0, scarcity_commitment=0.1, review_minutes_per_day=12.0))
        plan = plans(strategy, model, 1)[0]
        assert len(plan.admission) == 1 and plan.owner_minutes == 12.0
        sunk = SUNK_COST_MAX * 50.0 / (50.0 + SUNK_COST_HALF) if kind == "paid" else 0.0
        assert plan.join_commitment == pytest.approx(0.1 + sunk)
        assert plan.entry_fee == (50.0 if kind == "paid" else 0.0)

    def test_invitation_codes_admit_only_invitees_up_to_the_quota(self, model):
        rows = np.arange(10)
        via = np.array([-1, 3, 4, -1, 5, 6, 7, -1, 8, 9])
        keep = InvitationOnly(3)(model, rows, via)
        assert keep.sum() == 3 and np.all(via[keep] >= 0)
        keep = InvitationOnly(100)(model, rows, via)
        assert np.array_equal(keep, via >= 0)
        assert not InvitationOnly(0)(model, rows, via).any()

    def test_a_free_entry_keeps_everyone_and_a_steep_one_nearly_nobody(self, model):
        rows = np.arange(model.world.size)
        via = np.full(rows.size, -1)
        assert EntryFee(0.0, 100.0)(model, rows, via).all()
        assert EntryFee(1e6, 100.0)(model, rows, via).sum() == 0

    def test_a_fee_deters_advertisers_and_hunters_more_than_good_fits(self):
        model = tiny_model(size=3000)
        w = model.world
        rows = np.arange(w.size)
        paid = np.mean([EntryFee(30.0, 100.0)(model, rows, np.full(rows.size, -1))
                        for _ in range(20)], axis=0)
        ads = w.natural_role == Spammer.code
        hunters = w.natural_role == RedEnvelopeHunter.code
        fits = (w.fit > 0.6) & ~ads & ~hunters
        assert ads.any() and hunters.any() and fits.any()
        assert paid[ads].mean() < 0.01
        assert paid[hunters].mean() < 0.5 * paid[fits].mean()

    def test_screening_by_hand(self):
        model = tiny_model(size=3000)
        w = model.world
        rows = np.arange(w.size)
        via = np.full(rows.size, -1)
        ads = w.natural_role == Spammer.code
        assert Screening(0.0, False, 0.0)(model, rows, via).all()
        assert np.array_equal(Screening(0.0, True, 0.0)(model, rows, via), ~ads)
        assert Screening(0.0, True, 1.0)(model, rows, via).all()  # the screen misses all
        assert np.array_equal(Screening(0.6, False, 0.0)(model, rows, via), w.fit >= 0.6)

    def test_fees_are_booked_per_joiner(self):
        model = tiny_model({"entry": {"kind": "paid", "fee": 20.0}}, days=40)
        model.run_model()
        data = model.recorder.data
        assert data["joins"].sum() > 0
        assert np.allclose(data["revenue"], 20.0 * data["joins"])


class TestExclusiveBenefits(StrategyContract):
    cls = ExclusiveBenefits
    varied = {"member_coupons_per_week": 2, "start_day": 1, "days_running": 3}

    def test_campaign_window_boosts_appeal_and_sets_the_promise(self, model):
        strategy = ExclusiveBenefits(ExclusiveBenefits.Settings(
            start_day=2, days_running=3, appeal_boost=2.0, promise=0.4, minutes_per_day=5.0))
        days = plans(strategy, model, 8)
        for day, plan in enumerate(days):
            on = 2 <= day < 5
            assert plan.appeal_boost == (2.0 if on else 1.0)
            assert plan.join_expectation == (0.4 if on else 0.0)
            assert plan.owner_minutes == (5.0 if on else 0.0)

    def test_weekly_days_are_spread_over_the_week(self):
        assert weekly_days(0) == frozenset()
        assert weekly_days(1) == {0}
        assert weekly_days(2) == {0, 3}
        assert weekly_days(3) == {0, 2, 4}
        assert weekly_days(7) == set(range(7))

    def test_member_coupons_on_coupon_days_cost_their_redeemed_value(self, model):
        strategy = ExclusiveBenefits(ExclusiveBenefits.Settings(
            newcomer_coupon=0.0, member_coupons_per_week=2, member_coupon_value=4.0,
            redemption=0.5))
        customers = model.members()
        customers = customers[model.roles.operator[model.state.role[customers]] == 0]
        before = model.ledger.other_costs
        days = plans(strategy, model, 14)
        assert [p.coupon_value for p in days] == [4.0 if d % 7 in (0, 3) else 0.0
                                                  for d in range(14)]
        assert model.ledger.other_costs - before == pytest.approx(4 * 4.0 * 0.5 * customers.size)

    def test_newcomers_get_their_coupon_the_day_after_joining(self):
        model = tiny_model({"benefits": {"days_running": 20, "newcomer_coupon": 8.0,
                                         "redemption": 0.25}}, days=30)
        model.run_model()
        spent = model.recorder.data["money_spent"]
        joins = model.recorder.data["joins"]
        st = model.state
        assert joins[:20].sum() > 0
        # coupons for day d's newcomers who stayed are booked on day d + 1
        for day in range(1, 21):
            stayed = ((st.joined_day == day - 1) & ~st.founder
                      & ((st.status == 1) | (st.left_day >= day))).sum()
            assert spent[day] == pytest.approx(8.0 * 0.25 * stayed)
        assert np.all(spent[22:] == 0)


class TestMonetization(StrategyContract):
    cls = Monetization

    def test_offers_on_promotion_days_only(self, model):
        strategy = Monetization(Monetization.Settings(promotions_per_week=3, start_day=7,
                                                      minutes_per_promotion=30.0))
        for day, plan in enumerate(plans(strategy, model, 28)):
            due = day >= 7 and day % 7 in (0, 2, 4)
            assert len(plan.offers) == int(due)
            assert plan.owner_minutes == (30.0 if due else 0.0)

    def test_hard_promotion_sells_more_and_grates_more(self):
        soft = Monetization(Monetization.Settings(appeal=0.04)).offer()
        hard = Monetization(Monetization.Settings(appeal=0.04, promotion="hard")).offer()
        assert hard.appeal == pytest.approx(HARD_APPEAL * soft.appeal)
        assert hard.hard_sell == HARD_SELL_COST["hard"] > soft.hard_sell

    def test_coupon_and_kind_by_hand(self):
        offer = Monetization(Monetization.Settings(kind="membership", price=200.0,
                                                   appeal=0.1, coupon=0.25)).offer()
        assert offer == Offer(price=150.0, appeal=pytest.approx(0.1 * (1 + COUPON_APPEAL_GAIN
                                                                       * 0.25)),
                              hard_sell=HARD_SELL_COST["soft"], repeat=False)
        assert Monetization(Monetization.Settings(kind="ecommerce")).offer().repeat
        assert Monetization(Monetization.Settings(appeal=1.0, promotion="hard")).offer() \
            .appeal == 1.0

    def test_revenue_is_price_times_sales(self):
        model = tiny_model({"content": {}, "monetization": {"promotions_per_week": 7,
                                                            "price": 10.0, "appeal": 0.5}},
                           days=40)
        model.run_model()
        data = model.recorder.data
        assert data["conversions"].sum() > 0
        assert np.allclose(data["revenue"], 10.0 * data["conversions"])


# ============================================================ directions: S1 entry

ENTRY_ARMS = {
    "paid": {"entry": {"kind": "paid", "fee": 30.0}},
    "invitation": {"entry": {"kind": "invitation_code", "codes_per_day": 3}},
    "screening": {"entry": {"kind": "screening", "min_fit": 0.5, "screen_advertisers": True}},
    "fit_screen_only": {"entry": {"kind": "screening", "min_fit": 0.5,
                                  "screen_advertisers": False}},
}


def entry_scenario(seed: int = ROOT_SEED) -> sim.Scenario:
    """An open group with content and welcomes, in a town where 3% would advertise."""
    return scenario({"welcome": {}, "content": {}, "entry": {"kind": "open"}}, ENTRY_ARMS,
                    seed=seed, traits={"spammer_share": 0.03})


@pytest.fixture(scope="module")
def entry_runs():
    return sim.run(entry_scenario())


def test_paid_entry_fewer_joins_better_retention_less_spam(entry_runs):
    s = entry_runs.summary
    joins = paired(s, "paid", "joins_total")
    assert np.all(joins < 0) and joins.mean() < -10  # seeds 1-6: 8/8, mean -20 to -26
    retention = paired(s, "paid", "newcomer_retention_30d")
    assert (retention > 0).sum() >= 7 and retention.mean() > 0.12  # 8/8, +0.27 to +0.34
    # Not asserted: the active share. Root seeds 1-4: higher in 3-7 of 8 pairs, mean
    # -0.005, +0.010, -0.023, +0.032 since visible rules act on newcomers' first
    # messages only (before: 4-6 of 8, +0.018 to +0.052; before the calibrated
    # defaults 5-8 of 8, +0.07 to +0.16). Finding: docs/model.md, "Visible rules on
    # the opening only"
    spam = paired(s, "paid", "spam_share")
    assert (spam < 0).sum() >= 7 and spam.mean() < -0.004  # 8/8, -0.011 to -0.027
    paid = s[s["arm"] == "paid"]
    assert np.all(paid["revenue"] > 0)
    assert np.allclose(paid["revenue"], 30.0 * paid["joins_total"])


def test_invitation_codes_fewer_joins(entry_runs):
    joins = paired(entry_runs.summary, "invitation", "joins_total")
    assert np.all(joins < 0) and joins.mean() < -10  # seeds 1-6: 8/8, mean -23 to -29


def test_screening_advertisers_cuts_spam(entry_runs):
    s = entry_runs.summary
    spam = paired(s, "screening", "spam_share")
    assert (spam < 0).sum() >= 7 and spam.mean() < -0.004  # seeds 1-6: 8/8, -0.009 to -0.025
    extra = paired(s, "screening", "spam_share", base="fit_screen_only")
    assert (extra < 0).sum() >= 5 and extra.mean() < -0.001  # 6-8/8, -0.0037 to -0.014


# ====================================================== directions: S12 benefits

CAMPAIGN = {"start_day": 14, "days_running": 42, "appeal_boost": 3.0}


@pytest.fixture(scope="module")
def campaign_runs():
    return sim.run(scenario({"welcome": {}, "content": {}}, {"campaign": {"benefits": CAMPAIGN}},
                            days=120))


def test_campaign_brings_more_joins_while_it_runs(campaign_runs):
    joins = window_sum(campaign_runs.timeseries, "joins", 14, 56)
    more = joins["campaign"] - joins["baseline"]
    assert (more > 0).sum() >= 7 and more.mean() > 6  # seeds 1-6: 8/8, +12.1 to +17.5 joins
    spent = campaign_runs.summary.groupby("arm")["money_spent"]
    assert spent.min()["campaign"] > 0 and spent.max()["baseline"] == 0


@pytest.fixture(scope="module")
def promise_runs():
    # No content push: the group delivers little beyond what members bring themselves.
    campaign = {**CAMPAIGN, "start_day": 0, "days_running": 90, "promise": 0.0}
    arms = {"big_promise": {"benefits": {"promise": 5.0}},
            "moderate_promise": {"benefits": {"promise": 0.5}}}
    return sim.run(scenario({"welcome": {}, "benefits": campaign}, arms, days=120))


def test_unmet_promise_backfires_on_newcomer_retention(promise_runs):
    # A promise far above what members expect of the group (0.35 value units for an
    # ordinary member): newcomers leave within days.
    s = promise_runs.summary
    week = paired(s, "big_promise", "newcomer_retention_7d")
    assert (week < 0).sum() >= 7 and week.mean() < -0.1  # seeds 1-6: 8/8, -0.26 to -0.30
    month = paired(s, "big_promise", "newcomer_retention_30d")
    assert month.mean() < -0.3  # seeds 1-6: 8/8 lower, mean -0.69 to -0.77


def test_a_moderate_unmet_promise_backfires_within_a_month(promise_runs):
    # Promises fade more slowly than first impressions (sim.engine.records.PROMISE_FADE), so a
    # modest promise the group does not keep drives newcomers out over the first weeks.
    month = paired(promise_runs.summary, "moderate_promise", "newcomer_retention_30d")
    assert (month < 0).sum() >= 7 and month.mean() < -0.08  # seeds 1-6: 8/8, -0.13 to -0.19


# ================================================== directions: S11 monetization


SELLING_REPLICATES = 16
"""Pairs for the promotion tests: hard daily promotion costs a group of about 45 members
some 3 of them against soft promotion, which 8 pairs (per-pair spread about 6) do not
show reliably (root seeds 1-10 at 8 pairs: mean -0.3 to -7.4)."""


@pytest.fixture(scope="module")
def selling_runs():
    base = {"welcome": {}, "content": {}, "monetization": {"promotions_per_week": 0}}
    arms = {"soft": {"monetization": {"promotions_per_week": 2}},
            "hard_daily": {"monetization": {"promotions_per_week": 7, "promotion": "hard"}}}
    return sim.run(scenario(base, arms, replicates=SELLING_REPLICATES))


def test_soft_promotion_earns_with_little_loss_of_members(selling_runs):
    s = selling_runs.summary
    # calibrated defaults, root seeds 1-4: revenue in 15-16 of 16 groups (a group of
    # mostly silent members can go a whole run without a purchase)
    assert (s[s["arm"] == "soft"]["revenue"] > 0).mean() >= 0.9
    assert np.all(s[s["arm"] == "baseline"]["revenue"] == 0)
    members = paired(s, "soft", "members_final")
    # about 45 members: a loss under 7 is within the noise of members_final
    assert members.mean() > -7  # root seeds 1-4: mean -0.5 to -3.7 members
    hard = paired(s, "hard_daily", "members_final")
    assert members.mean() > hard.mean()  # seeds 1-4: by 0.8 to 5.3 members


def test_hard_daily_promotion_earns_more_at_first_then_drives_members_away(selling_runs):
    s = selling_runs.summary
    early = window_sum(selling_runs.timeseries, "revenue", 0, 30)
    # calibrated defaults, root seeds 1-4: more in 15-16 of 16 pairs (one tie), 7-8
    # times as much in total (before: 16/16 every time)
    assert (early["hard_daily"] > early["soft"]).sum() >= 15
    assert early["hard_daily"].sum() > 3 * early["soft"].sum()
    # direction of effect, paired: more pairs lose members than gain them, and the mean
    # pair loses (root seeds 1-4: mean -0.8 to -5.3, 7-11 pairs lose, 4-5 gain)
    # calibrated defaults, root seeds 1-4: mean -2.7 to -6.2, 11-13 pairs lose, 2-4 gain
    members = paired(s, "hard_daily", "members_final", base="soft")
    assert members.mean() < 0 and (members < 0).sum() > (members > 0).sum()


@pytest.mark.xfail(strict=True, reason="finding (docs/model.md, 'Hard daily promotion'): "
                   "with most members silent the share who wrote lately does not fall")
def test_hard_daily_promotion_quiets_the_chat(selling_runs):
    s = selling_runs.summary
    # the chat itself fell before the calibrated defaults: root seeds 1-4, 9-13 of 16
    # pairs, mean -0.075 to -0.124 (before operators stopped muting, 13-15 of 16 and
    # -0.16 to -0.21; docs/model.md, "Operators never mute"). Since: -0.013 to +0.027,
    # 6-10 of 16 pairs lower. Strict: passing again would be news.
    active = paired(s, "hard_daily", "active_share_last_28d", base="soft")
    assert (active < 0).sum() > (active > 0).sum() and active.mean() < -0.05


# ============================================================ books: money adds up

BOOKS_SETTINGS = settings(max_examples=10, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])


@st.composite
def money_strategies(draw) -> dict:
    """Random settings of the entry, benefits and monetization strategies."""
    out: dict = {"content": {}}
    kind = draw(st.sampled_from(["open", "invitation_code", "paid", "screening"]))
    out["entry"] = {"kind": kind, "fee": draw(st.sampled_from([0.0, 5.0, 30.0])),
                    "codes_per_day": draw(st.integers(0, 5)),
                    "min_fit": draw(st.sampled_from([0.0, 0.3, 0.6]))}
    if draw(st.booleans()):
        out["benefits"] = {
            "start_day": draw(st.integers(0, 10)), "days_running": draw(st.integers(0, 30)),
            "appeal_boost": draw(st.sampled_from([1.0, 2.0, 5.0])),
            "newcomer_coupon": draw(st.sampled_from([0.0, 3.0, 12.5])),
            "redemption": draw(st.sampled_from([0.0, 0.3, 1.0])),
            "member_coupons_per_week": draw(st.integers(0, 7))}
    if draw(st.booleans()):
        out["monetization"] = {
            "kind": draw(st.sampled_from(["product", "membership", "ecommerce"])),
            "price": draw(st.sampled_from([0.0, 9.9, 99.0])),
            "appeal": draw(st.sampled_from([0.05, 0.5])),
            "promotion": draw(st.sampled_from(["soft", "hard"])),
            "promotions_per_week": draw(st.integers(0, 7)),
            "coupon": draw(st.sampled_from([0.0, 0.5]))}
    return out


EVERY_BOOK = {  # fees, coupons for newcomers and members, and sales: all books at once
    "content": {}, "entry": {"kind": "paid", "fee": 5.0},
    "benefits": {"days_running": 30, "member_coupons_per_week": 2},
    "monetization": {"kind": "ecommerce", "price": 9.9, "appeal": 0.5, "coupon": 0.5},
}


@BOOKS_SETTINGS
@given(strategies=money_strategies(), seed=st.integers(0, 1000))
@example(strategies=EVERY_BOOK, seed=3)
def test_money_in_the_summary_adds_up_from_the_days(strategies, seed):
    result = sim.run(scenario(strategies, {}, size=300, days=40, replicates=1, seed=seed,
                              capacity=120))
    ts, row = result.timeseries, result.summary.iloc[0]
    if strategies is EVERY_BOOK:
        assert row["revenue"] > 0 and row["money_spent"] > 0
    assert row["revenue"] == pytest.approx(ts["revenue"].sum())
    assert row["money_spent"] == pytest.approx(ts["money_spent"].sum())
    if row["money_spent"] > 0:
        assert row["roi"] == pytest.approx(
            (row["revenue"] - row["money_spent"]) / row["money_spent"])
    else:
        assert math.isnan(row["roi"])
