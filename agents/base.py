"""The person: a Mesa agent whose daily state lives in the model's member table.

Agents are the nouns of the model. Each person of the population is one
:class:`Person` (a ``mesa.Agent``) of the class of its current role. What every
member updates every day (engagement, perceived value, trust, ...) is held in the
model's struct-of-arrays table (:class:`sim.engine.state.MemberTable`) at the person's
row; the attributes below read and write through to it, so ``agent.engagement`` is
always the current value. The rare events of a life -- joining, leaving, being
removed, changing role -- are methods on the agent.

The roles sit below the engine: they know their model only as a ``mesa.Model`` with
the engine's member table (``model.state``) and world (``model.world``), and import
nothing of ``sim``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from agents.mesa_import import mesa


@dataclass(frozen=True)
class RoleTraits:
    """What a role brings to the daily cycle, declared once per role class.

    Rates are per day for an engaged member of average sociability; shares split a
    member's messages by kind; weights say how much each of the five values of a
    group (content, material benefits, help, social bonds, identity) counts for
    people in this role.
    """

    post_rate: float = 0.5
    question_share: float = 0.15
    content_share: float = 0.05
    ad_share: float = 0.0
    reply_propensity: float = 0.3
    influence: float = 1.0
    invite_rate: float = 0.002
    envelope_appetite: float = 1.0
    patience: float = 1.0
    expectation: float = 0.0
    status: float = 0.0
    operator: bool = False
    w_content: float = 1.0
    w_material: float = 0.5
    w_help: float = 1.0
    w_bonds: float = 1.0
    w_identity: float = 1.0

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Field names, in declaration order."""
        return tuple(f.name for f in fields(cls))


def _state_column(column: str, doc: str) -> property:
    """Attribute that reads and writes the person's row of a member-table column."""

    def get(self: Person):
        return self.model.state.column(column)[self.row].item()

    def set_(self: Person, value) -> None:
        self.model.state.column(column)[self.row] = value

    return property(get, set_, doc=doc)


class Person(mesa.Agent):
    """Somebody in the population around the group; subclasses are the roles.

    Parameters
    ----------
    model
        The community model the person lives in.
    row
        The person's row in the member table and node id in the social graph; it
        stays the same when the person changes role.
    """

    code: ClassVar[int] = -1
    label: ClassVar[str] = "person"
    traits: ClassVar[RoleTraits] = RoleTraits()

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        self.row = int(row)

    @classmethod
    def populate(cls, model: mesa.Model, n: int) -> list[Person]:
        """Agents of this class for rows ``0 .. n-1``, registered with ``model``.

        The same agents, ids and role sets as ``[cls(model, row) for row in
        range(n)]``, made in bulk: a sweep builds a population of thousands for
        every run, and Mesa's one-by-one registration (a signal and a log record per
        agent) cost more than a quarter of a short run. Nothing observes a model's
        signals before the model exists, so none are missed. Falls back to one by
        one if the class's role set already exists or Mesa's layout differs.
        """
        by_type = getattr(model, "_agents_by_type", None)
        everyone = getattr(model, "_all_agents", None)
        if (n == 0 or by_type is None or cls in by_type or everyone is None
                or not hasattr(everyone, "_agents")):
            return [cls(model, row) for row in range(n)]
        first = model.agent_id_counter
        people = [cls.__new__(cls) for _ in range(n)]
        for row, person in enumerate(people):
            person.__dict__.update(model=model, unique_id=first + row, pos=None, row=row)
        model.agent_id_counter = first + n
        everyone._agents.update(dict.fromkeys(people))
        by_type[cls] = type(everyone)(people, random=model.random)
        return people

    engagement = _state_column("engagement", "Propensity to read and post, 0-1.")
    value = _state_column("value", "Perceived value of the group: benefits minus costs.")
    trust = _state_column("trust", "Trust in the owner, 0-1.")
    commitment = _state_column("commitment", "Sunk cost, status and belonging, 0-1.")
    days_silent = _state_column("days_silent", "Days since the person last posted.")
    joined_day = _state_column("joined_day", "Day the person joined, -1 if never.")
    invited_by = _state_column("invited_by", "Row of the member whose tie brought them in.")
    muted = _state_column("muted", "Whether the person muted the group.")
    converted = _state_column("converted", "Whether the person bought.")
    money_received = _state_column("money_received", "Money received from the group.")
    money_sent = _state_column("money_sent", "Money sent to the group.")

    @property
    def is_member(self) -> bool:
        """Whether the person is in the group now."""
        return bool(self.model.state.status[self.row] == 1)

    @property
    def friends(self) -> list[int]:
        """Rows of the person's friends in the social graph."""
        adj = self.model.world.adjacency
        return adj.indices[adj.indptr[self.row] : adj.indptr[self.row + 1]].tolist()

    def become(self, role: type[Person]) -> Person:
        """Change role: this person's agent becomes an agent of class ``role``.

        The agent keeps its row and its Mesa ``unique_id`` (it is the same person)
        and moves from its old role's set in ``model.agents_by_type`` to the new
        one's. Used for the role transitions of the playbooks (member to lurker
        through neglect, member to opinion leader through recognition, ...). Returns
        the agent, for chaining.
        """
        old = type(self)
        if role is old:
            return self
        by_type = self.model.agents_by_type
        if role in by_type:
            # a move between two existing role sets: Mesa's register/deregister would
            # also emit add/remove signals and hand out a new id, for 10x the cost
            by_type[old].remove(self)
            self.__class__ = role
            by_type[role].add(self)
        else:  # the first of its role: Mesa makes the role's set
            unique_id = self.unique_id
            self.model.deregister_agent(self)
            self.__class__ = role
            self.model.register_agent(self)
            self.unique_id = unique_id
        self.model.state.role[self.row] = role.code
        return self

    def step(self) -> None:
        """Do nothing: the day is the verb (see ``sim.engine.model.CommunityModel.step``)."""
