"""Letter PDFs: what prints (read back with pdftotext), and that nothing outside the office's assets is fetched."""

from __future__ import annotations

import datetime as dt
import http.server
import re
import subprocess
import threading
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from casework import services as case_services
from correspondence import letters
from correspondence.demo_letters import demo_logo, demo_signature
from correspondence.letter_layout import LetterContent, letter_pdf
from correspondence.merge import MergeError
from correspondence.models import Letterhead, LetterTemplate
from mpoffice.lib import pdf as pdf_lib
from mpoffice.lib.pdf import Asset, render_pdf
from security.errors import DomainError
from tests.factories import ConstituentFactory, OrganisationFactory


def pdftotext(pdf: bytes, *, layout: bool = False) -> str:
    command = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(command, input=pdf, capture_output=True, check=True).stdout.decode()


def stored_pdf(message) -> bytes:
    with message.attachments.get().file.open("rb") as handle:
        return handle.read()


def pdf_images(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    return len(listing.strip().splitlines()) - 2  # two header lines


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(demo_logo().read())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[str]:
    """A real HTTP server on an ephemeral port that records every request it gets."""
    Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fetches(monkeypatch) -> list[str]:
    """Every URL the renderer asked its fetcher for (the fetcher still decides)."""
    asked: list[str] = []
    original = pdf_lib.AssetFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf_lib.AssetFetcher, "fetch", spy)
    return asked


def test_the_fetcher_refuses_every_url_but_the_assets_it_was_given(web_server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENTS")
    html = f"""<html><head>
      <link rel="stylesheet" href="file://{secret}">
      <link rel="stylesheet" href="{web_server}/style.css">
      <style>@import url("{web_server}/import.css"); body {{ background: url({web_server}/bg.png); }}</style>
    </head><body>
      <img src="file:///etc/passwd"><img src="{web_server}/pixel.png"><img src="data:image/png;base64,iVBORw0KGgo=">
      <img src="../../../etc/passwd"><object data="file://{secret}"></object><embed src="{web_server}/embed">
      <img src="asset:logo"><img src="asset:signature"><p>Body text</p>
    </body></html>"""

    rendered = render_pdf(html, assets={"logo": lambda: Asset(demo_logo().read(), "image/png")})

    assert Recorder.hits == [], "nothing reached the web server"
    assert set(rendered.refused) >= {
        "file:///etc/passwd",
        f"file://{secret}",
        f"{web_server}/style.css",
        f"{web_server}/import.css",
        f"{web_server}/pixel.png",
        f"{web_server}/bg.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "asset:signature",
    }
    text = pdftotext(rendered.pdf)
    assert "Body text" in text
    assert "TOP-SECRET" not in text
    assert "root:" not in text
    assert pdf_images(rendered.pdf, tmp_path) == 1, "only the logo it was given"


# --- Letters on the letterhead ------------------------------------------------------------------
@pytest.fixture
def person(office):
    return ConstituentFactory(
        office=office,
        title="Ms",
        first_name="Priya",
        last_name="Sharma",
        address_line1="12 Mill Lane",
        address_line2="Eastley",
        town="Northtown",
        postcode="NT1 1AB",
    )


@pytest.fixture
def case(office, person, caseworker):
    return case_services.case_open(office=office, constituent=person, opened_by=caseworker, summary="PIP reduced")


@pytest.fixture
def letterhead(office, manager):
    return letters.letterhead_save(
        office=office,
        actor=manager,
        values={
            "mp_name": "Alex Example MP",
            "mp_title": "Member of Parliament for Northtown",
            "address": "House of Commons\nLondon\nSW1A 0AA",
            "contact": "020 7946 0000",
            "footer": "Please quote our reference.",
        },
        logo=demo_logo(),
        signature=demo_signature(),
    )


def test_a_letter_prints_the_address_date_reference_body_and_signature(case, caseworker, letterhead, tmp_path):
    message = letters.letter_create(
        case=case,
        actor=caseworker,
        addressee="constituent",
        address=letters.constituent_address(case),
        subject="Acknowledgement",
        body="Dear Ms Sharma,\n\nThank you for writing to me about your PIP award.\nI will help.\n\nYours sincerely,",
        their_reference="PIP-778",
    )

    pdf = stored_pdf(message)
    text = pdftotext(pdf, layout=True)
    for expected in (
        "Ms Priya Sharma",
        "12 Mill Lane",
        "Eastley",
        "NT1 1AB",
        f"Our ref: {case.reference}",
        "Your ref: PIP-778",
        "Thank you for writing to me about your PIP award.",
        "Yours sincerely,",
        "Alex Example MP",
        "Member of Parliament for Northtown",
        "House of Commons",
        "Please quote our reference.",
    ):
        assert expected in text, expected
    assert "Page 1" not in text, "a one-page letter carries no page number"
    assert pdf_images(pdf, tmp_path) == 2, "the logo and the signature"
    # The address block reads top to bottom as the window shows it, left of the date.
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    name_at = next(i for i, line in enumerate(lines) if line.startswith("Ms Priya Sharma"))
    assert lines[name_at + 1].startswith("12 Mill Lane")


def test_the_address_sits_in_a_dl_window(case, letterhead, tmp_path):
    """Where pdftotext finds the first address line: 20 mm from the left, 46 to 50 mm from the top."""
    content = LetterContent(address="Ms Priya Sharma\n12 Mill Lane", body="Hello.", date=dt.date(2026, 3, 3))
    path = tmp_path / "letter.pdf"
    path.write_bytes(letter_pdf(content, letterhead).pdf)
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True).stdout
    found = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>Ms</word>', boxes)
    assert found, boxes[:500]
    points_to_mm = 25.4 / 72
    x_min, y_min = (float(value) * points_to_mm for value in found.groups())
    assert 19.5 <= x_min <= 21, x_min
    assert 46 <= y_min <= 50, y_min


