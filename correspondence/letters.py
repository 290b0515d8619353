"""Letters: the office's templates, standard paragraphs and letterhead, and a letter written on a case.

Every write runs in a transaction and records one audit event naming the fields it changed,
never their values. Templates and paragraphs are checked against the merge allow-list
(``correspondence.merge``) when saved; a letter is kept as an outgoing message of channel
letter, filed to its case, with its PDF as the message's attachment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from PIL import Image

from casework import services as case_services
from casework.models import Case, CaseStatus
from constituents.models import Organisation
from correspondence import search_index
from correspondence.letter_layout import (
    IMAGE_TYPES,
    MAX_ADDRESS_LINE,
    MAX_ADDRESS_LINES,
    LetterContent,
    address_lines,
    letter_pdf,
)
from correspondence.merge import MergeError, merge_fields_for, merge_render, merge_validate
from correspondence.models import (
    Addressee,
    Attachment,
    Channel,
    Direction,
    Letterhead,
    LetterTemplate,
    Message,
    StandardParagraph,
    TriageState,
)
from mpoffice.lib.sniff import sniff_bytes
from security.audit import audit_record
from security.errors import DomainError
from security.models import Office, User
from security.scoping import ensure_same_office

MAX_BODY = 50_000
MAX_IMAGE_BYTES = 2 * 1024 * 1024
# Bigger than any letterhead needs; a decompression bomb is refused before WeasyPrint sees it.
MAX_IMAGE_PIXELS = 4000 * 4000
LETTERHEAD_FIELDS = ("mp_name", "mp_title", "constituency", "address", "contact", "footer")


# --- Letterhead ---------------------------------------------------------------------------------
def letterhead_get(office: Office) -> Letterhead:
    """The office's letterhead, or (before a manager saves one) one made from the office's details.

    A read: the default is not stored.
    """
    found = Letterhead.objects.for_office(office).first()
    if found is not None:
        return found
    return Letterhead(
        office=office,
        mp_name=office.mp_name,
        mp_title=f"Member of Parliament for {office.constituency}" if office.constituency else "",
        constituency=office.constituency,
        address=office.letterhead_address,
    )


def _print_ready(upload: UploadedFile) -> bytes:
    """The picture as the JPEG the letters print, flattened on white paper.

    A PNG would be decoded and compressed again by WeasyPrint for every letter; a JPEG goes
    into the PDF as it is, which makes each letter about a sixth quicker to render.
    """
    if upload.size is None or upload.size > MAX_IMAGE_BYTES:
        raise DomainError(f"A letterhead picture may be at most {MAX_IMAGE_BYTES // (1024 * 1024)} MB.")
    body = upload.read()
    upload.seek(0)
    if sniff_bytes(body[:16]) not in IMAGE_TYPES:
        raise DomainError("A letterhead picture must be a PNG or JPEG image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(body)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise DomainError("That picture is too large; 2,000 pixels across is plenty for a letterhead.")
                image.load()
                flat = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                flat.paste(rgba, mask=rgba.getchannel("A"))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise DomainError("That picture could not be read; save it again as PNG or JPEG.") from None
    out = io.BytesIO()
    # Full-resolution colour (no chroma subsampling) keeps a signature's thin strokes crisp.
    flat.save(out, format="JPEG", quality=92, subsampling=0)
    return out.getvalue()


def _store_image(letterhead: Letterhead, kind: str, upload: UploadedFile) -> None:
    body = _print_ready(upload)
    digest = hashlib.sha256(body).hexdigest()
    getattr(letterhead, kind).save(f"{kind}-{digest[:16]}.jpg", ContentFile(body), save=False)


@transaction.atomic
def letterhead_save(
    *,
    office: Office,
    actor: User,
    values: dict[str, Any],
    logo: UploadedFile | None = None,
    signature: UploadedFile | None = None,
    remove_logo: bool = False,
    remove_signature: bool = False,
) -> Letterhead:
    """Store the office's letterhead. Pictures (PNG or JPEG, at most 2 MB) are kept under the
    office's path as the JPEG that is printed."""
    letterhead = Letterhead.objects.for_office(office).select_for_update().first() or letterhead_get(office)
    if not str(values.get("mp_name", letterhead.mp_name)).strip():
        raise DomainError("Give the MP's name as it is signed.")
    changed = [k for k in LETTERHEAD_FIELDS if k in values and getattr(letterhead, k) != values[k]]
    for name in changed:
        setattr(letterhead, name, values[name])
    for kind, upload, remove in (("logo", logo, remove_logo), ("signature", signature, remove_signature)):
        if upload is not None:
            _store_image(letterhead, kind, upload)
            changed.append(kind)
        elif remove and getattr(letterhead, kind):
            # The file stays in storage: letters already made were rendered from it.
            setattr(letterhead, kind, "")
            changed.append(kind)
    if changed or letterhead.pk is None:
        letterhead.save()
        audit_record(verb="correspondence.letterhead.saved", office=office, actor=actor, obj=letterhead, fields=changed)
    return letterhead


