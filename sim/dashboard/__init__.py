"""``commsim dashboard``: explore scenarios, arms and sweeps in the browser (Plotly Dash).

The dashboard holds no model logic: it calls the same API as the command line
(:func:`sim.run`, :func:`sim.output.write_run`, :func:`sim.compare.compare`) and draws
the report's figures (:mod:`sim.figures`, :mod:`sim.report`, :mod:`sim.sweep_report`).
"""

from sim.dashboard.app import create_app

__all__ = ["create_app"]
