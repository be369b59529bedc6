"""The community model: one chat group in its world, day by day.

``CommunityModel.step`` reads as the day's schedule (DESIGN.md): scheduled operator
actions, recruitment and joining, reading, posting, red-envelope grabbing, value and
engagement update, moderation and churn, conversion, metrics. Each phase is a
vectorized function in :mod:`sim.engine.day`; rare per-person events are agent methods.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

import numpy as np

from agents import (
    ROLES,
    Administrator,
    Lurker,
    Member,
    OpinionLeader,
    Outsider,
    Owner,
    RedEnvelopeHunter,
    SeedUser,
    Spammer,
)
from agents.base import RoleTraits
from agents.mesa_import import mesa
from sim.engine import compiled
from sim.engine.day import conversation, conversion, envelopes, evening, recruitment
from sim.engine.day import recruitment_kernels as joining
from sim.engine.day.today import Today, seed_kernels
from sim.engine.metrics import Recorder
from sim.engine.plan import DayPlan, MemberEnvelopes, within_time
from sim.engine.records import DAY, Group, constants_record, day_values
from sim.engine.seeding import run_streams
from sim.engine.settings import RunSettings
from sim.engine.state import LEFT, MEMBER, REMOVED, TRAIT_COLUMNS, VALUE_COMPONENTS, MemberTable
from sim.engine.strategies import REGISTRY
from sim.engine.world import World, build_world, talk_tilt


class RoleArrays:
    """Every :class:`RoleTraits` field as an array indexed by role code.

    ``matrix[role]`` gathers all traits of many members in one operation;
    ``weights[role]`` gives the weights of the value parts (the five components, and
    -1 for costs).
    """

    def __init__(self, roles=ROLES) -> None:
        names = RoleTraits.names()
        self.matrix = np.array([[float(getattr(cls.traits, n)) for n in names]
                                for cls in roles])
        self.col = {name: i for i, name in enumerate(names)}
        for name, i in self.col.items():
            setattr(self, name, self.matrix[:, i])
        self.weights = np.column_stack(
            [getattr(self, f"w_{c}") for c in VALUE_COMPONENTS] + [-np.ones(len(roles))])
        self.kernel_traits = np.ascontiguousarray(
            self.matrix[:, [self.col[name] for name in TRAIT_COLUMNS]])


@dataclass
class Ledger:
    """Money and time the operator spends and earns over a run.

    ``paid_to_members`` is money that members received (red envelopes, rewards,
    prizes in cash); ``other_costs`` is money spent elsewhere (gifts in kind, event
    costs). Every yuan a member holds came from the operator or another member, which
    the tests check: members' money received = paid_to_members + members' money sent.
    """

    paid_to_members: float = 0.0
    other_costs: float = 0.0
    revenue: float = 0.0
    owner_minutes: float = 0.0
    conversions: int = 0

    @property
    def money_spent(self) -> float:
        """All the operator's spending."""
        return self.paid_to_members + self.other_costs

    def spend(self, amount: float) -> None:
        """Book money the operator paid to members."""
        self.paid_to_members += amount

    def spend_other(self, amount: float) -> None:
        """Book money the operator spent on things other than payments to members."""
        self.other_costs += amount

    def earn(self, amount: float) -> None:
        """Book revenue (sales, entry fees)."""
        self.revenue += amount


