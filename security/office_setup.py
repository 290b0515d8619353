"""What a new office starts with, contributed by the apps to the right of ``security``.

An app registers a function from its ``AppConfig.ready()``; ``office_create`` (and the demo
seed) run them all inside the creating transaction. Each must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from security.models import Office

OfficeInitialiser = Callable[["Office"], None]
_initialisers: list[OfficeInitialiser] = []


def register(initialiser: OfficeInitialiser) -> OfficeInitialiser:
    if initialiser not in _initialisers:
        _initialisers.append(initialiser)
    return initialiser


def initialise(office: Office) -> None:
    for initialiser in _initialisers:
        initialiser(office)
