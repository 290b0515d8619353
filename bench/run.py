"""Server time of the pages caseworkers live in, measured in-process with Django's test client.

Each benchmark is one GET by a signed-in, 2FA-verified caseworker (the API by a read-scoped
Bearer token) through the real middleware stack, on whatever database Django is connected to.
After a warm-up, one request runs under ``CaptureQueriesContext`` to count queries and find
the slowest one; then ``iterations`` requests of each are timed, round-robin, without capture
(capturing adds its own cost). Times are wall-clock around ``Client.get``: the view,
middleware, templates and every query, but no network, TLS or browser.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import resource
import statistics
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import django
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.generate import CASEWORKER_EMAIL, MANAGER_EMAIL, OFFICE_SLUG
from casework.models import Case, Tag
from constituents.models import Constituent
from security.models import Office, User

TARGETS_MS = {"triage": 100.0, "search": 150.0}
# A query this slow is worth an EXPLAIN in the results, target or not.
SLOW_QUERY_MS = 20.0
# A popular tag and words from summaries (the generator's corpus), so matches exist at any scale.
TAG_NAME = "Universal Credit"
SUMMARY_WORDS = "damp mould"
SURNAME = "Taylor"


@dataclass(frozen=True)
class Benchmark:
    name: str
    path: str
    group: str
    api: bool = False

    @property
    def target_ms(self) -> float | None:
        return TARGETS_MS.get(self.group)


@dataclass
class Measurement:
    benchmark: Benchmark
    statuses: list[int] = field(default_factory=list)
    timings_ms: list[float] = field(default_factory=list)
    queries: int = 0
    slowest_sql: str = ""
    slowest_sql_ms: float = 0.0
    explain: str = ""

    @property
    def min_ms(self) -> float:
        return min(self.timings_ms)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def p95_ms(self) -> float:
        return percentile(self.timings_ms, 95)

    @property
    def ok(self) -> bool:
        return bool(self.statuses) and set(self.statuses) == {200}

    @property
    def met(self) -> bool | None:
        target = self.benchmark.target_ms
        return None if target is None else self.ok and self.p95_ms <= target


@dataclass
class RunReport:
    measurements: list[Measurement]
    iterations: int
    warmup: int
    peak_rss_mb: float
    environment: dict[str, str]
    generation: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: with 30 samples, p95 is the second slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


# --- What to measure ---------------------------------------------------------------------------


def _api_path(candidate: str) -> str | None:
    """The API route if it is deployed yet (another engineer is building it)."""
    for path in (candidate, candidate + "/"):
        try:
            resolve(path)
        except Resolver404:
            continue
        return path
    return None


def _search_terms(office: Office) -> dict[str, str]:
    """A reference and a postcode that exist, picked the same way at every scale."""
    cases = Case.objects.for_office(office).order_by("pk")
    middle_case = cases[max(0, cases.count() // 2 - 1)]
    person = Constituent.objects.for_office(office).exclude(postcode="").order_by("pk").first()
    return {"reference": middle_case.reference, "postcode": person.postcode if person else "LS6 1AA"}


def benchmarks(office: Office) -> list[Benchmark]:
    terms = _search_terms(office)
    tags = Tag.objects.for_office(office).order_by("pk")
    tag = tags.filter(name=TAG_NAME).first() or tags.first()  # the vocabulary may be renamed one day
    found = [
        Benchmark("triage: open", "/triage?queue=open", "triage"),
        Benchmark("triage: mine", "/triage?queue=mine", "triage"),
        Benchmark("case list", "/cases", "cases"),
        Benchmark(f"case list: tag {tag.name}", f"/cases?{urlencode({'tag': tag.pk})}", "cases"),
        Benchmark(f"search: surname {SURNAME}", f"/search?{urlencode({'q': SURNAME})}", "search"),
        Benchmark(f"search: words '{SUMMARY_WORDS}'", f"/search?{urlencode({'q': SUMMARY_WORDS})}", "search"),
        Benchmark("search: case reference", f"/search?{urlencode({'q': terms['reference']})}", "search"),
        Benchmark("search: postcode", f"/search?{urlencode({'q': terms['postcode']})}", "search"),
    ]
    for name, candidate in (("API: cases", "/api/v1/cases"), ("API: constituents", "/api/v1/constituents")):
        path = _api_path(candidate)
        if path:
            found.append(Benchmark(name, path, "api", api=True))
    return found


# --- Who measures ------------------------------------------------------------------------------


def verified_client(user: User) -> Client:
    """Signed in with 2FA verified this session, as after a real sign-in (see tests/conftest.py)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    # A 500 is recorded as a status (and logged), so one broken page does not hide the others.
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def token_client(office: Office) -> Client:
    """A read-scoped API token of the office, created the way a manager would."""
    from security.services import api_token_create

    manager = User.objects.get(email=MANAGER_EMAIL)
    _, token = api_token_create(office=office, actor=manager, name="Benchmark", scopes=["read"])
    return Client(raise_request_exception=False, headers={"Authorization": f"Bearer {token}"})


