"""Writes for constituents, their contact details and representatives, and the directory.

The only write path: views, the case form, imports and the demo seed all come through here.
Each function records one audit event naming the fields it changed, never their values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from constituents import search_index
from constituents.directory import install_directory
from constituents.merging import fill_blanks, keep_one_preferred, move_rows, reverse_relations, rows_pointing_at
from constituents.models import (
    Authority,
    Constituent,
    ConstituentEmail,
    ConstituentMerge,
    ConstituentPhone,
    ContactMethod,
    DuplicateDismissal,
    InConstituency,
    Organisation,
    Representative,
    TargetUnit,
)
from constituents.selectors import ward_for_postcode
from constituents.validation import normalise_email, normalise_phone, normalise_postcode
from security.audit import audit_record
from security.errors import DomainError
from security.models import Office, User

CONSTITUENT_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "in_constituency",
    "date_of_birth",
    "notes",
    "preferred_contact",
    "consents_to_updates",
)
REPRESENTATIVE_FIELDS = (
    "name",
    "relationship",
    "organisation_name",
    "email",
    "phone",
    "address",
    "authority",
    "authority_recorded_at",
    "authority_notes",
)
ORGANISATION_FIELDS = (
    "name",
    "kind",
    "email",
    "postal_address",
    "website",
    "hotline",
    "required_identifiers",
    "requires_written_consent",
    "reply_target",
    "reply_target_unit",
    "notes",
)


def _valid(normalise: Callable[[str], str], raw: str) -> str:
    """Normalise, turning a validation error into a domain error with the same message."""
    try:
        return normalise(raw)
    except ValidationError as error:
        raise DomainError(error.messages[0]) from None


def _optional(normalise: Callable[[str], str], raw: str) -> str:
    return _valid(normalise, raw) if (raw or "").strip() else ""


def _place(office: Office, constituent: Constituent) -> None:
    """Ward and in-constituency from the office's postcode table, when it knows the postcode."""
    found = ward_for_postcode(office=office, postcode=constituent.postcode)
    constituent.ward = found.ward if found else None
    if found is not None:
        constituent.in_constituency = InConstituency.YES if found.in_constituency else InConstituency.NO


def _audit(verb: str, office: Office, actor: User | None, obj: models.Model, fields: Iterable[str] = ()) -> None:
    audit_record(verb=f"constituents.{verb}", office=office, actor=actor, obj=obj, fields=fields)


# --- Constituents ------------------------------------------------------------------------------
@transaction.atomic
def constituent_create(
    *,
    office: Office,
    actor: User | None,
    last_name: str,
    first_name: str = "",
    title: str = "",
    address_line1: str = "",
    address_line2: str = "",
    town: str = "",
    postcode: str = "",
    in_constituency: str = InConstituency.UNKNOWN,
    date_of_birth: dt.date | None = None,
    notes: str = "",
    preferred_contact: str = ContactMethod.EMAIL,
    consents_to_updates: bool = False,
    email: str = "",
    phone: str = "",
    phone_label: str = "",
) -> Constituent:
    """Record a constituent, with a first (preferred) email and phone if given.

    The postcode is normalised and its ward looked up; a known postcode also settles whether
    they live in the constituency, overriding ``in_constituency``.
    """
    if not last_name.strip():
        raise DomainError("Enter a last name.")
    email, phone = _optional(normalise_email, email), _optional(normalise_phone, phone)
    constituent = Constituent(
        office=office,
        title=title.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        address_line1=address_line1.strip(),
        address_line2=address_line2.strip(),
        town=town.strip(),
        postcode=_optional(normalise_postcode, postcode),
        in_constituency=in_constituency,
        date_of_birth=date_of_birth,
        notes=notes,
        preferred_contact=preferred_contact,
        consents_to_updates=consents_to_updates,
        consent_recorded_at=timezone.now() if consents_to_updates else None,
    )
    _place(office, constituent)
    constituent.save()
    if email:
        ConstituentEmail.objects.create(office=office, constituent=constituent, email=email, is_preferred=True)
    if phone:
        ConstituentPhone.objects.create(
            office=office, constituent=constituent, number=phone, label=phone_label.strip()[:20], is_preferred=True
        )
    filled = [name for name in CONSTITUENT_FIELDS if getattr(constituent, name) not in ("", None, False)]
    _audit("constituent.created", office, actor, constituent, [*filled, *(["email"] if email else [])])
    search_index.refresh_constituents([constituent.pk])
    return constituent


