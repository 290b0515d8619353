"""The benchmark cannot rot: a tiny office-10y in the test database, and every benchmark run twice.

``make bench`` measures at scale 0.1 and 1.0 in its own database; here scale 0.001 (100
constituents, 30 cases, 300 timeline entries) exercises the same code in a few seconds.
"""

from __future__ import annotations

import pytest
from django.db.models import Count

from bench import generate, run
from casework.models import Case, CaseEvent, ReferenceCounter
from constituents.models import Constituent
from security.models import Office

pytestmark = pytest.mark.django_db

TINY = 0.001


def test_the_generator_writes_a_consistent_office_at_tiny_scale():
    report = generate.generate_office_10y(TINY, seed=7)

    assert report.counts["constituents"] == 100
    assert report.counts["cases"] == 30
    assert report.counts["events"] == 300
    office = Office.objects.get(slug=generate.OFFICE_SLUG)
    other = Office.objects.get(slug=generate.OTHER_OFFICE_SLUG)
    assert Case.objects.for_office(other).exists(), "the second office keeps scoping honest"
    # References are per-year counters: the counter row holds each year's last number.
    cases = Case.objects.for_office(office)
    years = {ref.split("/")[0] for ref in cases.values_list("reference", flat=True)}
    counters = dict(ReferenceCounter.objects.for_office(office).values_list("year", "last_number"))
    assert {str(year) for year in counters} == years
    for year, last in counters.items():
        assert cases.filter(reference=f"{year}/{last:04d}").exists()
    assert not Constituent.objects.for_office(office).filter(search_vector__isnull=True).exists()
    assert not cases.filter(search_vector__isnull=True).exists()
    assert CaseEvent.objects.for_office(office).filter(kind="note").exists()
    assert not cases.annotate(n=Count("tags")).filter(n=0).exists(), "every case has 1-3 tags"
    assert report.total_seconds > 0


def test_every_benchmark_answers_200_with_a_number():
    generate.generate_office_10y(TINY, seed=7)

    report = run.run_benchmarks(iterations=2, warmup=1)

    names = {m.benchmark.name for m in report.measurements}
    assert {"triage: open", "triage: mine", "case list", "search: postcode"} <= names
    for measurement in report.measurements:
        assert measurement.ok, f"{measurement.benchmark.path} answered {measurement.statuses}"
        assert len(measurement.timings_ms) == 2
        assert measurement.p95_ms > 0
        assert measurement.queries > 0
    assert report.peak_rss_mb > 0
    assert "| triage: open | 200 |" in run.markdown(report, TINY)


def test_explain_shows_the_plan_of_a_select_and_skips_writes():
    assert "actual time=" in run.explain("SELECT 1 FROM security_office")
    assert run.explain("DELETE FROM security_office") == ""


@pytest.mark.parametrize("path", ["inline", "worker"])
def test_the_ingestion_benchmark_stores_and_parses_every_email(path, settings, tmp_path):
    from bench import ingest as bench_ingest
    from correspondence.models import Message, RawEmail

    settings.MEDIA_ROOT = str(tmp_path / "media")
    report = bench_ingest.run_ingest(40, path=path)

    office = Office.objects.get(slug=bench_ingest.OFFICE_SLUG)
    assert report.count == 40
    assert report.states["parsed"] == 40, report.states
    assert report.seconds > 0
    assert report.per_second > 0
    assert report.queries_per_email > 0
    # The timed 40 and the query-counted sample, each stored once and parsed into a message.
    stored = RawEmail.objects.for_office(office).count()
    assert stored == 40 + len(bench_ingest.corpus())
    assert Message.objects.for_office(office).count() == stored
    assert f"{path}: ingested 40 emails" in report.summary()


