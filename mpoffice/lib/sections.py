"""Page sections contributed by apps to the right of the page's owner.

A page owned by a left app (the constituent page, the triage page) shows sections that apps to
its right provide, without importing them: they register a ``Section`` from ``AppConfig.ready()``
and the page renders whatever ``SectionRegistry.for_page`` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    # (request, page object or None) -> the section's context, or None to leave it out.
    context: Callable[[Any, Any], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class RenderedSection:
    key: str
    template: str
    context: dict[str, Any]


class SectionRegistry:
    def __init__(self) -> None:
        self._sections: dict[str, Section] = {}

    def register(self, section: Section) -> None:
        self._sections[section.key] = section

    def for_page(self, request: Any, obj: Any = None) -> list[RenderedSection]:
        rendered = []
        for section in sorted(self._sections.values(), key=lambda s: (s.order, s.key)):
            context = section.context(request, obj)
            if context is not None:
                rendered.append(RenderedSection(section.key, section.template, context))
        return rendered
