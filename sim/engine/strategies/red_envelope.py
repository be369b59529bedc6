"""S2 red envelopes: scheduled envelopes, greeting envelopes and the "luckiest sends" norm."""

from __future__ import annotations

from typing import ClassVar

from sim.engine.plan import Envelope
from sim.engine.strategies.activities import Activities
from sim.engine.strategies.base import Strategy, after_the_run
from sim.engine.strategies.calendar import SCHEDULES, first_day, scheduled
from sim.params import Param

LUCKIEST_NORM = 3.0
"""How much likelier the luckiest grabber sends the next envelope when the group keeps
the "luckiest sends next" norm, on top of the engine's ``dynamics.luckiest_factor``.
A modelling choice: in groups that keep the rule the luckiest draw is expected to
send, so the chance is raised a lot (the engine keeps it at most 1)."""


class RedEnvelopes(Strategy):
    """Red envelopes (S2): the operator posts envelopes on a schedule and greets newcomers.

    Seed 001 ("red envelope bombs") recommends envelopes as a greeting gift, multiple
    rounds, opening a session with an envelope, and announcing the purpose and amount
    first; seed 002 counts coupons and gifts among the five values members want; seed
    004 suggests sending envelopes "from time to time". In the model each envelope is
    grabbed in a race (hunters grab almost always), grabbers thank, and receivers
    may send one back (gift contagion, T2); money grabbed lifts the material value of
    the grabbers and the material signal outsiders see, which draws money-minded
    people, red-envelope hunters above all. Only claimed money is booked.

    Seed 004 warns where it backfires: hunters "enter the group to receive the red
    envelopes, then never speak or leave" (F1), and envelopes sent into a group with
    no content value "get no response" in the end (F4): the spike of grabbing and
    thanks fades and the group still dies.
    """

    key: ClassVar[str] = "red_envelope"
    name: ClassVar[str] = "Red envelopes"
    params = (
        Param("every", "friday", "when the operator posts envelopes: a weekday, daily, or never "
              "(only greeting and activity-day envelopes)", "", choices=SCHEDULES),
        Param("every_days", 0, "post envelopes on day 0 and every this many days instead of "
              "on `every` (0: use `every`)", "days", 0, 365),
        Param("amount", 50.0, "money in each envelope (WeChat: at most 200)", "yuan", 0.01,
              200.0),
        Param("shares", 20, "how many people can grab a share (WeChat: at most 100)",
              "shares", 1, 100),
        Param("split", "lucky", "random shares (WeChat's lucky envelope) or equal ones", "",
              choices=("lucky", "equal")),
        Param("rounds", 1, "envelopes posted on each occasion (multiple rounds)", "envelopes",
              1, 50),
        Param("announce", True, "announce the purpose and amount before each occasion", ""),
        Param("greeting", False, "post a greeting envelope on days newcomers join", ""),
        Param("greeting_amount", 10.0, "money in a greeting envelope", "yuan", 0.01, 200.0),
        Param("greeting_shares", 10, "shares of a greeting envelope", "shares", 1, 100),
        Param("luckiest_sends_next", False, "keep the group norm that the luckiest grabber "
              "sends the next envelope", ""),
        Param("on_activity_days", False, "also open every session of the `activities` "
              "strategy (not the daily sign-in) with envelopes", ""),
        Param("minutes_per_envelope", 2.0, "owner's time to prepare and post one envelope",
              "minutes", 0.0, 120.0),
    )
    metadata: ClassVar[dict] = {
        "targets": ("red_envelope_money", "msg_thanks", "msg_red_envelope", "joins",
                    "money_spent", "value_material"),
        "money_per_day": "rounds x amount on envelope days, plus greeting_amount on days "
                         "newcomers join; only money grabbed is booked",
        "owner_minutes_per_day": "scheduled envelopes x minutes_per_envelope (greeting "
                                 "envelopes: not counted)",
        "stochastic": False,
        "source": "001, 002, 004",
    }

    def idle_in(self, days: int) -> str | None:
        """No envelope day within the run, and no greeting, activity-day or norm setting."""
        s = self.settings
        if s.greeting or s.on_activity_days or s.luckiest_sends_next:
            return None
        if s.every_days > 0:
            return None  # the first envelopes come on day 0
        first = first_day(lambda day: scheduled(s.every, day))
        if first is None:
            return ("every is never, and greeting, on_activity_days and luckiest_sends_next "
                    "are false: no envelope is posted")
        return after_the_run(f"the first {s.every}", first, "every", days)

    def occasion(self, model, day: int) -> bool:
        """Whether ``day`` is a day of scheduled envelopes."""
        s = self.settings
        if s.every_days > 0:
            due = day % s.every_days == 0
        else:
            due = scheduled(s.every, day)
        if not due and s.on_activity_days:
            due = any(isinstance(other, Activities) and other.sessions_on(day)
                      for other in getattr(model, "strategies", ()))
        return due

    def plan(self, model, day, plan) -> None:
        """Post today's envelopes, set the greeting envelope and the group's norm."""
        s = self.settings
        if s.luckiest_sends_next:
            plan.luckiest_norm *= LUCKIEST_NORM
        if s.greeting:
            greeting = plan.greeting_envelope
            if greeting is None:
                plan.greeting_envelope = Envelope(s.greeting_amount, s.greeting_shares, s.split)
            else:  # another strategy greets too: one bigger envelope
                plan.greeting_envelope = Envelope(greeting.amount + s.greeting_amount,
                                                  greeting.shares + s.greeting_shares,
                                                  greeting.split)
        if not self.occasion(model, day):
            return
        plan.envelopes.extend(Envelope(s.amount, s.shares, s.split) for _ in range(s.rounds))
        if s.announce:
            plan.announcements += 1
        plan.owner_minutes += s.rounds * s.minutes_per_envelope
