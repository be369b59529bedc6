"""Behaviour a strategist relies on: hand-computable cases and directional effects.

Random behaviour is tested at fixed seeds. Directional comparisons are paired
(common random numbers: the same replicate seeds in both scenarios) and their
tolerances were checked over several root seeds before being written down, so they
test the effect, not one lucky draw. Shipped scenarios run at reduced size (their
YAML edited as a user would), with the seed written in the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from numba import njit
from properties import ENGINE_SETTINGS, to_scenario

import sim
from sim.engine.day import envelopes_kernels
from sim.engine.day.envelopes import equal_split, lucky_split
from sim.engine.dynamics import Dynamics
from sim.engine.seeding import replicate_seeds
from sim.engine.state import MEMBER

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def shipped(name: str, size: int, replicates: int, days: int = 182, **sections) -> sim.Scenario:
    """A shipped scenario at reduced size, with its own seed and ``sections`` merged in.

    The group is its founders only: the 250 contacts the shipped groups invite on day one
    would be most of a town of a few hundred people.
    """
    data = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))
    data.pop("weeks", None)
    data.update(days=days, replicates=replicates)
    data.setdefault("population", {})["size"] = size
    data.setdefault("group", {})["initial_members"] = 0
    for key, values in sections.items():
        data.setdefault(key, {}).update(values)
    return to_scenario(data)


def cents(x: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(x) * 100).astype(np.int64)


# ------------------------------------------------------------------ red envelopes


def test_equal_split_by_hand():
    assert cents(equal_split(1.00, 3)).tolist() == [34, 33, 33]
    assert cents(equal_split(10.0, 4)).tolist() == [250] * 4
    assert cents(equal_split(0.05, 10)).tolist() == [1] * 5  # never less than a cent
    assert cents(equal_split(0.01, 1)).tolist() == [1]


@ENGINE_SETTINGS
@given(amount_cents=st.integers(1, 200_000), shares=st.integers(1, 200),
       seed=st.integers(0, 2**32 - 1))
def test_splits_add_up_to_the_amount_in_cents(amount_cents, shares, seed):
    amount = amount_cents / 100
    expected_shares = min(shares, amount_cents)
    for split in (lucky_split(np.random.default_rng(seed), amount, shares),
                  equal_split(amount, shares)):
        grabs = cents(split)
        assert np.allclose(split * 100, grabs)  # whole cents
        assert grabs.sum() == amount_cents
        assert grabs.size == expected_shares
        assert grabs.min() >= 1
    equal = cents(equal_split(amount, shares))
    assert equal.max() - equal.min() <= 1


@ENGINE_SETTINGS
@given(amount_cents=st.integers(2, 100_000), shares=st.integers(2, 100),
       seed=st.integers(0, 2**32 - 1))
def test_lucky_grab_is_at_most_twice_the_remaining_average(amount_cents, shares, seed):
    grabs = cents(lucky_split(np.random.default_rng(seed), amount_cents / 100, shares))
    left = amount_cents
    for i, grab in enumerate(grabs[:-1]):
        assert grab <= max(1, 2 * left // (grabs.size - i))
        left -= grab


@njit
def _member_envelopes(seed, count, gift_amount):
    np.random.seed(seed)
    return envelopes_kernels.member_envelope_cents(count, gift_amount)


def test_members_envelopes_hold_gift_amount_on_average_in_whole_cents():
    # 20,000 envelopes around 5 yuan: the log-normal factor has mean 1 and standard
    # deviation 0.53, so the mean's standard error is 0.019 yuan; 0.06 is 3 of them
    cents = _member_envelopes(11, 20_000, 5.0)
    assert cents.dtype == np.int64 and cents.min() >= 1
    assert abs(cents.mean() / 100 - 5.0) < 0.06
    assert 0.4 < np.std(cents / 100) / 5.0 < 0.65
    # an amount below a cent still sends one cent
    assert np.all(_member_envelopes(11, 100, 0.001) == 1)


def test_lucky_split_is_fair_in_expectation():
    # 20,000 envelopes of 100 yuan in 10 shares: every position's mean grab is 10
    # yuan; standard errors are below 0.06 yuan, so 0.3 is 5 of them.
    rng = np.random.default_rng(2024)
    grabs = np.array([lucky_split(rng, 100.0, 10) for _ in range(20_000)])
    assert np.allclose(grabs.mean(axis=0), 10.0, atol=0.3)
    assert grabs[:, 0].max() <= 20.0  # the first grab is at most twice the average
    assert grabs.std(axis=0)[-1] > grabs.std(axis=0)[0]  # late grabs are riskier


# ------------------------------------------------------------------ joining


def joining(consent_above: int, **dynamics) -> sim.Scenario:
    return to_scenario({
        "days": 60, "seed": 3, "replicates": 6, "population": {"size": 600},
        "group": {"capacity": 200, "consent_above": consent_above},
        "dynamics": dynamics,
    })


def test_wechat_consent_rule_pulls_invited_friends_in():
    """Below the consent threshold an invited friend joins without being asked."""
    pulled = sim.run(joining(consent_above=1000)).summary
    asked = sim.run(joining(consent_above=0)).summary
    assert (pulled["seed"] == asked["seed"]).all()  # paired replicates
    # checked over root seeds 3-8: at least 5 more joins per pair, 3-4x in total
    assert (pulled["joins_total"] > asked["joins_total"]).all()
    assert pulled["joins_total"].sum() >= 2 * asked["joins_total"].sum()


def test_capacity_binds_however_many_want_in():
    scenario = to_scenario({
        "days": 30, "seed": 4, "population": {"size": 800},
        "group": {"capacity": 50, "consent_above": 1000},
        "dynamics": {"discovery_rate": 0.1, "acceptance": 1.0},
    })
    model = sim.CommunityModel(scenario)
    for _ in range(scenario.horizon):
        model.step()
        assert model.members().size <= 50
    members = model.recorder.data["members"]
    assert members.max() == 50  # it was full ...
    assert members[-1] >= 45  # ... and stays nearly full with people queueing


def test_invited_people_name_a_member_who_invited_them():
    model = sim.CommunityModel(joining(consent_above=40))
    model.run_model()
    st_ = model.state
    newcomers = np.flatnonzero(st_.joined_day > 0)
    invited = newcomers[st_.invited_by[newcomers] >= 0]
    assert invited.size > 0
    adj = model.world.adjacency
    for row in invited.tolist():  # the inviter is a friend who was in the group
        inviter = int(st_.invited_by[row])
        assert inviter in adj.indices[adj.indptr[row]:adj.indptr[row + 1]]
        assert st_.joined_day[inviter] <= st_.joined_day[row]


# ------------------------------------------------------------------ neglect and spam


@pytest.fixture(scope="module")
def neglect_pair() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Baseline and neglected group, 24 paired replicates of 182 days, 400 people."""
    baseline = sim.run(shipped("baseline", size=400, replicates=24)).summary
    neglected = sim.run(shipped("neglected", size=400, replicates=24)).summary
    assert (baseline["seed"] == neglected["seed"]).all()
    return baseline, neglected


