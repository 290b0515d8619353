"""Handover: cases move to another office with their people and correspondence (after its manager
accepts), or are exported and purged; audited on both sides; nothing points across offices."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest
from django.apps import apps
from django.urls import reverse

from casework import services as case_services
from casework.models import Case, CaseDocument, CaseEvent, CaseParticipant, Tag
from constituents.models import Constituent, ConstituentEmail, PostcodeWard, Representative, Ward
from correspondence.models import Attachment, Message, RawEmail
from security import tasks
from security.dataprotection import handover as services
from security.dataprotection.models import Erasure, Handover, HandoverStatus, SubjectAccessRequest
from security.decorators import SESSION_OTP_AT
from security.errors import DomainError
from security.models import AuditEvent, Notification
from security.roles import Role
from tests.conftest import verified_client
from tests.factories import ConstituentFactory, MembershipFactory, OfficeFactory
from tests.security import dataprotection_seed as seed

WARD = "E05009999"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def cleanups_at_once(monkeypatch):
    monkeypatch.setattr(tasks.cleanups_run, "delay", tasks.cleanups_run)


@pytest.fixture
def target(db):
    office = OfficeFactory(name="Neighbouring office")
    case_services.office_initialise(office)
    Ward.objects.create(office=office, code=WARD, name="Quibble Ward")
    return office


@pytest.fixture
def target_manager(target):
    return MembershipFactory(office=target, role=Role.MANAGER).user


@pytest.fixture
def seeded(office, manager):
    ward = Ward.objects.create(office=office, code=WARD, name="Quibble Ward")
    PostcodeWard.objects.create(office=office, postcode=seed.POSTCODE, ward=ward)
    seeded = seed.seed_person(office, manager)
    case_services.case_set_tags(
        case=seeded.case, actor=manager, tags=[Tag.objects.for_office(office).get(name="Disrepair")]
    )
    return seeded


def _cross_office_links() -> list[str]:
    """Every foreign key between office-owned rows must stay inside one office."""
    problems = []
    for model in apps.get_models():
        if not any(f.name == "office" and f.is_relation for f in model._meta.concrete_fields):
            continue
        for field in model._meta.concrete_fields:
            related = field.related_model
            if not field.is_relation or field.name == "office" or related is None:
                continue
            if not any(f.name == "office" and f.is_relation for f in related._meta.concrete_fields):
                continue
            if field.name == "target_office":
                continue
            crossing = model._base_manager.exclude(**{f"{field.name}__isnull": True}).exclude(
                **{f"{field.name}__office": models_f("office")}
            )
            if crossing.exists():
                problems.append(f"{model._meta.label}.{field.name}")
    return problems


def models_f(name):
    from django.db.models import F

    return F(name)


def test_the_plan_closes_over_people(office, manager, seeded):
    second = case_services.case_open(office=office, constituent=seeded.person, opened_by=manager, summary="Bins")
    Case.objects.for_office(office).filter(pk=second.pk).update(ward_code="")
    plan = services.handover_plan(office=office, wards=[WARD], references=["2099/9999"])
    assert set(plan.case_ids) == {seeded.case.pk, second.pk}  # her other case goes too, whatever its ward
    assert plan.subject_ids == [seeded.person.pk]
    assert plan.unknown == ["2099/9999"]
    assert f"{seeded.case.reference} (awaiting third party)" in plan.lines


def test_accepted_cases_move_with_their_people_and_correspondence(
    office, manager, seeded, target, target_manager, media_root, django_capture_on_commit_callbacks
):
    Case.objects.create(office=target, reference=seeded.case.reference, constituent=ConstituentFactory(office=target))
    offer = services.handover_propose(office=office, actor=manager, target_office=target, wards=[WARD], references=[])
    assert Notification.objects.for_office(target).get(recipient=target_manager).link.endswith(f"/{offer.pk}")
    old_files = {d.file.name for d in CaseDocument.objects.for_office(office)} | {
        a.file.name for a in Attachment.objects.for_office(office)
    }
    with pytest.raises(DomainError, match="not waiting for your office"):
        services.handover_accept(handover=offer, office=office, actor=manager)

    with django_capture_on_commit_callbacks(execute=True):
        done = services.handover_accept(handover=offer, office=target, actor=target_manager)

    assert done.status == HandoverStatus.COMPLETED
    person = Constituent.objects.for_office(target).get(pk=seeded.person.pk)
    assert person.ward.office_id == target.pk
    assert ConstituentEmail.objects.for_office(target).filter(constituent=person).count() == 1
    assert Representative.objects.for_office(target).filter(constituent=person).count() == 1
    case = Case.objects.for_office(target).get(pk=seeded.case.pk)
    assert case.reference != seeded.case.reference  # the receiving office had that number already
    assert [t.name for t in case.tags.all()] == ["Disrepair"]
    assert all(t.office_id == target.pk for t in case.tags.all())
    assert Message.objects.for_office(target).filter(case=case).count() == 4
    assert Message.objects.for_office(target).filter(constituent=person, channel="web_form").count() == 1
    assert RawEmail.objects.for_office(target).get().mailbox_key == ""
    assert CaseEvent.objects.for_office(target).filter(case=case, kind="note").count() == 1
    # Files moved under the receiving office's path; the old copies are deleted.
    for row in [*CaseDocument.objects.for_office(target), *Attachment.objects.for_office(target)]:
        assert row.file.name.startswith(f"offices/{target.pk}/")
        assert row.file.storage.exists(row.file.name)
    assert not any((media_root / name).exists() for name in old_files)
    # What stays: her request (the old office answered it), and the neighbour's case without her.
    assert SubjectAccessRequest.objects.for_office(office).filter(pk=seeded.sar.pk).exists()
    assert Case.objects.for_office(office).get(pk=seeded.other_case.pk).summary == "Noise"
    assert not CaseParticipant.objects.for_office(office).filter(case=seeded.other_case).exists()
    assert not Constituent.objects.for_office(office).filter(pk=seeded.person.pk).exists()
    assert _cross_office_links() == []
    # Audited on both sides.
    assert AuditEvent.objects.filter(office=office, verb="security.handover.sent").exists()
    assert AuditEvent.objects.filter(office=target, verb="security.handover.received").exists()
    assert AuditEvent.objects.filter(office=target, verb="security.handover.offered").exists()


def test_a_declined_or_cancelled_offer_moves_nothing(office, manager, seeded, target, target_manager):
    offer = services.handover_propose(office=office, actor=manager, target_office=target, wards=[WARD], references=[])
    services.handover_decline(handover=offer, office=target, actor=target_manager)
    with pytest.raises(DomainError):
        services.handover_accept(handover=offer, office=target, actor=target_manager)
    again = services.handover_propose(office=office, actor=manager, target_office=target, wards=[WARD], references=[])
    services.handover_cancel(handover=again, actor=manager)
    assert Constituent.objects.for_office(office).filter(pk=seeded.person.pk).exists()
    assert AuditEvent.objects.filter(office=target, verb="security.handover.declined").exists()
    assert AuditEvent.objects.filter(office=target, verb="security.handover.cancelled").exists()


def test_it_refuses_no_cases_and_its_own_office(office, manager, target):
    with pytest.raises(DomainError, match="No cases match"):
        services.handover_propose(office=office, actor=manager, target_office=target, wards=[WARD], references=[])
    with pytest.raises(DomainError, match="another office"):
        services.handover_propose(office=office, actor=manager, target_office=office, wards=[], references=["x"])


def test_export_then_purge(office, manager, seeded, django_capture_on_commit_callbacks):
    exported = services.handover_export(office=office, actor=manager, wards=[WARD], references=[])
    assert exported.status == HandoverStatus.EXPORTED
    with exported.export_file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    people = [json.loads(line) for line in archive.read("data/constituents.constituent.jsonl").decode().splitlines()]
    assert [p["last_name"] for p in people] == [seed.LAST]
    schema = json.loads(archive.read("schema.json"))
    assert schema["tables"]["casework.case"]["rows"] == 1
    assert any(name.startswith("files/") for name in archive.namelist())
    with pytest.raises(DomainError, match="Download the export"):
        services.handover_purge(handover=exported, actor=manager)
    services.handover_download_record(handover=exported, actor=manager)
    name = exported.export_file.name
    with django_capture_on_commit_callbacks(execute=True):
        purged = services.handover_purge(handover=exported, actor=manager)
    assert purged.status == HandoverStatus.COMPLETED
    assert Constituent.objects.for_office(office).get(pk=seeded.person.pk).erased_at is not None
    assert Erasure.objects.for_office(office).get().reason == "handover"
    assert not exported.export_file.storage.exists(name)


# --- Pages --------------------------------------------------------------------------------------------
def _fresh_otp(client) -> None:
    session = client.session
    session[SESSION_OTP_AT] = time.time()
    session.save()


def test_the_pages_of_both_offices(office, manager, manager_client, seeded, target, target_manager):
    form = reverse("security:handover_create")
    assert manager_client.get(form).status_code == 200
    data = {"mode": "move", "target_office": target.slug, "wards": [WARD], "references": ""}
    preview = manager_client.post(form, {**data, "action": "preview"})
    assert f"{seeded.case.reference} (awaiting third party)" in preview.content.decode()
    assert not Handover.objects.for_office(office).exists()
    response = manager_client.post(form, {**data, "action": "confirm"})
    offer = Handover.objects.for_office(office).get()
    assert response.url == reverse("security:handover_detail", args=[offer.pk])

    theirs = verified_client(target_manager)
    incoming = theirs.get(reverse("security:handover_list")).content.decode()
    assert office.name in incoming
    detail = theirs.get(reverse("security:handover_detail", args=[offer.pk])).content.decode()
    assert "Accept the cases" in detail
    theirs.post(reverse("security:handover_accept", args=[offer.pk]))
    assert Case.objects.for_office(target).filter(pk=seeded.case.pk).exists()

    stranger = verified_client(MembershipFactory(office=OfficeFactory(), role=Role.MANAGER).user)
    assert stranger.get(reverse("security:handover_detail", args=[offer.pk])).status_code == 404
    assert stranger.post(reverse("security:handover_accept", args=[offer.pk])).status_code == 404


def test_an_unknown_or_own_office_identifier_is_refused(manager_client, office):
    for slug in ("no-such-office", office.slug):
        response = manager_client.post(
            reverse("security:handover_create"), {"mode": "move", "target_office": slug, "references": "x"}
        )
        assert "No other office of this service has that identifier." in response.content.decode()


def test_a_form_without_cases_or_office_shows_errors(manager_client, office):
    response = manager_client.post(reverse("security:handover_create"), {"mode": "move", "action": "preview"})
    page = response.content.decode()
    assert "Give the identifier of the office that receives them." in page
    assert "Choose wards, or give case references." in page


def test_download_and_purge_pages_need_a_fresh_code(office, manager, manager_client, seeded):
    exported = services.handover_export(office=office, actor=manager, wards=[WARD], references=[])
    download = reverse("security:handover_download", args=[exported.pk])
    purge = reverse("security:handover_purge", args=[exported.pk])
    session = manager_client.session
    session[SESSION_OTP_AT] = 0
    session.save()
    assert manager_client.get(download).url.startswith(reverse("security:otp_confirm"))
    assert manager_client.post(purge, {"confirm": "on"}).url.startswith(reverse("security:otp_confirm"))
    _fresh_otp(manager_client)
    response = manager_client.get(download)
    assert response["Content-Type"] == "application/zip"
    b"".join(response.streaming_content)
    manager_client.post(purge, {"confirm": "on"})
    exported.refresh_from_db()
    assert exported.status == HandoverStatus.COMPLETED


def test_the_list_takes_a_fixed_number_of_queries(
    office, manager, manager_client, target, django_assert_max_num_queries
):
    for n in range(10):
        Handover.objects.create(
            office=office, mode="move", target_office=target, status="proposed", proposed_by=manager, case_ids=[n]
        )
        Handover.objects.create(office=target, mode="move", target_office=office, status="proposed", case_ids=[n])
    with django_assert_max_num_queries(12):
        page = manager_client.get(reverse("security:handover_list")).content.decode()
    assert page.count("Waiting for the other office") == 20


@pytest.mark.parametrize("role_client", ["caseworker_client", "mp_client", "volunteer_client"])
def test_other_roles_are_refused(role_client, request, office, manager, target):
    client = request.getfixturevalue(role_client)
    _fresh_otp(client)
    offer = Handover.objects.create(office=office, mode="export_purge", status="exported", proposed_by=manager)
    for url in [reverse("security:handover_list"), reverse("security:handover_create")]:
        assert client.get(url).status_code == 403
    for name in ["handover_detail", "handover_download"]:
        assert client.get(reverse(f"security:{name}", args=[offer.pk])).status_code == 403
    for name in ["handover_accept", "handover_decline", "handover_cancel", "handover_purge"]:
        assert client.post(reverse(f"security:{name}", args=[offer.pk]), {"confirm": "on"}).status_code == 403
    assert (
        client.post(reverse("security:handover_create"), {"mode": "export_purge", "action": "confirm"}).status_code
        == 403
    )
    offer.refresh_from_db()
    assert offer.status == HandoverStatus.EXPORTED
