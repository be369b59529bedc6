"""What the day's phases, the strategies and the recorder may use of the model.

:class:`sim.engine.model.CommunityModel` builds a group and runs its days; the
modules it calls (:mod:`sim.engine.day`, :mod:`sim.engine.strategies`,
:mod:`sim.engine.metrics`, :mod:`sim.engine.plan`) receive it as an argument. They
name its type with :class:`Community`, declared here below all of them, so none of
them imports the model and no import circle runs through it. A test checks that a
built model has every member declared here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from sim.engine.dynamics import Dynamics
    from sim.engine.state import MemberTable
    from sim.engine.world import World


class Community(Protocol):
    """A chat group in its world, as the model holds it while its days run."""

    # who and where
    state: MemberTable  # every person's daily state, by row
    world: World  # the population, its traits and its social graph
    roles: Any  # role traits as arrays by role code (``RoleArrays``)
    persons: list  # the agent of every row
    agents_by_type: dict  # Mesa's agents by role class
    owner_row: int
    # settings
    dyn: Dynamics  # the behavioural constants
    group: Any  # the scenario's ``group`` section (capacity, consent_above, founders)
    arm: str
    run_seed: int
    days: int
    # the clock and the day's randomness
    day: int
    rng: np.random.Generator
    kernel_seeds: list[int]
    today: Any  # what happened today so far (``phases.Today``), None before day 0
    # what the group remembers between days
    group_value: float
    material_signal: float
    topic_supply: float
    topic_norm: float
    last_volume: float
    last_conversation: int
    dead_day: int | None
    joined_total: int
    pending_envelopes: Any  # members' envelopes due tomorrow (``plan.MemberEnvelopes``)
    seen: np.ndarray  # recruitment: last day each person was asked
    grab_mark: np.ndarray  # red envelopes: last envelope each person saw
    grab_stamp: int
    ledger: Any  # the operator's money and time (``Ledger``)
    recorder: Any  # the daily record (``metrics.Recorder``)
    # what the compiled kernels read (sim.engine.records)
    member_record: Any  # the member table (``compiled.Holder`` of ``state.Members``)
    group_record: Any  # what stays fixed for the run (``compiled.Holder`` of ``Group``)
    day_record: np.ndarray  # today's numbers: one ``records.DAY`` record

    # events
    def members(self) -> np.ndarray:
        """Rows of current members (sorted)."""

    def add_members(self, rows: np.ndarray, roles: np.ndarray, invited_by: np.ndarray,
                    layer: np.ndarray, commitment: float = 0.0, expectation: float = 0.0,
                    founders: bool = False) -> None:
        """Let ``rows`` join today with the given role codes, inviters and layers."""

    def leave(self, rows: np.ndarray) -> None:
        """``rows`` leave the group of their own accord today."""

    def remove_members(self, rows) -> None:
        """``rows`` are removed by the owner or an administrator today."""

    def change_role(self, rows: np.ndarray, role) -> None:
        """Role transition for ``rows`` (recognition, neglect, ...)."""

    def moderator(self):
        """The agent who moderates: the first administrator, else the owner."""

    def pay_members(self, rows: np.ndarray, amount: float) -> None:
        """The operator pays ``amount`` yuan to each of ``rows``."""

    def spend(self, amount: float) -> None:
        """The operator spends ``amount`` yuan on something other than paying members."""

    def earn(self, amount: float) -> None:
        """The operator earns ``amount`` yuan (sales, entry fees)."""
