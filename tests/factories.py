"""factory-boy factories for every model, and a small ready-made world."""

from __future__ import annotations

import io
import itertools
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import factory
from factory.alchemy import SQLAlchemyModelFactory
from PIL import Image

from elections.auth.models import User
from elections.auth.services import hash_password
from elections.candidates.iin import make_iin
from elections.candidates.models import Candidate, CandidateEvent
from elections.candidates.services import new_application_number
from elections.core.extensions import db
from elections.observers.models import Accreditation
from elections.rules import default_profile_key, load_profile
from elections.territory.models import Election, Party, Precinct, Unit
from elections.voters.pii import iin_hash

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UnitFactory(Base):
    class Meta:
        model = Unit

    kato = factory.Sequence(lambda n: f"{700000000 + n:09d}")
    kind = "region"
    parent = None
    name_kk = factory.Sequence(lambda n: f"Аймақ {n}")
    name_ru = factory.Sequence(lambda n: f"Регион {n}")


class PartyFactory(Base):
    class Meta:
        model = Party

    short_name = factory.Sequence(lambda n: f"P{n}")
    name_kk = factory.Sequence(lambda n: f"{n}-партия")
    name_ru = factory.Sequence(lambda n: f"Партия {n}")


def default_election_day() -> date:
    """Election day of a factory election: nomination is open today, polling is 40 days on."""
    return date.today() + timedelta(days=40)


def count_night() -> datetime:
    """An hour into the count of a factory election (21:00 Almaty on its election day)."""
    return datetime.combine(default_election_day(), time(21, 0), tzinfo=ZoneInfo("Asia/Almaty"))


class ElectionFactory(Base):
    class Meta:
        model = Election

    kind = "rural"
    called_on = factory.LazyFunction(lambda: date.today() - timedelta(days=5))
    election_day = factory.LazyFunction(default_election_day)
    profile_key = factory.LazyAttribute(lambda o: default_profile_key(o.kind, o.called_on))
    profile_snapshot = factory.LazyAttribute(lambda o: load_profile(o.profile_key).data)
    state = "open"


class PrecinctFactory(Base):
    class Meta:
        model = Precinct

    number = factory.Sequence(lambda n: 100 + n)
    voters_on_list = 1000
    address = factory.Sequence(lambda n: f"Мектеп көшесі {n}")


class UserFactory(Base):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    role = "cec_admin"
    password_hash = _PASSWORD_HASH
    active = True


def make_world(**election_kwargs) -> SimpleNamespace:
    """Region > district > rural district > two villages; a rural election with two precincts,
    a neighbouring district with its own election, and one user of each role."""
    region = UnitFactory(kind="region")
    district = UnitFactory(kind="district", parent=region)
    rural = UnitFactory(kind="rural_district", parent=district)
    village_a = UnitFactory(kind="village", parent=rural)
    village_b = UnitFactory(kind="village", parent=rural)
    other_district = UnitFactory(kind="district", parent=region)
    other_rural = UnitFactory(kind="rural_district", parent=other_district)

    election = ElectionFactory(unit=rural, organiser=district, **election_kwargs)
    precinct_a = PrecinctFactory(election=election, unit=village_a, voters_on_list=1200)
    precinct_b = PrecinctFactory(election=election, unit=village_b, voters_on_list=800)
    other_election = ElectionFactory(unit=other_rural, organiser=other_district)
    other_precinct = PrecinctFactory(election=other_election, unit=other_rural)

    users = {
        "cec_admin": UserFactory(role="cec_admin"),
        "territorial_member": UserFactory(role="territorial_member", commission=district),
        "territorial_chair": UserFactory(role="territorial_chair", commission=district),
        "precinct_secretary": UserFactory(role="precinct_secretary", precinct=precinct_a),
        "other_member": UserFactory(role="territorial_member", commission=other_district),
        "other_secretary": UserFactory(role="precinct_secretary", precinct=precinct_b),
        "observer": UserFactory(role="observer"),
    }
    observer = accredit_observer(election, [precinct_a], users["observer"])
    db.session.flush()
    return SimpleNamespace(
        region=region.kato,
        district=district.kato,
        rural=rural.kato,
        village_a=village_a.kato,
        village_b=village_b.kato,
        other_district=other_district.kato,
        election_id=election.id,
        precinct_a=precinct_a.id,
        precinct_b=precinct_b.id,
        other_election_id=other_election.id,
        other_precinct=other_precinct.id,
        users={role: user.id for role, user in users.items()},
        accreditation_id=observer.id,
        usernames={role: user.username for role, user in users.items()},
    )


def accredit_observer(election, precincts, user=None, name="Бақылаушы Әлия") -> Accreditation:
    """An accreditation in force for these precincts, with ``user`` as its account."""
    iin, _born = fresh_iin("female")
    accreditation = Accreditation(
        election_id=election.id,
        name=name,
        iin_hash=iin_hash(iin),
        iin_tail=iin[-4:],
        sent_by_type="association",
        sent_by_name="Адал сайлау",
        accredited_by="factory",
        user_id=user.id if user else None,
        precincts=list(precincts),
    )
    db.session.add(accreditation)
    db.session.flush()
    return accreditation


