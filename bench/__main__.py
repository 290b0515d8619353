"""``python -m bench`` (``make bench``): generate office-10y at 0.1 and 1.0 and benchmark both.

    python -m bench                          # generate + run at 0.1, then at 1.0
    python -m bench --scale 1.0 --iterations 50
    python -m bench --skip-generate          # run against what the bench database holds
    python -m bench generate --scale 0.1     # one step only
    python -m bench run --scale 0.1
    python -m bench queries --path /cases    # every query of one page, slowest first, and its plan
    python -m bench ingest --count 500       # store + parse 500 corpus emails: emails per second
    python -m bench ingest --ingest-path worker   # the same through store_raw + process_raw
    python -m bench outbox --count 5000      # 2 Celery workers send 5000 emails to a local SMTP server
    python -m bench enquiries --count 100000 # one sweep over 100,000 open enquiries
    python -m bench dashboard                # the managers' dashboard and the weekly report
    python -m bench letters --count 200      # render a one-page letter 200 times: median ms
    python -m bench campaigns --count 50000 --recipients 10000   # campaign detection, then a campaign send

Each step runs in its own process: Django reads its settings once from the environment, and the
peak RSS reported for a run is then the benchmark's, not the generator's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.environment import DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, RESULTS_DIR, configure

DEFAULT_SCALES = (0.1, 1.0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "step",
        nargs="?",
        choices=(
            "all",
            "generate",
            "run",
            "queries",
            "ingest",
            "outbox",
            "enquiries",
            "dashboard",
            "letters",
            "campaigns",
        ),
        default="all",
    )
    parser.add_argument("--path", action="append", help="queries step: the page(s) to profile, e.g. /cases")
    parser.add_argument("--scale", type=float, action="append", help="1.0 = office-10y; repeatable")
    parser.add_argument(
        "--count",
        type=int,
        help="ingest (500), outbox (5000), enquiries (100000), letters (200), campaigns (50000): how many",
    )
    parser.add_argument("--recipients", type=int, default=10_000, help="campaigns step: recipients of the send")
    parser.add_argument("--workers", type=int, default=2, help="outbox step: Celery worker processes")
    parser.add_argument(
        "--ingest-path",
        choices=("inline", "worker"),
        default="inline",
        help="ingest step: ingest_email's or a worker's path",
    )
    parser.add_argument("--iterations", type=int, default=30, help="timed requests per benchmark")
    parser.add_argument("--report-runs", type=int, default=3, help="dashboard step: weekly reports to produce")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first")
    parser.add_argument("--skip-generate", action="store_true", help="measure the data already generated")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL), help="dropped!"
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--date", default=dt.date.today().isoformat(), help=argparse.SUPPRESS)
    return parser


def scale_label(scale: float) -> str:
    return repr(float(scale))  # 1.0, 0.1, 0.001: the same in file names and tables


def results_path(date: str, scale: float, suffix: str) -> Path:
    return RESULTS_DIR / f"{date}-{scale_label(scale)}.{suffix}"


# --- Steps, each in its own process ------------------------------------------------------------


def _generate(args: argparse.Namespace) -> int:
    configure(args.database_url, args.redis_url)
    from bench.generate import generate_fresh_database

    scale = _one_scale(args)
    print(f"Generating office-10y at scale {scale_label(scale)} into {args.database_url} …", flush=True)
    report = generate_fresh_database(args.database_url, scale, seed=args.seed)
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.seconds.items())
    counts = ", ".join(f"{name} {n:,}" for name, n in report.counts.items())
    print(f"Generated in {report.total_seconds:.1f} s ({phases}).\nRows: {counts}.", flush=True)
    return 0


def _static_is_current() -> bool:
    """The manifest exists and no static source is newer (collectstatic with compression takes ~20 s)."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if Path(storage.path(path)).stat().st_mtime > built:
                return False
    return True


def _prepare_run() -> None:
    """Production static storage needs its manifest; the bench's Redis database starts empty."""
    from django.conf import settings
    from django.core.cache import cache

    if not _static_is_current():
        # In a child process, so its ~200 MB do not count in the benchmark's peak RSS.
        command = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
        subprocess.run(command, cwd=settings.BASE_DIR, check=True)  # noqa: S603 - our own interpreter
    cache.clear()


