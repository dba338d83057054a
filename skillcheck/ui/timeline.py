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
from typing import TYPE_CHECKING, Any, TypedDict

from skillcheck.rules import AssessmentResult
from skillcheck.rules.models import PeriodRoute, RouteResult

if TYPE_CHECKING:  # altair and pandas are imported when a chart is drawn, not with the page
    import altair as alt

_STATUS_COLORS = {
    "counted": "#2e7d32",
    "partly counted": "#9ccc65",
    "not counted": "#bdbdbd",
}


class WindowRow(TypedDict):
    """A window as the chart draws it."""

    window: str
    s: date
    e: date


# The chart's rows: their keys are the tooltips' field names (some have spaces).
JobRow = TypedDict(
    "JobRow",
    {
        "row": str,
        "start": date,
        "end": date,
        "status": str,
        "days counted": int,
        "not counted": str,
    },
)
CountedRow = TypedDict("CountedRow", {"row": str, "start": date, "end": date, "days counted": int})


class QualRow(TypedDict):
    """A completed qualification as the chart draws it."""

    row: str
    on: date


def focus_route(result: AssessmentResult) -> RouteResult | None:
    """The route the chart shows: the one met, else the qualifying one closest to met."""
    chosen = [r for r in result.routes if r.route == result.pathway]
    if chosen:
        return chosen[0]
    qualifying = [r for r in result.routes if r.qualification_met]
    if not qualifying:
        return None
    return max(qualifying, key=lambda r: r.counted_days / max(r.required_days or 1, 1))


def windows(result: AssessmentResult) -> list[WindowRow]:
    """The engine's windows (10 and 5 years ending on the application date)."""
    return [{"window": f"last {w.years} years", "s": w.start, "e": w.end} for w in result.windows]


def _job_rows(
    result: AssessmentResult, route: RouteResult | None
) -> tuple[list[JobRow], list[CountedRow]]:
    jobs: list[JobRow] = []
    counted: list[CountedRow] = []
    for p in result.periods:
        label = f"Job {p.index + 1}: {p.title or '(no title)'}"
        by_route = {br.route: br for br in p.by_route}
        share: PeriodRoute | None = by_route.get(route.route) if route else None
        days = share.counted_days if share else 0
        total = p.days_to_application_date or p.days
        status = "not counted" if days <= 0 else "counted" if days >= total else "partly counted"
        why = [f"{x.reason} ({x.days} days)" for x in p.excluded]
        why += [f"{x.reason} ({x.days} days)" for x in (share.not_counted if share else [])]
        jobs.append(
            {
                "row": label,
                "start": p.start,
                "end": p.runs_to,
                "status": status,
                "days counted": days,
                "not counted": "; ".join(why),
            }
        )
        first = share.counted_from if share else None
        last = share.counted_to if share else None
        if days > 0 and first is not None and last is not None:
            counted.append({"row": label, "start": first, "end": last, "days counted": days})
    return jobs, counted


#: The windows' labels, at least 4.5:1 on the page in each theme.
WINDOW_LABEL = {"light": "#0d47a1", "dark": "#90caf9"}


def timeline_chart(result: AssessmentResult, theme: str = "light") -> alt.LayerChart | None:
    """The chart, or None when there is nothing dated to draw (``theme``: light or dark)."""
    route = focus_route(result)
    jobs, counted = _job_rows(result, route)
    quals: list[QualRow] = [
        {"row": f"Qualification {q.index + 1}: {q.title or q.level}", "on": q.completed}
        for q in result.qualifications
        if q.completed is not None
    ]
    if not jobs and not quals:
        return None
    title = f"Counted days for route {route.route}" if route else "No route's qualification met"
    label = WINDOW_LABEL.get(theme, WINDOW_LABEL["light"])
    return _layers(result.application_date, windows(result), jobs, counted, quals, title, label)


def _layers(
    app: date,
    spans: list[WindowRow],
    jobs: list[JobRow],
    counted: list[CountedRow],
    quals: list[QualRow],
    title: str,
    label: str,
) -> alt.LayerChart:
    import altair as alt
    import pandas as pd  # type: ignore[import-untyped]

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
        .mark_text(align="left", baseline="bottom", dx=2, fontSize=11, color=label)
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
