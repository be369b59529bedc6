"""The strategy interface: a small class per operating practice.

A strategy has a human ``name``, a scenario ``key``, a docstring naming the
real-world practice and its source playbook, parameters declared once
(:class:`sim.params.Param`), a metadata dict, and one method the model calls at the
start of every day: :meth:`Strategy.plan`, which writes today's operator decisions
into the :class:`sim.engine.plan.DayPlan`. Adding a strategy is one new file plus one line
in the registry (``sim/engine/strategies/__init__.py``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from sim.params import Param, Section, section_model

if TYPE_CHECKING:
    from sim.engine.community import Community
    from sim.engine.plan import DayPlan

METADATA_KEYS = ("targets", "money_per_day", "owner_minutes_per_day", "stochastic", "source")
"""Every strategy declares these: what it acts on, its daily cost in money and in the
owner's time (a short formula in words), whether it draws random numbers, and the
seed file it comes from."""


class Strategy(ABC):
    """Base class of operator strategies.

    Parameters
    ----------
    settings
        Validated parameters (an instance of the class's ``Settings`` model);
        defaults when omitted.
    """

    key: ClassVar[str] = ""
    name: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    metadata: ClassVar[dict[str, Any]] = {}
    Settings: ClassVar[type[Section]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.key:
            title = "".join(part.title() for part in cls.key.split("_"))
            doc = (cls.__doc__ or "").strip().split("\n")[0]
            cls.Settings = section_model(f"{title}Settings", cls.params, doc,
                                         module=cls.__module__,
                                         qualname=f"{cls.__qualname__}.Settings")

    def __init__(self, settings: Section | None = None) -> None:
        self.settings = settings if settings is not None else self.Settings()
        self.reset()

    def reset(self) -> None:  # noqa: B027 - an optional hook: most strategies keep no state
        """Forget any state kept between days (called before each run)."""

    @abstractmethod
    def plan(self, model: Community, day: int, plan: DayPlan) -> None:
        """Write today's decisions into ``plan``."""

    def idle_in(self, days: int) -> str | None:
        """Why the strategy, as set, does nothing in a run of ``days`` days; else None.

        For schedules that first come round after the run's last day (a quarterly
        cleanup in a 60-day run), so that a user is told rather than left to wonder
        why an arm equals its baseline. Most strategies act every day: None.
        """
        return None


def after_the_run(what: str, day: int, setting: str, days: int) -> str | None:
    """The reason :meth:`Strategy.idle_in` gives when ``what`` first happens on ``day``."""
    if day < days:
        return None
    return (f"{what} falls on day {day:,} ({setting}), but the run has {days:,} days "
            f"(days 0 to {days - 1:,})")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"
