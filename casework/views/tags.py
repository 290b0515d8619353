"""Governing the vocabulary (managers) and choosing tags (caseworkers)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import selectors, services
from casework.forms import CategoryForm, TagForm, TagMergeForm
from casework.models import Tag
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404


@office_required(Perm.MANAGE_TAGS)
@require_http_methods(["GET", "POST"])
def tag_list(request: HttpRequest) -> HttpResponse:
    office = request.office
    tag_form = TagForm(request.POST if "name" in request.POST else None, office=office, prefix="tag")
    category_form = CategoryForm(request.POST if "category-name" in request.POST else None, prefix="category")
    if request.method == "POST":
        created = _create_from(request, tag_form, category_form)
        if created:
            return redirect("casework:tag_list")
    size = selectors.vocabulary_size(office=office)
    limit = services.settings_for(office).vocabulary_warning_size
    context = {
        "categories": selectors.vocabulary(office=office),
        "tag_form": tag_form,
        "category_form": category_form,
        "size": size,
        "limit": limit,
        "too_big": size > limit,
    }
    return render(request, "casework/tag_list.html", context)


def _create_from(request: HttpRequest, tag_form: TagForm, category_form: CategoryForm) -> bool:
    form, create = (tag_form, services.tag_create) if tag_form.is_bound else (category_form, services.category_create)
    if not form.is_bound:
        messages.error(request, "Fill in the form first.")
        return False
    if not form.is_valid():
        return False
    try:
        created = create(office=request.office, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        form.add_error("name", str(error))
        return False
    messages.success(request, f"Added “{created.name}”.")
    return True


@office_required(Perm.MANAGE_TAGS)
@require_http_methods(["GET", "POST"])
def tag_edit(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag = get_for_office_or_404(Tag, request.office, pk=tag_id)
    initial = {
        "name": tag.name,
        "category": tag.category_id,
        "description": tag.description,
        "synonyms": ", ".join(tag.synonyms),
    }
    form = TagForm(request.POST or None, office=request.office, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.tag_update(tag=tag, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, "Tag saved.")
            return redirect("casework:tag_list")
    return render(request, "casework/tag_edit.html", {"form": form, "tag": tag})


@office_required(Perm.MANAGE_TAGS)
@require_POST
def tag_toggle(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag = get_for_office_or_404(Tag, request.office, pk=tag_id)
    services.tag_set_active(tag=tag, actor=request.user, active=not tag.is_active)
    messages.success(request, f"“{tag.name}” {'can be chosen again' if tag.is_active else 'is retired'}.")
    return redirect("casework:tag_list")


@office_required(Perm.MANAGE_TAGS)
@require_http_methods(["GET", "POST"])
def tag_merge(request: HttpRequest, tag_id: int) -> HttpResponse:
    source = get_for_office_or_404(Tag, request.office, pk=tag_id)
    form = TagMergeForm(request.POST or None, office=request.office, source=source)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        moved = services.tag_merge(source=source, target=target, actor=request.user)
        messages.success(request, f"Merged “{source.name}” into “{target.name}”: {moved} cases re-tagged.")
        return redirect("casework:tag_list")
    return render(request, "casework/tag_merge.html", {"form": form, "tag": source})


@office_required(Perm.VIEW_CASES)
@require_GET
def tag_search(request: HttpRequest) -> HttpResponse:
    """htmx typeahead: active tags matching the words typed (names and synonyms)."""
    query = request.GET.get("q", "")[:100]
    chosen = [value for value in request.GET.getlist("tags") if value.isdigit()]
    tags = selectors.active_tags(office=request.office, query=query)
    return render(request, "casework/_tag_options.html", tag_picker_context(tags, chosen))


def tag_picker_context(options: list[Tag], chosen: list[str]) -> dict[str, object]:
    """Chosen tags the filter hides still travel with the form, as hidden inputs."""
    shown = {str(tag.pk) for tag in options}
    return {"tag_options": options, "chosen_tags": set(chosen), "hidden_chosen": [c for c in chosen if c not in shown]}
