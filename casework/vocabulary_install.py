"""Copying the default vocabulary into an office (used by the office initialiser and a data migration)."""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify

from casework.vocabulary import DEFAULT_VOCABULARY


def install_vocabulary(office_id: int, category_model: Any, tag_model: Any) -> int:
    """Create any missing default categories and tags for the office. Returns tags created.

    Takes the model classes so the data migration can pass its historical models.
    """
    created = 0
    for position, (category_name, tags) in enumerate(DEFAULT_VOCABULARY.items()):
        category, _ = category_model._base_manager.get_or_create(
            office_id=office_id, name=category_name, defaults={"position": position}
        )
        for name, description, synonyms in tags:
            _, was_created = tag_model._base_manager.get_or_create(
                office_id=office_id,
                name=name,
                defaults={
                    "slug": slugify(name),
                    "category": category,
                    "description": description,
                    "synonyms": synonyms,
                },
            )
            created += was_created
    return created
