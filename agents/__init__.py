"""Roles of a chat group as Mesa agents: who does what (see ``agents.roles``).

The role classes load Mesa, which takes about half a second; a command that only
reads a scenario (``commsim check``) never needs them. So this package loads its
modules when one of its names is first used (PEP 562): ``from agents import Member``
loads the roles, ``import agents`` alone does not.
"""

from __future__ import annotations

import importlib

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

_HOME = {name: "agents.base" if name in ("Person", "RoleTraits") else "agents.roles"
         for name in __all__}
"""The module each public name lives in."""


def __getattr__(name: str):
    """Load the module of ``name`` on first use and keep the name here."""
    if name not in _HOME:
        raise AttributeError(f"module 'agents' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
