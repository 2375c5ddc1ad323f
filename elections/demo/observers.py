"""The demo's observers on election night: two accredited to the Викторовка precinct that
has reported. One copy agrees with the official protocol; the other differs by 10 votes on
one line, and the commission has answered it."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

from elections.ballots.models import FIGURE_FIELDS
from elections.ballots.services import current_version
from elections.observers import accreditation, copies, differences, scans

DIFFERENT_LINE_BY = 10


@dataclass(frozen=True)
class DemoObserver:
    username: str
    name: str
    iin: str
    sent_by: dict


OBSERVERS = (
    DemoObserver(
        "observer-701a",
        "Нұрланова Айгерім Бекқызы",
        "900315440016",
        {"type": "association", "name": "«Адал сайлау» қоғамдық бірлестігі"},
    ),
    DemoObserver(
        "observer-701b",
        "Петренко Игорь Сергеевич",
        "870622330013",
        {"type": "candidate", "name": "Ким Ольга Викторовна"},
    ),
)


def observe(election, precinct, chair, passwords: dict[str, str]) -> list:
    """Accredit the two observers to ``precinct``, give each an account with the password of
    ``passwords``, enter their copies and answer the difference; their accreditations."""
    official = current_version(precinct)
    scans.attach_scan(precinct, paper(precinct, official), chair)
    lines = {name: getattr(official, name) for name in FIGURE_FIELDS}
    votes = {str(cid): n for cid, n in official.votes_by_candidate().items()}
    made = []
    for number, observer in enumerate(OBSERVERS):
        accredited = accreditation.accredit(
            election,
            {
                "name": observer.name,
                "iin": observer.iin,
                "sent_by": observer.sent_by,
                "precinct_ids": [precinct.id],
            },
            chair,
        )
        user = accreditation.create_account(
            observer.username, passwords[observer.username], accredited.id, chair
        )
        copied = dict(votes)
        if number == 1:  # the second candidate's line reads 10 more on this copy
            second = list(copied)[1]
            copied[second] += DIFFERENT_LINE_BY
        copy = copies.enter_copy(precinct, {**lines, "votes": copied}, accredited, user)
        for found in differences.of_copy(copy):
            differences.answer(
                found,
                "explained",
                "Бақылаушының көшірмесінде 2-кандидаттың жолы түзетілген: хаттаманың "
                "түпнұсқасы қайта тексерілді, ресми сан дұрыс.",
                chair,
            )
        made.append(accredited)
    return made


def paper(precinct, version) -> bytes:
    """A drawn stand-in for the photo of the signed protocol: its lines and figures."""
    figures = [getattr(version, name) for name in FIGURE_FIELDS[:6]]
    figures += [vote.votes for vote in version.votes] + [version.against_all]
    image = Image.new("L", (620, 120 + 34 * len(figures)), 250)
    draw = ImageDraw.Draw(image)
    draw.text((30, 30), f"PROTOCOL  No {precinct.number}  (version {version.version})", fill=20)
    for number, figure in enumerate(figures, start=1):
        y = 80 + 34 * (number - 1)
        draw.text((30, y), f"{number:>2}.", fill=20)
        draw.text((480, y), f"{figure:>6}", fill=20)
        draw.line((80, y + 18, 470, y + 18), fill=160)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
