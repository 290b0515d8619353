from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.boundaries import BoundaryError
from reports.services import ward_boundaries_import
from security.models import Office


class Command(BaseCommand):
    help = (
        "Load the office's ward boundaries for the dashboard map from a GeoJSON FeatureCollection "
        "(e.g. the ONS ward boundaries, in longitude/latitude or British National Grid). Replaces the "
        "office's current boundaries; a malformed file is refused and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The GeoJSON file.")
        parser.add_argument("--office", required=True, help="The office's slug.")
        parser.add_argument("--code-property", help="The property holding the ward code (default: WDxxCD or code).")
        parser.add_argument("--name-property", help="The property holding the ward name (default: WDxxNM or name).")

    def handle(self, *args, **options):
        office = Office.objects.filter(slug=options["office"]).first()
        if office is None:
            raise CommandError(f"No office has the slug {options['office']!r}.")
        path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            result = ward_boundaries_import(
                office=office,
                raw=path.read_bytes(),
                code_property=options["code_property"],
                name_property=options["name_property"],
            )
        except BoundaryError as error:
            raise CommandError(f"Nothing was imported: {error}") from None
        self.stdout.write(f"Imported {result.imported} ward boundaries; {result.matched} match the office's wards.")
        if result.unknown_codes:
            shown = ", ".join(result.unknown_codes[:10])
            self.stdout.write(self.style.WARNING(f"Not wards of this office (no cases will show there): {shown}"))
        if result.wards_without_boundary:
            shown = ", ".join(result.wards_without_boundary[:10])
            self.stdout.write(self.style.WARNING(f"Wards of the office with no boundary in the file: {shown}"))
