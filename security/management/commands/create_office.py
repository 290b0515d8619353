from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email, validate_slug

from security import services
from security.errors import DomainError
from security.models import Nation


class Command(BaseCommand):
    help = "Create an office and email its first office manager a one-time invitation link."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--constituency", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--mp-name", required=True)
        parser.add_argument("--manager-email", required=True)
        parser.add_argument("--manager-name", default="")
        parser.add_argument("--nation", choices=Nation.values, default=Nation.ENGLAND_AND_WALES)

    def handle(self, *args, **options):
        try:
            validate_slug(options["slug"])
            validate_email(options["manager_email"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        try:
            office, invitation, _token = services.office_create(
                name=options["name"],
                constituency=options["constituency"],
                slug=options["slug"],
                mp_name=options["mp_name"],
                manager_email=options["manager_email"],
                manager_name=options["manager_name"],
                nation=options["nation"],
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Created office {office.name} ({office.slug}).")
        self.stdout.write(
            f"Invitation emailed to {invitation.email}; it expires {invitation.expires_at:%Y-%m-%d %H:%M}."
        )