@transaction.atomic
def constituent_update(*, constituent: Constituent, actor: User | None, **changes: Any) -> Constituent:
    """Edit the constituent's details (not emails or phones, which have their own verbs)."""
    unknown = set(changes) - set(CONSTITUENT_FIELDS)
    if unknown:
        raise DomainError(f"These cannot be edited here: {', '.join(sorted(unknown))}.")
    if "last_name" in changes and not str(changes["last_name"]).strip():
        raise DomainError("Enter a last name.")
    if "postcode" in changes:
        changes["postcode"] = _optional(normalise_postcode, changes["postcode"])
    changed = [name for name, value in changes.items() if getattr(constituent, name) != value]
    for name in changed:
        setattr(constituent, name, changes[name])
    if "postcode" in changed:
        before = {"ward": constituent.ward_id, "in_constituency": constituent.in_constituency}
        _place(constituent.office, constituent)
        after = {"ward": constituent.ward_id, "in_constituency": constituent.in_constituency}
        changed += [name for name in before if before[name] != after[name] and name not in changed]
    if "consents_to_updates" in changed:
        constituent.consent_recorded_at = timezone.now()
        changed.append("consent_recorded_at")
    if changed:
        constituent.save()
        _audit("constituent.updated", constituent.office, actor, constituent, changed)
        search_index.refresh_constituents([constituent.pk])
    return constituent


# --- Emails and phones -------------------------------------------------------------------------
def _lock(constituent: Constituent) -> Constituent:
    """Serialise changes to one constituent's contact details, so "one preferred" holds."""
    return Constituent.unscoped.select_for_update().get(pk=constituent.pk)


def _make_preferred(model: type[ConstituentEmail] | type[ConstituentPhone], row: models.Model) -> None:
    model.unscoped.filter(constituent_id=row.constituent_id).exclude(pk=row.pk).update(is_preferred=False)
    model.unscoped.filter(pk=row.pk).update(is_preferred=True)
    row.is_preferred = True


def _promote_first(model: type[ConstituentEmail] | type[ConstituentPhone], constituent: Constituent) -> None:
    """After the preferred one is removed, the oldest remaining takes its place."""
    rows = model.unscoped.filter(constituent=constituent)
    if not rows.filter(is_preferred=True).exists():
        first = rows.order_by("id").first()
        if first is not None:
            _make_preferred(model, first)


@transaction.atomic
def constituent_email_add(
    *, constituent: Constituent, actor: User | None, email: str, preferred: bool = False
) -> ConstituentEmail:
    _lock(constituent)
    address = _valid(normalise_email, email)
    if ConstituentEmail.unscoped.filter(constituent=constituent, email=address).exists():
        raise DomainError(f"{address} is already one of their email addresses.")
    first = not ConstituentEmail.unscoped.filter(constituent=constituent).exists()
    row = ConstituentEmail.objects.create(office=constituent.office, constituent=constituent, email=address)
    if preferred or first:
        _make_preferred(ConstituentEmail, row)
    _audit("constituent.email_added", constituent.office, actor, constituent, ["email"])
    search_index.refresh_constituents([constituent.pk])
    return row


@transaction.atomic
def constituent_email_set_preferred(*, email: ConstituentEmail, actor: User | None) -> ConstituentEmail:
    _lock(email.constituent)
    _make_preferred(ConstituentEmail, email)
    _audit("constituent.email_preferred", email.office, actor, email.constituent, ["email"])
    return email


@transaction.atomic
def constituent_email_remove(*, email: ConstituentEmail, actor: User | None) -> None:
    constituent = _lock(email.constituent)
    email.delete()
    _promote_first(ConstituentEmail, constituent)
    _audit("constituent.email_removed", constituent.office, actor, constituent, ["email"])
    search_index.refresh_constituents([constituent.pk])


@transaction.atomic
def constituent_phone_add(
    *, constituent: Constituent, actor: User | None, number: str, label: str = "", preferred: bool = False
) -> ConstituentPhone:
    _lock(constituent)
    e164 = _valid(normalise_phone, number)
    if ConstituentPhone.unscoped.filter(constituent=constituent, number=e164).exists():
        raise DomainError("That number is already one of their phone numbers.")
    first = not ConstituentPhone.unscoped.filter(constituent=constituent).exists()
    row = ConstituentPhone.objects.create(
        office=constituent.office, constituent=constituent, number=e164, label=label.strip()[:20]
    )
    if preferred or first:
        _make_preferred(ConstituentPhone, row)
    _audit("constituent.phone_added", constituent.office, actor, constituent, ["number", "label"])
    return row


@transaction.atomic
def constituent_phone_set_preferred(*, phone: ConstituentPhone, actor: User | None) -> ConstituentPhone:
    _lock(phone.constituent)
    _make_preferred(ConstituentPhone, phone)
    _audit("constituent.phone_preferred", phone.office, actor, phone.constituent, ["number"])
    return phone


