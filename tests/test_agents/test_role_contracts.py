"""Contract tests for every role in ``agents.ROLES``.

:class:`RoleContract` holds the checks every role must pass (identity, declared
traits, attribute read-through to the member table, role changes, pickling); each
``Test<Role>`` class applies it to one role and adds only that role's scripted
cases, driven through the real daily cycle of a tiny model.
"""

from __future__ import annotations

import pickle
import re

import mesa
import numpy as np
import pytest
import yaml

import sim
from agents import (
    ROLE_BY_LABEL,
    ROLES,
    Administrator,
    Lurker,
    Member,
    OpinionLeader,
    Outsider,
    Owner,
    RedEnvelopeHunter,
    RoleTraits,
    SeedUser,
    Spammer,
)
from agents.base import Person
from agents.roles import Moderator
from sim.engine.state import LEFT, MEMBER, OUTSIDER, REMOVED

# Dynamics under which nobody leaves, sends envelopes or gets promoted by chance, so
# scripted cases see only the transition they force.
CALM = {"leave_floor": 0.0, "leave_rate": 0.0, "gift_send_base": 0.0,
        "leader_promotion": 0.0}


def tiny_model(days: int = 30, seed: int = 1, size: int = 300, *, group: dict | None = None,
               traits: dict | None = None, dynamics: dict | None = None,
               strategies: dict | None = None) -> sim.CommunityModel:
    """A small model built from scenario data, as a user would write it."""
    data = {
        "days": days, "seed": seed,
        "population": {"size": size, "traits": traits or {}},
        "group": group or {},
        "dynamics": dynamics or {},
        "strategies": strategies or {},
    }
    return sim.CommunityModel(sim.parse_scenario(yaml.safe_dump(data)))


def agent_of(model: sim.CommunityModel, role: type[Person]) -> Person:
    """An agent of ``role``: a current holder, else an outsider turned into one."""
    rows = np.flatnonzero(model.state.role == role.code)
    if rows.size:
        return model.persons[int(rows[0])]
    outsider = int(np.flatnonzero(model.state.status == OUTSIDER)[0])
    return model.persons[outsider].become(role)


def members_of(model: sim.CommunityModel, role: type[Person]) -> np.ndarray:
    st = model.state
    return np.flatnonzero((st.status == MEMBER) & (st.role == role.code))


READ_THROUGH = [
    ("engagement", 0.3), ("value", -0.25), ("trust", 0.7), ("commitment", 0.45),
    ("days_silent", 7), ("joined_day", 3), ("invited_by", 12), ("muted", True),
    ("converted", True), ("money_received", 1.23), ("money_sent", 4.56),
]