def test_neglected_group_dies_more_often_than_the_baseline(neglect_pair):
    baseline, neglected = neglect_pair
    dead_base = int(baseline["dead_day"].notna().sum())
    dead_neglected = int(neglected["dead_day"].notna().sum())
    # over root seeds 7-14 (engine 929d49b): baseline 0-1 deaths of 24, neglected 2-11
    # (8 at the file's seed 7); at full size the neglected group dies in 4 of 10
    assert dead_base <= 2, "the baseline should mostly survive"
    assert dead_neglected >= dead_base + 2
    assert neglected["owner_hours"].eq(0).all() and baseline["owner_hours"].gt(0).all()


def test_participation_is_unequal(neglect_pair):
    baseline, _ = neglect_pair
    # equal participation would give the top 10% a tenth of the messages;
    # checked over root seeds 7-14: means 0.54-0.61, smallest replicate 0.43; Gini
    # of messages per member at least 0.64
    assert baseline["top10_share"].mean() > 0.5
    assert (baseline["top10_share"] > 0.35).all()
    assert (baseline["gini_messages"] > 0.5).all()


def test_replies_from_the_talkative_few_leave_more_members_silent():
    """``reply_sociability``: replies written by the sociable concentrate the posts on
    them (in a world where everyone may write: with the calibrated silent share most
    members never write whoever replies)."""
    everyone = {"traits": {"silent_share": 0.0}}
    # a writing budget that rarely binds (the earlier 79 a day): under the default 30
    # the talkative few spend their day and the replies drawn to them go to the next
    # in line, so the effect shrinks to +0.037, +0.014, +0.018 (file's root seed, 1, 2;
    # 0.177 against 0.214 at the file's), against +0.130, +0.073, +0.131 at 79
    loose = {"writing_budget": 79}
    even = sim.run(shipped("baseline", size=400, replicates=8, days=120, population=everyone,
                           dynamics={"reply_sociability": 0.0, **loose})).summary
    tied = sim.run(shipped("baseline", size=400, replicates=8, days=120, population=everyone,
                           dynamics={"reply_sociability": 1.4, **loose})).summary
    assert (even["seed"] == tied["seed"]).all()
    # The file's root seed and seeds 1-2, 8 pairs: the top 1% wrote 0.21, 0.27, 0.26 of
    # the posts, then 0.34, 0.34, 0.39 (the sixth study's defaults: 0.24, 0.23, 0.24,
    # then 0.36, 0.31, 0.39). Members who never wrote: more in 5, 5, 7 of 8
    # pairs (mean -0.004, +0.011, +0.043) since newcomers shown the rules (the default
    # welcome) write their opening early whoever replies; before, more in all 8 (mean
    # +0.10), asserted until then (finding: docs/model.md, "Visible rules on the
    # opening only")
    assert tied["top1_share"].mean() > even["top1_share"].mean() + 0.1


