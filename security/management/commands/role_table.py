from django.core.management.base import BaseCommand

from security.roles import role_table_markdown


class Command(BaseCommand):
    help = "Print the role permission table (Markdown) that the README shows."

    def handle(self, *args, **options):
        self.stdout.write(role_table_markdown())