def test_the_ingestion_corpus_gets_a_message_id_of_its_own():
    from bench import ingest as bench_ingest

    raws = bench_ingest.emails(3, run="r")
    assert all(raw.startswith(b"Message-ID: <bench-r-") for raw in raws)
    assert all(raw.lower().count(b"\nmessage-id:") == 0 for raw in raws)
    assert len(set(raws)) == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_the_outbox_benchmark_sends_everything_once_with_real_workers(tmp_path):
    from bench import outbox

    report = outbox.run_outbox(40, workers=2, log_dir=tmp_path)

    assert report.received == 40
    assert report.duplicates == 0
    assert report.per_second > 0
    assert "messages/s" in report.summary()


def test_the_enquiry_sweep_benchmark_takes_every_due_step():
    from bench import enquiries as bench_enquiries

    report = bench_enquiries.run_sweep(300)

    assert report.due > 0
    assert report.moved >= report.due
    assert "steps taken" in report.summary()


def test_the_dashboard_benchmark_answers_and_produces_a_weekly_report(settings, tmp_path):
    from bench import dashboard

    # "Cold" requests clear the cache: a cache of this process only, never the shared Redis database.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    generate.generate_office_10y(TINY, seed=7)

    report = dashboard.run_dashboard_benchmarks(iterations=2, warmup=1, report_runs=1)

    assert report.ok, [(m.benchmark.path, m.statuses) for m in report.measurements]
    assert {m.benchmark.name for m in report.measurements} >= {"dashboard: 12 weeks, cold", "dashboard: 12 weeks, warm"}
    cold = next(m for m in report.measurements if m.benchmark.name == "dashboard: 12 weeks, cold")
    warm = next(m for m in report.measurements if m.benchmark.name == "dashboard: 12 weeks, warm")
    assert cold.queries > warm.queries > 0
    (run,) = report.report_runs
    assert run.status == "done"
    assert run.seconds > 0
    assert run.pdf_bytes > 1000
    assert "| dashboard: 12 weeks, cold | 200 |" in dashboard.markdown(report, TINY)
    from reports.models import Report

    assert not Report.objects.for_office(Office.objects.get(slug=generate.OFFICE_SLUG)).exists()


def test_the_letters_benchmark_renders_a_one_page_letter(settings, tmp_path):
    from bench import letters as bench_letters
    from correspondence.models import Message

    settings.MEDIA_ROOT = str(tmp_path / "media")
    report = bench_letters.run_letters(3, warmup=1)

    office = Office.objects.get(slug=bench_letters.OFFICE_SLUG)
    assert report.pages == 1
    assert len(report.timings_ms) == 3
    assert report.median_ms > 0
    assert report.pdf_bytes > 1000
    assert len(report.save_ms) == 3
    assert Message.objects.for_office(office).filter(channel="letter").count() == 3
    assert "letters: rendered a one-page letter 3 times" in report.summary()
    # Run again: the office, its letterhead, templates and case are reused, not duplicated.
    bench_letters.run_letters(1, warmup=0)
    assert Office.objects.filter(slug=bench_letters.OFFICE_SLUG).count() == 1


def test_the_campaign_detection_benchmark_finds_the_campaigns_in_its_mail():
    from bench import campaigns
    from campaigns.models import Campaign

    report = campaigns.run_detection(400, seed=7)

    assert report.count == 400
    assert report.seconds > 0
    assert report.per_second > 0
    assert report.one_at_a_time_per_second > 0
    assert report.campaigns >= 3
    office = Office.objects.get(slug=campaigns.OFFICE_SLUG)
    assert Campaign.objects.for_office(office).count() == report.campaigns
    assert report.members <= report.truth["campaign_mail"] + 40  # the sample after the timed part
    assert "emails/s" in report.summary()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_the_campaign_send_benchmark_sends_every_reply_once_with_real_workers(tmp_path):
    from bench import campaigns

    report = campaigns.run_send(40, workers=2, log_dir=tmp_path)

    assert (report.received, report.duplicates) == (40, 0)
    assert report.per_second > 0
    assert "Campaign send to 40 recipients" in report.summary()
