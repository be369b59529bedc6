"""S11 monetization: sell a product, a membership or goods to the group, softly or hard."""

from __future__ import annotations

from typing import ClassVar

from sim.engine.plan import Offer
from sim.engine.strategies.base import Strategy, after_the_run
from sim.engine.strategies.benefits import weekly_days
from sim.engine.strategies.calendar import first_day
from sim.params import Param

KIND_APPEAL = {"product": 1.0, "membership": 1.0, "ecommerce": 2.0}
"""Appeal multiplier of each kind of offer: everyday goods are an easier purchase than
a course or a membership."""

REPEAT = {"product": True, "membership": False, "ecommerce": True}
"""Whether a buyer can buy again: new products (courses) keep coming and goods are
bought again; a membership is bought once."""

HARD_APPEAL = 2.5
"""How much more a hard promotion (pushed at everyone, repeated) sells on its day."""

HARD_SELL_COST = {"soft": 0.02, "hard": 0.15}
"""Cost of a promotion day to every reader's perceived value, value units: a soft
promotion (a recommendation woven into content) barely grates, a hard one does."""

COUPON_APPEAL_GAIN = 2.0
"""Appeal gained per unit of discount: a 50% coupon doubles the chance to buy."""


class Monetization(Strategy):
    """Monetization (S11): products, memberships or goods sold in the group.

    Seed 001 lists five ways a group makes money -- product-based (new courses),
    membership fees, e-commerce (goods), projects and crowdfunding -- plus coupons
    ("discounts are distributed regularly") and soft advertising. It warns: "you
    cannot send promotions continuously in a group; marketing information should be
    promoted implicitly, not forcefully", and recommends free lessons early and paid
    training later (``start_day``).

    On ``promotions_per_week`` days a week (evenly spread, from ``start_day`` on) the
    owner offers the ``kind`` of thing for ``price`` yuan (a ``coupon`` takes a share
    off the price and raises the appeal by ``COUPON_APPEAL_GAIN`` times that share).
    Each member then buys with the engine's chance ``appeal x trust x value x layer
    factor``: people buy from a group they trust and value. A membership is bought
    once; products and goods can be bought again (projects and crowdfunding are
    one-off sales like a membership: model them as ``membership`` at their price).
    A ``hard`` promotion sells ``HARD_APPEAL`` times as much on its day but costs
    every reader ``HARD_SELL_COST["hard"]`` of value that day, against a small
    cost for a ``soft`` one: promoted too often or too hard, it lowers members'
    value, engagement and trust in the group, and they go quiet or leave (the
    backfire). The engine books the revenue.
    """

    key: ClassVar[str] = "monetization"
    name: ClassVar[str] = "Monetization"
    params = (
        Param("kind", "product", "what is sold: products that keep coming (courses), a "
              "one-off membership, or goods bought again and again", "",
              choices=("product", "membership", "ecommerce")),
        Param("price", 99.0, "list price of one sale", "yuan", 0.0, 1_000_000.0),
        Param("appeal", 0.05, "daily chance to buy, on a soft promotion day, of an "
              "intention-layer member with full trust who values the group at 1 or more "
              "(strong members 1.5x, potential 0.5x; ecommerce doubles it, a coupon raises "
              "it)", "share 0-1", 0.0, 1.0),
        Param("promotion", "soft", "how the offer is pushed: woven into content, or hard "
              "selling at everyone", "", choices=("soft", "hard")),
        Param("promotions_per_week", 2, "promotion days a week", "days/week", 0, 7),
        Param("coupon", 0.0, "discount off the price on promotion days", "share 0-1",
              0.0, 1.0),
        Param("start_day", 0, "first day anything is sold (free lessons before)", "day",
              0, 3650),
        Param("minutes_per_promotion", 20.0, "owner's time to prepare one promotion day",
              "minutes", 0.0, 1440.0),
    )
    metadata: ClassVar[dict] = {
        "targets": ("revenue", "conversions", "value_cost", "members", "active_share"),
        "money_per_day": "0 (earns price x (1 - coupon) per sale)",
        "owner_minutes_per_day": "minutes_per_promotion on promotion days",
        "stochastic": False,
        "source": "001",
    }

    def offer(self) -> Offer:
        """The offer made on a promotion day."""
        s = self.settings
        appeal = s.appeal * KIND_APPEAL[s.kind] * (1.0 + COUPON_APPEAL_GAIN * s.coupon)
        if s.promotion == "hard":
            appeal *= HARD_APPEAL
        return Offer(price=s.price * (1.0 - s.coupon), appeal=min(1.0, appeal),
                     hard_sell=HARD_SELL_COST[s.promotion], repeat=REPEAT[s.kind])

    def idle_in(self, days: int) -> str | None:
        """No promotion day within the run: nothing is offered for sale."""
        s = self.settings
        promotion_days = weekly_days(s.promotions_per_week)
        if not promotion_days:
            return "promotions_per_week is 0: nothing is offered for sale"
        first = first_day(lambda day: day % 7 in promotion_days, s.start_day)
        return after_the_run("the first promotion day", first, "start_day, promotions_per_week",
                             days)

    def plan(self, model, day, plan) -> None:
        """Put today's offer into the plan on promotion days."""
        s = self.settings
        if day < s.start_day or day % 7 not in weekly_days(s.promotions_per_week):
            return
        plan.offers.append(self.offer())
        plan.owner_minutes += s.minutes_per_promotion
