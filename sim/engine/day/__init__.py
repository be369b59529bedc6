"""The phases of a day, in the order ``CommunityModel.step`` runs them.

1. :mod:`~sim.engine.day.recruitment` -- invitations, discovery, filters, capacity;
2. :mod:`~sim.engine.day.conversation` -- reading, posting, replies and answers;
3. :mod:`~sim.engine.day.envelopes` -- red envelopes: grabbing, thanks, sending back;
4. :mod:`~sim.engine.day.evening` -- value and engagement, then moderation and churn;
5. :mod:`~sim.engine.day.conversion` -- members buy what is offered.

Every phase takes the model, the day's :class:`sim.engine.plan.DayPlan` and the
:class:`~sim.engine.day.today.Today` record. The per-member work of a phase is one
compiled pass over the member rows, in the ``*_kernels`` module beside it, which
reads and writes the member table in place through the records of
:mod:`sim.engine.records`; the phase prepares the day's arrays and turns the kernel's
decisions into agent events (joining, leaving, removal, role changes). The kernels
are loaded with numba when first used (:mod:`sim.engine.startup`). The formulas and
their sources are in ``docs/model.md``.
"""
