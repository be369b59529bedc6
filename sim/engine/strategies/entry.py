"""S1 entry threshold: open, invitation code, paid entry, or screening of applicants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

import agents
from sim.engine import strategy_kernels as kernels
from sim.engine.strategies.base import Strategy
from sim.params import Param

ADVERTISER_WORTH = 5.0
"""Yuan a would-be advertiser would pay to get into a group: they want an audience
cheaply and go elsewhere when it costs, so almost any fee keeps them out."""

SUNK_COST_MAX = 0.3
"""Most commitment a fee can give its payer (sunk cost: "you get what you pay for")."""

SUNK_COST_HALF = 50.0
"""Fee in yuan that gives half of ``SUNK_COST_MAX``."""


@dataclass(frozen=True)
class InvitationOnly:
    """Admission by invitation code: only invitees of members, at most a quota a day.

    Codes are scarce: when more invitees accept than there are codes today, a random
    subset of them gets one (drawn from the model's generator).
    """

    codes_per_day: int

    def __call__(self, model, rows: np.ndarray, invited_by: np.ndarray) -> np.ndarray:
        """Keep invitees of members, up to today's codes."""
        keep = invited_by >= 0
        invited = np.flatnonzero(keep)
        if invited.size > self.codes_per_day:
            keep = np.zeros(rows.size, dtype=bool)
            keep[model.rng.choice(invited, self.codes_per_day, replace=False)] = True
        return keep


@dataclass(frozen=True)
class EntryFee:
    """Admission for a fee: each candidate pays with a chance that falls with the fee.

    A candidate values the group at ``valuation x fit x (0.5 + group value) / (0.5 +
    money sensitivity)`` yuan and pays with chance ``exp(-fee / worth)``: people who
    fit the topic badly, who mind money (red-envelope hunters have both) or who hear
    the group is worth little mostly walk away; would-be advertisers value entry at
    ``ADVERTISER_WORTH`` yuan.
    """

    fee: float
    valuation: float

    def __call__(self, model, rows: np.ndarray, invited_by: np.ndarray) -> np.ndarray:
        """Keep the candidates who pay."""
        keep = np.empty(rows.size, dtype=bool)
        terms = (self.valuation, min(max(model.group_value, 0.0), 1.0), self.fee,
                 ADVERTISER_WORTH)
        kernels.pays_fee(rows, model.group_record, terms, model.rng.random(rows.size), keep)
        return keep


@dataclass(frozen=True)
class Screening:
    """Admission after screening: a minimum topic fit, and advertisers turned away.

    Each would-be advertiser slips through the screen with chance ``miss_rate``.
    """

    min_fit: float
    screen_advertisers: bool
    miss_rate: float

    def __call__(self, model, rows: np.ndarray, invited_by: np.ndarray) -> np.ndarray:
        """Keep the candidates who pass the screen."""
        w = model.world
        keep = w.fit[rows] >= self.min_fit
        if self.screen_advertisers:
            spotted = model.rng.random(rows.size) >= self.miss_rate
            keep &= ~((w.natural_role[rows] == agents.Spammer.code) & spotted)
        return keep


class EntryThreshold(Strategy):
    """Entry threshold (S1): join by invitation code, for a fee, or after screening.

    Seed 003 names the threshold the second of five keys of a community -- special
    invitation (inviter or invitation code), paid membership, identity, asset and
    region requirements -- under the rule "no threshold = no value": people cherish
    what is hard to get. Seed 001 uses invitation codes for early users ("the
    quantity is limited, which creates a sense of scarcity ... one code is hard to
    come by") and, among its mistakes, answers overgrowth with "set up entry
    thresholds and strictly screen members; pay to join the group if necessary".

    In the model the threshold is an admission filter on the outsiders who accepted:

    - ``open``: no threshold; the strategy does nothing (the baseline of a comparison).
    - ``invitation_code``: only people invited by a member join, at most
      ``codes_per_day`` a day; people who find the group alone are turned away.
    - ``paid``: each joiner pays ``fee`` yuan (booked as revenue); a candidate pays
      with a chance that falls with the fee relative to what the group is worth to
      them (:class:`EntryFee`), so low-fit, money-minded people and red-envelope
      hunters are deterred most and would-be advertisers almost never pay. The fee
      is a sunk cost: payers start with a commitment of up to ``SUNK_COST_MAX``.
    - ``screening``: identity, asset and region requirements are modelled as one
      screen on topic fit (the model's people have no identity, wealth or place):
      only candidates with fit of at least ``min_fit`` join; with
      ``screen_advertisers`` likely advertisers are turned away too, each missed
      with chance ``miss_rate``.

    Any threshold is scarcity: everyone let in starts with ``scarcity_commitment``
    (the pride of being chosen), which raises their identity value and lowers their
    chance to leave. Claimed direction: fewer joins, higher retention and activity
    per member, less spam. Where it backfires: a group behind a threshold grows
    slowly, and a high fee or a tight quota can starve it of newcomers (seed 001
    warns, too, that a group without enough members goes quiet).

    The filters draw from the model's generator at recruitment (which invitees get
    the day's codes, who pays, which advertisers slip through); ``plan`` itself draws
    nothing.
    """

    key: ClassVar[str] = "entry"
    name: ClassVar[str] = "Entry threshold"
    params = (
        Param("kind", "invitation_code", "who may join: anyone, invitees with a code, payers, "
              "or people who pass a screen", "",
              choices=("open", "invitation_code", "paid", "screening")),
        Param("codes_per_day", 3, "invitation_code: invitees who can join per day (codes "
              "handed out)", "joins/day", 0, 100_000),
        Param("fee", 30.0, "paid: entry fee each joiner pays", "yuan", 0.0, 100_000.0),
        Param("valuation", 100.0, "paid: what a candidate with perfect fit and money "
              "sensitivity 0.5 would pay to join a group its members value at 0.5", "yuan",
              0.01, 1_000_000.0),
        Param("min_fit", 0.5, "screening: least topic fit (identity, asset and region "
              "requirements) a candidate needs", "share 0-1", 0.0, 1.0),
        Param("screen_advertisers", True, "screening: turn away people likely to advertise",
              ""),
        Param("miss_rate", 0.2, "screening: chance the screen misses a would-be advertiser",
              "share 0-1", 0.0, 1.0),
        Param("scarcity_commitment", 0.05, "commitment everyone let in through a threshold "
              "starts with (pride of being chosen)", "share 0-1", 0.0, 1.0),
        Param("review_minutes_per_day", 10.0, "owner's time a day handing out codes, "
              "collecting fees or reviewing applications (none when open)", "minutes",
              0.0, 1440.0),
    )
    metadata: ClassVar[dict] = {
        "targets": ("joins", "newcomer_retention", "spam_share", "active_share", "revenue"),
        "money_per_day": "0 (a paid threshold earns fee x joins)",
        "owner_minutes_per_day": "review_minutes_per_day unless open",
        "stochastic": False,
        "source": "001, 003",
    }

    def plan(self, model, day, plan) -> None:
        """Put today's admission filter, fee and newcomers' commitment into the plan."""
        s = self.settings
        if s.kind == "open":
            return
        commitment = s.scarcity_commitment
        if s.kind == "invitation_code":
            plan.admission.append(InvitationOnly(s.codes_per_day))
        elif s.kind == "paid":
            plan.admission.append(EntryFee(s.fee, s.valuation))
            plan.entry_fee += s.fee
            commitment += SUNK_COST_MAX * s.fee / (s.fee + SUNK_COST_HALF)
        else:
            plan.admission.append(Screening(s.min_fit, s.screen_advertisers, s.miss_rate))
        plan.join_commitment = min(1.0, plan.join_commitment + commitment)
        plan.owner_minutes += s.review_minutes_per_day
