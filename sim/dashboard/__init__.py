"""``commsim dashboard``: explore scenarios, arms and sweeps in the browser (Plotly Dash).

The dashboard holds no model logic: it calls the same API as the command line
(:func:`sim.run`, :func:`sim.running.output.write_run`,
:func:`sim.analysis.compare.compare`) and draws the report's figures
(:mod:`sim.analysis.figures`, :mod:`sim.analysis.report`, :mod:`sim.analysis.sweep_report`).
"""

from sim.dashboard.app import create_app

__all__ = ["create_app"]