# --- Measuring ---------------------------------------------------------------------------------


def _timed_get(client: Client, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.get(path)
    return response.status_code, (time.perf_counter() - started) * 1000


def _count_queries(client: Client, measurement: Measurement) -> None:
    with CaptureQueriesContext(connection) as captured:
        status, _ = _timed_get(client, measurement.benchmark.path)
    measurement.statuses.append(status)
    measurement.queries = len(captured.captured_queries)
    if captured.captured_queries:
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        measurement.slowest_sql, measurement.slowest_sql_ms = slowest["sql"], float(slowest["time"]) * 1000


def measure(runs: list[tuple[Client, Benchmark]], *, iterations: int, warmup: int) -> list[Measurement]:
    """Warm each benchmark up and count its queries, then time them round-robin.

    Interleaving spreads a burst of background load (a shared machine) over every benchmark
    instead of spoiling the p95 of whichever happened to be running.
    """
    measurements = [Measurement(benchmark) for _, benchmark in runs]
    for (client, benchmark), measurement in zip(runs, measurements, strict=True):
        for _ in range(warmup):
            _timed_get(client, benchmark.path)  # caches, connections, PostgreSQL's buffers
        _count_queries(client, measurement)
    for _ in range(iterations):
        for (client, benchmark), measurement in zip(runs, measurements, strict=True):
            status, elapsed = _timed_get(client, benchmark.path)
            measurement.statuses.append(status)
            measurement.timings_ms.append(elapsed)
    return measurements


def explain(sql: str) -> str:
    """EXPLAIN ANALYZE of a captured SELECT (its parameters are already inlined by psycopg2)."""
    if connection.vendor != "postgresql" or not sql.lstrip().upper().startswith("SELECT"):
        return ""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def query_profile(client: Client, path: str) -> tuple[int, list[tuple[float, str]]]:
    """Every query of one request with its time in ms, slowest first: where a slow page spends it."""
    _timed_get(client, path)  # warm
    with CaptureQueriesContext(connection) as captured:
        status, _ = _timed_get(client, path)
    timed = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    return status, sorted(timed, key=lambda pair: -pair[0])


def _needs_explain(measurement: Measurement) -> bool:
    return measurement.met is False or measurement.slowest_sql_ms >= SLOW_QUERY_MS


def _environment() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "database": f"{connection.vendor} {server} ({connection.settings_dict['NAME']})",
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.machine()}, {_cpu_count()} CPUs",
        # Others' work on a shared machine shows up as noise in the timings: say how busy it was.
        "load": "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()),
    }


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def peak_rss_mb() -> float:
    # Linux reports kilobytes; this process's high-water mark, generation included if it ran here.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def caseworker_client(office_slug: str = OFFICE_SLUG) -> Client:
    return verified_client(User.objects.get(email=CASEWORKER_EMAIL, memberships__office__slug=office_slug))