class RoleContract:
    """Checks every role must pass; subclasses set ``role``."""

    role: type[Person]

    @pytest.fixture
    def model(self) -> sim.CommunityModel:
        return tiny_model(group={"initial_members": 10})

    # ------------------------------------------------------------ identity
    def test_code_is_its_index_in_roles(self):
        assert ROLES[self.role.code] is self.role

    def test_label_names_this_role(self):
        assert re.fullmatch(r"[a-z_]+", self.role.label)
        assert ROLE_BY_LABEL[self.role.label] is self.role

    def test_is_a_mesa_agent(self):
        assert issubclass(self.role, mesa.Agent)
        assert issubclass(self.role, Person)

    def test_docstring_names_the_role_and_its_source(self):
        doc = self.role.__dict__.get("__doc__") or ""
        assert doc.strip(), f"{self.role.__name__} has no docstring of its own"
        assert re.search(r"\(R\d", doc), "docstring should cite its MECHANISMS.md role (R<n>)"

    # ------------------------------------------------------------ traits
    def test_declares_its_own_traits(self):
        traits = self.role.__dict__.get("traits")
        assert isinstance(traits, RoleTraits), f"{self.role.__name__} must declare traits"

    def test_traits_are_sensible(self):
        t = self.role.traits
        for name in ("question_share", "content_share", "ad_share"):
            assert 0.0 <= getattr(t, name) <= 1.0, name
        assert t.question_share + t.content_share + t.ad_share <= 1.0
        for name in RoleTraits.names():
            if name not in ("expectation", "operator"):
                assert getattr(t, name) >= 0.0, name

    def test_operator_flag_matches_moderation_powers(self):
        assert self.role.traits.operator == issubclass(self.role, Moderator)

    # ------------------------------------------------------------ read-through
    @pytest.mark.parametrize(("name", "value"), READ_THROUGH)
    def test_attributes_read_and_write_the_member_table(self, model, name, value):
        agent = agent_of(model, self.role)
        column = model.state.column(name)
        before = column.copy()
        setattr(agent, name, value)
        assert column[agent.row] == pytest.approx(value)
        assert set(np.flatnonzero(column != before).tolist()) <= {agent.row}  # only theirs
        other = {bool: lambda v: not v, int: lambda v: v + 5}.get(type(value),
                                                                  lambda v: v / 2)(value)
        column[agent.row] = other
        assert getattr(agent, name) == pytest.approx(other)

    # ------------------------------------------------------------ role changes
    def test_become_keeps_the_row_and_moves_the_agent(self, model):
        start = Member if self.role is not Member else Lurker
        old = agent_of(model, start)
        row, n_agents, uid = old.row, len(model.agents), old.unique_id
        new = old.become(self.role)
        assert type(new) is self.role and new.row == row
        assert model.state.role[row] == self.role.code
        assert model.persons[row] is new
        assert new in model.agents_by_type[self.role]
        assert new not in model.agents_by_type.get(start, [])
        assert new in model.agents and new.unique_id == uid  # the same person
        assert len(model.agents) == n_agents
        assert sum(len(s) for s in model.agents_by_type.values()) == n_agents
        assert new.become(self.role) is new

    def test_agent_pickles_with_its_model(self, model):
        agent = agent_of(model, self.role)
        agent.engagement = 0.42
        clone = pickle.loads(pickle.dumps(agent))
        assert type(clone) is self.role and clone.row == agent.row
        assert clone.engagement == 0.42
        assert clone.model is not model
        assert clone.model.persons[clone.row] is clone
        assert np.array_equal(clone.model.state.role, model.state.role)


# ---------------------------------------------------------------- every role


def test_codes_and_labels_are_unique():
    assert [cls.code for cls in ROLES] == list(range(len(ROLES)))
    labels = [cls.label for cls in ROLES]
    assert len(set(labels)) == len(labels)
    assert set(ROLE_BY_LABEL) == set(labels)


def test_every_role_has_a_contract_test():
    tested = {cls.role for cls in RoleContract.__subclasses__()}
    assert tested == set(ROLES)


# ---------------------------------------------------------------- each role


class TestOwner(RoleContract):
    role = Owner

    def test_exactly_one_owner_who_never_leaves(self):
        model = tiny_model(days=60, dynamics={"leave_floor": 0.1, "leave_rate": 1.0},
                           group={"founders": {"admin": 2, "seed_user": 20}})
        owner = model.owner_row
        for _ in range(model.days):
            model.step()
            assert members_of(model, Owner).tolist() == [owner]
        founders = np.flatnonzero(model.state.joined_day == 0)
        # the pressure was real: most other founders left
        assert np.count_nonzero(model.state.status[founders] == LEFT) > founders.size // 2


class TestAdministrator(RoleContract):
    role = Administrator

    def test_administrators_never_leave_nor_get_removed(self):
        model = tiny_model(days=60, dynamics={"leave_floor": 0.1, "leave_rate": 1.0,
                                              "catch_rate": 1.0},
                           traits={"spammer_share": 0.3},
                           group={"founders": {"admin": 3, "seed_user": 10}})
        admins = members_of(model, Administrator)
        assert admins.size == 3
        for _ in range(model.days):
            model.step()
            assert np.array_equal(members_of(model, Administrator), admins)

    def test_moderator_is_the_first_administrator(self, model):
        admins = members_of(model, Administrator)
        assert model.moderator().row == admins.min()


class TestOpinionLeader(RoleContract):
    role = OpinionLeader

    def test_prolific_trusted_member_is_recognised_the_next_day(self):
        model = tiny_model(group={"initial_members": 10}, traits={"lurker_share": 0.0,
                                                                  "spammer_share": 0.0,
                                                                  "hunter_share": 0.0},
                           dynamics={**CALM, "leader_promotion": 1.0,
                                     "leader_posts_per_day": 1.5})
        row = int(members_of(model, Member)[0])
        model.state.recent_posts[row] = 10.0
        model.state.trust[row] = 1.0
        model.step()
        assert model.state.role[row] == OpinionLeader.code
        assert type(model.persons[row]) is OpinionLeader


