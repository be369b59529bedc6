"""The validation report: the table, a plot per target, and the files it is written to.

``validation.parquet`` holds the table (one row per measure), ``replicates.parquet``
every measure of every replicate, and ``report.html`` the table with the plots a
reviewer would ask for. All three are written together or not at all.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.io import to_html

from sim.running.output import parquet_writer, text_writer, write_together
from sim.validation.suite import Validation
from sim.validation.targets import RETURN_WINDOW, RULES_KEY, join_rates, newcomer_participation

TABLE_COLUMNS = ("target", "regularity", "measure", "study", "band", "model", "result")


def _fmt(value: float) -> str:
    """Four significant digits: enough to tell 0.9004 (a miss) from a band's 0.9."""
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.4g}"


def table_rows(table: pd.DataFrame) -> list[dict[str, str]]:
    """The table as text cells: model mean with its range over replicates, pass or miss."""
    rows = []
    for r in table.itertuples():
        model = f"{_fmt(r.mean)} ({_fmt(r.low)} to {_fmt(r.high)}, n={r.n})"
        rows.append({"target": r.target, "regularity": r.regularity,
                     "measure": f"{r.measure}: {r.description}", "study": r.study,
                     "band": r.band, "model": model, "result": "pass" if r.passed else "MISS"})
    return rows


def markdown_table(table: pd.DataFrame) -> str:
    """The table as Markdown (for the README)."""
    rows = table_rows(table)
    lines = ["| " + " | ".join(TABLE_COLUMNS) + " |",
             "|" + "---|" * len(TABLE_COLUMNS)]
    lines += ["| " + " | ".join(row[c].replace("|", "/") for c in TABLE_COLUMNS) + " |"
              for row in rows]
    return "\n".join(lines)


def _layout(fig: go.Figure, title: str, x: str, y: str, **axes) -> go.Figure:
    fig.update_layout(title=title, template="plotly_white", height=420,
                      margin=dict(l=60, r=20, t=60, b=50),
                      xaxis_title=x, yaxis_title=y, **axes)
    return fig


# ------------------------------------------------------------------ figures


def posts_per_member_figure(obs: pd.DataFrame) -> go.Figure:
    """T1: posts per member against rank, log-log, one line per replicate."""
    fig = go.Figure()
    for r, group in obs.groupby("replicate"):
        posts = np.sort(group["posts"].to_numpy())[::-1]
        posts = posts[posts > 0]
        fig.add_scatter(x=np.arange(1, posts.size + 1), y=posts, mode="lines",
                        name=f"replicate {r}", line=dict(width=1.5))
    return _layout(fig, "T1: posts per member against rank (members who posted)",
                   "rank of member (1 = most posts)", "posts", xaxis_type="log",
                   yaxis_type="log")


def send_back_figure(obs: pd.DataFrame) -> go.Figure:
    """T2: mean money sent within 24 h against money received, luckiest draw apart."""
    fig = go.Figure()
    bins = np.quantile(obs["received"], np.linspace(0, 1, 11))
    for flag, name in ((False, "other grabbers"), (True, "luckiest draw")):
        part = obs[obs["luckiest"].astype(bool) == flag]
        if part.empty:
            continue
        binned = part.groupby(pd.cut(part["received"], np.unique(bins), include_lowest=True),
                              observed=True)
        fig.add_scatter(x=binned["received"].mean(), y=binned["sent_24h"].mean(),
                        mode="lines+markers", name=name)
    x = np.linspace(0, obs["received"].max(), 50)
    fig.add_scatter(x=x, y=0.18 * x + obs["sent_24h"][obs["received"] < obs["received"]
                                                     .quantile(0.1)].mean(),
                    mode="lines", line=dict(dash="dot", color="grey"),
                    name="slope 0.18 (Yuan et al.)")
    return _layout(fig, "T2: money sent to the group within 24 h against money received",
                   "money received (yuan, deciles)", "mean money sent within 24 h (yuan)")


def first_reply_figure(obs: pd.DataFrame) -> go.Figure:
    """T3: return rate of newcomers by whether their first post was answered."""
    seen = obs[(obs["observed_days"] > RETURN_WINDOW) & obs["ordinary"].astype(bool)]
    gap = seen["second_post_day"] - seen["first_post_day"]
    returned = (seen["second_post_day"] >= 0) & (gap <= RETURN_WINDOW)
    model = [returned[seen["answered"]].mean(), returned[~seen["answered"]].mean()]
    labels = ["first post answered", "first post ignored"]
    fig = go.Figure([go.Bar(x=labels, y=model, name="model"),
                     go.Bar(x=labels, y=[0.56, 0.44], name="Joyce & Kraut 2006")])
    return _layout(fig, f"T3: newcomers posting again within {RETURN_WINDOW} days",
                   "", "share who post again", yaxis_range=[0, 1])