def test_a_long_letter_numbers_its_pages(case, letterhead):
    body = "\n\n".join(f"Paragraph {n}. " + "Some words about the case. " * 40 for n in range(12))
    content = LetterContent(address="Ms Priya Sharma\n12 Mill Lane", body=body, date=dt.date(2026, 3, 3))
    rendered = letter_pdf(content, letterhead)
    assert rendered.pages >= 2
    text = pdftotext(rendered.pdf)
    assert f"Page 1 of {rendered.pages}" in text
    assert f"Page {rendered.pages} of {rendered.pages}" in text


def test_a_letter_to_an_organisation_prints_its_address(office, case, caseworker, letterhead):
    council = OrganisationFactory(office=office, name="Northtown Council", postal_address="Town Hall\nMarket Square")
    message = letters.letter_create(
        case=case,
        actor=caseworker,
        addressee="organisation",
        organisation=council,
        address=letters.organisation_address(council),
        subject="Enquiry",
        body="Dear Sir or Madam,\n\nPlease help.",
    )
    text = pdftotext(stored_pdf(message))
    assert "Northtown Council" in text
    assert "Market Square" in text
    assert message.recipients[0]["name"] == "Northtown Council"


# --- Nothing secret, nothing fetched --------------------------------------------------------------
HOSTILE = [
    "{{ settings.SECRET_KEY }}",
    "{{ constituent.__class__ }}",
    "{{ constituent.__class__.__init__.__globals__ }}",
    "{{ request.user.password }}",
]


@pytest.mark.parametrize("field", HOSTILE)
def test_a_template_naming_anything_outside_the_allow_list_is_refused_when_saved(office, manager, field):
    with pytest.raises(MergeError) as raised:
        letters.template_save(office=office, actor=manager, name="Bad", addressee="constituent", body=f"Hi {field}")
    assert field.strip("{} ") in str(raised.value)


def test_a_template_stored_with_a_forbidden_field_is_refused_again_when_used(office, case, caseworker):
    """Saved some other way (an old row, the admin, a restore): merging refuses it and prints nothing."""
    template = LetterTemplate.objects.create(office=office, name="Old", body="Key: {{ settings.SECRET_KEY }}")
    with pytest.raises(MergeError) as raised:
        letters.letter_start(case=case, actor=caseworker, template=template)
    assert raised.value.unknown == ["settings.SECRET_KEY"]
    assert settings.SECRET_KEY not in str(raised.value)