def run_benchmarks(*, iterations: int = 30, warmup: int = 5, office_slug: str = OFFICE_SLUG) -> RunReport:
    """Measure every benchmark against the generated office in the current database."""
    office = Office.objects.get(slug=office_slug)
    session = caseworker_client(office_slug)
    found = benchmarks(office)
    api = token_client(office) if any(b.api for b in found) else None
    notes = [] if api else ["The REST API (/api/v1/cases) is not routed yet: API benchmarks skipped."]
    runs = [(api if b.api and api else session, b) for b in found]
    measurements = measure(runs, iterations=iterations, warmup=warmup)
    for measurement in measurements:
        if _needs_explain(measurement):
            measurement.explain = explain(measurement.slowest_sql)
    return RunReport(measurements, iterations, warmup, round(peak_rss_mb(), 1), _environment(), notes=notes)


# --- Reporting ---------------------------------------------------------------------------------


def _verdict(measurement: Measurement) -> str:
    if measurement.met is None:
        return "—"
    return f"{'met' if measurement.met else 'MISSED'} (≤ {measurement.benchmark.target_ms:.0f})"


def table(report: RunReport) -> str:
    lines = [
        "| benchmark | status | queries | min ms | median ms | p95 ms | p95 target ms | slowest query ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for m in report.measurements:
        statuses = ",".join(str(s) for s in sorted(set(m.statuses)))
        lines.append(
            f"| {m.benchmark.name} | {statuses} | {m.queries} | {m.min_ms:.1f} | {m.median_ms:.1f} | {m.p95_ms:.1f} "
            f"| {_verdict(m)} | {m.slowest_sql_ms:.1f} |"
        )
    return "\n".join(lines)


def _generation_lines(generation: dict[str, Any] | None) -> list[str]:
    if not generation:
        return ["Generation: not recorded (data not made by `python -m bench generate`)."]
    counts = ", ".join(f"{name} {n:,}" for name, n in generation["counts"].items())
    phases = ", ".join(f"{name} {s:.1f}" for name, s in generation["seconds"].items())
    return [
        f"Generated at scale {generation['scale']} (seed {generation['seed']}) in "
        f"**{generation['total_seconds']:.1f} s** ({phases}).",
        "",
        f"Rows: {counts}.",
    ]


def markdown(report: RunReport, scale: float | None) -> str:
    env = report.environment
    parts = [
        f"# Benchmark, office-10y at scale {scale if scale is not None else '?'}",
        "",
        f"{env['date']} · {env['database']} · Python {env['python']} · Django {env['django']} · {env['machine']} "
        f"· {env['load']} at the end of the run",
        "",
        *_generation_lines(report.generation),
        "",
        f"Server time in-process, {report.warmup} warm-up then {report.iterations} timed requests each; "
        f"queries counted on one request. Peak RSS of the benchmark process: **{report.peak_rss_mb:.0f} MB**.",
        "",
        table(report),
        "",
        "| benchmark | path |",
        "| --- | --- |",
        *(f"| {m.benchmark.name} | `{m.benchmark.path}` |" for m in report.measurements),
    ]
    parts += [f"\n{note}" for note in report.notes]
    for m in report.measurements:
        if m.explain:
            parts += [
                "",
                f"## {m.benchmark.name}: slowest query ({m.slowest_sql_ms:.1f} ms)",
                "",
                "```sql",
                m.slowest_sql,
                "```",
                "",
                "```",
                m.explain,
                "```",
            ]
    return "\n".join(parts) + "\n"


def as_dict(report: RunReport, scale: float | None) -> dict[str, Any]:
    return {
        "scale": scale,
        "iterations": report.iterations,
        "peak_rss_mb": report.peak_rss_mb,
        "environment": report.environment,
        "generation": report.generation,
        "results": [
            {
                "name": m.benchmark.name,
                "path": m.benchmark.path,
                "statuses": sorted(set(m.statuses)),
                "queries": m.queries,
                "min_ms": round(m.min_ms, 2),
                "median_ms": round(m.median_ms, 2),
                "p95_ms": round(m.p95_ms, 2),
                "target_ms": m.benchmark.target_ms,
                "met": m.met,
                "slowest_query_ms": round(m.slowest_sql_ms, 2),
            }
            for m in report.measurements
        ],
    }