def joining_figure(obs: pd.DataFrame) -> go.Figure:
    """T4: joining rate against friends inside, with and without ties among them."""
    fig = go.Figure()
    for name, part in (("all outsiders", obs),
                       ("friends inside linked", obs[obs["linked_pairs"] > 0]),
                       ("friends inside not linked", obs[(obs["linked_pairs"] == 0)
                                                        & (obs["friends_in"] >= 2)])):
        rates = join_rates(part)
        rates = rates[rates["n"] >= 20]
        fig.add_scatter(x=rates.index, y=rates["rate"], mode="lines+markers", name=name)
    return _layout(fig, "T4: joining within 14 days against friends already inside",
                   "friends inside (10 = 10 or more)", "share who joined")


def rules_figure(obs: pd.DataFrame, points: list[dict]) -> go.Figure:
    """T5: newcomers who post, and posts that keep the rules, with and without rules shown."""
    labels, participation, compliance = [], [], []
    for index, point in enumerate(points):
        part = newcomer_participation(obs[obs["point"] == index])
        labels.append("rules shown" if point[RULES_KEY] else "rules not shown")
        participation.append(part[0])
        compliance.append(part[1])
    fig = go.Figure([go.Bar(x=labels, y=participation, name="newcomers who post (30 days)"),
                     go.Bar(x=labels, y=compliance, name="their posts that keep the rules")])
    return _layout(fig, "T5: newcomers shown the rules or not (paired seeds)", "", "share",
                   yaxis_range=[0, 1])


def muting_figure(obs: pd.DataFrame) -> go.Figure:
    """T6: share of members who muted the group against messages per day."""
    days = obs[obs["record"] == "day"]
    fig = go.Figure(go.Scatter(x=days["messages"], y=days["muted_share"], mode="markers",
                               marker=dict(size=4, opacity=0.5, color=days["day"],
                                           colorscale="Viridis", showscale=True,
                                           colorbar=dict(title="day")),
                               name="one day of one run"))
    return _layout(fig, "T6: muted share against message volume in a large noisy group",
                   "messages that day", "share of members who muted the group")


def figures(validation: Validation) -> dict[str, go.Figure]:
    """One figure per target that was run."""
    obs, points = validation.observations, validation.points
    makers = {
        "T1": lambda o: posts_per_member_figure(o),
        "T2": lambda o: send_back_figure(o),
        "T3": lambda o: first_reply_figure(o),
        "T4": lambda o: joining_figure(o),
        "T5": lambda o: rules_figure(o, points["T5"]),
        "T6": lambda o: muting_figure(o),
    }
    return {t: makers[t](frame) for t, frame in obs.items() if t in makers and len(frame)}


# ------------------------------------------------------------------ html


def report_html(validation: Validation) -> str:
    """The self-contained report page."""
    rows = table_rows(validation.table)
    head = "".join(f"<th>{c}</th>" for c in TABLE_COLUMNS)
    body = "".join(
        "<tr class='{}'>".format("pass" if row["result"] == "pass" else "miss")
        + "".join(f"<td>{html.escape(row[c])}</td>" for c in TABLE_COLUMNS) + "</tr>"
        for row in rows)
    passed = int(validation.table["passed"].sum())
    total = len(validation.table)
    charts = []
    for i, (target, fig) in enumerate(figures(validation).items()):
        charts.append(f"<section id='{target}'>" + to_html(
            fig, full_html=False, include_plotlyjs="inline" if i == 0 else False,
            div_id=f"chart-{target}") + "</section>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>commsim validation</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px;
       color: #222; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; }}
tr.miss td:last-child {{ color: #b00; font-weight: bold; }}
tr.pass td:last-child {{ color: #070; }}
</style></head><body>
<h1>How close does commsim come to what studies of real groups measured?</h1>
<p>{passed} of {total} measures land in their band (suite size: {validation.size}).
Every model figure below is computed from simulated runs, measured the way the study
measured real data; the bands were fixed before calibration and are not widened to
make a measure pass. A MISS is a known limit of the model: see
<code>docs/validation.md</code>.</p>
<table><tr>{head}</tr>{body}</table>
{''.join(charts)}
</body></html>"""


def write_validation(validation: Validation, out: Path) -> Path:
    """Write ``validation.parquet``, ``replicates.parquet`` and ``report.html`` into ``out``."""
    text = report_html(validation)
    return write_together(out, {
        "validation.parquet": parquet_writer(validation.table),
        "replicates.parquet": parquet_writer(validation.replicates),
        "report.html": text_writer(text),
    })
