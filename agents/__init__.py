"""Roles of a chat group as Mesa agents: who does what (see ``agents.roles``)."""

from agents.base import Person, RoleTraits
from agents.roles import (
    ROLE_BY_LABEL,
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

__all__ = [
    "ROLES",
    "ROLE_BY_LABEL",
    "Administrator",
    "Lurker",
    "Member",
    "OpinionLeader",
    "Outsider",
    "Owner",
    "Person",
    "RedEnvelopeHunter",
    "RoleTraits",
    "SeedUser",
    "Spammer",
]
