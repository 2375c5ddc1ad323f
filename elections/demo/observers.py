"""The demo's observers on election night: two accredited to the Викторовка precinct that
has reported. One copy agrees with the official protocol; the other differs by 10 votes on
one line, and the commission has answered it."""

from __future__ import annotations

from dataclasses import dataclass

from elections.ballots.models import FIGURE_FIELDS
from elections.ballots.services import current_version
from elections.observers import accreditation, copies, differences

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
