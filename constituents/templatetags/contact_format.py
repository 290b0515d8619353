from django import template

from constituents.validation import display_phone

register = template.Library()


@register.filter
def phone(e164: str | None) -> str:
    """'+441134960123' -> '0113 496 0123' (international numbers keep their country code)."""
    return display_phone(e164) if e164 else ""