class CommunityModel(mesa.Model):
    """A chat group in a population, for one arm and one replicate of a scenario.

    Parameters
    ----------
    scenario
        The validated scenario.
    arm
        Which arm's strategies to use (``baseline`` or a name from ``scenario.arms``).
    seed
        The run's seed (see :mod:`sim.engine.seeding`); the world and the daily dynamics get
        independent child streams of it.
    world
        A prebuilt world to reuse (it must come from the same seed and population).
    """

    def __init__(self, scenario: RunSettings, arm: str = "baseline", seed: int | None = None,
                 world: World | None = None) -> None:
        self.run_seed = int(scenario.seed if seed is None else seed)
        world_seed, dynamics_seed = run_streams(self.run_seed)
        super().__init__(rng=dynamics_seed)
        self.config = scenario
        self.arm = arm
        self.dyn = scenario.dynamics
        self.group = scenario.group
        self.days = scenario.horizon
        self.world = world if world is not None else build_world(
            scenario.population, world_seed, scenario.base_dir)
        n = self.world.size
        self.state = MemberTable(n)
        self.state.role[:] = Outsider.code
        self.roles = RoleArrays()
        self.persons: list = Outsider.populate(self, n)
        self.strategies = [REGISTRY[key](settings)
                           for key, settings in scenario.strategies_for(arm).items()]
        self.ledger = Ledger()
        self.recorder = Recorder(self.days)
        self.day = 0
        self.pending_envelopes = MemberEnvelopes()  # members' envelopes due tomorrow
        self.joined_total = 0  # people who ever joined, founders included
        self.group_value = 0.0
        self.material_signal = 0.0
        self.topic_supply = 1.0
        self.topic_norm = self.dyn.on_topic_talk  # the on-topic share of the talk, remembered
        self.last_volume = 0.0  # messages the group saw yesterday
        self.last_conversation = 0
        self.dead_day: int | None = None
        self._members: np.ndarray | None = None
        self.seen = np.zeros(n, dtype=np.int32)  # recruitment: last day a person was asked
        self.grab_mark = np.zeros(n, dtype=np.int64)  # red envelopes: last envelope seen
        self.grab_stamp = 0
        self.kernel_seeds: list[int] = []
        self.today: Today | None = None
        self._hold_records()
        self.day_record = np.zeros(1, dtype=DAY)
        self.found_group()

    _HELD = ("member_record", "group_record")
    """Records the kernels read through numba structrefs, which do not pickle."""

    def _hold_records(self) -> None:
        """Make the kernels' records of the member table and of the run (once per run)."""
        self.member_record = compiled.hold(self.state.fields())
        self.group_record = compiled.hold(self._group_fields())

    def __getstate__(self) -> dict:
        """Pickle without the kernels' structrefs (a process pool sends models whole)."""
        return {k: v for k, v in self.__dict__.items() if k not in self._HELD}

    def __setstate__(self, state: dict) -> None:
        """Unpickle and hold the unpickled arrays in new structrefs."""
        self.__dict__.update(state)
        self._hold_records()

    def _group_fields(self) -> Group:
        """What stays fixed for the run, as the kernels read it (:class:`Group`)."""
        w, adj = self.world, self.world.adjacency
        codes = {"member_status": MEMBER, "member_code": Member.code,
                 "lurker_code": Lurker.code, "seed_code": SeedUser.code,
                 "spammer_code": Spammer.code, "hunter_code": RedEnvelopeHunter.code,
                 "envelope_shares": MemberEnvelopes.SHARES}
        return Group(
            traits=self.roles.kernel_traits, weights=self.roles.weights,
            expectation=self.roles.expectation, fit=w.fit,
            money_sensitivity=w.money_sensitivity, sociability=w.sociability,
            spam_propensity=w.spam_propensity, natural_role=w.natural_role,
            clustering=w.clustering, silent=w.silent, chat_taste=w.chat_taste,
            talk_tilt=talk_tilt(w.fit, w.chat_taste, self.dyn.topic_pull),
            indptr=adj.indptr,
            indices=adj.indices, seen=self.seen,
            grab_mark=self.grab_mark, constants=constants_record(self.dyn, codes))

    # ------------------------------------------------------------------ the day

    def step(self) -> None:
        """Simulate one day."""
        today = Today(day=self.day)
        self.today = today
        plan = DayPlan()
        seed_kernels(self)
        for strategy in self.strategies:
            strategy.plan(self, self.day, plan)
        if self.group.operator_hours > 0:
            within_time(plan, 60.0 * self.group.operator_hours)
        self.day_record[0] = day_values(self, plan, self.topic_supply)
        recruitment.recruit(self, plan, today)
        conversation.read_and_post(self, plan, today)
        envelopes.grab_envelopes(self, plan, today)
        evening.update_value(self, plan, today)
        evening.moderate_and_churn(self, plan, today)
        conversion.convert(self, plan, today)
        self.recorder.record(self, plan, today)
        self.day += 1

    def run_model(self) -> None:
        """Simulate every remaining day of the scenario's horizon.

        When Mesa's scheduler holds nothing but the daily step (the usual case), the
        days run in a plain loop that keeps Mesa's clock as ``model.step()`` keeps it:
        ``steps`` and ``time`` go up by one a day, and the daily schedule is paused
        and resumed around the loop, so a later ``step()`` or event continues from
        the right time. Mesa's per-step event bookkeeping cost 10-15% of a
        500-member group-year. With anything else scheduled, every day goes through
        Mesa's event loop.

        Python's cyclic garbage collector is off while the days run (and restored
        after): a day makes no cyclic garbage, and a collector pass in the middle of
        a run walks every object of the process, including earlier models waiting
        to be freed (measured: +50% on a group-year after a few runs).
        """
        daily = self._default_schedule
        if not self._only_the_daily_step():
            while self.day < self.days:
                self.step()
            return
        collector = gc.isenabled()
        gc.disable()
        daily.pause()
        try:
            while self.day < self.days:
                self.time += 1
                self.steps += 1
                self._user_step()
        finally:
            daily.resume()
            if collector:
                gc.enable()

    def _only_the_daily_step(self) -> bool:
        """Whether Mesa's event list holds just the next daily step, due tomorrow."""
        daily = self._default_schedule
        return (self._event_generators == {daily} and len(self._event_list) == 1
                and daily.is_active and daily.next_scheduled_time == self.time + 1)

    # ------------------------------------------------------------------ money

    def pay_members(self, rows: np.ndarray, amount: float) -> None:
        """The operator pays ``amount`` yuan to each of ``rows`` (rewards, prizes)."""
        rows = np.asarray(rows, dtype=np.int64)
        np.add.at(self.state.money_received, rows, amount)
        np.add.at(self.state.money_today, rows, amount)  # felt as material value today
        self.ledger.spend(amount * rows.size)
        if self.today is not None:
            self.today.money_spent += amount * rows.size

    def spend(self, amount: float) -> None:
        """The operator spends ``amount`` yuan on something other than paying members."""
        self.ledger.spend_other(amount)
        if self.today is not None:
            self.today.money_spent += amount

    def earn(self, amount: float) -> None:
        """The operator earns ``amount`` yuan (sales, entry fees)."""
        self.ledger.earn(amount)
        if self.today is not None:
            self.today.revenue += amount

    # ------------------------------------------------------------ membership

    def members(self) -> np.ndarray:
        """Rows of current members (sorted).

        Kept up to date as people join and go (the compiled passes that seat and
        unseat them return the new rows); a fresh array each time, so rows handed out
        earlier in the day stay as they were.
        """
        if self._members is None:
            self._members = np.flatnonzero(self.state.status == MEMBER)
        return self._members

    def _neighbours(self, rows: np.ndarray) -> np.ndarray:
        """Friends of every row in ``rows``, concatenated (with repeats)."""
        adj = self.world.adjacency
        starts = adj.indptr[rows]
        lengths = adj.indptr[rows + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.empty(0, dtype=adj.indices.dtype)
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        return adj.indices[offsets + np.arange(total)]

    def add_members(self, rows: np.ndarray, roles: np.ndarray, invited_by: np.ndarray,
                    layer: np.ndarray, commitment: float = 0.0,
                    expectation: float = 0.0, founders: bool = False) -> None:
        """Let ``rows`` join today with the given role codes, inviters and layers.

        ``commitment`` is what they start with; ``expectation`` is extra value they
        were promised (see ``DayPlan.join_commitment`` and ``join_expectation``).
        ``founders`` marks the members the group starts with.
        """
        if rows.size == 0:
            return
        self._members = joining.seat_members(
            (rows, roles.astype(np.int8), invited_by.astype(np.int32), layer.astype(np.int8),
             self.day, founders, commitment, expectation),
            self.member_record, self.group_record, self.members())
        for row, code in zip(rows.tolist(), roles.tolist(), strict=True):
            self.persons[row].become(ROLES[code])
        self.joined_total += int(rows.size)

    def _exit(self, rows: np.ndarray, status: int) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return
        self._members = joining.unseat_members(rows, status, self.day, self.member_record,
                                               self.group_record, self.members())
        if self.today is not None:
            if status == LEFT:
                self.today.leaves += int(rows.size)
            else:
                self.today.removed += int(rows.size)
        for row in rows.tolist():
            self.persons[row].become(Outsider)

    def leave(self, rows: np.ndarray) -> None:
        """``rows`` leave the group of their own accord today."""
        self._exit(rows, LEFT)

    def remove_members(self, rows) -> None:
        """``rows`` are removed by the owner or an administrator today."""
        self._exit(np.asarray(rows), REMOVED)

    def change_role(self, rows: np.ndarray, role) -> None:
        """Role transition for ``rows`` (recognition, neglect, ...)."""
        for row in np.asarray(rows).tolist():
            self.persons[row].become(role)

    def moderator(self):
        """The agent who moderates: the first administrator, else the owner."""
        admins = self.agents_by_type.get(Administrator)
        if admins is not None and len(admins) > 0:
            return min(admins, key=lambda a: a.row)
        return self.persons[self.owner_row]

    # ------------------------------------------------------------------ founding

    def found_group(self) -> None:
        """Day 0: the owner founds the group and brings in the founders.

        The owner is a well-connected person; administrators, opinion leaders and
        seed users are the owner's friends, then friends of friends, who fit the topic
        best and talk the most (seed 001: the owner invites seed users personally and
        picks people with a strong need who are active in forums and produce content).
        """
        w = self.world
        degree = w.degree()
        eligible = ((w.natural_role != Spammer.code) & (w.natural_role != RedEnvelopeHunter.code)
                    & ~w.silent)  # the founding team writes
        order = np.lexsort((self.rng.random(w.size), -degree))
        owner = int(order[np.flatnonzero(eligible[order])[0]]) if eligible.any() else 0
        self.owner_row = owner
        f = self.group.founders
        n_founders = f.admin + f.opinion_leader + f.seed_user
        wanted = min(n_founders + self.group.initial_members, self.group.capacity - 1)
        circle = self._circle(owner, min(wanted, n_founders), eligible)
        codes = np.array([Administrator.code] * f.admin + [OpinionLeader.code] * f.opinion_leader
                         + [SeedUser.code] * f.seed_user, dtype=np.int8)[: circle.size]
        rows = np.concatenate(([owner], circle)).astype(np.int64)
        roles = np.concatenate(([Owner.code], codes)).astype(np.int8)
        inviters = np.array([-1] + [owner] * circle.size, dtype=np.int32)
        self.add_members(rows, roles, inviters, np.full(rows.size, 2, dtype=np.int8),
                         founders=True)
        st = self.state
        st.engagement[rows] = 0.8
        st.trust[rows] = 0.6
        st.commitment[rows] = 0.3
        extra = wanted - circle.size
        if extra > 0:
            self._seat_existing_members(extra)

    def _seat_existing_members(self, count: int) -> None:
        """Fill an existing group with ``count`` people near the members.

        They come with their natural roles, as if they had joined through friends
        before day 0.
        """
        from sim.engine.state import OUTSIDER

        w, st = self.world, self.state
        chosen: list[np.ndarray] = []
        taken = st.status != OUTSIDER
        frontier = self.members()
        need = count
        while need > 0:
            ring = np.unique(self._neighbours(frontier))
            ring = ring[~taken[ring]]
            if ring.size == 0:  # disconnected: take anyone left
                ring = np.flatnonzero(~taken)
                if ring.size == 0:
                    break
            ring = self.rng.permutation(ring)[:need]
            taken[ring] = True
            chosen.append(ring)
            need -= ring.size
            frontier = ring
        if not chosen:
            return
        rows = np.sort(np.concatenate(chosen))
        inviters = np.full(rows.size, self.owner_row, dtype=np.int32)
        self.add_members(rows, w.natural_role[rows], inviters, np.zeros(rows.size, np.int8),
                         founders=True)

    def _circle(self, owner: int, wanted: int, eligible: np.ndarray) -> np.ndarray:
        """Up to ``wanted`` people closest to the owner; at each distance the best first.

        Best is highest fit times sociability: fitting and talkative.
        """
        chosen: list[int] = []
        seen = {owner}
        frontier = np.array([owner])
        while len(chosen) < wanted and frontier.size:
            ring = np.unique(self._neighbours(frontier))
            ring = np.array([r for r in ring.tolist() if r not in seen], dtype=np.int64)
            if ring.size == 0:
                break
            seen.update(ring.tolist())
            good = ring[eligible[ring]]
            good = good[np.argsort(-(self.world.fit[good] * self.world.sociability[good]),
                                   kind="stable")]
            chosen.extend(good[: wanted - len(chosen)].tolist())
            frontier = ring
        return np.array(chosen, dtype=np.int64)