# --- Templates and standard paragraphs ---------------------------------------------------------
def _check_merge(text: str) -> None:
    unknown = merge_validate(text)
    if unknown:
        raise MergeError(unknown)


def _clean_text(value: str, what: str) -> str:
    value = value.replace("\r\n", "\n").strip()
    if not value:
        raise DomainError(f"Write the {what} first.")
    if len(value) > MAX_BODY:
        raise DomainError(f"Keep the {what} under {MAX_BODY:,} characters.")
    return value


def _unique(queryset: QuerySet[Any], exclude: Any, **lookup: Any) -> bool:
    found = queryset.filter(**lookup)
    if exclude is not None and exclude.pk:
        found = found.exclude(pk=exclude.pk)
    return not found.exists()


TEMPLATE_FIELDS = ("name", "addressee", "body", "is_active", "chaser_for")


@transaction.atomic
def template_save(
    *, office: Office, actor: User, template: LetterTemplate | None = None, **values: Any
) -> LetterTemplate:
    """Create (``template`` None) or change a letter template; unknown merge fields are refused."""
    row = template or LetterTemplate(office=office)
    ensure_same_office(office, row)
    values = {k: v for k, v in values.items() if k in TEMPLATE_FIELDS}
    ensure_same_office(office, values.get("chaser_for"))
    if "name" in values:
        values["name"] = " ".join(str(values["name"]).split())
        if not values["name"]:
            raise DomainError("Give the template a name.")
        if not _unique(LetterTemplate.objects.for_office(office), row, name__iexact=values["name"]):
            raise DomainError(f"There is already a template called “{values['name']}”.")
    if "addressee" in values and values["addressee"] not in Addressee.values:
        raise DomainError("Choose who the letter is usually to.")
    if "body" in values:
        values["body"] = _clean_text(values["body"], "letter")
        _check_merge(values["body"])
    return _save(row, values, office=office, actor=actor, noun="lettertemplate")


PARAGRAPH_FIELDS = ("title", "category", "shortcut", "body", "is_active")


@transaction.atomic
def paragraph_save(
    *, office: Office, actor: User, paragraph: StandardParagraph | None = None, **values: Any
) -> StandardParagraph:
    """Create (``paragraph`` None) or change a standard paragraph; unknown merge fields are refused."""
    row = paragraph or StandardParagraph(office=office)
    ensure_same_office(office, row)
    values = {k: v for k, v in values.items() if k in PARAGRAPH_FIELDS}
    paragraphs = StandardParagraph.objects.for_office(office)
    if "title" in values:
        values["title"] = " ".join(str(values["title"]).split())
        if not values["title"]:
            raise DomainError("Give the paragraph a title.")
        if not _unique(paragraphs, row, title__iexact=values["title"]):
            raise DomainError(f"There is already a paragraph called “{values['title']}”.")
    if "category" in values:
        values["category"] = " ".join(str(values["category"]).split())
    if values.get("shortcut"):
        values["shortcut"] = str(values["shortcut"]).strip().lower()
        if not _unique(paragraphs, row, shortcut=values["shortcut"]):
            raise DomainError(f"Another paragraph already has the shortcut “{values['shortcut']}”.")
    if "body" in values:
        values["body"] = _clean_text(values["body"], "paragraph")
        _check_merge(values["body"])
    return _save(row, values, office=office, actor=actor, noun="paragraph")