@pytest.fixture(scope="module")
def spam_pair() -> tuple[pd.DataFrame, pd.DataFrame]:
    # 2,000 people: at 400 only a couple of the 6% would-be advertisers ever find the group
    baseline = sim.run(shipped("baseline", size=2000, replicates=8, days=120)).summary
    flood = sim.run(shipped("spam_flood", size=2000, replicates=8, days=120)).summary
    assert (baseline["seed"] == flood["seed"]).all()
    return baseline, flood


def test_spam_flood_has_more_spam(spam_pair):
    baseline, flood = spam_pair
    # over root seeds 7-12: flood higher in 8 of 8 pairs, 3.4-9x on average
    assert (flood["spam_share"] > baseline["spam_share"]).sum() >= 5
    assert flood["spam_share"].mean() >= 1.2 * baseline["spam_share"].mean()


# Flooded readers mute (T6): over root seeds 7-12 the flood muted more in 7-8 of 8 pairs
# before the calibrated defaults, 3-5 of 8 under them, 3-7 of 8 (mean -0.06 to +0.28)
# once visible rules acted on newcomers' first messages, and 3-6 of 8 (mean -0.13 to
# +0.15) since overloaded readers write less: not dependably across seeds. A finding,
# not a test (docs/model.md, "A spam flood under the calibrated defaults").


# ------------------------------------------------------------------ newcomers (T3)


