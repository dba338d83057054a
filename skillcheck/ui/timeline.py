"""The timeline of an assessment: jobs and qualifications against the 5- and 10-year windows.

One Altair chart: the two windows before the application date shaded, each job as
a bar (coloured by whether the engine counted it), each qualification's completion
as a diamond, and the days the engine counted drawn over the jobs. The counted days
come from the engine's result; the chart never recounts them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import altair as alt
import pandas as pd  # type: ignore[import-untyped]

DAYS_PER_YEAR = 365
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


def _windows(result: dict[str, Any], app: date) -> list[dict[str, Any]]:
    found = result.get("windows")
    out = []
    if isinstance(found, list):
        for w in found:
            s, e = _day(w.get("start")), _day(w.get("end"))
            if s and e:
                out.append({"window": str(w.get("label") or w.get("name") or ""), "s": s, "e": e})
    if out:
        return out
    return [
        {
            "window": f"last {years} years",
            "s": app - timedelta(days=years * DAYS_PER_YEAR - 1),
            "e": app,
        }
        for years in (10, 5)
    ]


def _segments(period: dict[str, Any]) -> list[tuple[date, date]]:
    """The date ranges the engine counted for one period, whatever it names them."""
    out = []
    for key in ("counted_ranges", "counted_segments", "counted_spans", "counted"):
        spans = period.get(key)
        if isinstance(spans, list):
            for span in spans:
                if isinstance(span, dict):
                    s, e = _day(span.get("start")), _day(span.get("end"))
                elif isinstance(span, list | tuple) and len(span) == 2:
                    s, e = _day(span[0]), _day(span[1])
                else:
                    continue
                if s and e:
                    out.append((s, e))
    s = _day(period.get("counted_start") or period.get("counted_from"))
    e = _day(period.get("counted_end") or period.get("counted_to"))
    if s and e:
        out.append((s, e))
    return out


def _days_counted(period: dict[str, Any]) -> int:
    for key in ("days_counted", "counted_days", "days"):
        value = period.get(key)
        if isinstance(value, int | float):
            return int(value)
    return 0


def _period_for(periods: list[dict[str, Any]], index: int) -> dict[str, Any]:
    for p in periods:
        if p.get("index") == index or p.get("job_index") == index:
            return p
    return periods[index] if index < len(periods) else {}


def timeline_chart(payload: dict[str, Any], result: dict[str, Any]) -> alt.LayerChart | None:
    """The chart, or None when there is nothing dated to draw."""
    app = _day(payload.get("application_date") or result.get("application_date")) or date.today()
    periods = [p for p in result.get("periods") or [] if isinstance(p, dict)]
    jobs: list[dict[str, Any]] = []
    counted: list[dict[str, Any]] = []
    quals: list[dict[str, Any]] = []
    for i, job in enumerate(payload.get("employment") or []):
        start = _day(job.get("start"))
        if start is None:
            continue
        end = _day(job.get("end")) or app
        label = f"Job {i + 1}: {job.get('title') or 'untitled'}"
        period = _period_for(periods, i)
        days = _days_counted(period)
        span_days = (min(end, app) - start).days + 1
        status = (
            "not counted" if days <= 0 else "counted" if days >= span_days else "partly counted"
        )
        reasons = period.get("excluded_reasons") or period.get("reasons") or period.get("reason")
        jobs.append(
            {
                "row": label,
                "start": start,
                "end": end,
                "status": status,
                "days counted": days,
                "why": "; ".join(map(str, reasons)) if isinstance(reasons, list) else reasons or "",
            }
        )
        counted.extend({"row": label, "start": s, "end": e} for s, e in _segments(period))
    for i, qual in enumerate(payload.get("qualifications") or []):
        done = _day(qual.get("completed"))
        if done is not None:
            quals.append({"row": f"Qualification {i + 1}: {qual.get('title') or ''}", "on": done})
    if not jobs and not quals:
        return None
    return _layers(app, _windows(result, app), jobs, counted, quals)


def _layers(
    app: date,
    windows: list[dict[str, Any]],
    jobs: list[dict[str, Any]],
    counted: list[dict[str, Any]],
    quals: list[dict[str, Any]],
) -> alt.LayerChart:
    rows = [j["row"] for j in jobs] + [q["row"] for q in quals]
    y = alt.Y("row:N", title=None, sort=rows, axis=alt.Axis(labelLimit=260))
    win = pd.DataFrame(windows)
    shade = (
        alt.Chart(win)
        .mark_rect(opacity=0.12)
        .encode(
            x=alt.X("s:T", title=None),
            x2="e:T",
            color=alt.Color(
                "window:N",
                scale=alt.Scale(range=["#1e88e5", "#1e88e5"]),
                legend=None,
            ),
            tooltip=[alt.Tooltip("window:N"), alt.Tooltip("s:T", title="from"), "e:T"],
        )
    )
    win_labels = (
        alt.Chart(win)
        .mark_text(align="left", baseline="top", dx=3, dy=3, fontSize=10, color="#1565c0")
        .encode(x="s:T", y=alt.value(0), text="window:N")
    )
    layers: list[Any] = [shade, win_labels]
    if jobs:
        layers.append(
            alt.Chart(pd.DataFrame(jobs))
            .mark_bar(height=14, opacity=0.55)
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
                tooltip=["row:N", "start:T", "end:T", "status:N", "days counted:Q", "why:N"],
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
                ],
            )
        )
    if quals:
        layers.append(
            alt.Chart(pd.DataFrame(quals))
            .mark_point(shape="diamond", size=140, filled=True, color="#6a1b9a")
            .encode(x="on:T", y=y, tooltip=["row:N", alt.Tooltip("on:T", title="completed")])
        )
    layers.append(
        alt.Chart(pd.DataFrame([{"on": app, "label": "application date"}]))
        .mark_rule(color="#c62828", strokeDash=[4, 3])
        .encode(x="on:T", tooltip=[alt.Tooltip("on:T", title="application date")])
    )
    height = max(120, 34 * len(rows) + 40)
    chart = alt.LayerChart(layer=layers, height=height)
    resolved: alt.LayerChart = chart.resolve_scale(color="independent")
    return resolved
