"""Red envelopes: grabbing, thanking and sending one back (gift contagion, T2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.day import envelopes_kernels as compiled
from sim.engine.plan import Envelope, MemberEnvelopes
from sim.engine.state import KIND

if TYPE_CHECKING:
    from sim.engine.community import Community
    from sim.engine.day.today import Today
    from sim.engine.plan import DayPlan


def lucky_split(rng: np.random.Generator, amount: float, shares: int) -> np.ndarray:
    """WeChat-style random split of ``amount`` yuan into ``shares``.

    Each grab is uniform between 0.01 and twice the remaining average; the last grab
    takes what is left.
    """
    cents = int(round(amount * 100))
    shares = max(1, min(shares, cents))
    return compiled.lucky_split_cents(cents, shares, rng.random(shares - 1)) / 100.0


def equal_split(amount: float, shares: int) -> np.ndarray:
    """Equal shares of ``amount`` yuan; the remainder cents go to the first grabbers."""
    cents = int(round(amount * 100))
    shares = max(1, min(shares, cents))
    return compiled.equal_split_cents(cents, shares) / 100.0


def grab_envelopes(model: Community, plan: DayPlan, today: Today) -> None:
    """Members grab red envelopes; some thank, some send one back (gift contagion, T2).

    Grab order is random among those who try; hunters watch for envelopes even when
    they do not read. Unclaimed money goes back to the sender. A member who received
    money sends an envelope within 24 hours with a chance that grows with the amount,
    much more so for the luckiest grabber; that envelope is posted the next day.
    Members also send envelopes unprompted now and then.

    The day's envelopes are posted in this order: members' envelopes promised
    yesterday (if their sender is still in the group), the operator's, then members'
    unprompted ones. One compiled pass does it all
    (:func:`sim.engine.day.envelopes_kernels.envelopes_kernel`).
    """
    rows = today.rows
    size = rows.size
    promised = model.pending_envelopes
    operators = plan.envelopes
    senders, cents, shares, lucky = Envelope.arrays(operators)
    gained = np.zeros(size)
    luckiest = np.zeros(size, dtype=bool)
    claimed = np.empty(len(operators))
    (model.grab_stamp, today.envelope_money, sent_by, sent_cents, promisers,
     promised_cents) = compiled.envelopes_kernel(
        rows, model.member_record, model.group_record, model.day_record,
        (today.read, today.posts, today.wrote, gained, luckiest, claimed, promised.senders,
         promised.cents, senders, cents, shares, lucky), model.grab_stamp)
    today.gained, today.luckiest = gained, luckiest
    today.member_envelopes = MemberEnvelopes(sent_by, sent_cents)
    model.pending_envelopes = MemberEnvelopes(promisers, promised_cents)
    if operators:
        for money in claimed.tolist():
            model.ledger.spend(money)
            today.money_spent += money
        today.operator_posts[KIND["red_envelope"]] += len(operators)
