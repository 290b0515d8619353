from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from constituents.postcode_import import ImportFileError, import_postcodes
from security.models import Office


class Command(BaseCommand):
    help = (
        "Import the office's postcode → ward table from an ONS Postcode Directory CSV "
        "(an area extract: columns pcds, osward, pcon, doterm). Running it again updates the table."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The ONSPD CSV file.")
        parser.add_argument("--office", required=True, help="The office's slug.")
        parser.add_argument(
            "--constituency", required=True, help="The Westminster constituency code (pcon), e.g. E14001234."
        )
        parser.add_argument("--ward-names", type=Path, help="ONS ward names and codes CSV (WDxxCD, WDxxNM).")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, **options):
        office = Office.objects.filter(slug=options["office"]).first()
        if office is None:
            raise CommandError(f"No office has the slug {options['office']!r}.")
        for path in (options["path"], options["ward_names"]):
            if path is not None and not path.is_file():
                raise CommandError(f"{path} is not a file.")
        try:
            result = import_postcodes(
                office=office,
                constituency=options["constituency"].strip().upper(),
                path=options["path"],
                ward_names_path=options["ward_names"],
                batch_size=max(options["batch_size"], 1),
            )
        except (ImportFileError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from None
        self._report(result)

    def _report(self, result):
        self.stdout.write(
            f"Read {result.read} rows: {result.created} postcodes added, {result.updated} updated, "
            f"{result.unchanged} unchanged; {result.terminated} terminated postcodes skipped; "
            f"{result.outside_constituency} outside the constituency."
        )
        self.stdout.write(
            f"Wards: {result.wards_created} added, {result.wards_renamed} renamed. "
            f"Constituents given a ward: {result.constituents_placed}."
        )
        if result.bad:
            self.stdout.write(self.style.WARNING(f"{result.bad} rows could not be used, for example:"))
            for example in result.bad_examples:
                self.stdout.write(f"  {example}")
        kept = result.read - result.terminated - result.bad
        if kept and result.outside_constituency == kept:
            self.stdout.write(
                self.style.WARNING("No postcode was in the constituency given: check the --constituency code.")
            )
