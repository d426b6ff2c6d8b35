"""Commands of the normalizer's area: show what the tracker sees in a file, re-derive
histories after a normalizer upgrade, and manage per-document overrides."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import click

from tracker.cli.app import App, enqueue_line, jobs_option, parse_date, pass_app, read_file

if TYPE_CHECKING:
    from tracker.normalize import PageRule
    from tracker.store.models import Document


@click.command("normalize")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["markdown", "text", "json"]), default="markdown",
              show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json: one object per line.")
@click.option("--provider", help="Apply this provider's overrides and document name (and its URL's "
              "#fragment), as a backfill would.")
@click.option("--document", "name", help="Document name, when the provider has several.")
@click.option("--date", "when", help="Capture date for the overrides' validity (default: now).")
@click.pass_context
def normalize_command(ctx: click.Context, files: tuple[str, ...], fmt: str, as_json: bool,
                      provider: str | None, name: str | None, when: str | None) -> None:
    """Show exactly the clauses the tracker sees in HTML files (.md and .txt files: Markdown)."""
    from tracker.normalize import PRIVACY_POLICY, content_type_for, normalize
    from tracker.store.documents import document_target
    from tracker.store.models import utcnow
    from tracker.store.overrides import document_overrides

    fmt = "json" if as_json else fmt
    overrides: tuple[PageRule, ...] = ()
    target = PRIVACY_POLICY
    if provider:
        app = ctx.find_object(App)
        assert app is not None  # the group's callback made it
        with app.sessions() as session:
            document = _one_document(session, provider, name)
            overrides = document_overrides(session, document.id).at(parse_date(when) if when else utcnow())
            target = document_target(session, document.id).any()
    for i, path in enumerate(files):
        page = normalize(read_file(path), content_type_for(path), rules=overrides, target=target)
        if fmt == "json":
            click.echo(json.dumps({"file": path, **page.to_dict()}, ensure_ascii=False))
            continue
        if len(files) > 1:
            click.echo(("\n" if i else "") + f"==> {path} <==")
        if page.invalid_reason:
            click.echo(f"(not a policy page: {page.invalid_reason})", err=True)
        for dropped in page.dropped:
            click.echo(f"(left out {dropped.heading!r}: {dropped.reason}, {dropped.words} words)", err=True)
        if page.scope_note:
            click.echo(f"({page.scope_note})", err=True)
        click.echo(page.to_markdown() if fmt == "markdown" else page.to_text())


@click.command()
@click.option("--provider", help="Only this provider's documents.")
@click.option("--jobs", metavar="N", help="Processes deriving versions (default: the jobs setting, 1).")
@click.option("--queue", "queued", is_flag=True,
              help="Enqueue a job per document for `tracker worker` processes and return (PostgreSQL).")
@pass_app
def renormalize(app: App, provider: str | None, jobs: str | None, queued: bool) -> None:
    """Rebuild versions and changes from the raw store with the current normalizer and
    overrides. No archive request; changes only this run finds are technical (never alerted)."""
    from tracker.store import find_documents
    from tracker.versions.renormalize import renormalize as run

    processes = jobs_option(jobs, app)
    with app.sessions() as session:
        documents = find_documents(session, provider)
    if queued:
        enqueue_line(app, "renormalize", [d.id for d in documents])
        return
    for stats in run(app.sessions, app.raw_store(), documents, jobs=processes):
        click.echo(stats.line())


@click.group()
def override() -> None:
    """Per-document CSS select/remove rules, for the rare page the normalizer gets wrong."""


@override.command("add")
@click.argument("provider")
@click.option("--document", "name", help="Document name, when the provider has several.")
@click.option("--select", "select", multiple=True, help="CSS selector of the policy's content (repeatable).")
@click.option("--remove", "remove", multiple=True, help="CSS selector of parts to drop (repeatable).")
@click.option("--from", "valid_from", help="First capture date it applies to (YYYY[-MM[-DD]] or a timestamp).")
@click.option("--until", "valid_until", help="Captures from this date on are no longer covered.")
@pass_app
def override_add(app: App, provider: str, name: str | None, select: tuple[str, ...], remove: tuple[str, ...],
                 valid_from: str | None, valid_until: str | None) -> None:
    """Add a rule; run `tracker renormalize` to apply it to captures already held."""
    from tracker.normalize import parse_selectors
    from tracker.store.overrides import add_override

    with app.sessions.begin() as session:
        document = _one_document(session, provider, name)
        stored, created = add_override(session, document, parse_selectors(list(select)),
                                       parse_selectors(list(remove)), _instant(valid_from), _instant(valid_until))
    click.echo(f"{'added' if created else 'already stored'}: override {stored.id} of "
               f"{document.provider.name} / {document.name}")


@override.command("list")
@click.option("--provider", help="Only this provider's documents.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_app
def override_list(app: App, provider: str | None, as_json: bool) -> None:
    """Stored rules, per document."""
    from tracker.store import find_documents
    from tracker.store.overrides import document_overrides

    with app.sessions() as session:
        rows = [(d, rule) for d in find_documents(session, provider)
                for rule in document_overrides(session, d.id).rules]
    for document, rule in rows:
        data = {"provider": document.provider.name, "document": document.name, **rule.to_dict()}
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
            continue
        span = f"{data['valid_from'] or 'beginning'} .. {data['valid_until'] or 'open'}"
        click.echo(f"{rule.id}  {document.provider.name} / {document.name}  [{span}]  "
                   f"select={json.dumps(data['select'])} remove={json.dumps(data['remove'])}  ({rule.source})")
    if not rows and not as_json:
        click.echo("no overrides")


@override.command("remove")
@click.argument("override_id", type=int)
@pass_app
def override_remove(app: App, override_id: int) -> None:
    """Delete a rule; run `tracker renormalize` to re-derive without it."""
    from tracker.store.overrides import remove_override

    with app.sessions.begin() as session:
        remove_override(session, override_id)
    click.echo(f"removed override {override_id}")


@override.command("import-ota")
@click.argument("declaration", type=click.Path(dir_okay=False))
@click.option("--provider", required=True, help="The tracked provider the rules are for.")
@click.option("--document", "name", help="Document name, when the provider has several.")
@click.option("--terms-type", default="Privacy Policy", show_default=True, help="OTA terms type to import.")
@pass_app
def override_import_ota(app: App, declaration: str, provider: str, name: str | None, terms_type: str) -> None:
    """Import an Open Terms Archive declarations/<Service>.json (and the .history.json beside it)."""
    from tracker.store.ota import import_rules, read_declaration

    rules = read_declaration(declaration, terms_type)
    with app.sessions.begin() as session:
        document = _one_document(session, provider, name)
        result = import_rules(session, document, rules, f"ota:{declaration}")
    click.echo(f"{document.provider.name} / {document.name}: {result.added} overrides added, "
               f"{result.existing} already stored")
    for line in result.skipped:
        click.echo(f"skipped {line}")
    for line in result.ignored_filters:
        click.echo(f"not imported (OTA JavaScript filter) {line}")


def _one_document(session, provider: str, name: str | None) -> Document:
    from tracker.store import find_documents

    documents = [d for d in find_documents(session, provider) if name in (None, d.name)]
    if len(documents) != 1:
        names = ", ".join(d.name for d in find_documents(session, provider))
        raise click.ClickException(f"{provider}: name one document with --document (has: {names})"
                                   if documents else f"{provider} has no document named {name!r}")
    return documents[0]


def _instant(text: str | None) -> datetime | None:
    """The start of the period a date names ('2022' is 2022-01-01 00:00), UTC."""
    if text is None:
        return None
    digits = text.strip().replace("-", "")
    padding = {4: "0101000000", 6: "01000000", 8: "000000", 14: ""}
    if not digits.isdigit() or len(digits) not in padding:
        raise click.BadParameter(f"not a date: {text!r} (use YYYY, YYYY-MM, YYYY-MM-DD or a 14-digit timestamp)")
    try:
        return datetime.strptime(digits + padding[len(digits)], "%Y%m%d%H%M%S")
    except ValueError:
        raise click.BadParameter(f"not a date: {text!r}") from None
