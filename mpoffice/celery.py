"""The Celery application. Tasks take ids and are idempotent; the database remembers."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mpoffice.settings")

app = Celery("mpoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
