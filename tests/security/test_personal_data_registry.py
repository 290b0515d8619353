"""Every office-owned model with personal fields is registered, or declares it has none."""

import re

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from security import personal_data

# Field names that suggest personal data. Deliberately broad: a false alarm costs a declaration.
PERSONAL = re.compile(r"name|email|phone|address|postcode|birth|dob|note|body|text|subject|story|ni_number|sender")


def _office_owned_models():
    for model in apps.get_models():
        if model._meta.app_label in {"constituents", "casework", "correspondence", "campaigns", "reports", "security"}:
            field = next((f for f in model._meta.fields if f.name == "office"), None)
            if isinstance(field, models.ForeignKey):
                yield model


def test_every_office_owned_model_with_personal_fields_is_registered():
    missing = []
    for model in _office_owned_models():
        names = [f.name for f in model._meta.get_fields() if getattr(f, "concrete", False)]
        if any(PERSONAL.search(name) for name in names) and not personal_data.is_declared(model):
            missing.append(model._meta.label)
    assert not missing, f"Register these in the personal-data registry (or declare none): {missing}"


def test_registration_rejects_a_misspelt_field():
    from security.models import Invitation

    with pytest.raises(FieldDoesNotExist, match="emial"):
        personal_data.register(personal_data.PersonalData(model=Invitation, fields=("emial",), retention="staff"))
