"""The organising commission's decisions about an election's rules (domain.md, "Rule profiles";
"Verified and unverified rules").

Re-binding: a profile that was itself wrong is corrected by a new version of that profile; until
election day the commission may re-bind its election to the corrected version (or, having called
it with the wrong one, to another shipped profile of the same kind). The snapshot becomes the
shipped file as it stands.

Turning a rule on: a rule no source confirms refuses no one, unless the commission names the
source that confirms it (a decision of a commission, a court, the CEC ...). The snapshot's entry
then says ``confirmed: true`` with that basis and who turned it on, and eligibility applies it.
Only until registration closes: changing the rules while the commission is deciding on
candidates would treat them unequally. Turning it off restores the shipped, unconfirmed entry.

Each is one ``ElectionDecision`` and one audit event (elections/territory/decisions.py), in the
caller's transaction.
"""

from __future__ import annotations

import copy

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from elections.auth.access import ensure_organiser
from elections.core.clock import now
from elections.core.errors import ErrorItem, ServiceError, conflict, forbidden, invalid, not_found
from elections.core.extensions import db
from elections.rules import UnknownProfile, load_profile, profile_keys
from elections.territory.decisions import record_decision
from elections.territory.models import Election
from elections.territory.schemas import ElectionOut
from elections.territory.services import get_election, lock_election
from elections.web.access import current_actor, roles
from elections.web.api import SETUP, ApiBlueprint, errors

LANGUAGES = ("kk", "ru", "en")
TEXT_MAX = 2000


def _text(value: str) -> None:
    if not value.strip():
        raise ValidationError(_("Write it out: blank text is not enough."))


TEXT = [validate.Length(max=TEXT_MAX), _text]


class RebindIn(Schema):
    reason = fields.String(required=True, validate=TEXT)
    profile = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class BasisIn(Schema):
    kk = fields.String(required=True, validate=TEXT)
    ru = fields.String(required=True, validate=TEXT)
    en = fields.String(required=True, validate=TEXT)


class RuleDecisionIn(Schema):
    enabled = fields.Boolean(required=True, truthy={True}, falsy={False})
    basis = fields.Nested(BasisIn, load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=TEXT)

    @validates_schema
    def _basis_to_turn_on(self, data, **_kwargs):
        if data.get("enabled") is True and not data.get("basis"):
            raise ValidationError(
                _("Name the source that confirms the rule, in Kazakh, Russian and English."),
                "basis",
            )


# --- Who may decide --------------------------------------------------------------------------


def ensure_rule_decider(user, election: Election, *, admin: bool = False) -> None:
    """The organising commission's chair (and, for a re-binding, a CEC administrator)."""
    if admin and user.role == "cec_admin":
        return
    if user.role == "cec_admin":
        raise forbidden()
    ensure_organiser(user, election, chair=True)


# --- What the shipped files say ----------------------------------------------------------------


def shipped_data(key: str) -> dict | None:
    try:
        return load_profile(key).data
    except UnknownProfile:
        return None


def newer_version(election: Election) -> int | None:
    """The version of the shipped profile of the election's key, when it is newer."""
    shipped = shipped_data(election.profile_key)
    if shipped is None or shipped["version"] <= election.profile_snapshot.get("version", 0):
        return None
    return shipped["version"]


def shipped_entry(election: Election, rule: str) -> dict | None:
    shipped = shipped_data(election.profile_key)
    return None if shipped is None else shipped["rules"].get(rule)


def togglable(election: Election, rule: str) -> bool:
    """A rule of the snapshot whose shipped entry no source confirms."""
    entry = shipped_entry(election, rule)
    return (
        rule in election.profile_snapshot.get("rules", {})
        and entry is not None
        and entry.get("confirmed") is not True
    )


def enabled_by(election: Election, rule: str) -> dict | None:
    """Who turned the rule on, when the commission did (None otherwise)."""
    entry = election.profile_snapshot.get("rules", {}).get(rule) or {}
    found = entry.get("enabled_by")
    return found if isinstance(found, dict) and entry.get("confirmed") is True else None


# --- Re-binding --------------------------------------------------------------------------------


def rebinding_closed(election: Election) -> ServiceError | None:
    """Why the election may no longer be re-bound (None: it may, until election day)."""
    if election.state != "open":
        return conflict("election_not_open", _("The election is no longer open."))
    if now().astimezone(election.tz).date() >= election.election_day:
        return conflict(
            "election_day_reached",
            _("Election day has come: the election keeps the rules it has."),
        )
    return None


def _changed_rules(old: dict, new: dict) -> list[dict]:
    changed = []
    for rule in [*old, *(name for name in new if name not in old)]:
        before, after = old.get(rule), new.get(rule)
        pick = lambda entry: (  # noqa: E731
            None
            if entry is None
            else {"value": entry.get("value"), "confirmed": entry.get("confirmed") is True}
        )
        if pick(before) != pick(after):
            changed.append({"rule": rule, "old": pick(before), "new": pick(after)})
    return changed