def test_answered_first_post_raises_engagement_and_ignored_lowers_it():
    """A newcomer's first post: answered, engagement jumps; ignored, it drops (T3).

    Welcomers answer first posts at random (``welcome_reply`` 0.5), and newcomers are
    not asked to introduce themselves, so first posts come after the join day and the
    engagement before them is observed.
    """
    scenario = shipped("baseline", size=600, replicates=1, days=90,
                       dynamics={"welcome_reply": 0.5},
                       strategies={"welcome": {"self_introduction": False}})
    jumps: dict[bool, list[float]] = {True: [], False: []}
    week_later: dict[bool, list[float]] = {True: [], False: []}
    for seed in replicate_seeds(scenario.seed, 32):
        model = sim.CommunityModel(scenario, seed=seed)
        st_ = model.state
        due: dict[int, list[tuple[int, bool]]] = {}
        for _ in range(scenario.horizon):
            day, before = model.day, st_.engagement.copy()
            model.step()
            firsts = np.flatnonzero((st_.first_post_day == day) & (st_.joined_day > 0)
                                    & (st_.joined_day < day))
            for row in firsts.tolist():
                answered = bool(st_.first_post_answered[row] == 1)
                jumps[answered].append(st_.engagement[row] - before[row])
                due.setdefault(day + 7, []).append((row, answered))
            for row, answered in due.pop(day, []):
                if st_.status[row] == MEMBER:
                    week_later[answered].append(st_.engagement[row])
    assert len(jumps[True]) >= 20 and len(jumps[False]) >= 20
    # 32 groups at this seed (calibrated defaults), so that at least 20 newcomers of
    # each kind post a first post (16 groups gave 18 ignored ones; 24 gave 19 once
    # operators stopped muting, which shifted every random stream after the first mute)
    up, down = np.array(jumps[True]), np.array(jumps[False])
    # sixth study's defaults (first_reply_boost 0.112 of the gap to 1, first_silence_
    # penalty 0.2 of engagement): answered, mean jump +0.063; ignored, mean drop -0.091
    # (at the penalty of 0.637 it was -0.30 and this asked for -0.1). Before the
    # calibration the boost was 0.32 and this asked for +0.1: the size of each jump is
    # its constant's, so the test asks for its direction and for half of what the
    # constant gives at engagement 0.5
    boost, penalty = Dynamics().first_reply_boost, Dynamics().first_silence_penalty
    assert up.mean() > 0.5 * boost * (1.0 - 0.5) and (up > 0).mean() >= 0.9
    assert down.mean() < -0.5 * penalty * 0.5 and (down < 0).mean() >= 0.9
    # a week later half the gap the two jumps open at engagement 0.5 is still there: the
    # seventh study's defaults (penalty 0.112) +0.066, 0.475 against 0.408 (the gap is
    # 0.112 at 0.5); the sixth's (penalty 0.2) gave more than the 0.1 asked then
    assert np.mean(week_later[True]) > np.mean(week_later[False]) + 0.5 * 0.5 * (boost + penalty)


FIRST_POST_DAYS, STAY = 120, 30


def stayed_after_first_post(mem: pd.DataFrame) -> pd.DataFrame:
    """Newcomers who posted at least ``STAY`` days before the end: answered or not,
    did they stay ``STAY`` days after their first post, and their tenure."""
    posted = mem[(mem["joined_day"] > 0) & mem["first_post_answered"].notna()
                 & (mem["first_post_day"] <= FIRST_POST_DAYS - STAY)]
    end = posted["left_day"].astype("Float64").fillna(FIRST_POST_DAYS)
    return pd.DataFrame({
        "answered": posted["first_post_answered"].astype(bool),
        "stayed": (posted["left_day"].isna()
                   | (posted["left_day"] - posted["first_post_day"] >= STAY)).astype(bool),
        "tenure": (end - posted["joined_day"]).astype(float),
        "wrote_again": (posted["messages"] >= 2).astype(bool),
    })


@pytest.fixture(scope="module")
def welcome_replies() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paired groups whose welcomers answer every first post, or none (96 replicates:
    with most members silent, about 300 newcomers of each arm post)."""
    def newcomers(reply: float) -> pd.DataFrame:
        scenario = shipped("baseline", size=400, replicates=96, days=FIRST_POST_DAYS,
                           dynamics={"welcome_reply": reply})
        return stayed_after_first_post(sim.run(scenario).members)

    return newcomers(1.0), newcomers(0.0)


def test_answering_first_posts_moves_writing_again_by_a_few_points_at_most(welcome_replies):
    """What T3 measured, as the answer's own effect: an answered newcomer writes again."""
    always, never = welcome_replies
    assert len(always) >= 250 and len(never) >= 250
    # Finding (docs/model.md, "The seventh study's defaults"): the seventh study's
    # defaults, 96 replicates: wrote again 0.651 when every first post was answered
    # against 0.666 when none was at the file's root seed 7, 0.687 against 0.642 at
    # seed 8 (-0.015, +0.045). Under the sixth study's +0.026 to +0.087 (root seeds
    # 7-10) and this asked for the direction; before the silence penalty fell from
    # 0.637 to 0.2, +0.22 to +0.34. Responses no longer fall to whoever is next in line
    # when the talkative have spent their day, and those were often newcomers "writing
    # again" by answering others. T3's gap (0.58 against 0.36 at full size) is who gets
    # answered; the answer itself moves a newcomer by a few points either way.
    assert abs(always["wrote_again"].mean() - never["wrote_again"].mean()) < 0.06


