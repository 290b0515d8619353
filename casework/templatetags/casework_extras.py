from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def status_label(value: str) -> str:
    """A case status as people read it ("Awaiting third party"), whatever was stored."""
    from casework.models import CaseStatus, CloseReason

    labels = {**dict(CaseStatus.choices), **dict(CloseReason.choices)}
    return labels.get(value, value)