def _save(row: Any, values: dict[str, Any], *, office: Office, actor: User, noun: str) -> Any:
    creating = row.pk is None
    # A new row records every field it was given; an existing one only those that changed.
    changed = [k for k, v in values.items() if creating or getattr(row, k) != v]
    for name in changed:
        setattr(row, name, values[name])
    if creating or changed:
        row.save()
        verb = "created" if creating else "updated"
        audit_record(verb=f"correspondence.{noun}.{verb}", office=office, actor=actor, obj=row, fields=changed)
    return row


def active_templates(office: Office) -> QuerySet[LetterTemplate]:
    return LetterTemplate.objects.for_office(office).filter(is_active=True).order_by("name", "id")


def active_paragraphs(office: Office, query: str = "") -> QuerySet[StandardParagraph]:
    """Paragraphs in use, optionally those whose title, category or shortcut contains ``query``."""
    found = StandardParagraph.objects.for_office(office).filter(is_active=True)
    query = query.strip()
    if query:
        found = found.filter(Q(title__icontains=query) | Q(category__icontains=query) | Q(shortcut__icontains=query))
    return found.order_by("category", "title", "id")


def case_letters(*, case: Case) -> QuerySet[Message]:
    """The letters kept on a case, newest first, each with its PDF (one more query for all PDFs)."""
    return (
        Message.objects.for_office(case.office)
        .filter(case=case, channel=Channel.LETTER, direction=Direction.OUTBOUND)
        .select_related("logged_by")
        .prefetch_related("attachments")
        .defer("html", "text", "references", "search_vector", "recipients")
        .order_by("-received_at", "-id")
    )


# --- A letter on a case ------------------------------------------------------------------------
@dataclass(frozen=True)
class LetterStart:
    """A letter's first draft: whom to, the address block, a subject and the merged body."""

    addressee: str
    organisation: Organisation | None
    address: str
    subject: str
    body: str


def constituent_address(case: Case) -> str:
    person = case.constituent
    lines = [person.full_name, person.address_line1, person.address_line2, person.town, person.postcode]
    return "\n".join(line.strip() for line in lines if line and line.strip())


def organisation_address(organisation: Organisation) -> str:
    return "\n".join([organisation.name, *address_lines(organisation.postal_address)])


def letter_start(
    *,
    case: Case,
    actor: User,
    template: LetterTemplate | None = None,
    addressee: str = Addressee.CONSTITUENT,
    organisation: Organisation | None = None,
) -> LetterStart:
    """The draft a caseworker starts from: the template merged for this case and addressee.

    Raises ``MergeError`` when the template holds an unknown field (it was saved before a
    field was withdrawn): the caseworker is told which, and the template can be corrected.
    """
    ensure_same_office(case.office, template, organisation)
    if addressee == Addressee.ORGANISATION and organisation is not None:
        address, name = organisation_address(organisation), organisation.name
    else:
        addressee, organisation = Addressee.CONSTITUENT, None
        address, name = constituent_address(case), case.constituent.full_name
    body = ""
    if template is not None:
        fields = merge_fields_for(office=case.office, case=case, organisation=organisation, sender=actor)
        body = merge_render(template.body, fields)
    subject = f"Letter to {name}" + (f": {template.name}" if template is not None else "")
    return LetterStart(addressee=addressee, organisation=organisation, address=address, subject=subject, body=body)


@dataclass(frozen=True)
class ParagraphChoice:
    """A paragraph as the picker offers it: merged for the case, or why it cannot be."""

    paragraph: StandardParagraph
    text: str
    error: str = ""


PICKER_LIMIT = 50