def test_hostile_text_in_a_template_prints_as_written_and_fetches_nothing(
    office, case, caseworker, manager, letterhead, web_server, fetches
):
    body = "\n\n".join(
        [
            "Dear {{ constituent.salutation }},",
            "{% debug %} {% load static %} {% include 'base.html' %} {{{{ x",
            '<img src="file:///etc/passwd"> <img src="' + web_server + '/tracker.png">',
            '<link rel="stylesheet" href="' + web_server + '/x.css"> <style>@import "file:///etc/passwd";</style>',
            "Yours sincerely,",
        ]
    )
    template = letters.template_save(office=office, actor=manager, name="Odd", addressee="constituent", body=body)
    start = letters.letter_start(case=case, actor=caseworker, template=template)

    message = letters.letter_create(
        case=case, actor=caseworker, addressee="constituent", address=start.address, subject="x", body=start.body
    )

    text = pdftotext(stored_pdf(message))
    assert "{% debug %}" in text
    assert '<img src="file:///etc/passwd">' in text
    assert settings.SECRET_KEY not in text
    assert "root:" not in text
    assert "sql_queries" not in text
    assert Recorder.hits == []
    assert set(fetches) == {"asset:logo", "asset:signature"}, "the letter asked for its own pictures only"


def test_a_constituents_own_hostile_text_is_only_text(office, caseworker, letterhead, web_server, fetches):
    person = ConstituentFactory(
        office=office, first_name='<img src="' + web_server + '/x.png">', last_name="{{ settings.SECRET_KEY }}"
    )
    case = case_services.case_open(office=office, constituent=person, opened_by=caseworker, summary="Odd name")
    template = letters.template_save(
        office=office, actor=caseworker, name="Hello", addressee="constituent", body="Dear {{ constituent.full_name }}"
    )
    start = letters.letter_start(case=case, actor=caseworker, template=template)
    assert start.address.startswith('<img src="http://')
    message = letters.letter_create(
        case=case,
        actor=caseworker,
        addressee="constituent",
        address="The occupier\nNT1 1AA",
        subject="x",
        body=start.body,
    )
    text = pdftotext(stored_pdf(message))
    assert "{{ settings.SECRET_KEY }}" in text
    assert settings.SECRET_KEY not in text
    assert Recorder.hits == []
    assert set(fetches) == {"asset:logo", "asset:signature"}


def test_a_tampered_picture_path_renders_without_the_picture(office, case, caseworker, letterhead, fetches):
    """A letterhead row pointing outside the office's storage is not read: storage refuses the path."""
    Letterhead.objects.for_office(office).update(logo="../../../../etc/passwd", signature="/etc/hostname")
    content = LetterContent(address="A\nB", body="Hello.", date=dt.date(2026, 3, 3))
    rendered = letter_pdf(content, letters.letterhead_get(office))
    assert "root:" not in pdftotext(rendered.pdf)
    assert set(fetches) == {"asset:logo", "asset:signature"}


# --- Letterhead pictures ------------------------------------------------------------------------
def test_letterhead_pictures_must_be_png_or_jpeg_of_sane_size(office, manager):
    gif = SimpleUploadedFile("x.gif", b"GIF89a" + b"\x00" * 40, content_type="image/gif")
    with pytest.raises(DomainError, match="PNG or JPEG"):
        letters.letterhead_save(office=office, actor=manager, values={"mp_name": "A"}, logo=gif)
    svg = SimpleUploadedFile("x.png", b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/>')
    with pytest.raises(DomainError, match="PNG or JPEG"):
        letters.letterhead_save(office=office, actor=manager, values={"mp_name": "A"}, logo=svg)
    broken = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    with pytest.raises(DomainError, match="could not be read"):
        letters.letterhead_save(office=office, actor=manager, values={"mp_name": "A"}, signature=broken)
    assert not Letterhead.objects.for_office(office).exists()


def test_a_huge_picture_is_refused(office, manager):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (5000, 4000)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("big.png", buffer.getvalue())
    with pytest.raises(DomainError, match="too large"):
        letters.letterhead_save(office=office, actor=manager, values={"mp_name": "A"}, logo=upload)


def test_letterhead_pictures_are_stored_under_the_offices_path_as_print_ready_jpeg(office, manager):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (200, 80), (0, 0, 0, 0)).save(buffer, format="PNG")  # transparent: becomes white
    transparent = SimpleUploadedFile("sig.png", buffer.getvalue())
    letterhead = letters.letterhead_save(
        office=office, actor=manager, values={"mp_name": "A"}, logo=demo_logo(), signature=transparent
    )
    assert letterhead.logo.name.startswith(f"offices/{office.pk}/letterhead/logo-")
    assert letterhead.signature.name.startswith(f"offices/{office.pk}/letterhead/signature-")
    with letterhead.signature.open("rb") as handle, Image.open(handle) as stored:
        assert (stored.format, stored.size) == ("JPEG", (200, 80))
        assert stored.getpixel((10, 10)) == (255, 255, 255)
