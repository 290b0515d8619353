"""Demo data contributed by each app (``manage.py seed_demo``), in the apps' dependency order.

Apps register ``fn(office, people)`` from ``AppConfig.ready()``; ``people`` maps each demo role
to its user. Each function must be idempotent: ``make run`` seeds on every start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DemoSeeder = Callable[[Any, dict[str, Any]], None]
_seeders: list[DemoSeeder] = []


def register(seeder: DemoSeeder) -> DemoSeeder:
    if seeder not in _seeders:
        _seeders.append(seeder)
    return seeder


def seed(office: Any, people: dict[str, Any]) -> None:
    for seeder in _seeders:
        seeder(office, people)
