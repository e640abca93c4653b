"""The `hearing` command line: serve, migrate, import-cases, demo-data, worker."""

import json
import sys
from pathlib import Path

import click

from service.core.errors import DomainError
from service.core.settings import PROJECT_ROOT, Settings, get_settings


@click.group()
def main() -> None:
    """Written hearing service."""


def run_migrations(url: str | None = None) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "head")


@main.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    run_migrations()
    click.echo(f"database at head: {_safe_url()}")


@main.command("import-cases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--no-screen", is_flag=True, help="Import only; screen later.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
def import_cases(file: Path, no_screen: bool, as_json: bool) -> None:
    """Import cases from a CSV or JSON FILE (idempotent on V-number), any number of rows:
    the file is read as it streams, in batches; progress goes to stderr. The import is
    recorded as a run, as the import page records an upload, so planners see it."""
    from service.cases import import_runs
    from service.cases.schemas import ImportReport
    from service.core.actor import SYSTEM
    from service.core.db import unit_of_work

    def progress(so_far: ImportReport) -> None:
        if so_far.rows % 10_000 == 0:  # every ten batches
            click.echo(f"  {so_far.rows:,} rows read, {so_far.created:,} created", err=True)

    try:
        with unit_of_work() as db, file.open("rb") as stream:
            run, report = import_runs.import_file(
                db, stream, file.name, SYSTEM, screen=not no_screen, progress=progress
            )
            run_id = run.id
    except DomainError as exc:
        with unit_of_work() as db:
            import_runs.record_failure(db, file.name, SYSTEM, exc.detail)
        raise click.ClickException(exc.detail) from exc
    click.echo(f"import run {run_id}", err=True)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    click.echo(
        f"{report.rows} rows: {report.created} created, {report.skipped_existing} "
        f"already present, {report.failed} failed"
    )
    for outcome, count in sorted(report.screened.items()):
        click.echo(f"  screened {outcome}: {count}")
    for error in report.errors[:50]:
        click.echo(
            f"  row {error.row} ({error.v_number or '?'}): {'; '.join(error.errors)}", err=True
        )
    if len(report.errors) > 50:
        click.echo(f"  … {len(report.errors) - 50} more; use --json for all", err=True)


@main.command("demo-data")
@click.option("--cases", default=600, show_default=True, help="Size of the demo backlog.")
def demo_data(cases: int) -> None:
    """Fill the database with a realistic demo backlog, users and locations."""
    from service.dev.demo import load_demo_data

    summary = load_demo_data(cases)
    click.echo(json.dumps(summary, indent=2, default=str))


@main.group()
def simulate() -> None:
    """Replays through the service's own actions on a simulated clock."""


@simulate.command("taskforce")
@click.option("--seed", default=1, show_default=True, help="The same seed gives the same run.")
@click.option("--scale", default=1.0, show_default=True, help="0.1: a tenth of the backlog.")
@click.option(
    "--http",
    "urls",
    multiple=True,
    help="Drive the app process at this URL over HTTP (repeat: round-robin); it must run "
    "on this database with HEARING_SIMULATED_CLOCK=true.",
)
@click.option(
    "--processes",
    default=0,
    show_default=True,
    help="Start this many app processes on this database and drive them over HTTP.",
)
def simulate_taskforce(seed: int, scale: float, urls: tuple[str, ...], processes: int) -> None:
    """Replay the 2020 pilot (15,348 cases, DOMAIN.md Tabel 4) into an empty database
    and print the report per nationality over the replay's period (the figures of
    GET /api/v1/reports/nationalities). Uses the Taskforce's eligibility policy. In this
    process by default; over the JSON API with --http or --processes (the load test)."""
    import os
    import tempfile
    from contextlib import nullcontext

    from service.core.db import unit_of_work
    from service.simulate.http import app_processes
    from service.simulate.summary import render
    from service.simulate.taskforce import POLICY, replay

    os.environ["HEARING_ELIGIBILITY_POLICY"] = POLICY
    get_settings.cache_clear()
    workdir = tempfile.mkdtemp(prefix="hearing-replay-")
    started = (
        app_processes(processes, get_settings().database_url, workdir)
        if processes
        else nullcontext(list(urls))
    )
    try:
        with started as doors, unit_of_work() as db:
            result = replay(db, seed=seed, scale=scale, urls=doors)
    except (RuntimeError, ValueError) as refused:
        raise click.ClickException(str(refused)) from None
    period = result.period
    click.echo(f"Report per nationality, {period.start:%Y-%m-%d} to {period.end:%Y-%m-%d}:")
    click.echo(render(result.table))
    click.echo(
        f"{result.imported:,} cases imported; {result.actions:,} actions in "
        f"{result.seconds:.1f} s wall time ({result.per_second:,.0f} actions/s), "
        f"{result.cpu_seconds:.1f} s CPU ({result.actions / result.cpu_seconds:,.0f} actions/s); "
        f"simulated clock ended {result.ended:%Y-%m-%d}"
    )
    if result.requests:
        click.echo(
            f"over HTTP ({processes or len(urls)} app process(es)): {result.requests:,} "
            f"requests in {result.seconds:.1f} s wall time "
            f"({result.requests_per_second:,.1f} requests/s)"
        )
    for name, count in result.sweeps.items():
        click.echo(f"  sweep {name}: {count:,}")


@main.command("demo-code")
@click.argument("username")
def demo_code(username: str) -> None:
    """Print the current second-factor code of a demo account (not in production)."""
    from service.dev.demo import demo_code as current_code

    try:
        code, seconds = current_code(username)
    except (LookupError, RuntimeError) as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(code)
    click.echo(f"valid for {seconds} more seconds; each code signs in once", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=1, show_default=True, help="App processes (stateless).")
def serve(host: str, port: int, workers: int) -> None:
    """Run the web service (in development also the SMTP sink: mail shows at /dev/mail)."""
    import uvicorn

    from service.core.logs import LOGGING

    settings = get_settings()
    if settings.dev and settings.smtp_host in LOCAL_HOSTS:
        _start_mail_sink(settings, f"http://{host}:{port}/dev/mail")
    uvicorn.run(
        "service.main:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        timeout_keep_alive=settings.keep_alive_seconds,
        # Slow clients: headers must be complete in time (core/server.py), and the body
        # (core/middleware.py).
        http="service.core.server:TimedHttpProtocol",
        # A loaded machine starts a worker slowly: the supervisor waits this long for it
        # (and for a busy one to answer) before it kills and replaces it.
        timeout_worker_healthcheck=settings.worker_startup_seconds,
        server_header=False,  # no banner: what runs here is nobody's business
        log_config=LOGGING,  # JSON lines with the request id (docs/security.md)
        access_log=False,  # ours (core/logs.py) logs route templates, not raw paths
    )


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def _start_mail_sink(settings: Settings, page: str) -> None:
    """Keep the worker's e-mail in var/mail instead of sending it anywhere."""
    from service.messages.sink import start_sink

    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        start_sink(settings.mail_sink_dir, settings.smtp_host, settings.smtp_port)
    except OSError as exc:
        # Another `hearing serve` keeps the mailbox already (both read the same folder).
        click.echo(f"development mail: no SMTP sink started on {where} ({exc.strerror})")
        return
    click.echo(f"development mail: SMTP sink on {where}; read what was sent at {page}")


@main.command()
@click.option("--workers", default=2, show_default=True)
def worker(workers: int) -> None:
    """Run the background job consumer (terms, auto-submit)."""
    from huey.consumer import Consumer

    from service.core.logs import configure
    from service.tasks import huey

    configure()
    Consumer(huey, workers=workers, worker_type="thread", periodic=True).run()


@main.group()
def forms() -> None:
    """Questionnaire definitions in forms/: check and publish."""


@forms.command("check")
@click.option("--no-prompts", is_flag=True, help="Leave the spoken prompts out (faster).")
def forms_check(no_prompts: bool) -> None:
    """Fail when a form is invalid, a text is missing in a language, a published version
    changed (text or spoken prompts), a prompt is missing, damaged or of a wrong length,
    or the kiosk interface lacks a translation."""
    from service.questionnaires.check import check_forms

    report = check_forms(prompts=not no_prompts)
    for form in report.forms:
        unreviewed = ", ".join(form.unreviewed_languages()) or "none"
        draft = "  (draft)" if form.key in report.drafts else ""
        click.echo(f"{form.key}  {form.content_hash[:12]}  unreviewed: {unreviewed}{draft}")
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    if report.problems:
        raise SystemExit(1)
    click.echo(f"{len(report.forms)} form versions in order.")


@forms.command("publish")
@click.argument("form_id")
def forms_publish(form_id: str) -> None:
    """Pin the content hash of FORM_ID's new versions in forms/published.yaml."""
    from service.questionnaires.check import NotPublishable, publish

    try:
        added = publish(form_id)
    except NotPublishable as problems:
        click.echo(f"not published, the prompts have problems: {problems}", err=True)
        raise SystemExit(1) from problems
    click.echo("published: " + (", ".join(added) or "nothing new"))


@forms.command("prompts")
@click.option("--generate", is_flag=True, help="Write espeak-ng placeholders where none is.")
def forms_prompts(generate: bool) -> None:
    """Per form version and language: prompts recorded, placeholders, missing. With
    --generate, first write the missing placeholders (offline, espeak-ng)."""
    from service.questionnaires.check import generate_prompts
    from service.questionnaires.forms import available_forms, load_form
    from service.questionnaires.prompts import prompt_status

    if generate:
        for key, result in generate_prompts().items():
            click.echo(f"{key}: {result}")
    for form_id, version in available_forms():
        form = load_form(form_id, version)
        for status in prompt_status(form):
            click.echo(
                f"{form.key} {status.language}: {status.recorded} recorded, "
                f"{status.generated} placeholders, {status.missing} missing"
            )


@forms.command("export")
@click.argument("form_id")
def forms_export(form_id: str) -> None:
    """Write the versions of FORM_ID published in the service (proposals, drafts) to
    forms/ as YAML and pin their hashes, so the kiosk can serve them."""
    from service.core.db import unit_of_work
    from service.proposals.service import export_published
    from service.questionnaires.check import NotPublishable

    try:
        with unit_of_work(write=False) as db:
            written = export_published(db, form_id)
    except NotPublishable as problems:
        click.echo(f"not exported, the prompts have problems: {problems}", err=True)
        raise SystemExit(1) from problems
    click.echo("exported: " + (", ".join(written) or "nothing new"))


@main.group()
def keys() -> None:
    """Data keys that encrypt special-category data (docs/security.md)."""


@keys.command("new")
@click.argument("key_id")
def keys_new(key_id: str) -> None:
    """Print a fresh random data key as KEY_ID:base64 (add it to HEARING_DATA_KEYS)."""
    from service.core.crypto import new_key, parse_keys

    entry = f"{key_id}:{new_key()}"
    parse_keys(entry)  # the id must be usable
    click.echo(entry)


@keys.command("status")
def keys_status() -> None:
    """How many stored values each data key seals."""
    from service.core.crypto import get_keyring
    from service.core.db import unit_of_work
    from service.core.rotation import key_use
    from service.models import Base

    with unit_of_work(write=False) as db:
        counts = key_use(db, Base.metadata)
    click.echo(f"active key: {get_keyring().active}")
    for key_id, count in sorted(counts.items()):
        click.echo(f"  {key_id}: {count} values")


@keys.command("rotate")
@click.option("--batch", default=500, show_default=True, help="Rows per transaction.")
def keys_rotate(batch: int) -> None:
    """Re-seal every stored value under the active key, in batches (resumable, safe
    while the service runs). Reports when no value uses another key any more."""
    from service.core.crypto import get_keyring
    from service.core.db import unit_of_work
    from service.core.rotation import key_use, places, rotate_batch
    from service.models import Base

    active = get_keyring().active
    for place in places(Base.metadata):
        total = 0
        while True:
            with unit_of_work() as db:
                read, rewritten = rotate_batch(db, place, batch)
            total += rewritten
            if read == 0:
                break
            if rewritten == 0:
                click.echo(f"{place.name}: rows change under rotation; run it again", err=True)
                sys.exit(1)
        click.echo(f"{place.name}: {total} rows re-sealed under '{active}'")
    with unit_of_work(write=False) as db:
        others = {k: n for k, n in key_use(db, Base.metadata).items() if k != active}
    if others:
        click.echo(f"values still under other keys: {others}", err=True)
        sys.exit(1)
    click.echo(f"no stored value uses any key but '{active}': old keys may be removed")


@main.group()
def audit() -> None:
    """The audit trail: seal it, check it, print its head."""


@audit.command("verify")
@click.option(
    "--settle-seconds",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="A gap in a writer's numbers younger than this may be an append still committing.",
)
def audit_verify(settle_seconds: float) -> None:
    """Check every seal, every entry and every writer's numbering; report what is not
    sealed yet. Exit 1 on any sign of a change."""
    from datetime import timedelta

    from service.audit.service import UNSEALED_WARNING, verify
    from service.core.db import unit_of_work

    with unit_of_work(write=False) as db:
        verdict = verify(db, settle=timedelta(seconds=settle_seconds))
    unsealed = (
        f"{verdict.unsealed} not sealed yet (the oldest {verdict.unsealed_seconds():.0f} s old)"
        if verdict.unsealed
        else "none unsealed"
    )
    summary = f"{verdict.checked} entries, {verdict.sealed} sealed in {verdict.seals} seals, "
    if not verdict.intact:
        click.echo(f"audit trail BROKEN: {summary}{unsealed}", err=True)
        for problem in verdict.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(f"audit trail intact: {summary}{unsealed}")
    if verdict.pending_gaps:
        click.echo(f"{verdict.pending_gaps} gaps of appends still committing: check again")
    if verdict.unsealed_seconds() > UNSEALED_WARNING.total_seconds():
        click.echo(
            "the oldest unsealed entry is old: is the sealer (the worker) running?", err=True
        )


@audit.command("seal")
@click.option("--watch", is_flag=True, help="Keep sealing every few seconds (Ctrl-C ends).")
def audit_seal(watch: bool) -> None:
    """Seal the entries written since the last seal (the worker does this every few
    seconds; this is for an instance without a worker, or to seal before a check)."""
    import time

    from service.audit.service import SEAL_INTERVAL_SECONDS, seal
    from service.core.db import unit_of_work

    while True:
        with unit_of_work() as db:
            done = seal(db)
        if done.refused:
            click.echo(f"not sealed: {done.refused}", err=True)
        click.echo(f"sealed {done.entries} entries in {done.seals} seals")
        if not watch:
            sys.exit(1 if done.refused else 0)
        time.sleep(SEAL_INTERVAL_SECONDS)


@audit.command("head")
def audit_head() -> None:
    """Print the latest seal's number, last entry and hash, to anchor outside this
    database (a truncated tail shows against the anchored copy)."""
    from service.audit.service import GENESIS, head
    from service.core.db import unit_of_work

    with unit_of_work(write=False) as db:
        last = head(db)
    click.echo(f"{last.number} {last.last_seq} {last.hash}" if last else f"0 0 {GENESIS}")


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(get_settings().database_url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
