from typing import Any

from django import template

register = template.Library()


@register.filter
def form_level_errors(form: Any) -> list[str]:
    """Errors with no visible field to sit beside: the form's own and its hidden fields'."""
    errors = list(form.non_field_errors())
    for field in form.hidden_fields():
        errors.extend(field.errors)
    return errors
