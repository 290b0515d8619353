"""Office scoping: every office-owned row is reached through its office, or not at all.

``Model.objects`` refuses to build a query until it is told the office
(``Model.objects.for_office(office)``); ``Model.unscoped`` exists for framework internals and
audited cross-office jobs (retention sweeps, the outbox). Request lookups go through
``get_for_office_or_404`` so another office's id is indistinguishable from a missing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from security.models import Office

M = TypeVar("M", bound=models.Model)


class UnscopedQueryError(RuntimeError):
    """A query on an office-owned model was built without naming the office."""


class CrossOfficeError(ValueError):
    """A service was asked to link rows of two different offices."""


class OfficeQuerySet(models.QuerySet[M]):
    def for_office(self, office: Office) -> OfficeQuerySet[M]:
        return self.filter(office=office)


class OfficeManager(models.Manager[M]):
    """The manager that requires the office before anything else."""

    def get_queryset(self) -> OfficeQuerySet[M]:
        raise UnscopedQueryError(
            f"{self.model.__name__}.objects needs the office: use .for_office(office), "
            f"or {self.model.__name__}.unscoped for a deliberate cross-office job."
        )

    def _all_offices(self) -> OfficeQuerySet[M]:
        return OfficeQuerySet(self.model, using=self._db)

    def for_office(self, office: Office) -> OfficeQuerySet[M]:
        if office is None:
            raise UnscopedQueryError(f"{self.model.__name__}.objects.for_office() got no office.")
        return self._all_offices().for_office(office)

    def create(self, **fields: Any) -> M:
        if fields.get("office") is None and fields.get("office_id") is None:
            raise UnscopedQueryError(f"{self.model.__name__} cannot be created without an office.")
        return self._all_offices().create(**fields)


class OfficeOwned(models.Model):
    """Abstract base for every row that belongs to one office."""

    office = models.ForeignKey("security.Office", on_delete=models.CASCADE, related_name="+")

    # Declared first so Django's internals (validation, relations) use the plain manager.
    unscoped = OfficeQuerySet.as_manager()
    objects = OfficeManager()

    class Meta:
        abstract = True


def get_for_office_or_404(model: type[M] | models.QuerySet[M], office: Office, **lookup: Any) -> M:
    """The row matching ``lookup`` in ``office``, or 404 — also for another office's row."""
    queryset = model if isinstance(model, models.QuerySet) else model._default_manager.all()
    try:
        return queryset.get(office=office, **lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No {queryset.model._meta.verbose_name} here.") from None


def ensure_same_office(office: Office, *rows: models.Model | None) -> None:
    """Services call this before linking rows, so no row ever points into another office."""
    for row in rows:
        if row is not None and getattr(row, "office_id", office.pk) != office.pk:
            raise CrossOfficeError(f"{type(row).__name__} {row.pk} belongs to another office.")
