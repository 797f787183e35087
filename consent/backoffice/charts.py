"""Server-side SVG charts for the analytics page: no script, no third party, presentation attributes only
(the admin's CSP allows no inline style). Built as one string: a template loop over a year of
daily bars takes longer than the SQL behind it."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from consent.backoffice.analytics import ACTIONS, Day
from consent.models import OPTIONAL_PURPOSES, Action, PurposeSlug

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 8, 24
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
COLORS: dict[str, str] = {
    Action.ACCEPT_ALL: "#2e7d32",
    Action.CUSTOM: "#1565c0",
    Action.REJECT_ALL: "#c62828",
    Action.CLOSE: "#8d6e63",
    Action.WITHDRAW: "#6a1b9a",
    PurposeSlug.PREFERENCES: "#1565c0",
    PurposeSlug.STATISTICS: "#ef6c00",
    PurposeSlug.ADVERTISING: "#6a1b9a",
}


def _y(share: float) -> float:
    return round(TOP + PLOT_H * (1 - share), 1)


def _svg(label: str, days: Sequence[Day], body: list[str]) -> SafeString:
    """The frame both charts share: 0-100 % grid lines, a few day labels, then ``body``."""
    step = PLOT_W / max(len(days), 1)
    parts = [
        f'<svg role="img" aria-label="{escape(label)}" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-size="10" font-family="sans-serif">'
    ]
    for percent in (0, 25, 50, 75, 100):
        y = _y(percent / 100)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="#ccc"/>'
            f'<text x="{LEFT - 4}" y="{y}" text-anchor="end" dominant-baseline="middle">{percent} %</text>'
        )
    for i in sorted({0, len(days) // 2, len(days) - 1}) if days else []:
        parts.append(
            f'<text x="{round(LEFT + step * (i + 0.5), 1)}" y="{TOP + PLOT_H + 14}" '
            f'text-anchor="middle">{days[i].day.isoformat()}</text>'
        )
    return mark_safe("".join([*parts, *body, "</svg>"]))  # every interpolated text is escaped or numeric


def action_chart(days: Sequence[Day], label: str) -> SafeString:
    """Each day a 100 % bar split by action, with the figure in each segment's tooltip."""
    step = PLOT_W / max(len(days), 1)
    width = max(round(step - 1, 1), 0.5)
    body = []
    for action in ACTIONS:
        body.append(f'<g fill="{COLORS[action]}">')
        name = escape(action.label)
        for i, d in enumerate(days):
            share = d.share(action)
            if share:
                below = sum(d.share(a) for a in ACTIONS[: ACTIONS.index(action)])
                body.append(
                    f'<rect x="{round(LEFT + step * i, 1)}" y="{_y(below + share)}" width="{width}" '
                    f'height="{round(PLOT_H * share, 1)}"><title>{d.day.isoformat()} · {name} : '
                    f"{share:.0%}</title></rect>"
                )
        body.append("</g>")
    return _svg(label, days, body)


def opt_in_chart(days: Sequence[Day], label: str) -> SafeString:
    """One line per optional purpose: its opt-in rate, day by day."""
    step = PLOT_W / max(len(days), 1)
    body = []
    for purpose in OPTIONAL_PURPOSES:
        points = " ".join(f"{round(LEFT + step * (i + 0.5), 1)},{_y(d.opt_in(purpose))}" for i, d in enumerate(days))
        body.append(f'<polyline fill="none" stroke="{COLORS[purpose]}" stroke-width="2" points="{points}"/>')
    return _svg(label, days, body)


def legend(keys: Sequence[str], labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(labels[key], COLORS[key]) for key in keys]