@pytest.mark.xfail(strict=True, reason="finding (docs/model.md, 'Answered first posts'): "
                   "ignored newcomers mute and stay; answered ones read on and leave more")
def test_answering_first_posts_keeps_more_newcomers(welcome_replies):
    always, never = welcome_replies
    # Finding (docs/model.md, "Answered first posts"): answered newcomers stay 30 days
    # less often. Seventh study's defaults, 96 replicates: 0.677 against 0.714 at root
    # seed 7, 0.646 against 0.709 at seed 8; the sixth's, root seeds 7-10: -0.13 to
    # -0.17. Before the calibrated defaults +0.004 to +0.029. Strict: passing again
    # would be news.
    assert always["stayed"].mean() > never["stayed"].mean()


def test_answered_and_ignored_newcomers_stay_alike_in_the_members_table(welcome_replies):
    """The members table: answered newcomers stay about as long as ignored ones."""
    posted = pd.concat(welcome_replies, ignore_index=True)
    answered = posted[posted["answered"]]
    ignored = posted[~posted["answered"]]
    assert len(answered) >= 250 and len(ignored) >= 250
    # Finding (docs/model.md, "Answered first posts"): the playbooks' "answered
    # newcomers stay longer" is not dependable. Before the calibrated defaults, root
    # seeds 7-14: +0.035 to +0.074 staying 30 days, +1.4 to +6.6 days tenure; under the
    # sixth study's, root seeds 7-10: -0.10 to -0.13 and -6 to -9 days; under the
    # seventh's, root seeds 7 and 8: +0.033 and -0.010, +3.2 and +0.2 days
    assert abs(answered["stayed"].mean() - ignored["stayed"].mean()) < 0.05
    assert answered["tenure"].mean() > ignored["tenure"].mean() - 3.0


def test_active_share_of_a_run_shorter_than_28_days_leaves_out_who_never_wrote():
    """Members who never wrote are not active, however short the run (it read 1.0)."""
    import sim

    scenario = sim.load_scenario(SCENARIOS / "neglected.yaml").with_changes(
        days=10, weeks=None, replicates=3)
    result = sim.run(scenario)
    members = result.members[result.members["exit"] == "member"]
    silent = (members["messages"] == 0).groupby(members["run_id"]).mean()
    assert silent.max() > 0  # the case in question: someone never wrote
    active = result.summary.set_index("run_id")["active_share_last_28d"]
    assert (active <= 1.0 - silent.reindex(active.index) + 1e-12).all()


def test_being_answered_lifts_the_mood_and_being_ignored_lowers_it():
    """The voice's memory of being addressed (issue 18): a newcomer whose first post is
    answered moves toward +1, one ignored toward -1; with ``address_effect`` 0 (the
    default) the mood changes nothing, with a positive effect it changes the run."""
    data = {"days": 40, "seed": 9, "population": {"size": 1500,
                                                   "traits": {"silent_share": 0.0}},
            "dynamics": {"welcome_reply": 0.3, "reply_scale": 60.0, "answer_scale": 30.0,
                         "address_memory": 0.5},
            "strategies": {"welcome": {"self_introduction": False}, "content": {}}}
    model = sim.CommunityModel(sim.parse_scenario(yaml.safe_dump(data)))
    st = model.state
    seen = {True: 0, False: 0}
    for _ in range(data["days"]):
        before = st.voice_mood.copy()
        model.step()
        today = model.today
        for j in np.flatnonzero(today.first_post).tolist():
            i = today.rows[j]
            answered = bool(today.first_answered[j])
            moved = st.voice_mood[i] - before[i]
            assert (moved > 0) if answered else (moved < 0), (answered, before[i], moved)
            seen[answered] += 1
    assert seen[True] >= 5 and seen[False] >= 5
    assert np.all(np.abs(st.voice_mood) <= 1.0)

    def messages(effect: float) -> np.ndarray:
        changed = {**data, "dynamics": {**data["dynamics"], "address_effect": effect}}
        run = sim.CommunityModel(sim.parse_scenario(yaml.safe_dump(changed)))
        run.run_model()
        return run.recorder.data["messages"]

    assert not np.array_equal(messages(0.0), messages(2.0))


