"""How a merge moves rows: through Django's relation metadata, so apps added later are covered.

Used by ``services.constituent_merge`` (which locks, audits and records the mapping) and by
``services.representative_remove`` (which refuses while anything still points at the person).
"""

from __future__ import annotations

from django.db import IntegrityError, models, transaction

from constituents.models import Constituent, ConstituentEmail, ConstituentPhone

ADDRESS_FIELDS = ("address_line1", "address_line2", "town", "postcode", "ward", "in_constituency")


def reverse_relations(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    """Every foreign key or one-to-one, in any app, pointing at ``model``.

    ``include_hidden`` also finds keys declared with ``related_name="+"`` and the through
    tables of many-to-many fields, so rows of apps added later are never left behind.
    """
    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)
    ]


def rows_pointing_at(obj: models.Model) -> dict[str, int]:
    """Rows of any app that refer to ``obj``, counted by model (plural verbose name)."""
    counts = {}
    for relation in reverse_relations(type(obj)):
        found = relation.related_model._base_manager.filter(**{relation.field.name: obj}).count()
        if found:
            counts[relation.related_model._meta.verbose_name_plural] = found
    return counts


def move_rows(relation: models.ForeignObjectRel, merged: Constituent, survivor: Constituent) -> int:
    """Point ``relation``'s rows at the survivor. Returns how many moved.

    A row that cannot move because the survivor already has its equal (a unique or check
    constraint: the same email twice, the same person on a case twice) is dropped: the
    survivor's copy stands for both.
    """
    model, key = relation.related_model, relation.field.name
    rows = model._base_manager.filter(**{key: merged})
    try:
        with transaction.atomic():
            return rows.update(**{key: survivor})
    except IntegrityError:
        pass  # some rows clash: move them one at a time
    moved = 0
    for pk in list(rows.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                moved += model._base_manager.filter(pk=pk).update(**{key: survivor})
        except IntegrityError:
            model._base_manager.filter(pk=pk).delete()
    return moved


def fill_blanks(survivor: Constituent, merged: Constituent) -> list[str]:
    """Copy what only the merged record knew. The address moves as a whole, never line by line."""
    filled = []
    if not any(getattr(survivor, name) for name in ("address_line1", "address_line2", "town", "postcode")):
        for name in ADDRESS_FIELDS:
            if getattr(merged, name) != getattr(survivor, name):
                setattr(survivor, name, getattr(merged, name))
                filled.append(name)
    for name in ("title", "first_name", "date_of_birth"):
        if getattr(survivor, name) in ("", None) and getattr(merged, name) not in ("", None):
            setattr(survivor, name, getattr(merged, name))
            filled.append(name)
    if merged.notes.strip() and merged.notes.strip() not in survivor.notes:
        survivor.notes = f"{survivor.notes.rstrip()}\n\n{merged.notes.strip()}".strip()
        filled.append("notes")
    if merged.consent_recorded_at and (
        survivor.consent_recorded_at is None or merged.consent_recorded_at > survivor.consent_recorded_at
    ):
        # The most recent statement of their wishes about updates is the one that counts.
        survivor.consents_to_updates = merged.consents_to_updates
        survivor.consent_recorded_at = merged.consent_recorded_at
        filled += ["consents_to_updates", "consent_recorded_at"]
    return filled


def keep_one_preferred(
    model: type[ConstituentEmail] | type[ConstituentPhone], survivor: Constituent, kept: int | None
) -> None:
    """The survivor's own preferred address or number stays preferred; else the merged one's."""
    rows = model.unscoped.filter(constituent=survivor)
    keep = kept or rows.filter(is_preferred=True).order_by("id").values_list("pk", flat=True).first()
    if keep is not None:
        rows.exclude(pk=keep).update(is_preferred=False)
