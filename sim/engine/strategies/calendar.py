"""Weekly schedules shared by strategies that act on set days.

Day 0 of a run is a Monday, so ``day % 7`` is the weekday (0 Monday ... 6 Sunday).
A schedule is written in a scenario as a weekday name, ``daily`` or ``never``.
``never`` rather than ``off``: YAML 1.1 (PyYAML) reads an unquoted ``off`` as the
boolean false, which a choice of strings would then reject.
"""

from __future__ import annotations

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""Weekday names in the order of ``day % 7``."""

SCHEDULES = (*WEEKDAYS, "daily", "never")
"""Choices of a schedule parameter."""


def scheduled(schedule: str, day: int) -> bool:
    """Whether something on ``schedule`` happens on ``day``.

    Parameters
    ----------
    schedule
        A weekday name, ``daily`` or ``never``.
    day
        Day of the run (day 0 is a Monday).
    """
    if schedule == "daily":
        return True
    if schedule == "never":
        return False
    return WEEKDAYS[day % 7] == schedule


def first_day(happens_on, start: int = 0) -> int | None:
    """The first day from ``start`` on that ``happens_on(day)`` holds; None if no weekday does.

    ``happens_on`` is a weekly rule (it depends on ``day % 7`` only), so a week is
    enough to look at.
    """
    return next((day for day in range(start, start + 7) if happens_on(day)), None)
