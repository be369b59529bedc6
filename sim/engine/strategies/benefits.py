"""S12 exclusive benefits and scarcity: members-only coupons and lotteries, "join now"."""

from __future__ import annotations

import math
from functools import cache
from typing import ClassVar

from sim.engine.state import VALUE_PARTS
from sim.engine.strategies.base import Strategy, after_the_run
from sim.engine.strategies.calendar import first_day
from sim.params import Param

MATERIAL = VALUE_PARTS.index("material")


@cache
def weekly_days(per_week: int) -> frozenset[int]:
    """Weekdays (0 Monday ... 6 Sunday) of ``per_week`` evenly spread events a week."""
    return frozenset(i * 7 // per_week for i in range(per_week)) if per_week else frozenset()


class ExclusiveBenefits(Strategy):
    """Exclusive benefits (S12): limited coupons and lotteries only members get, "join now".

    Seed 000 says people join a group for benefits only, and that plain bait no longer
    impresses: the benefit must be "enlarged" by treating members differently --
    limited coupons, eligibility for lotteries only inside the group -- which creates
    scarcity, and "users will fight for scarcity": it answers "why should I join
    now?". The same seed warns that the acceptance after joining is the second step:
    the group must keep delivering value, or the promise backfires.

    While the campaign runs (``days_running`` days from ``start_day``) outsiders accept
    an invitation or a group they found ``appeal_boost`` times as often, and every
    newcomer gets a limited coupon worth ``newcomer_coupon`` yuan the day after
    joining: it adds to their remembered material value, and the share
    ``redemption`` of coupons that are used costs the operator their face value.
    Coupons are discounts, not cash in members' pockets, so their cost is booked as
    the operator's other spending (``model.spend``), not as payments to members.
    The campaign also sets a promise: newcomers expect ``promise`` more value than
    their role would (``DayPlan.join_expectation``). The promise fades as they gain
    experience, but until it does, a group that does not deliver loses them faster
    than it would have without the promise (the backfire).

    Optionally members keep getting coupons after joining: ``member_coupons_per_week``
    coupon days a week (evenly spread, from ``start_day`` to the end of the run) on
    which every reader gets ``member_coupon_value`` yuan of material value; the share
    ``redemption`` of the members' coupons costs the operator their face value.
    """

    key: ClassVar[str] = "benefits"
    name: ClassVar[str] = "Exclusive benefits"
    params = (
        Param("start_day", 0, "day the campaign starts (0 is the first Monday)", "day",
              0, 3650),
        Param("days_running", 30, "days the members-only offer is advertised", "days",
              0, 3650),
        Param("appeal_boost", 1.5, "how much likelier outsiders accept while the campaign "
              "runs", "factor", 1.0, 20.0),
        Param("newcomer_coupon", 10.0, "face value of the limited coupon each newcomer of "
              "the campaign gets", "yuan", 0.0, 100_000.0),
        Param("redemption", 0.5, "share of coupons that are used (and cost their face value)",
              "share 0-1", 0.0, 1.0),
        Param("promise", 0.1, "extra value newcomers of the campaign expect the group to "
              "deliver", "value units", 0.0, 5.0),
        Param("member_coupons_per_week", 0, "coupon days a week for all members, from the "
              "start of the campaign on", "days/week", 0, 7),
        Param("member_coupon_value", 5.0, "face value of one member coupon", "yuan",
              0.0, 100_000.0),
        Param("minutes_per_day", 10.0, "owner's time a day while the campaign runs "
              "(copy, coupons, lottery)", "minutes", 0.0, 1440.0),
    )
    metadata: ClassVar[dict] = {
        "targets": ("joins", "newcomer_retention", "value_material", "money_spent"),
        "money_per_day": "newcomer_coupon x redemption x yesterday's newcomers while "
                         "running, + member_coupon_value x redemption x members on coupon days",
        "owner_minutes_per_day": "minutes_per_day while the campaign runs",
        "stochastic": False,
        "source": "000",
    }

    def idle_in(self, days: int) -> str | None:
        """No campaign day and no coupon day within the run."""
        s = self.settings
        starts = []
        if s.days_running > 0:
            starts.append(s.start_day)
        coupon_days = weekly_days(s.member_coupons_per_week)
        if coupon_days:
            starts.append(first_day(lambda day: day % 7 in coupon_days, s.start_day))
        if not starts:
            return "days_running and member_coupons_per_week are both 0: nothing is offered"
        return after_the_run("the campaign's first day", min(starts), "start_day", days)

    def running(self, day: int) -> bool:
        """Whether the campaign is on ``day``."""
        s = self.settings
        return s.start_day <= day < s.start_day + s.days_running

    def plan(self, model, day, plan) -> None:
        """Advertise the campaign, hand out coupons and book what they cost."""
        s = self.settings
        if self.running(day):
            plan.appeal_boost *= s.appeal_boost
            plan.join_expectation += s.promise
            plan.owner_minutes += s.minutes_per_day
        if day >= 1 and self.running(day - 1) and s.newcomer_coupon > 0:
            self._coupons_for_newcomers(model, day)
        if (day >= s.start_day and s.member_coupons_per_week
                and day % 7 in weekly_days(s.member_coupons_per_week)):
            plan.coupon_value += s.member_coupon_value
            customers = model.members()
            customers = customers[model.roles.operator[model.state.role[customers]] == 0]
            model.spend(s.member_coupon_value * s.redemption * customers.size)

    def _coupons_for_newcomers(self, model, day: int) -> None:
        """Yesterday's newcomers who stayed get their coupon: material value, and cost."""
        st = model.state
        rows = model.members()
        rows = rows[(st.joined_day[rows] == day - 1) & ~st.founder[rows]]
        if rows.size == 0:
            return
        s, dyn = self.settings, model.dyn
        worth = model.world.money_sensitivity[rows] * (
            1.0 - math.exp(-s.newcomer_coupon / dyn.money_scale))
        st.value_parts[rows, MATERIAL] += dyn.value_memory * worth
        model.spend(s.newcomer_coupon * s.redemption * rows.size)