@transaction.atomic
def constituent_phone_remove(*, phone: ConstituentPhone, actor: User | None) -> None:
    constituent = _lock(phone.constituent)
    phone.delete()
    _promote_first(ConstituentPhone, constituent)
    _audit("constituent.phone_removed", constituent.office, actor, constituent, ["number"])


# --- People acting for a constituent -----------------------------------------------------------
def _representative_values(values: dict[str, Any], previous_authority: str | None) -> dict[str, Any]:
    values = dict(values)
    for key in ("name", "organisation_name", "authority_notes"):
        if key in values:
            values[key] = str(values[key]).strip()
    if "email" in values:
        values["email"] = _optional(normalise_email, values["email"])
    if "phone" in values:
        values["phone"] = _optional(normalise_phone, values["phone"])
    # The authority's date is when staff recorded it, unless they give the date it was granted.
    authority = values.get("authority", previous_authority)
    if authority != previous_authority and authority != Authority.NOT_YET and not values.get("authority_recorded_at"):
        values["authority_recorded_at"] = timezone.now()
    return values


@transaction.atomic
def representative_create(
    *,
    constituent: Constituent,
    actor: User | None,
    name: str,
    relationship: str,
    organisation_name: str = "",
    email: str = "",
    phone: str = "",
    address: str = "",
    authority: str = Authority.NOT_YET,
    authority_recorded_at: dt.datetime | None = None,
    authority_notes: str = "",
) -> Representative:
    """Record someone acting for the constituent, and on what authority."""
    if not name.strip():
        raise DomainError("Enter the name of the person acting for them.")
    values = _representative_values(
        {
            "name": name,
            "relationship": relationship,
            "organisation_name": organisation_name,
            "email": email,
            "phone": phone,
            "address": address,
            "authority": authority,
            "authority_recorded_at": authority_recorded_at,
            "authority_notes": authority_notes,
        },
        previous_authority=Authority.NOT_YET,
    )
    representative = Representative.objects.create(office=constituent.office, constituent=constituent, **values)
    filled = [key for key, value in values.items() if value not in ("", None)]
    _audit("representative.created", constituent.office, actor, representative, filled)
    search_index.refresh_representatives([representative.pk])
    return representative


@transaction.atomic
def representative_update(*, representative: Representative, actor: User | None, **changes: Any) -> Representative:
    unknown = set(changes) - set(REPRESENTATIVE_FIELDS)
    if unknown:
        raise DomainError(f"These cannot be edited here: {', '.join(sorted(unknown))}.")
    if "name" in changes and not str(changes["name"]).strip():
        raise DomainError("Enter the name of the person acting for them.")
    values = _representative_values(changes, previous_authority=representative.authority)
    changed = [key for key, value in values.items() if getattr(representative, key) != value]
    for key in changed:
        setattr(representative, key, values[key])
    if changed:
        representative.save()
        _audit("representative.updated", representative.office, actor, representative, changed)
        search_index.refresh_representatives([representative.pk])
    return representative


@transaction.atomic
def representative_remove(*, representative: Representative, actor: User | None) -> None:
    """Remove them, unless a case still names them: removing would silently drop them from it."""
    in_use = rows_pointing_at(representative)
    if in_use:
        where = ", ".join(f"{count} {label}" for label, count in sorted(in_use.items()))
        raise DomainError(f"{representative.name} is still recorded in {where}: take them off there first.")
    _audit("representative.removed", representative.office, actor, representative)
    representative.delete()


# --- Duplicates and merging --------------------------------------------------------------------
@transaction.atomic
def constituent_merge(
    *, office: Office, survivor: Constituent, merged: Constituent, actor: User | None
) -> ConstituentMerge:
    """Merge ``merged`` into ``survivor``: every row of every app that points at it moves over.

    The survivor's blank details are filled from the merged record, which is then deleted; a
    ConstituentMerge row maps its old id to the survivor so old links and exports still resolve.
    """
    if survivor.pk == merged.pk:
        raise DomainError("A record cannot be merged into itself.")
    if survivor.office_id != office.pk or merged.office_id != office.pk:
        raise DomainError("Only records of this office can be merged.")
    # Lock both in id order so two managers merging overlapping pairs cannot deadlock.
    locked = Constituent.unscoped.select_for_update().filter(pk__in=[survivor.pk, merged.pk]).order_by("pk")
    rows = {row.pk: row for row in locked}
    if len(rows) != 2:
        raise DomainError("One of these records no longer exists: it may have been merged already.")
    survivor, merged = rows[survivor.pk], rows[merged.pk]
    preferred = {
        model: model.unscoped.filter(constituent=survivor, is_preferred=True).values_list("pk", flat=True).first()
        for model in (ConstituentEmail, ConstituentPhone)
    }
    moved: dict[str, int] = {}
    for relation in reverse_relations(Constituent):
        count = move_rows(relation, merged, survivor)
        if count:
            label = relation.related_model._meta.label
            moved[label] = moved.get(label, 0) + count
    for model, kept in preferred.items():
        keep_one_preferred(model, survivor, kept)
    filled = fill_blanks(survivor, merged)
    survivor.save()
    merged_id = merged.pk
    merged.delete()
    mapping = ConstituentMerge.objects.create(
        office=office, merged_id=merged_id, survivor=survivor, merged_by=actor, moved=moved
    )
    _audit("constituent.merged", office, actor, survivor, ["merged_id", *filled])
    search_index.refresh_constituents([survivor.pk])
    return mapping