# --- Scans -------------------------------------------------------------------------------------


def png_bytes(size: tuple[int, int] = (40, 30), colour=(200, 30, 30)) -> bytes:
    """A small PNG, as a phone would not send it but as Pillow decodes it all the same."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


# Where the photo was taken, as a phone writes it (GPS IFD: latitude 51°10' N, Astana).
GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    """A JPEG photo with EXIF: the camera, the time and the place (GPS) it was taken."""
    image = Image.new("RGB", (64, 48), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:12:06 21:15:00"  # DateTime
    exif[0x0112] = 1  # Orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 10.0, 0.0), 3: "E", 4: (71.0, 26.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


# --- Candidates ---------------------------------------------------------------------------

COMMON_DOCUMENTS = {
    "application": True,
    "biography": True,
    "declarations": True,
    "tax_certificate": True,
}
SELF_DOCUMENTS = {**COMMON_DOCUMENTS, "signature_check_protocol": True}
PARTY_DOCUMENTS = {**COMMON_DOCUMENTS, "party_decision": True}
_body_serial = itertools.count()


def fresh_iin(sex: str = "male") -> tuple[str, date]:
    """A valid IIN no other test data uses, and the birth date it encodes."""
    birth_date = date(1960, 1, 1) + timedelta(days=next(_body_serial))
    return make_iin(birth_date, sex, 1), birth_date


def nomination_body(nomination: dict, **overrides) -> dict:
    """A complete API nomination body for an eligible person with a fresh IIN.

    ``nomination`` is the nomination object, e.g. ``party_nomination(party_id)`` or
    ``self_nomination(20, 1)``; ``overrides`` replace top-level fields.
    """
    iin, birth_date = fresh_iin()
    party = nomination.get("type") == "party"
    body = {
        "iin": iin,
        "last_name": "Сейткали",
        "first_name": "Айгерим",
        "patronymic": "Нурлановна",
        "birth_date": birth_date.isoformat(),
        "citizenship": "KZ",
        "education": "higher",
        "work_experience_years": 6.5,
        "nomination": nomination,
        "deposit_paid": True,
        "documents": dict(PARTY_DOCUMENTS if party else SELF_DOCUMENTS),
        "legal_capacity": True,
        "serving_sentence": False,
        "unexpunged_conviction": False,
        "corruption_offence": False,
        "special_check": "passed",
        "consecutive_terms_in_post": 0,
        "qualification_met": True,
        "qualification_note": "Diploma and employment record checked",
    }
    body.update(overrides)
    return body


def party_nomination(party_id: int, member: bool = True) -> dict:
    return {"type": "party", "party_id": party_id, "party_member": member}


def self_nomination(signatures: int, settlements: int) -> dict:
    return {"type": "self", "signatures_valid": signatures, "settlements_covered": settlements}


class CandidateFactory(Base):
    """An eligible party nominee, status ``submitted`` with its history event.

    Pass ``election``; ``status`` other than submitted adds a second history event.
    """

    class Meta:
        model = Candidate

    application_number = factory.LazyFunction(new_application_number)
    birth_date = factory.Sequence(lambda n: date(1980, 1, 1) + timedelta(days=n))
    iin = factory.LazyAttribute(lambda o: make_iin(o.birth_date, "female", 1))
    last_name = factory.Sequence(lambda n: f"Ахметова{n}")
    first_name = "Динара"
    patronymic = "Серикқызы"
    citizenship = "KZ"
    education = "higher"
    work_experience_years = 6.0
    nomination_type = "party"
    party = factory.SubFactory(PartyFactory)
    party_member = True
    signatures_valid = None
    settlements_covered = None
    deposit_paid = True
    documents = factory.LazyFunction(lambda: dict(PARTY_DOCUMENTS))
    legal_capacity = True
    serving_sentence = False
    unexpunged_conviction = False
    corruption_offence = False
    special_check = "passed"
    consecutive_terms_in_post = 0
    qualification_met = True
    qualification_note = "Diploma and employment record checked"
    status = "submitted"
    grounds = factory.LazyFunction(list)

    class Params:
        self_nominated = factory.Trait(
            nomination_type="self",
            party=None,
            party_member=None,
            signatures_valid=20,
            settlements_covered=1,
            documents=factory.LazyFunction(lambda: dict(SELF_DOCUMENTS)),
        )

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        if not create:
            return
        statuses = ["submitted"] if obj.status == "submitted" else ["submitted", obj.status]
        for status in statuses:
            db.session.add(
                CandidateEvent(
                    candidate=obj, status=status, actor="factory", grounds=list(obj.grounds)
                )
            )
        db.session.flush()
