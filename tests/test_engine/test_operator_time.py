"""The operator's time is a budget (issue 18): ``group.operator_hours``.

The strategies ask for the owner's team's minutes; with a daily budget, what the time
buys (scheduled content, announcements, enforcement, fast answers, welcomes) is done
only in part, and the minutes recorded never exceed the budget.
"""

from __future__ import annotations

import pytest
import yaml

import sim
from sim.engine.plan import DayPlan, welcomes_within_time, within_time


def test_a_plan_beyond_the_teams_time_is_done_in_proportion():
    plan = DayPlan(content_posts=4, announcements=2, moderation=3.0, compliance=0.6,
                   off_topic_hold=0.8, answer_boost=2.0, owner_minutes=120.0,
                   coupon_value=5.0, welcome_minutes=10.0)
    assert within_time(plan, 60.0) == pytest.approx(0.5)
    assert (plan.content_posts, plan.announcements) == (2, 1)
    assert plan.moderation == pytest.approx(2.0) and plan.answer_boost == pytest.approx(1.5)
    assert plan.compliance == pytest.approx(0.3) and plan.off_topic_hold == pytest.approx(0.4)
    assert plan.owner_minutes == 60.0
    assert plan.coupon_value == 5.0  # money is not time
    assert welcomes_within_time(plan, 60.0, joins=3) == 0  # no time left to welcome
    assert welcomes_within_time(plan, 85.0, joins=3) == 2  # 25 minutes: two of three
    assert welcomes_within_time(plan, 0.0, joins=3) == 3  # no budget: everyone


def test_a_plan_within_the_teams_time_is_untouched():
    plan = DayPlan(content_posts=3, moderation=2.0, owner_minutes=30.0)
    assert within_time(plan, 60.0) == 1.0
    assert plan == DayPlan(content_posts=3, moderation=2.0, owner_minutes=30.0)


TEAM = {
    "days": 120, "seed": 3, "replicates": 4, "population": {"size": 2000},
    "strategies": {"welcome": {"minutes_per_newcomer": 5.0},
                   "content": {"posts_per_day": 4},
                   "rules": {"strictness": 0.8, "reminders_per_week": 2}},
}
"""A group whose strategies ask for more than half an hour a day."""


def run_with(hours: float) -> sim.RunResult:
    data = {**TEAM, "group": {"operator_hours": hours}}
    return sim.run(sim.parse_scenario(yaml.safe_dump(data)))


def test_a_busy_team_spends_no_more_than_its_time_and_does_less():
    """The same group (same seeds) run by a team with all the time it asks for, and by
    one with half an hour a day."""
    busy, free = run_with(0.5).timeseries, run_with(0.0).timeseries
    assert busy.owner_minutes.max() <= 30.0 + 1e-9
    assert free.owner_minutes.min() > 30.0  # they ask for 79 minutes a day on average
    # content and rules take the half hour: no welcome speeches, no reminders (0
    # announcements against 278), and about half the scheduled content (7,596 content
    # messages in all against 10,232 at this seed)
    assert busy.msg_announcement.sum() < 0.5 * free.msg_announcement.sum()
    assert busy.msg_content.sum() < 0.9 * free.msg_content.sum()
