"""The roles of a chat group, one Mesa agent class each (MECHANISMS.md R1-R9).

Each class declares its traits as data (:class:`agents.base.RoleTraits`); the daily
cycle reads them as arrays indexed by role code. Figures in the traits are the
engine's starting values, documented in ``docs/model.md``; behaviour that happens
rarely and to one person at a time is a method here.
"""

from __future__ import annotations

from typing import ClassVar

from agents.base import Person, RoleTraits


class Moderator(Person):
    """What the owner and administrators can do that members cannot: remove people.

    A base class, not a mixin, so that every role has the same instance layout and a
    person can change role in place (:meth:`agents.base.Person.become`).
    """

    def remove_members(self: Person, rows) -> None:  # type: ignore[misc]
        """Take the people at ``rows`` out of the group (spam, rule breaking, cleanup)."""
        self.model.remove_members(rows)


class Owner(Moderator):
    """Group owner (R1, seed 001): posts topics and content, welcomes, enforces rules.

    Never leaves on its own; its time is the budget operator strategies spend.
    """

    code: ClassVar[int] = 0
    label: ClassVar[str] = "owner"
    traits: ClassVar[RoleTraits] = RoleTraits(
        post_rate=1.5, question_share=0.0, content_share=0.3, reply_propensity=1.0,
        influence=2.0, invite_rate=0.02, status=1.0, operator=True,
    )



class Administrator(Moderator):
    """Group administrator (R2, seed 001): moderates, answers questions, welcomes.

    Seed 001: "a WeChat group with more than 200 people should have at least three
    administrators"; each reviews a limited number of messages a day
    (``dynamics.admin_review_capacity``).
    """

    code: ClassVar[int] = 1
    label: ClassVar[str] = "admin"
    traits: ClassVar[RoleTraits] = RoleTraits(
        post_rate=1.2, question_share=0.0, content_share=0.2, reply_propensity=1.0,
        influence=1.5, invite_rate=0.01, status=0.8, operator=True,
    )


class OpinionLeader(Person):
    """Opinion leader / KOL (R3, seeds 001, 004): about 10% of members in seed 001.

    Posts often and well; their posts draw replies (high influence). Active members
    become opinion leaders through recognition.
    """

    code: ClassVar[int] = 2
    label: ClassVar[str] = "opinion_leader"
    traits: ClassVar[RoleTraits] = RoleTraits(
        post_rate=5.0, question_share=0.05, content_share=0.3, reply_propensity=0.8,
        influence=2.0, invite_rate=0.015, patience=0.5, status=0.6, expectation=0.35,
    )


class SeedUser(Person):
    """Seed user / initiator (R4, seed 001): early, high-need, gives feedback, invites.

    Seed 001 asks that seeds "urgently need the product", "are willing to try new
    things" and bring friends: a high invite rate and initiator status.
    """

    code: ClassVar[int] = 3
    label: ClassVar[str] = "seed_user"
    traits: ClassVar[RoleTraits] = RoleTraits(
        post_rate=2.5, question_share=0.2, content_share=0.1, reply_propensity=0.6,
        influence=1.3, invite_rate=0.03, patience=0.6, status=0.4, expectation=0.3,
    )


class Member(Person):
    """Ordinary member (R5, seed 004), in one of three intention layers.

    ``strong`` intention users are the core and transact; ``intention`` users are
    interested but lack trust; ``potential`` users were pulled in by posters or
    friends. Trust moves people up a layer (seed 004: "from intention to strong
    intention").
    """

    code: ClassVar[int] = 4
    label: ClassVar[str] = "member"
    traits: ClassVar[RoleTraits] = RoleTraits(
        post_rate=1.5, question_share=0.2, content_share=0.05, reply_propensity=0.35,
        invite_rate=0.008, expectation=0.35,
    )
    layers: ClassVar[tuple[str, ...]] = ("potential", "intention", "strong")

    @property
    def layer(self) -> str:
        """Intention layer: potential, intention or strong."""
        return self.layers[int(self.model.state.layer[self.row])]


class Lurker(Person):
    """Lurker (R6, seeds 001, 004): reads rarely, almost never posts; cleanup target.

    Members who stay silent long enough become lurkers (neglect); a lurker who
    starts posting again becomes a member.
    """

    code: ClassVar[int] = 5
    label: ClassVar[str] = "lurker"
    traits: ClassVar[RoleTraits] = RoleTraits(
        post_rate=0.003, question_share=0.2, content_share=0.0, reply_propensity=0.05,
        influence=0.5, invite_rate=0.001, patience=0.7, w_bonds=0.3, expectation=0.15,
    )


class Spammer(Person):
    """Spammer / advertiser (R7, seeds 001, 004): posts ads, lowers everyone's value.

    Does not care what the group offers; stays until an administrator removes them.
    """

    code: ClassVar[int] = 6
    label: ClassVar[str] = "spammer"
    traits: ClassVar[RoleTraits] = RoleTraits(
        post_rate=2.0, question_share=0.0, content_share=0.0, ad_share=0.85,
        reply_propensity=0.0, influence=0.2, invite_rate=0.0, patience=0.0,
        w_content=0.0, w_material=0.0, w_help=0.0, w_bonds=0.0, w_identity=0.0,
    )


class RedEnvelopeHunter(Person):
    """Red-envelope hunter (R8, seed 004): joins for envelopes, then never speaks.

    Seed 004: "after entering the group to receive the information or red envelopes,
    [they] will not speak or return the group directly". Values money almost only.
    """

    code: ClassVar[int] = 7
    label: ClassVar[str] = "hunter"
    traits: ClassVar[RoleTraits] = RoleTraits(
        post_rate=0.005, question_share=0.0, content_share=0.0, reply_propensity=0.02,
        influence=0.2, invite_rate=0.0, envelope_appetite=3.0, patience=2.0, expectation=0.15,
        w_content=0.1, w_material=2.0, w_help=0.1, w_bonds=0.1, w_identity=0.0,
    )


class Outsider(Person):
    """Outsider (R9, seeds 000, 001): not (yet) a member; has traits and friends inside.

    Joins when the pull of friends inside and of what the group offers is strong
    enough; above 40 members an invitation needs their consent.
    """

    code: ClassVar[int] = 8
    label: ClassVar[str] = "outsider"
    traits: ClassVar[RoleTraits] = RoleTraits(post_rate=0.0, reply_propensity=0.0)


ROLES: tuple[type[Person], ...] = (
    Owner, Administrator, OpinionLeader, SeedUser, Member, Lurker, Spammer,
    RedEnvelopeHunter, Outsider,
)
"""Every role, indexed by its ``code``."""

ROLE_BY_LABEL: dict[str, type[Person]] = {r.label: r for r in ROLES}