def _run(args: argparse.Namespace) -> int:
    configure(args.database_url, args.redis_url)
    # Start as production does (mpoffice/wsgi.py, loaded once by gunicorn --preload): the
    # start-up objects are frozen out of the garbage collector's full passes.
    import mpoffice.wsgi  # noqa: F401
    from bench import generate, run

    generation = generate.recorded_generation()
    recorded = generation["scale"] if generation else None
    scale = args.scale[0] if args.scale else recorded
    if scale is None:
        print("The bench database holds no generated data: run `python -m bench generate`.", file=sys.stderr)
        return 2
    if recorded is not None and float(scale) != float(recorded):
        print(f"The bench database holds scale {recorded}, not {scale}: generate it first.", file=sys.stderr)
        return 2
    _prepare_run()
    report = run.run_benchmarks(iterations=args.iterations, warmup=args.warmup)
    report.generation = generation
    RESULTS_DIR.mkdir(exist_ok=True)
    markdown = results_path(args.date, scale, "md")
    markdown.write_text(run.markdown(report, scale), encoding="utf-8")
    results_path(args.date, scale, "json").write_text(json.dumps(run.as_dict(report, scale), indent=2) + "\n")
    print(f"\nScale {scale_label(scale)} — peak RSS {report.peak_rss_mb:.0f} MB\n\n{run.table(report)}\n")
    for note in report.notes:
        print(note)
    print(f"Written to {markdown.relative_to(Path.cwd()) if markdown.is_relative_to(Path.cwd()) else markdown}")
    return 0 if all(m.ok for m in report.measurements) else 1


