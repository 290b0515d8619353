"""Writes the corpus of difficult emails (run once; the .eml files are committed).

    python tests/correspondence/corpus/generate.py

Each file is written byte for byte: what the library would generate is too tidy. Files named
``malformed-*`` are broken on purpose; every other file is well-formed enough that it must be
parsed, with the values in expected.json.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

HERE = Path(__file__).parent
FILES: dict[str, bytes] = {}
EXPECTED: dict[str, dict] = {}


def add(name: str, raw: str | bytes, *, sender: str, subject: str, text: str, attachments: list[str] = ()) -> None:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    FILES[name] = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    EXPECTED[name] = {"sender": sender, "subject": subject, "text": text, "attachments": list(attachments)}


def malformed(name: str, raw: str | bytes) -> None:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    FILES[f"malformed-{name}"] = data


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode()


H = "Date: Tue, 3 Mar 2026 10:15:00 +0000\nMIME-Version: 1.0\n"

add(
    "plain-ascii.eml",
    f"From: Jane Smith <jane@example.org>\nTo: mp@office.example\nSubject: Bins not collected\n{H}"
    "Message-ID: <plain-1@example.org>\nContent-Type: text/plain; charset=us-ascii\n\n"
    "Our bins have not been collected for three weeks.\n",
    sender="jane@example.org",
    subject="Bins not collected",
    text="not been collected for three weeks",
)
add(
    "latin1.eml",
    "From: =?iso-8859-1?q?Ren=E9e_Dupr=E9?= <renee@example.fr>\nTo: mp@office.example\n"
    f"Subject: =?iso-8859-1?q?Caf=E9_licence?=\n{H}Message-ID: <latin1@example.fr>\n"
    "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n".encode()
    + "Le café près de chez moi est très bruyant.\n".encode("iso-8859-1"),
    sender="renee@example.fr",
    subject="Café licence",
    text="très bruyant",
)
add(
    "windows-1252.eml",
    f"From: Tom <tom@example.org>\nTo: mp@office.example\nSubject: Quotes\n{H}Message-ID: <cp1252@example.org>\n"
    "Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\n"
    "He said =93it=92s fine=94 =96 it isn=92t. Cost =80200.\n",
    sender="tom@example.org",
    subject="Quotes",
    text="“it’s fine” – it isn’t. Cost €200.",
)
add(
    "koi8-r.eml",
    "From: =?koi8-r?b?" + base64.b64encode("Иван Петров".encode("koi8-r")).decode() + "?= <ivan@example.ru>\n"
    "To: mp@office.example\nSubject: =?koi8-r?b?"
    + base64.b64encode("Вопрос о визе".encode("koi8-r")).decode()
    + f"?=\n{H}Message-ID: <koi8@example.ru>\nContent-Type: text/plain; charset=koi8-r\n"
    "Content-Transfer-Encoding: base64\n\n" + b64("Здравствуйте, у меня вопрос о визе.\n".encode("koi8-r")),
    sender="ivan@example.ru",
    subject="Вопрос о визе",
    text="у меня вопрос о визе",
)
add(
    "shift-jis.eml",
    "From: =?shift_jis?b?" + base64.b64encode("田中".encode("shift_jis")).decode() + "?= <tanaka@example.jp>\n"
    "To: mp@office.example\nSubject: =?iso-2022-jp?b?"
    + base64.b64encode("お問い合わせ".encode("iso-2022-jp")).decode()
    + f"?=\n{H}Message-ID: <sjis@example.jp>\nContent-Type: text/plain; charset=shift_jis\n"
    "Content-Transfer-Encoding: base64\n\n" + b64("ビザについて質問があります。\n".encode("shift_jis")),
    sender="tanaka@example.jp",
    subject="お問い合わせ",
    text="ビザについて質問があります",
)
add(
    "unknown-charset.eml",
    "From: Ann <ann@example.org>\nTo: mp@office.example\nSubject: =?x-unknown?q?Strange_charset?=\n"
    f"{H}Message-ID: <unknown-cs@example.org>\nContent-Type: text/plain; charset=x-unknown\n\n"
    "Plain words in an unknown charset.\n",
    sender="ann@example.org",
    subject="Strange charset",
    text="Plain words in an unknown charset",
)
add(
    "encoded-words-utf8.eml",
    "From: =?UTF-8?B?" + base64.b64encode("Zoë Ångström".encode()).decode() + "?= <zoe@example.se>\n"
    "To: mp@office.example\nSubject: =?UTF-8?Q?Housing_=E2=80=93_damp?= =?UTF-8?Q?_and_mould?=\n"
    f"{H}Message-ID: <ew@example.se>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    "Damp in the bedroom — mould everywhere.\n",
    sender="zoe@example.se",
    subject="Housing – damp and mould",
    text="mould everywhere",
)
add(
    "nested-multipart.eml",
    f"From: Priya <priya@example.org>\nTo: mp@office.example\nSubject: Nested parts\n{H}"
    "Message-ID: <nested@example.org>\nContent-Type: multipart/mixed; boundary=outer\n\n"
    "--outer\nContent-Type: multipart/alternative; boundary=alt\n\n"
    "--alt\nContent-Type: text/plain; charset=utf-8\n\nThe plain version of my letter.\n"
    "--alt\nContent-Type: multipart/related; boundary=rel\n\n"
    '--rel\nContent-Type: text/html; charset=utf-8\n\n<p>The <b>HTML</b> version <img src="cid:logo"></p>\n'
    "--rel\nContent-Type: image/png\nContent-ID: <logo>\nContent-Disposition: inline; filename=logo.png\n"
    "Content-Transfer-Encoding: base64\n\n" + b64(b"\x89PNG\r\n\x1a\n" + b"\x00" * 24) + "--rel--\n--alt--\n"
    "--outer\nContent-Type: application/pdf; name=letter.pdf\nContent-Disposition: attachment; filename=letter.pdf\n"
    "Content-Transfer-Encoding: base64\n\n" + b64(b"%PDF-1.4\n%fake\n") + "--outer--\n",
    sender="priya@example.org",
    subject="Nested parts",
    text="The plain version of my letter.",
    attachments=["logo.png", "letter.pdf"],
)


def with_attachment(
    name: str, disposition: str, *, subject: str, sender: str, expected_name: str, data: bytes = b"hello"
) -> None:
    add(
        name,
        f"From: <{sender}>\nTo: mp@office.example\nSubject: {subject}\n{H}Message-ID: <{name}@example.org>\n"
        "Content-Type: multipart/mixed; boundary=b1\n\n--b1\nContent-Type: text/plain\n\nSee attached.\n"
        f"--b1\nContent-Type: application/octet-stream\nContent-Disposition: {disposition}\n"
        "Content-Transfer-Encoding: base64\n\n" + b64(data) + "--b1--\n",
        sender=sender,
        subject=subject,
        text="See attached.",
        attachments=[expected_name],
    )


with_attachment(
    "att-path-traversal.eml",
    'attachment; filename="../../etc/passwd"',
    subject="Traversal",
    sender="a1@example.org",
    expected_name="passwd",
)
with_attachment(
    "att-windows-path.eml",
    'attachment; filename="C:\\\\Windows\\\\system32\\\\evil.txt"',
    subject="Windows path",
    sender="a2@example.org",
    expected_name="evil.txt",
)
with_attachment(
    "att-rtl-override.eml",
    "attachment; filename*=utf-8''invoice%E2%80%AEgpj.exe",
    subject="RTL override",
    sender="a3@example.org",
    expected_name="invoicegpj.exe",
    data=b"MZ\x90\x00",
)
with_attachment(
    "att-nul-name.eml",
    "attachment; filename*=utf-8''report%00.pdf",
    subject="NUL in name",
    sender="a4@example.org",
    expected_name="report.pdf",
)
with_attachment(
    "att-long-name.eml",
    f'attachment; filename="{"a" * 1000}.pdf"',
    subject="Long name",
    sender="a5@example.org",
    expected_name="a" * 250 + "….pdf",
)
with_attachment(
    "att-rfc2231.eml",
    "attachment; filename*=UTF-8''Z%C3%BCrich%20Antrag%20%E2%84%962.pdf",
    subject="RFC 2231 name",
    sender="a6@example.org",
    expected_name="Zürich Antrag №2.pdf",
)
with_attachment(
    "att-rfc2231-continuation.eml",
    "attachment;\n filename*0*=UTF-8''Stra%C3%9Fe%20;\n filename*1*=Bescheid.pdf",
    subject="RFC 2231 continuation",
    sender="a7@example.org",
    expected_name="Straße Bescheid.pdf",
)
with_attachment(
    "att-encoded-word-name.eml",
    'attachment; filename="=?UTF-8?B?' + base64.b64encode("Übersicht.txt".encode()).decode() + '?="',
    subject="Encoded-word name",
    sender="a8@example.org",
    expected_name="Übersicht.txt",
)
with_attachment(
    "att-executable.eml",
    'attachment; filename="update.js"',
    subject="Run this",
    sender="a9@example.org",
    expected_name="update.js",
    data=b"WScript.Echo('hi')",
)

add(
    "missing-from.eml",
    f"To: mp@office.example\nSubject: No sender\n{H}Message-ID: <nofrom@example.org>\n\nWho sent this?\n",
    sender="",
    subject="No sender",
    text="Who sent this?",
)
add(
    "missing-date.eml",
    "From: Kim <kim@example.org>\nTo: mp@office.example\nSubject: No date\nMessage-ID: <nodate@example.org>\n\n"
    "There is no Date header.\n",
    sender="kim@example.org",
    subject="No date",
    text="There is no Date header.",
)
add(
    "duplicate-subject.eml",
    f"From: Lee <lee@example.org>\nTo: mp@office.example\nSubject: First subject\nSubject: Second subject\n{H}"
    "Message-ID: <dupsubj@example.org>\n\nTwo Subject headers.\n",
    sender="lee@example.org",
    subject="First subject",
    text="Two Subject headers.",
)
add(
    "raw-8bit-headers.eml",
    "From: Jos\u00e9 Garc\u00eda <jose@example.es>\nTo: mp@office.example\nSubject: Se\u00f1al rota\n"
    f"{H}Message-ID: <8bit@example.es>\nContent-Type: text/plain; charset=utf-8\n\nCabeceras sin codificar.\n",
    sender="jose@example.es",
    subject="Señal rota",
    text="Cabeceras sin codificar.",
)
add(
    "raw-8bit-latin1-header.eml",
    b"From: M\xfcller <mueller@example.de>\r\nTo: mp@office.example\r\nSubject: Gr\xfc\xdfe aus K\xf6ln\r\n"
    + H.encode()
    + b"Message-ID: <8bitlatin@example.de>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"
    + "Schöne Grüße.\n".encode("iso-8859-1"),
    sender="mueller@example.de",
    subject="Grüße aus Köln",
    text="Schöne Grüße.",
)
add(
    "outlook-message-id.eml",
    'From: "Smith, Jane (DWP)" <jane.smith@dwp.example.gov.uk>\nTo: mp@office.example\n'
    "Subject: RE: Constituent enquiry\nThread-Topic: Constituent enquiry\nThread-Index: AdZ3lX0Vb+3Qw9xyz==\n"
    f"{H}Message-ID: <LO2P265MB1234567890ABCDEF1234567890ABCDEF@LO2P265MB1234.GBRP265.PROD.OUTLOOK.COM>\n"
    'X-MS-Has-Attach:\nContent-Type: multipart/alternative; boundary="_000_LO2P265MB_"\n\n'
    '--_000_LO2P265MB_\nContent-Type: text/plain; charset="us-ascii"\nContent-Transfer-Encoding: quoted-printable\n\n'
    "Thank you for your enquiry on behalf of your constituent.=0D=0A\n"
    '--_000_LO2P265MB_\nContent-Type: text/html; charset="us-ascii"\n\n<html><body><p>Thank you</p></body></html>\n'
    "--_000_LO2P265MB_--\n",
    sender="jane.smith@dwp.example.gov.uk",
    subject="RE: Constituent enquiry",
    text="on behalf of your constituent",
)
add(
    "calendar-invite.eml",
    f"From: Council <events@council.example.gov.uk>\nTo: mp@office.example\nSubject: Invitation: Surgery\n{H}"
    "Message-ID: <cal@council.example.gov.uk>\nContent-Type: multipart/alternative; boundary=cal\n\n"
    "--cal\nContent-Type: text/plain\n\nYou are invited to the surgery on Friday.\n"
    "--cal\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\n\n"
    "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:REQUEST\nBEGIN:VEVENT\nSUMMARY:Surgery\nDTSTART:20260306T100000Z\n"
    "END:VEVENT\nEND:VCALENDAR\n--cal--\n",
    sender="events@council.example.gov.uk",
    subject="Invitation: Surgery",
    text="invited to the surgery",
    attachments=["invite.ics"],
)
add(
    "html-only.eml",
    f"From: Sam <sam@example.org>\nTo: mp@office.example\nSubject: HTML only\n{H}Message-ID: <htmlonly@example.org>\n"
    "Content-Type: text/html; charset=utf-8\n\n<html><head><style>p{color:red}</style></head><body>"
    "<h1>Potholes</h1><p>The road on <b>Mill Lane</b> is full of potholes.</p>"
    '<img src="https://tracker.example.com/pixel.gif"></body></html>\n',
    sender="sam@example.org",
    subject="HTML only",
    text="The road on Mill Lane is full of potholes.",
)
add(
    "truncated-mime.eml",
    f"From: Bo <bo@example.org>\nTo: mp@office.example\nSubject: Cut off\n{H}Message-ID: <truncated@example.org>\n"
    "Content-Type: multipart/mixed; boundary=cut\n\n--cut\nContent-Type: text/plain\n\n"
    "The closing boundary never comes.\n--cut\nContent-Type: application/pdf\n"
    "Content-Disposition: attachment; filename=half.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n",
    sender="bo@example.org",
    subject="Cut off",
    text="The closing boundary never comes.",
    attachments=["half.pdf"],
)
add(
    "attached-email.eml",
    f"From: Forwarder <fwd@example.org>\nTo: mp@office.example\nSubject: Fwd: my complaint\n{H}"
    "Message-ID: <fwd@example.org>\nContent-Type: multipart/mixed; boundary=fw\n\n"
    "--fw\nContent-Type: text/plain\n\nForwarding the original below.\n"
    "--fw\nContent-Type: message/rfc822\n\nFrom: Orig <orig@example.org>\nSubject: Original complaint\n"
    "Message-ID: <orig@example.org>\n\nThe original words.\n--fw--\n",
    sender="fwd@example.org",
    subject="Fwd: my complaint",
    text="Forwarding the original below.",
    attachments=["Original complaint.eml"],
)
add(
    "dsn-bounce.eml",
    f"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nTo: mp@office.example\n"
    f"Subject: Undelivered Mail Returned to Sender\n{H}Message-ID: <bounce@mx.example.net>\n"
    "Auto-Submitted: auto-replied\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=dsn\n\n"
    "--dsn\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
    "--dsn\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
    "Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1\n"
    "--dsn\nContent-Type: text/rfc822-headers\n\nSubject: Your case\n--dsn--\n",
    sender="mailer-daemon@mx.example.net",
    subject="Undelivered Mail Returned to Sender",
    text="could not be delivered",
    attachments=["attachment", "attachment"],
)
add(
    "out-of-office.eml",
    "From: Caseworker <officer@council.example.gov.uk>\nTo: mp@office.example\n"
    f"Subject: Automatic reply: Your enquiry\n{H}"
    "Message-ID: <ooo@council.example.gov.uk>\nAuto-Submitted: auto-replied\nX-Auto-Response-Suppress: All\n\n"
    "I am out of the office until Monday.\n",
    sender="officer@council.example.gov.uk",
    subject="Automatic reply: Your enquiry",
    text="out of the office",
)
add(
    "precedence-bulk.eml",
    f"From: News <news@example.com>\nTo: mp@office.example\nSubject: Newsletter\n{H}Message-ID: <bulk@example.com>\n"
    "Precedence: bulk\n\nThis month's news.\n",
    sender="news@example.com",
    subject="Newsletter",
    text="This month's news.",
)
add(
    "xss.eml",
    "From: \"<script>alert('name')</script>\" <xss@example.org>\nTo: mp@office.example\n"
    f"Subject: <script>alert('subject')</script> Hello\n{H}Message-ID: <xss@example.org>\n"
    "Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/html\n\n"
    '<p onclick="alert(1)">Hi <img src=x onerror="alert(\'img\')"> <a href="javascript:alert(\'link\')">click</a>'
    "<script>alert('body')</script><iframe src=\"https://evil.example\"></iframe>"
    '<a href="https://good.example/">good</a><svg onload=alert(2)></svg></p>\n'
    "--x\nContent-Type: text/plain\n"
    "Content-Disposition: attachment; filename=\"<script>alert('file')</script>.txt\"\n\n"
    "payload\n--x--\n",
    sender="xss@example.org",
    subject="<script>alert('subject')</script> Hello",
    text="Hi",
    attachments=["script>.txt"],  # the last path component of the hostile name
)
add(
    "reply-with-references.eml",
    f"From: Jane Smith <jane@example.org>\nTo: mp@office.example\nSubject: Re: Your case\n{H}"
    "Message-ID: <reply-2@example.org>\nIn-Reply-To: <outbound-1@office.example>\n"
    "References: <first@example.org>\n <outbound-1@office.example>\n\nThanks, any news?\n\n> Earlier text\n",
    sender="jane@example.org",
    subject="Re: Your case",
    text="Thanks, any news?",
)
add(
    "no-message-id.eml",
    f"From: Nat <nat@example.org>\nTo: mp@office.example\nSubject: No Message-ID\n{H}\nNo Message-ID header here.\n",
    sender="nat@example.org",
    subject="No Message-ID",
    text="No Message-ID header here.",
)
add(
    "bad-date.eml",
    "From: Oli <oli@example.org>\nTo: mp@office.example\nSubject: Bad date\nDate: the thirty-second of Smarch\n"
    "Message-ID: <baddate@example.org>\n\nThe date is nonsense.\n",
    sender="oli@example.org",
    subject="Bad date",
    text="The date is nonsense.",
)
add(
    "bad-base64.eml",
    f"From: Pat <pat@example.org>\nTo: mp@office.example\nSubject: Broken base64\n{H}Message-ID: <b64@example.org>\n"
    "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
    + b64(b"Readable start of the text.\n")
    + "!!!not base64!!!\n",
    sender="pat@example.org",
    subject="Broken base64",
    text="Readable start",
)
add(
    "group-and-odd-addresses.eml",
    f'From: "Odd, Name" <odd@example.org>\nTo: undisclosed-recipients:;\nCc: a@b.example, "Q" <q@example.org>\n'
    f"Subject: Odd addresses\n{H}Message-ID: <odd@example.org>\n\nAddresses of every shape.\n",
    sender="odd@example.org",
    subject="Odd addresses",
    text="Addresses of every shape.",
)
add(
    "lf-only-and-folded.eml",
    "From: Quinn\n <quinn@example.org>\nTo: mp@office.example\nSubject: A very long subject that\n is folded"
    f" over\n two lines\n{H}Message-ID: <folded@example.org>\n\nFolded headers.\n",
    sender="quinn@example.org",
    subject="A very long subject that is folded over two lines",
    text="Folded headers.",
)

malformed("empty.eml", b"")
malformed("binary-garbage.eml", bytes(range(256)) * 4)
malformed("no-headers.eml", b"\n\nJust a body and no headers at all.\n")
malformed(
    "endless-boundaries.eml",
    b"From: x@example.org\nContent-Type: multipart/mixed; boundary=a\n\n"
    + b"--a\nContent-Type: multipart/mixed; boundary=a\n\n" * 200,
)
malformed("header-only-nul.eml", b"From: \x00\x00\x00\nSubject: \x00\n\n\x00\x00")

if __name__ == "__main__":
    for old in HERE.glob("*.eml"):
        old.unlink()
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)
    (HERE / "expected.json").write_text(json.dumps(EXPECTED, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(FILES)} files, {len(EXPECTED)} well-formed")
