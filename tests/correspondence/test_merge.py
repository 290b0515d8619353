"""The merge engine: an allow-list of names filled from a dictionary, everything else literal."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from casework import services as case_services
from correspondence import letters
from correspondence.merge import (
    ALLOWED,
    MERGE_FIELDS,
    MergeError,
    long_date,
    merge_fields_for,
    merge_missing,
    merge_names,
    merge_render,
    merge_validate,
)
from security.errors import DomainError
from tests.factories import ConstituentFactory, OrganisationFactory, UserFactory

FIELDS = {name: f"<{name}>" for name in ALLOWED}


def test_it_fills_allowed_fields_and_leaves_everything_else_as_written():
    text = "Dear {{ constituent.salutation }},\nRef {{case.reference}} {{  mp.name  }} {% debug %} {x} { {y} }"
    assert merge_render(text, FIELDS) == (
        "Dear <constituent.salutation>,\nRef <case.reference> <mp.name> {% debug %} {x} { {y} }"
    )


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("{{ settings.SECRET_KEY }}", ["settings.SECRET_KEY"]),
        ("{{ constituent.__class__ }}", ["constituent.__class__"]),
        ("{{ constituent.full_name|upper }}", ["constituent.full_name|upper"]),
        ("{{ 7*7 }} and {{ 7*7 }}", ["7*7"]),
        ("{{ }}", [""]),
        ("{{ request.user.password }} {{ today }} {{ Today }}", ["request.user.password", "Today"]),
        ("{{ constituent }}", ["constituent"]),
    ],
)
def test_it_names_every_unknown_field_once(text, unknown):
    assert merge_validate(text) == unknown
    with pytest.raises(MergeError) as raised:
        merge_render(text, FIELDS)
    assert raised.value.unknown == unknown
    assert isinstance(raised.value, DomainError)


def test_the_error_names_the_field_and_suggests_the_nearest():
    message = str(MergeError(["constituent.fullname"]))
    assert "{{ constituent.fullname }}" in message
    assert "did you mean {{ constituent.full_name }}?" in message
    long = str(MergeError(["x" * 500]))
    assert len(long) < 200, "a pasted paragraph between braces is cut short in the message"


def test_a_field_never_spans_lines_and_braces_inside_are_literal():
    assert merge_names("{{ case.\nreference }}") == []
    assert merge_render("{{ case.\nreference }}", FIELDS) == "{{ case.\nreference }}"
    assert merge_render("{{{ case.reference }}}", FIELDS) == "{<case.reference>}"


def test_values_are_inserted_once_and_never_merged_again():
    fields = dict(FIELDS) | {"constituent.full_name": "{{ settings.SECRET_KEY }} {{ case.reference }}"}
    out = merge_render("Dear {{ constituent.full_name }}", fields)
    assert out == "Dear {{ settings.SECRET_KEY }} {{ case.reference }}"


def test_missing_lists_allowed_fields_without_a_value():
    fields = dict(FIELDS) | {"organisation.name": ""}
    assert merge_missing("{{ organisation.name }} {{ mp.name }} {{ nope }}", fields) == ["organisation.name"]


def test_every_documented_field_is_allowed_and_has_help():
    assert {field.name for field in MERGE_FIELDS} == ALLOWED
    assert all(field.description and field.example for field in MERGE_FIELDS)


def test_long_date_is_british_whatever_the_locale():
    assert long_date(dt.date(2026, 3, 3)) == "3 March 2026"
    assert long_date(dt.date(2025, 12, 25)) == "25 December 2025"


# --- Property tests: arbitrary text --------------------------------------------------------------
# Any text, with braces, percent signs and field-like fragments made likely.
pieces = st.sampled_from(
    [
        "{{",
        "}}",
        "{%",
        "%}",
        "{",
        "}",
        "|",
        ".",
        "__class__",
        "settings.SECRET_KEY",
        "case.reference",
        "constituent.full_name",
        " ",
        "\n",
        "7*7",
        "{% debug %}",
        "{{ today }}",
    ]
)
arbitrary = st.lists(st.text(max_size=8) | pieces, max_size=30).map("".join)


@hypothesis_settings(max_examples=300, deadline=None)
@given(text=arbitrary)
def test_arbitrary_text_renders_or_names_unknown_fields_and_nothing_else(text):
    unknown = merge_validate(text)
    if unknown:
        with pytest.raises(MergeError) as raised:
            merge_render(text, FIELDS)
        assert raised.value.unknown == unknown
        return
    out = merge_render(text, FIELDS)
    # Nothing is evaluated: a computation stays as it was written or is refused.
    assert "49" not in out or "49" in text
    assert settings.SECRET_KEY not in out


@hypothesis_settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_text_without_fields_is_returned_exactly(text):
    if "{{" in text and "}}" in text:
        return
    assert merge_render(text, FIELDS) == text


@hypothesis_settings(max_examples=200, deadline=None)
@given(values=st.dictionaries(st.sampled_from(sorted(ALLOWED)), st.text(max_size=40)))
def test_each_allowed_field_becomes_exactly_its_value(values):
    fields = dict.fromkeys(ALLOWED, "") | values
    text = "|".join("{{ " + name + " }}" for name in sorted(ALLOWED))
    assert merge_render(text, fields) == "|".join(fields[name] for name in sorted(ALLOWED))


# --- Values computed from the office's rows -------------------------------------------------------
@pytest.fixture
def case(office, caseworker):
    person = ConstituentFactory(
        office=office, title="Ms", first_name="Priya", last_name="Sharma", address_line1="12 Mill Lane"
    )
    return case_services.case_open(office=office, constituent=person, opened_by=caseworker, summary="PIP reduced")


@time_machine.travel(dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC), tick=False)
def test_fields_for_a_case_an_organisation_and_a_sender(office, case, manager, django_assert_max_num_queries):
    council = OrganisationFactory(office=office, name="Northtown Council", postal_address="Town Hall\nNorthtown")
    letters.letterhead_save(
        office=office, actor=manager, values={"mp_name": "Alex Example MP", "mp_title": "MP for Northtown"}
    )
    sender = UserFactory(full_name="Casey Worker", email="casey@example.org")
    with django_assert_max_num_queries(1):  # the letterhead; the case comes with its constituent
        fields = merge_fields_for(office=office, case=case, organisation=council, sender=sender)
    assert set(fields) == ALLOWED
    assert fields["today"] == "3 March 2026"
    assert fields["constituent.full_name"] == "Ms Priya Sharma"
    assert fields["constituent.salutation"] == "Ms Sharma"
    assert fields["constituent.address"] == "12 Mill Lane, Northtown, NT1 1AA"
    assert fields["case.reference"] == case.reference
    assert fields["case.summary"] == "PIP reduced"
    assert fields["case.opened"] == long_date(timezone.localdate(case.opened_at))
    assert fields["organisation.name"] == "Northtown Council"
    assert fields["organisation.address"] == "Town Hall, Northtown"
    assert fields["mp.name"] == "Alex Example MP"
    assert fields["mp.title"] == "MP for Northtown"
    assert fields["office.name"] == office.name
    assert fields["sender.name"] == "Casey Worker"


def test_fields_without_a_case_are_empty_not_missing(office):
    fields = merge_fields_for(office=office)
    assert set(fields) == ALLOWED
    assert fields["constituent.full_name"] == ""
    assert fields["case.reference"] == ""
    assert fields["mp.name"] == office.mp_name, "the office's own details stand in for an unsaved letterhead"


def test_salutation_without_a_title_is_the_full_name(office, case):
    case.constituent.title = ""
    assert merge_fields_for(office=office, case=case)["constituent.salutation"] == "Priya Sharma"


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=60))
def test_a_constituents_own_text_is_a_value_and_is_never_evaluated(office, case, name):
    case.constituent.last_name = name
    fields = merge_fields_for(office=office, case=case)
    out = merge_render("{{ constituent.last_name }}", fields)
    assert out == name
