"""The public contact pages (no sign-in): signposting first, then the form; and the manager's pages for them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from correspondence import contact, services
from correspondence.forms import ContactForm, ContactTopicForm, PublishedPositionForm
from correspondence.models import ContactTopic, PublishedPosition, TopicKind
from security.decorators import office_required
from security.middleware import client_ip
from security.models import Office
from security.roles import Perm
from security.scoping import get_for_office_or_404


def _office(slug: str) -> Office:
    return get_object_or_404(Office, slug=slug, is_active=True)


def _topics(office: Office):
    return ContactTopic.objects.for_office(office).filter(is_active=True).select_related("organisation")


def _positions(office: Office):
    return PublishedPosition.objects.for_office(office).filter(is_published=True)


@login_not_required
@require_GET
def contact_start(request: HttpRequest, office_slug: str) -> HttpResponse:
    office = _office(office_slug)
    context = {"office": office, "topics": _topics(office), "has_positions": _positions(office).exists()}
    return render(request, "correspondence/contact/start.html", context)


@login_not_required
@require_GET
def contact_topic(request: HttpRequest, office_slug: str, topic_id: int) -> HttpResponse:
    office = _office(office_slug)
    topic = get_object_or_404(_topics(office), pk=topic_id)
    if topic.kind == TopicKind.POSITION:
        return redirect("correspondence:contact_positions", office_slug=office.slug)
    if topic.kind == TopicKind.WRITE:
        return redirect(f"{_write_url(office)}?topic={topic.pk}")
    return render(request, "correspondence/contact/signpost.html", {"office": office, "topic": topic})


def _write_url(office: Office) -> str:
    from django.urls import reverse

    return reverse("correspondence:contact_write", kwargs={"office_slug": office.slug})


@login_not_required
@require_GET
def contact_positions(request: HttpRequest, office_slug: str) -> HttpResponse:
    office = _office(office_slug)
    return render(request, "correspondence/contact/positions.html", {"office": office, "positions": _positions(office)})


def _limited(request: HttpRequest, office: Office) -> bool:
    return is_ratelimited(
        request,
        group=f"contact-form:{office.pk}",
        key=lambda group, req: client_ip(req) or "unknown",
        rate=settings.CONTACT_FORM_RATE,
        method="POST",
        increment=True,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def contact_write(request: HttpRequest, office_slug: str) -> HttpResponse:
    office = _office(office_slug)
    topic = _topics(office).filter(pk=_int(request.GET.get("topic"))).first()
    form = ContactForm(request.POST or None, office=office)
    if request.method == "POST":
        if _limited(request, office):
            return render(request, "correspondence/contact/limited.html", {"office": office}, status=429)
        if form.is_bot:
            return redirect("correspondence:contact_thanks", office_slug=office.slug)
        if form.is_valid():
            data = form.cleaned_data
            submission = contact.Submission(
                name=data["name"],
                email=data["email"],
                postcode=data["postcode"],
                text=data["text"],
                consent_to_share=data["consent_to_share"],
                topic=topic,
            )
            contact.contact_submit(office=office, submission=submission)
            # Nothing the sender wrote is shown back: the thanks page is the same for everyone.
            return redirect("correspondence:contact_thanks", office_slug=office.slug)
    return render(request, "correspondence/contact/write.html", {"office": office, "form": form, "topic": topic})


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@login_not_required
@require_GET
def contact_thanks(request: HttpRequest, office_slug: str) -> HttpResponse:
    return render(request, "correspondence/contact/thanks.html", {"office": _office(office_slug)})


# --- The manager's pages ---------------------------------------------------------------------
@office_required(Perm.MANAGE_OFFICE)
@require_GET
def contact_settings(request: HttpRequest) -> HttpResponse:
    context = {
        "topics": ContactTopic.objects.for_office(request.office).select_related("organisation"),
        "positions": PublishedPosition.objects.for_office(request.office),
    }
    return render(request, "correspondence/contact_settings.html", context)


def _edit(request: HttpRequest, form_class: type[ModelForm], instance: object, what: str) -> HttpResponse:
    form = form_class(request.POST or None, instance=instance, office=request.office)
    if request.method == "POST" and form.is_valid():
        services.contact_page_save(office=request.office, actor=request.user, row=form.save(commit=False))
        messages.success(request, f"{what} saved.")
        return redirect("correspondence:contact_settings")
    return render(request, "correspondence/contact_item_form.html", {"form": form, "what": what})


@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, topic_id: int | None = None) -> HttpResponse:
    topic = get_for_office_or_404(ContactTopic, request.office, pk=topic_id) if topic_id else None
    return _edit(request, ContactTopicForm, topic or ContactTopic(office=request.office), "Topic")


@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def position_edit(request: HttpRequest, position_id: int | None = None) -> HttpResponse:
    position = get_for_office_or_404(PublishedPosition, request.office, pk=position_id) if position_id else None
    return _edit(request, PublishedPositionForm, position or PublishedPosition(office=request.office), "Position")
