"""One root seed in, every other seed derived (``numpy.random.SeedSequence``).

A scenario's root seed gives one seed per replicate; all arms use the same replicate
seeds (common random numbers), so differences between arms are paired. A run's seed
is a plain integer recorded in every output (the ``seed`` column); a single run is
re-run alone with ``sim.CommunityModel(scenario, arm=..., seed=that_integer)``.
Inside a run, the world (graph and traits) and the daily dynamics draw from
independent child streams, so arms of one replicate share the same people and
friendships.
"""

from __future__ import annotations

import numpy as np


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """Seeds of replicates ``0..replicates-1`` derived from ``root``.

    Replicate ``r`` always gets the same seed whatever the number of replicates.
    """
    return [int(np.random.SeedSequence(root, spawn_key=(r,)).generate_state(1, np.uint64)[0]
                >> 1) for r in range(replicates)]


def run_streams(seed: int) -> tuple[int, int]:
    """Seeds of the world stream and the dynamics stream of the run with ``seed``."""
    world, dynamics = np.random.SeedSequence(seed).generate_state(2, np.uint64)
    return int(world >> 1), int(dynamics >> 1)