def rebind_profile(election: Election, body: dict, actor) -> Election:
    refusal = rebinding_closed(election)
    if refusal is not None:
        raise refusal
    key = body.get("profile") or election.profile_key
    if key not in profile_keys():
        raise invalid([ErrorItem("invalid_choice", _("No such rule profile."), field="profile")])
    shipped = load_profile(key).data
    if shipped["kind"] != election.kind:
        raise invalid(
            [
                ErrorItem(
                    "profile_kind_mismatch",
                    _("This profile is for another kind of election."),
                    field="profile",
                )
            ]
        )
    old = election.profile_snapshot
    if key == election.profile_key and shipped["version"] <= old.get("version", 0):
        raise conflict(
            "profile_current",
            _("The election keeps the latest version of its profile already."),
        )
    data = {
        "profile": key,
        "from_version": old.get("version"),
        "to_version": shipped["version"],
        "changed": _changed_rules(old.get("rules", {}), shipped["rules"]),
    }
    if key != election.profile_key:
        data["from_profile"] = election.profile_key
    # A new dict: the JSON column notices an assignment, not an edit in place.
    election.profile_snapshot = copy.deepcopy(shipped)
    election.profile_key = key
    record_decision(election, "profile_rebound", body["reason"].strip(), data, actor)
    return election


# --- Turning a rule on and off -----------------------------------------------------------------


def rules_closed(election: Election) -> ServiceError | None:
    """Why no rule may be turned on or off now (None: it may, until registration closes)."""
    if election.state != "open":
        return conflict("election_not_open", _("The election is no longer open."))
    if now() >= election.calendar().registration_closes:
        return conflict(
            "registration_closed",
            _("Registration of candidates has closed: the rules stay as they are."),
        )
    return None


def set_rule(election: Election, rule: str, body: dict, actor) -> Election:
    rules = election.profile_snapshot.get("rules", {})
    shipped = shipped_entry(election, rule)
    if rule not in rules or shipped is None:
        raise not_found()
    if shipped.get("confirmed") is True:
        raise conflict(
            "rule_confirmed",
            _("A source confirms this rule already: it applies without a decision."),
        )
    refusal = rules_closed(election)
    if refusal is not None:
        raise refusal
    old = rules[rule]
    reason = body["reason"].strip()
    if body["enabled"]:
        new = {
            "value": copy.deepcopy(old["value"]),
            "basis": {lang: body["basis"][lang].strip() for lang in LANGUAGES},
            "confirmed": True,
            "enabled_by": {
                "commission": actor.commission_unit_id,
                "user": actor.username,
                "at": now().isoformat(),
                "reason": reason,
            },
        }
    else:
        if enabled_by(election, rule) is None:
            raise conflict("rule_not_enabled", _("The commission has not turned this rule on."))
        new = {**copy.deepcopy(shipped), "value": copy.deepcopy(old["value"])}
    snapshot = copy.deepcopy(election.profile_snapshot)
    snapshot["rules"][rule] = new
    election.profile_snapshot = snapshot
    record_decision(
        election,
        "rule_enabled",
        reason,
        {"rule": rule, "enabled": body["enabled"], "old": old, "new": new},
        actor,
    )
    return election


# --- API ---------------------------------------------------------------------------------------

bp = ApiBlueprint("rule_decisions_api", __name__, tag=SETUP)


@bp.post("/elections/<int:election_id>/rebind-profile")
@roles("territorial_member", "territorial_chair", "cec_admin")
@errors(409)
@bp.body(RebindIn)
@bp.response(200, ElectionOut)
def rebind(read, election_id: int):
    """Re-bind an election to the corrected version of its profile

    The organising commission's chair, or a CEC administrator; before election day (the
    election's local date) while the election is open. The snapshot becomes the shipped
    profile file; profile names another shipped profile of the same kind for an election
    called with the wrong one. Recorded as the decision profile_rebound with {profile,
    from_version, to_version, changed: [{rule, old, new}]}; rules the commission turned on
    are reset to the shipped entries. 409 codes: profile_current (no newer version ships),
    election_day_reached, election_not_open. 422 profile_kind_mismatch.
    """
    election = get_election(election_id)
    ensure_rule_decider(current_actor(), election, admin=True)
    rebind_profile(lock_election(election_id), read(), current_actor())
    db.session.commit()
    return election


@bp.post("/elections/<int:election_id>/rules/<rule>")
@roles("territorial_member", "territorial_chair")
@errors(409)
@bp.body(RuleDecisionIn)
@bp.response(200, ElectionOut)
def decide_rule(read, election_id: int, rule: str):
    """Turn an unconfirmed rule of an election on or off

    The organising commission's chair, until registration closes. Only a rule whose shipped
    entry no source confirms (404 for a rule the profile lacks). enabled: true needs basis
    {kk, ru, en} naming who confirmed the rule; the snapshot's entry becomes {value, basis,
    confirmed: true, enabled_by: {commission, user, at, reason}} and eligibility applies it
    (e.g. term_limit_reached). enabled: false restores the shipped unconfirmed entry.
    Recorded as the decision rule_enabled with the old and new entry. 409 codes:
    rule_confirmed, registration_closed, election_not_open, rule_not_enabled.
    """
    election = get_election(election_id)
    ensure_rule_decider(current_actor(), election)
    set_rule(lock_election(election_id), rule, read(), current_actor())
    db.session.commit()
    return election
