"""Server-side SVG charts for the analytics page: geometry here, markup in a template, no script."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from consent.analytics import ACTIONS, Day
from consent.models import OPTIONAL_PURPOSES, Action, PurposeSlug

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 8, 24
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
COLORS = {
    Action.ACCEPT_ALL: "#2e7d32",
    Action.CUSTOM: "#1565c0",
    Action.REJECT_ALL: "#c62828",
    Action.CLOSE: "#8d6e63",
    Action.WITHDRAW: "#6a1b9a",
    PurposeSlug.PREFERENCES: "#1565c0",
    PurposeSlug.STATISTICS: "#ef6c00",
    PurposeSlug.ADVERTISING: "#6a1b9a",
}


@dataclass(frozen=True)
class Series:
    label: str
    color: str
    shapes: list[dict]  # rects {x, y, w, h, title} or one polyline {points}


def _y(share: float) -> float:
    return round(TOP + PLOT_H * (1 - share), 1)


def frame(days: Sequence[Day]) -> dict:
    """Axes shared by both charts: 0-100 % grid lines and a few day labels."""
    step = PLOT_W / max(len(days), 1)
    ticks = sorted({0, len(days) // 2, len(days) - 1}) if days else []
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": TOP + PLOT_H,
        "grid": [{"y": _y(p / 100), "label": f"{p} %"} for p in (0, 25, 50, 75, 100)],
        "labels": [{"x": round(LEFT + step * (i + 0.5), 1), "text": days[i].day.isoformat()} for i in ticks],
    }


def action_bars(days: Sequence[Day]) -> list[Series]:
    """Each day a 100 % bar split by action."""
    step = PLOT_W / max(len(days), 1)
    series = []
    for action in ACTIONS:
        rects = []
        for i, d in enumerate(days):
            below = sum(d.share(a) for a in ACTIONS[: ACTIONS.index(action)])
            share = d.share(action)
            if share:
                rects.append(
                    {
                        "x": round(LEFT + step * i, 1),
                        "w": max(round(step - 1, 1), 0.5),
                        "y": _y(below + share),
                        "h": round(PLOT_H * share, 1),
                        "title": f"{d.day.isoformat()} · {action.label} : {share:.0%}",
                    }
                )
        series.append(Series(label=str(action.label), color=COLORS[action], shapes=rects))
    return series


def opt_in_lines(days: Sequence[Day], labels: Callable[[str], str] | None = None) -> list[Series]:
    """One line per optional purpose: its opt-in rate, day by day."""
    step = PLOT_W / max(len(days), 1)
    series = []
    for purpose in OPTIONAL_PURPOSES:
        points = " ".join(f"{round(LEFT + step * (i + 0.5), 1)},{_y(d.opt_in(purpose))}" for i, d in enumerate(days))
        label = labels(purpose) if labels else str(purpose.label)
        series.append(Series(label=label, color=COLORS[purpose], shapes=[{"points": points}]))
    return series
