"""Conversion: members buy what the operator offers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.day import conversion_kernels as compiled

if TYPE_CHECKING:
    from sim.engine.community import Community
    from sim.engine.day.today import Today
    from sim.engine.plan import DayPlan


def convert(model: Community, plan: DayPlan, today: Today) -> None:
    """Members buy what is offered: more likely with trust, value and a stronger layer.

    A member's daily chance to buy an offer is ``appeal x trust x clip(value, 0, 1) x
    (0.5 + 0.5 x layer)`` (layer 0, 1, 2 for potential, intention, strong). One-off
    offers (a membership) are bought at most once per member; repeat offers (goods)
    can be bought again on later days.
    """
    if not plan.offers:
        return
    offers = plan.offers
    bought = np.empty(len(offers), dtype=np.int64)
    compiled.buy_offers(model.members(), model.member_record, model.group_record,
                        np.array([offer.appeal for offer in offers]),
                        np.array([offer.repeat for offer in offers]), bought)
    for offer, n in zip(offers, bought.tolist(), strict=True):
        if n:
            model.earn(n * offer.price)
            model.ledger.conversions += n
            today.conversions += n
