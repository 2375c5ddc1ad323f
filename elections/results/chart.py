"""A horizontal bar chart of the votes as accessible SVG, drawn on the server (no script)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

ROW_HEIGHT = 34
LABEL_WIDTH = 260
BAR_WIDTH = 380
WIDTH = LABEL_WIDTH + BAR_WIDTH + 140


@dataclass(frozen=True)
class Bar:
    label: str
    votes: int
    share: float
    y: int
    width: int
    winner: bool


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    width: int
    label_width: int
    title: str


def bar_chart(result: dict) -> Chart:
    rows = [
        (
            row["name"],
            row["votes"],
            row["share"],
            row["candidate_id"] == result.get("winner_candidate_id"),
        )
        for row in result["candidates"]
    ]
    boxes = result["ballots_in_boxes"] or 0
    against_share = round(result["against_all"] / boxes, 4) if boxes else 0.0
    # The ballot paper is printed in Kazakh and Russian; the chart speaks the page's language.
    rows.append((_("Against all"), result["against_all"], against_share, False))
    most = max((votes for _n, votes, _s, _w in rows), default=0) or 1
    bars = [
        Bar(label, votes, share_, 10 + i * ROW_HEIGHT, round(BAR_WIDTH * votes / most), winner)
        for i, (label, votes, share_, winner) in enumerate(rows)
    ]
    return Chart(
        bars=bars,
        height=20 + len(bars) * ROW_HEIGHT,
        width=WIDTH,
        label_width=LABEL_WIDTH,
        title=_("Votes by candidate"),
    )