def paragraph_choices(
    *, office: Office, actor: User, case: Case | None = None, query: str = ""
) -> list[ParagraphChoice]:
    """Paragraphs in use matching ``query``, each merged for the case (the constituent's, the MP's
    and the sender's fields). One saved before a field was withdrawn says so instead of failing."""
    ensure_same_office(office, case)
    fields = merge_fields_for(office=office, case=case, sender=actor)
    choices = []
    for paragraph in active_paragraphs(office, query)[:PICKER_LIMIT]:
        try:
            choices.append(ParagraphChoice(paragraph, merge_render(paragraph.body, fields)))
        except MergeError as error:
            choices.append(ParagraphChoice(paragraph, "", str(error)))
    return choices


def check_address(address: str) -> str:
    lines = address_lines(address)
    if not lines:
        raise DomainError("Give the address the letter goes to.")
    if len(lines) > MAX_ADDRESS_LINES:
        raise DomainError(f"An address fits the envelope window in {MAX_ADDRESS_LINES} lines at most.")
    if any(len(line) > MAX_ADDRESS_LINE for line in lines):
        raise DomainError(
            f"Keep each address line to {MAX_ADDRESS_LINE} characters so it fits the envelope window; "
            "split a long line in two."
        )
    return "\n".join(lines)


def letter_content(*, case: Case, address: str, body: str, their_reference: str = "") -> LetterContent:
    """The page as it will print, checked: an address that fits the window and a body."""
    return LetterContent(
        address=check_address(address),
        body=_clean_text(body, "letter"),
        date=timezone.localdate(),
        our_reference=case.reference,
        their_reference=their_reference.strip()[:60],
    )


def _file_name(case: Case, on: dt.date) -> str:
    return f"Letter {case.reference.replace('/', '-')} {on.isoformat()}.pdf"


@transaction.atomic
def letter_create(
    *,
    case: Case,
    actor: User,
    addressee: str,
    address: str,
    subject: str,
    body: str,
    organisation: Organisation | None = None,
    their_reference: str = "",
) -> Message:
    """Keep a letter on the case: an outgoing message of channel letter with its PDF attached.

    The text is kept as the caseworker left it (fields were merged when the template or a
    paragraph was put in). A letter to the constituent counts as the office's reply.
    """
    ensure_same_office(case.office, organisation)
    if case.status == CaseStatus.CLOSED:
        raise DomainError(f"Case {case.reference} is closed: reopen it first.")
    if addressee not in Addressee.values or (addressee == Addressee.ORGANISATION and organisation is None):
        raise DomainError("Choose the constituent or an organisation to write to.")
    subject = " ".join(subject.split())[:200] or f"Letter about {case.reference}"
    content = letter_content(case=case, address=address, body=body, their_reference=their_reference)
    letterhead = letterhead_get(case.office)
    rendered = letter_pdf(content, letterhead)
    now = timezone.now()
    to_name = organisation.name if organisation is not None else case.constituent.full_name
    message = Message.objects.create(
        office=case.office,
        direction=Direction.OUTBOUND,
        channel=Channel.LETTER,
        subject=subject,
        text=content.body,
        sender_name=letterhead.mp_name,
        recipients=[{"name": to_name, "email": "", "kind": "to", "address": content.address}],
        sent_at=now,
        received_at=now,
        case=case,
        constituent=case.constituent,
        triage_state=TriageState.FILED,
        logged_by=actor,
    )
    _attach_pdf(message, rendered.pdf, _file_name(case, content.date))
    if addressee == Addressee.CONSTITUENT:
        case_services.case_record_response(case=case, at=now)
    search_index.refresh_message(message.pk)
    audit_record(
        verb="correspondence.letter.created",
        office=case.office,
        actor=actor,
        obj=message,
        fields=["subject", "text", "recipients", "attachments", "case", "constituent"],
    )
    return message


def _attach_pdf(message: Message, pdf: bytes, name: str) -> Attachment:
    digest = hashlib.sha256(pdf).hexdigest()
    attachment = Attachment(
        office=message.office,
        message=message,
        name=name,
        content_type="application/pdf",
        declared_type="application/pdf",
        size=len(pdf),
        sha256=digest,
    )
    # Stored under the office's path by its hash (attachment_path), like every attachment.
    attachment.file.save(digest, ContentFile(pdf), save=False)
    attachment.save()
    return attachment
