"""Demo data for ``make run``: one office and a person in each role, idempotent.

Refuses to run unless DEBUG is on, so a production database never gets known passwords.
"""

import hashlib
from base64 import b32encode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from security import demo, office_setup
from security.models import Membership, Office, User
from security.roles import Role

DEMO_PASSWORD = "demo-casework-2026"  # noqa: S105 - the demo's published password, DEBUG only
DEMO_PEOPLE = [
    ("manager@demo.example", "Morgan Manager", Role.MANAGER),
    ("caseworker@demo.example", "Casey Worker", Role.CASEWORKER),
    ("mp@demo.example", "Alex Example MP", Role.MP),
    ("volunteer@demo.example", "Val Volunteer", Role.VOLUNTEER),
]


def demo_totp_key(email: str) -> str:
    """A fixed TOTP key per demo account, so the printed secret stays valid across runs."""
    return hashlib.sha1(f"mpoffice-demo:{email}".encode(), usedforsecurity=False).hexdigest()


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


class Command(BaseCommand):
    help = "Create (or refresh) the demo office and its accounts. DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument("--codes", action="store_true", help="Only print each demo account's current 2FA code.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo runs only with DEBUG=true: it creates accounts with known passwords.")
        if not options["codes"]:
            self._seed()
        for email, _, role in DEMO_PEOPLE:
            device = TOTPDevice.objects.get(user__email=email, confirmed=True)
            secret = b32encode(device.bin_key).decode()
            self.stdout.write(f"  {role.label:<20} {email:<26} code now: {current_code(device)}   (secret {secret})")

    @transaction.atomic
    def _seed(self) -> None:
        office, _ = Office.objects.update_or_create(
            slug="demo",
            defaults={
                "name": "Office of Alex Example MP",
                "constituency": "Northtown and Eastley",
                "mp_name": "Alex Example MP",
                "letterhead_address": "House of Commons\nLondon\nSW1A 0AA",
            },
        )
        office_setup.initialise(office)
        people = {}
        for email, name, role in DEMO_PEOPLE:
            user = User.objects.filter(email=email).first() or User(email=email)
            user.full_name = name
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            Membership.objects.update_or_create(user=user, office=office, defaults={"role": role, "is_active": True})
            TOTPDevice.objects.update_or_create(
                user=user, name="Demo authenticator", defaults={"key": demo_totp_key(email), "confirmed": True}
            )
            people[role] = user
        demo.seed(office, people)
        self.stdout.write(f"Demo office ready: {office.name}. Password for every account: {DEMO_PASSWORD}")
