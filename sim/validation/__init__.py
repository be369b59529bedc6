"""Validation: the published regularities T1-T6 reproduced on simulated groups.

``validate()`` runs one experiment per target (``experiments/validation/``), observes
each run the way the study observed real groups (:mod:`sim.validation.observe`),
measures what the study measured (:mod:`sim.validation.targets`) and tabulates the
model's figures against the bands; :mod:`sim.validation.calibrate` searches the
behavioural constants for one default set that passes as many targets as possible.
"""

from sim.validation.suite import Validation, validate
from sim.validation.targets import TARGETS

__all__ = ["TARGETS", "Validation", "validate"]