@transaction.atomic
def duplicate_dismiss(
    *, office: Office, first: Constituent, second: Constituent, actor: User | None
) -> DuplicateDismissal:
    """Record that two records are different people, so the review list stops pairing them."""
    if first.pk == second.pk:
        raise DomainError("Choose two different records.")
    if first.office_id != office.pk or second.office_id != office.pk:
        raise DomainError("Only records of this office can be compared.")
    low, high = sorted((first, second), key=lambda c: c.pk)
    dismissal, _ = DuplicateDismissal.unscoped.get_or_create(
        office=office, first=low, second=high, defaults={"dismissed_by": actor}
    )
    _audit("constituent.duplicate_dismissed", office, actor, dismissal)
    return dismissal


# --- Organisations -----------------------------------------------------------------------------
def _organisation_values(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    if "name" in values:
        values["name"] = str(values["name"]).strip()
        if not values["name"]:
            raise DomainError("Enter the organisation's name.")
    if "email" in values:
        values["email"] = _optional(normalise_email, values["email"])
    if "required_identifiers" in values:
        values["required_identifiers"] = [str(i).strip() for i in values["required_identifiers"] if str(i).strip()]
    return values


def _check_name_free(office: Office, name: str, exclude_id: int | None = None) -> None:
    clash = Organisation.objects.for_office(office).filter(name__iexact=name).exclude(pk=exclude_id)
    if clash.exists():
        raise DomainError(f"The directory already has an organisation called “{name}”.")


@transaction.atomic
def organisation_create(
    *,
    office: Office,
    actor: User | None,
    name: str,
    kind: str,
    email: str = "",
    postal_address: str = "",
    website: str = "",
    hotline: str = "",
    required_identifiers: Iterable[str] = (),
    requires_written_consent: bool = False,
    reply_target: int | None = None,
    reply_target_unit: str = TargetUnit.WORKING,
    notes: str = "",
) -> Organisation:
    values = _organisation_values(
        {
            "name": name,
            "kind": kind,
            "email": email,
            "postal_address": postal_address,
            "website": website,
            "hotline": hotline,
            "required_identifiers": list(required_identifiers),
            "requires_written_consent": requires_written_consent,
            "reply_target": reply_target,
            "reply_target_unit": reply_target_unit,
            "notes": notes,
        }
    )
    _check_name_free(office, values["name"])
    organisation = Organisation.objects.create(office=office, **values)
    _audit("organisation.created", office, actor, organisation, [k for k, v in values.items() if v not in ("", None)])
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor: User | None, **changes: Any) -> Organisation:
    unknown = set(changes) - set(ORGANISATION_FIELDS)
    if unknown:
        raise DomainError(f"These cannot be edited here: {', '.join(sorted(unknown))}.")
    values = _organisation_values(changes)
    if "name" in values:
        _check_name_free(organisation.office, values["name"], exclude_id=organisation.pk)
    changed = [key for key, value in values.items() if getattr(organisation, key) != value]
    for key in changed:
        setattr(organisation, key, values[key])
    if changed:
        organisation.save()
        _audit("organisation.updated", organisation.office, actor, organisation, changed)
    return organisation


@transaction.atomic
def organisation_set_active(*, organisation: Organisation, actor: User | None, active: bool) -> Organisation:
    """Deactivated bodies stay on old cases but are no longer offered for new ones."""
    if organisation.is_active != active:
        organisation.is_active = active
        organisation.save(update_fields=["is_active", "updated_at"])
        verb = "organisation.reactivated" if active else "organisation.deactivated"
        _audit(verb, organisation.office, actor, organisation, ["is_active"])
    return organisation


def office_initialise(office: Office) -> None:
    """Each new office starts with the national bodies (idempotent: matched by name)."""
    install_directory(office.pk, office.nation, Organisation)
