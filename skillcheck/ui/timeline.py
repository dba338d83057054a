"""The timeline of an assessment: jobs and qualifications against the 5- and 10-year windows.

One Altair chart: the two windows before the application date shaded, each job as a
bar (coloured by whether the engine counted any of it for the route shown), each
qualification's completion as a diamond, and the counted days drawn over the jobs.
Every date and number drawn is the engine's: the windows (``windows``), each job's
days up to the application date (``periods[].runs_to``) and the days a route counted
from it (``periods[].by_route[]``: ``counted_from``, ``counted_to``, ``counted_days``).
The chart does no date arithmetic of its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import altair as alt
import pandas as pd  # type: ignore[import-untyped]

_STATUS_COLORS = {
    "counted": "#2e7d32",
    "partly counted": "#9ccc65",
    "not counted": "#bdbdbd",
}


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def focus_route(result: dict[str, Any]) -> dict[str, Any] | None:
    """The route the chart shows: the one met, else the qualifying one closest to met."""
    routes = [r for r in result.get("routes") or [] if isinstance(r, dict)]
    chosen = [r for r in routes if r.get("route") == result.get("pathway")]
    if chosen:
        return chosen[0]
    qualifying = [r for r in routes if r.get("qualification_met")]
    if not qualifying:
        return None
    return max(
        qualifying,
        key=lambda r: int(r.get("counted_days") or 0) / max(int(r.get("required_days") or 1), 1),
    )


def windows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The engine's windows (10 and 5 years ending on the application date)."""
    rows = []
    for w in result.get("windows") or []:
        start, end = _day(w.get("start")), _day(w.get("end"))
        if start is not None and end is not None:
            rows.append({"window": f"last {w.get('years')} years", "s": start, "e": end})
    return rows


def _job_rows(
    result: dict[str, Any], route: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    jobs, counted = [], []
    for p in result.get("periods") or []:
        start, end = _day(p.get("start")), _day(p.get("runs_to"))
        if start is None or end is None:
            continue
        label = f"Job {p.get('index')}: {p.get('title') or '(no title)'}"
        by_route = {br.get("route"): br for br in p.get("by_route") or []}
        share = by_route.get(route.get("route")) if route else None
        days = int(share.get("counted_days") or 0) if share else 0
        total = int(p.get("days_to_application_date") or p.get("days") or 0)
        status = "not counted" if days <= 0 else "counted" if days >= total else "partly counted"
        why = [f"{x.get('reason')} ({x.get('days')} days)" for x in p.get("excluded") or []]
        why += [
            f"{x.get('reason')} ({x.get('days')} days)"
            for x in (share or {}).get("not_counted") or []
        ]
        jobs.append(
            {
                "row": label,
                "start": start,
                "end": end,
                "status": status,
                "days counted": days,
                "not counted": "; ".join(why),
            }
        )
        first, last = _day((share or {}).get("counted_from")), _day((share or {}).get("counted_to"))
        if days > 0 and first is not None and last is not None:
            counted.append({"row": label, "start": first, "end": last, "days counted": days})
    return jobs, counted


def timeline_chart(payload: dict[str, Any], result: dict[str, Any]) -> alt.LayerChart | None:
    """The chart, or None when there is nothing dated to draw."""
    app = _day(result.get("application_date") or payload.get("application_date")) or date.today()
    route = focus_route(result)
    jobs, counted = _job_rows(result, route)
    quals = [
        {"row": f"Qualification {q.get('index')}: {q.get('title') or q.get('level')}", "on": done}
        for q in result.get("qualifications") or []
        if (done := _day(q.get("completed"))) is not None
    ]
    if not jobs and not quals:
        return None
    title = f"Counted days for route {route['route']}" if route else "No route's qualification met"
    return _layers(app, windows(result), jobs, counted, quals, title)


def _layers(
    app: date,
    spans: list[dict[str, Any]],
    jobs: list[dict[str, Any]],
    counted: list[dict[str, Any]],
    quals: list[dict[str, Any]],
    title: str,
) -> alt.LayerChart:
    rows = [j["row"] for j in jobs] + [q["row"] for q in quals]
    y = alt.Y("row:N", title=None, sort=rows, axis=alt.Axis(labelLimit=260))
    win = pd.DataFrame(spans)
    layers: list[Any] = [
        alt.Chart(win)
        .mark_rect(opacity=0.10, color="#1e88e5")
        .encode(
            x=alt.X("s:T", title=None),
            x2="e:T",
            tooltip=[
                alt.Tooltip("window:N"),
                alt.Tooltip("s:T", title="from"),
                alt.Tooltip("e:T", title="to"),
            ],
        ),
        alt.Chart(win)
        .mark_text(align="left", baseline="bottom", dx=2, fontSize=11, color="#1565c0")
        .encode(x="s:T", y=alt.value(-4), text="window:N"),
    ]
    if jobs:
        layers.append(
            alt.Chart(pd.DataFrame(jobs))
            .mark_bar(height=16, opacity=0.45)
            .encode(
                x="start:T",
                x2="end:T",
                y=y,
                color=alt.Color(
                    "status:N",
                    title="Employment",
                    scale=alt.Scale(
                        domain=list(_STATUS_COLORS), range=list(_STATUS_COLORS.values())
                    ),
                ),
                tooltip=[
                    "row:N",
                    "start:T",
                    "end:T",
                    "status:N",
                    "days counted:Q",
                    "not counted:N",
                ],
            )
        )
    if counted:
        layers.append(
            alt.Chart(pd.DataFrame(counted))
            .mark_bar(height=6, color="#1b5e20")
            .encode(
                x="start:T",
                x2="end:T",
                y=y,
                tooltip=[
                    "row:N",
                    alt.Tooltip("start:T", title="counted from"),
                    alt.Tooltip("end:T", title="counted to"),
                    "days counted:Q",
                ],
            )
        )
    if quals:
        layers.append(
            alt.Chart(pd.DataFrame(quals))
            .mark_point(shape="diamond", size=150, filled=True, color="#6a1b9a", opacity=1)
            .encode(x="on:T", y=y, tooltip=["row:N", alt.Tooltip("on:T", title="completed")])
        )
    layers.append(
        alt.Chart(pd.DataFrame([{"on": app}]))
        .mark_rule(color="#c62828", strokeDash=[4, 3], size=2)
        .encode(x="on:T", tooltip=[alt.Tooltip("on:T", title="application date")])
    )
    height = max(160, 40 * len(rows) + 40)
    chart = alt.LayerChart(layer=layers, height=height, title=title)
    resolved: alt.LayerChart = chart.resolve_scale(color="independent")
    return resolved