def test_a_newcomer_starts_their_first_message_whatever_their_voice():
    """``newcomer_opening`` (issue 18): the question or hello a newcomer came with. With
    it, the quiet half of the newcomers (by voice) write a first message in their first
    30 days far more often; without it, a first post comes from the voice alone."""
    def quiet_half_started(seed: int, opening: float) -> np.ndarray:
        data = {"days": 90, "seed": seed,
                "population": {"size": 8000, "traits": {"sociability_spread": 2.5,
                                                        "silent_share": 0.0}},
                "group": {"founders": {"seed_user": 40}},
                "dynamics": {"newcomer_opening": opening},
                "strategies": {"welcome": {"self_introduction": False}, "content": {},
                               "fission": {"invite_boost": 4.0, "campaign_days": 90}}}
        model = sim.CommunityModel(sim.parse_scenario(yaml.safe_dump(data)))
        model.run_model()
        st, world = model.state, model.world
        rows = np.flatnonzero((st.joined_day >= 1) & (st.joined_day <= model.days - 30)
                              & ~world.silent)
        voice = world.sociability[rows]
        started = ((st.first_post_day[rows] >= 0)
                   & (st.first_post_day[rows] - st.joined_day[rows] < 30))
        return started[voice < np.median(voice)]

    seeds = (11, 12, 13, 14)
    without = np.concatenate([quiet_half_started(s, 0.0) for s in seeds])
    opened = np.concatenate([quiet_half_started(s, 0.05) for s in seeds])
    assert without.size >= 60 and opened.size >= 60
    # seeds 11-14 pooled (calibrated defaults otherwise): the quiet half started a first
    # message within 30 days 4% of the time without the opening and 64% with 0.05 a
    # day (76 and 81 newcomers; seeds 15-18: 10% and 50%; 19-22: 17% and 48%)
    assert without.mean() < 0.25 and opened.mean() > 0.4


def talk_of_a_group(founding_talkers: int, overload_quiet: float) -> tuple[float, float]:
    """Messages a day and members of a group founded by ``founding_talkers`` seed users
    (the baseline's welcome and daily pushes), days 14-41, 4 replicates, seed 1."""
    data = {"days": 42, "seed": 1, "replicates": 4, "population": {"size": 5000},
            "group": {"capacity": 500, "founders": {"owner": 1, "admin": 2, "opinion_leader": 3,
                                                    "seed_user": founding_talkers}},
            "dynamics": {"overload_quiet": overload_quiet},
            "strategies": {"welcome": {}, "content": {"posts_per_day": 3}}}
    ts = sim.run(to_scenario(data)).timeseries
    ts = ts[ts["day"] >= 14]
    return float(ts["messages"].mean()), float(ts["members"].mean())


@pytest.fixture(scope="module")
def crowded_talk() -> dict[str, tuple[float, float]]:
    return {"small": talk_of_a_group(50, 0.5), "large": talk_of_a_group(400, 0.5),
            "large, no quieting": talk_of_a_group(400, 0.0)}


def test_a_groups_daily_volume_saturates_as_it_grows(crowded_talk):
    """Issue 18: volume does not rise in step with membership (IRC's posters saturate,
    Jones et al. 2008). Seed 1: 54 members wrote 104 messages a day, 300 members 124
    (ratio 1.19; seeds 2-3: 0.83, 1.05)."""
    (small_volume, small_members), (large_volume, large_members) = (
        crowded_talk["small"], crowded_talk["large"])
    assert large_members > 4 * small_members
    assert large_volume < 2 * small_volume


def test_overloaded_readers_write_less_rather_than_leave(crowded_talk):
    """``overload_quiet``: a reader who cannot follow the chat writes less, so the
    crowded group floods its readers less and keeps more of them. Seed 1: 300 members
    against 252 without it (seeds 2-3: 291 against 263, 284 against 250)."""
    assert crowded_talk["large"][1] > 1.05 * crowded_talk["large, no quieting"][1]