class TestSeedUser(RoleContract):
    role = SeedUser

    def test_founding_brings_in_the_seed_users(self):
        model = tiny_model(group={"founders": {"admin": 1, "opinion_leader": 2,
                                               "seed_user": 7}})
        assert members_of(model, SeedUser).size == 7
        assert np.all(model.state.invited_by[members_of(model, SeedUser)] == model.owner_row)


class TestMember(RoleContract):
    role = Member

    def test_silent_member_becomes_lurker_after_lurk_after_days(self):
        lurk_after = 5
        model = tiny_model(group={"initial_members": 10},
                           traits={"lurker_share": 0.0, "spammer_share": 0.0,
                                   "hunter_share": 0.0},
                           dynamics={**CALM, "lurk_after": lurk_after})
        row = int(members_of(model, Member)[0])
        for day in range(1, lurk_after + 1):
            model.persons[row].engagement = 0.0  # someone who never opens their mouth
            model.step()
            assert model.state.days_silent[row] == day
            expected = Lurker if day >= lurk_after else Member
            assert type(model.persons[row]) is expected, f"day {day}"
        assert model.state.status[row] == MEMBER
        assert model.state.messages[row].sum() == 0


class TestLurker(RoleContract):
    role = Lurker

    def test_lurker_who_posts_again_becomes_member(self):
        model = tiny_model(group={"initial_members": 10}, dynamics=CALM,
                           traits={"lurker_share": 1.0, "spammer_share": 0.0,
                                   "hunter_share": 0.0})
        lurkers = members_of(model, Lurker)
        assert lurkers.size == 10
        row = int(lurkers[0])
        model.state.recent_posts[row] = 2.0  # posting well above the revival threshold
        model.step()
        assert type(model.persons[row]) is Member
        assert np.all(model.state.role[lurkers[1:]] == Lurker.code)


class TestSpammer(RoleContract):
    role = Spammer

    def test_spammers_stay_until_removed(self):
        flood = {"traits": {"spammer_share": 0.5}, "group": {"founders": {"admin": 2}},
                 "days": 40, "size": 400}
        unmoderated = tiny_model(dynamics={"leave_floor": 0.1, "catch_rate": 0.0,
                                           "discovery_rate": 0.002}, **flood)
        unmoderated.run_model()
        st = unmoderated.state
        joined = st.role_at_join == Spammer.code
        assert np.count_nonzero(joined & (st.status != OUTSIDER)) > 0
        assert np.all(st.status[joined & (st.status != OUTSIDER)] == MEMBER)

        moderated = tiny_model(dynamics={"leave_floor": 0.1, "catch_rate": 1.0,
                                         "discovery_rate": 0.002}, **flood)
        moderated.run_model()
        st = moderated.state
        ever = (st.role_at_join == Spammer.code) & (st.status != OUTSIDER)
        assert np.count_nonzero(st.status[ever] == REMOVED) > 0
        assert np.all(st.status[ever] != LEFT)


class TestRedEnvelopeHunter(RoleContract):
    role = RedEnvelopeHunter

    def test_hunters_value_money_most(self):
        t = RedEnvelopeHunter.traits
        assert t.envelope_appetite == max(cls.traits.envelope_appetite for cls in ROLES)
        assert t.w_material == max(t.w_content, t.w_material, t.w_help, t.w_bonds,
                                   t.w_identity)


class TestOutsider(RoleContract):
    role = Outsider

    def test_people_who_never_joined_never_post(self):
        model = tiny_model(days=40, group={"capacity": 30},
                           dynamics={"gift_send_base": 0.05})
        model.run_model()
        st = model.state
        never = st.status == OUTSIDER
        assert never.any()
        assert np.all(st.messages[never] == 0)
        assert np.all(st.money_received[never] == 0) and np.all(st.money_sent[never] == 0)
        assert np.all(st.role[never] == Outsider.code)
        assert all(type(model.persons[r]) is Outsider for r in np.flatnonzero(never))