def _dashboard(args: argparse.Namespace) -> int:
    """The dashboard (cold and warm cache) and weekly report production, on the generated office."""
    configure(args.database_url, args.redis_url)
    import mpoffice.wsgi  # noqa: F401
    from bench import dashboard, generate

    generation = generate.recorded_generation()
    scale = generation["scale"] if generation else (args.scale[0] if args.scale else None)
    if generation is None:
        print("The bench database holds no generated data: run `python -m bench generate`.", file=sys.stderr)
        return 2
    _prepare_run()
    report = dashboard.run_dashboard_benchmarks(
        iterations=args.iterations, warmup=args.warmup, report_runs=args.report_runs
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    markdown = RESULTS_DIR / f"{args.date}-dashboard-{scale_label(scale)}.md"
    markdown.write_text(dashboard.markdown(report, scale), encoding="utf-8")
    path = RESULTS_DIR / f"{args.date}-dashboard-{scale_label(scale)}.json"
    path.write_text(json.dumps(dashboard.as_dict(report, scale), indent=2) + "\n")
    print(f"\nScale {scale_label(scale)}, {report.cases:,} cases\n\n{dashboard.table(report)}\n")
    print(f"Written to {markdown}")
    return 0 if report.ok else 1


def _queries(args: argparse.Namespace) -> int:
    """Every query of one request per --path, slowest first, with EXPLAIN ANALYZE of the slowest."""
    configure(args.database_url, args.redis_url)
    from bench import run

    _prepare_run()
    client = run.caseworker_client()
    for path in args.path or ["/triage?queue=open"]:
        status, timed = run.query_profile(client, path)
        print(f"\n{path} → {status}, {len(timed)} queries, {sum(ms for ms, _ in timed):.1f} ms in SQL")
        for ms, sql in timed:
            print(f"  {ms:7.1f} ms  {sql[:300]}")
        if timed:
            print(run.explain(timed[0][1]))
    return 0


def _ingest(args: argparse.Namespace) -> int:
    """Store + parse --count corpus emails."""

    def run() -> Any:
        from bench import ingest

        return ingest.run_ingest(args.count or 500, path=args.ingest_path)

    return _standalone(args, f"ingest-{args.ingest_path}", "Ingestion", run)


def _standalone(args: argparse.Namespace, name: str, title: str, run: Any) -> int:
    """A benchmark with data of its own: in the bench database (migrated first if need be)."""
    configure(args.database_url, args.redis_url)
    from django.db import OperationalError, connection

    from bench import generate

    try:
        connection.ensure_connection()
    except OperationalError:  # no bench database yet
        generate.recreate_database(args.database_url)
    generate.migrate()
    report = run()
    print(report.summary())
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{args.date}-{name}.md"
    path.write_text(f"# {title}, {args.date}\n\n{report.summary()}\n", encoding="utf-8")
    print(f"Written to {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0 if report.ok else 1


def _outbox(args: argparse.Namespace) -> int:
    """Send --count emails through the outbox with --workers real Celery workers."""

    def run() -> Any:
        from bench import outbox
        from bench.environment import VAR_DIR

        return outbox.run_outbox(args.count or 5000, workers=args.workers, log_dir=VAR_DIR)

    return _standalone(args, "outbox", "Outbox throughput", run)


def _enquiries(args: argparse.Namespace) -> int:
    """One enquiry sweep over --count open enquiries (default 100,000)."""

    def run() -> Any:
        from bench import enquiries

        return enquiries.run_sweep(args.count or 100_000)

    return _standalone(args, "enquiries", "Enquiry sweep", run)


def _letters(args: argparse.Namespace) -> int:
    """Render a one-page letter --count times."""

    def run() -> Any:
        from bench import letters

        return letters.run_letters(args.count or 200)

    return _standalone(args, "letters", "Letter rendering", run)


def _campaigns(args: argparse.Namespace) -> int:
    """Detect campaigns in --count emails, then send to --recipients with real workers."""

    def run() -> Any:
        from bench import campaigns
        from bench.environment import VAR_DIR

        detection = campaigns.run_detection(args.count or 50_000, seed=args.seed)
        print(detection.summary(), flush=True)
        send = campaigns.run_send(args.recipients, workers=args.workers, log_dir=VAR_DIR) if args.recipients else None
        return _Reports([detection, *([send] if send else [])])

    return _standalone(args, "campaigns", "Campaign mail", run)


@dataclass
class _Reports:
    """Several results of one step, written and judged together."""

    parts: list[Any]

    @property
    def ok(self) -> bool:
        return all(part.ok for part in self.parts)

    def summary(self) -> str:
        return "\n\n".join(part.summary() for part in self.parts)


def _one_scale(args: argparse.Namespace) -> float:
    if not args.scale or len(args.scale) != 1:
        raise SystemExit("Give exactly one --scale for a single step.")
    return args.scale[0]


# --- The whole benchmark -----------------------------------------------------------------------


def _child(step: str, scale: float | None, args: argparse.Namespace) -> int:
    command = [sys.executable, "-m", "bench", step, "--iterations", str(args.iterations)]
    command += ["--warmup", str(args.warmup), "--seed", str(args.seed), "--date", args.date]
    command += ["--database-url", args.database_url, "--redis-url", args.redis_url]
    if scale is not None:
        command += ["--scale", str(scale)]
    return subprocess.run(command, check=False).returncode  # noqa: S603 - our own interpreter and module


def _growth(date: str, scales: list[float]) -> str:
    """p95 and queries side by side per scale: what grows with the data and what stays flat."""
    loaded: list[dict[str, Any]] = []
    for scale in scales:
        path = results_path(date, scale, "json")
        if path.exists():
            loaded.append(json.loads(path.read_text()))
    if len(loaded) < 2:
        return ""
    header = " | ".join(f"p95 ms @ {scale_label(r['scale'])} | queries @ {scale_label(r['scale'])}" for r in loaded)
    lines = [f"| benchmark | {header} |", "| --- |" + " ---: |" * (2 * len(loaded))]
    for row in loaded[0]["results"]:
        cells = []
        for result in loaded:
            match = next((r for r in result["results"] if r["name"] == row["name"]), None)
            cells += [f"{match['p95_ms']:.1f}", str(match["queries"])] if match else ["—", "—"]
        lines.append(f"| {row['name']} | {' | '.join(cells)} |")
    return "\n".join(lines)


def _all(args: argparse.Namespace) -> int:
    scales = list(args.scale or ([] if args.skip_generate else DEFAULT_SCALES))
    failed = 0
    for scale in scales or [None]:
        if not args.skip_generate and _child("generate", scale, args):
            return 1
        failed |= _child("run", scale, args)
        failed |= _child("dashboard", scale, args)
    growth = _growth(args.date, scales)
    if growth:
        print(f"Growth with the data\n\n{growth}\n")
        (RESULTS_DIR / f"{args.date}-growth.md").write_text(f"# Growth with the data, {args.date}\n\n{growth}\n")
    return failed


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    steps = {
        "generate": _generate,
        "run": _run,
        "queries": _queries,
        "ingest": _ingest,
        "outbox": _outbox,
        "enquiries": _enquiries,
        "dashboard": _dashboard,
        "letters": _letters,
        "campaigns": _campaigns,
    }
    step = {**steps, "all": _all}[args.step]
    return step(args)


if __name__ == "__main__":
    sys.exit(main())
