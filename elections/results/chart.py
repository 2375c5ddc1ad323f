"""A horizontal bar chart of the votes as accessible SVG, drawn on the server (no script).

The chart is as wide as its column and never scaled: positions across are percentages
and heights are CSS pixels, so its text keeps its real size (15 px names, 14 px
figures) on a 390 px phone as on a desktop. Each row is the name on a line of its own,
then the bar, with the votes and share just after its end: the longest bar takes
``BAR_SPAN`` percent of the width, which leaves room for the figures on a phone.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

ROW_HEIGHT = 50  # text line (20) + bar (16) + space (14), in CSS pixels
TEXT_BASELINE = 16  # from the top of a row
BAR_TOP = 24
BAR_HEIGHT = 16
BAR_SPAN = 68  # percent of the chart's width for the longest bar
LABEL_CHARACTERS = 40  # a longer name is cut with an ellipsis; the full one is in <desc>


@dataclass(frozen=True)
class Bar:
    label: str
    votes: int
    share: float
    y: int  # the top of the row, px
    width: float  # the bar's length, percent of the chart's width (the most votes: BAR_SPAN)
    winner: bool
    against_all: bool = False

    @property
    def text_y(self) -> int:
        return self.y + TEXT_BASELINE

    @property
    def bar_y(self) -> int:
        return self.y + BAR_TOP


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    title: str
    bar_height: int = BAR_HEIGHT
    label_characters: int = LABEL_CHARACTERS


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
        Bar(
            label,
            votes,
            share_,
            4 + i * ROW_HEIGHT,
            round(BAR_SPAN * votes / most, 2),
            winner,
            against_all=i == len(rows) - 1,
        )
        for i, (label, votes, share_, winner) in enumerate(rows)
    ]
    return Chart(bars=bars, height=len(bars) * ROW_HEIGHT, title=_("Votes by candidate"))
