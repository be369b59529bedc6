"""What every compiled kernel shares: records as one argument, and the day's generator.

Loaded with numba when the first kernel runs (:mod:`sim.engine.startup`), never at
``import sim``.

Records
-------
A kernel takes the member table and the run's fixed arrays as one argument each: a
:class:`Holder`, a numba ``structref`` whose one field, ``fields``, is a named tuple
of arrays (:class:`sim.engine.state.Members`, :class:`sim.engine.records.Group`).
Numba types a structref in one step, whatever it holds, where a named tuple of 30
arrays costs it 30 (see :mod:`sim.engine.records` for the figures). A holder is made
once per run by :func:`hold`, through a cached compiled constructor, so no process
pays for compiling one.

Randomness
----------
Kernels draw from numba's own generator, which :func:`seed_day` seeds once at the
start of every day with a seed drawn from the model's generator (``model.rng``).
The day's kernels then draw from it in the fixed order of the phases, so a run is
reproducible from its one seed and independent of what ran before in the process
(numba's generator is per thread, and a day runs in one). Seeding costs about 1.7
microseconds, as much as a hundred draws, so it is done once a day rather than once
per kernel.
"""

from __future__ import annotations

import numpy as np
from numba import njit, typeof
from numba.core import types
from numba.core.typing.typeof import typeof_impl
from numba.experimental import structref


@structref.register
class HolderType(types.StructRef):
    """Numba type of a :class:`Holder`: one field, ``fields``, of a named-tuple type."""

    def preprocess_fields(self, fields):
        """Field types as numba needs them (no literal types)."""
        return tuple((name, types.unliteral(t)) for name, t in fields)


class Holder(structref.StructRefProxy):
    """A named record of arrays, passed to a kernel as one argument (``.fields``)."""


structref.define_proxy(Holder, HolderType, ["fields"])


@typeof_impl.register(Holder)
def _typeof_holder(holder, context):
    # the type is on the object: skip numba's general look-up (0.4 us a call)
    return holder._numba_type_


@njit(cache=True)
def _new_holder(holder_type, fields):
    holder = structref.new(holder_type)
    holder.fields = fields
    return holder


_holder_types: dict[tuple, HolderType] = {}


def hold(fields: tuple) -> Holder:
    """A :class:`Holder` of the named tuple of arrays ``fields`` (the same arrays).

    The numba type is worked out once per record class and kind of arrays (numba's
    ``typeof`` of a named tuple of 30 arrays takes a quarter of a millisecond).
    """
    key = (type(fields), tuple((a.dtype, a.ndim, a.flags.c_contiguous, a.flags.writeable)
                               for a in fields))
    holder_type = _holder_types.get(key)
    if holder_type is None:
        holder_type = _holder_types[key] = HolderType([("fields", typeof(fields))])
    return _new_holder(holder_type, fields)


@njit(cache=True)
def seed_day(seed):
    """Seed numba's generator for the day's kernels."""
    np.random.seed(seed)
