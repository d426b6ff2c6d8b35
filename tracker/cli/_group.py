"""The `tracker` group. Commands are loaded when they are asked for, so `tracker --version`
imports no command module, and `tracker --help` only the light ones (each command imports
what it runs inside its own body)."""

from __future__ import annotations

import importlib
import logging

import click

from tracker import __version__
from tracker.cli.app import App, TrackerGroup, one_line
from tracker.config import ConfigError
from tracker.urls import mask_logged_credentials

# Command name -> "module:function", in the order `tracker --help` lists them.
COMMANDS = {
    "init": "tracker.cli.core:init",
    "add": "tracker.cli.core:add",
    "list": "tracker.cli.core:list_documents",
    "backfill": "tracker.cli.core:backfill",
    "history": "tracker.cli.core:history",
    "captures": "tracker.cli.captures:captures",
    "changes": "tracker.cli.core:changes",
    "diff": "tracker.cli.core:diff_command",
    "compare": "tracker.cli.core:compare",
    "import": "tracker.cli.importing:import_group",
    "normalize": "tracker.cli.normalize:normalize_command",
    "renormalize": "tracker.cli.normalize:renormalize",
    "override": "tracker.cli.normalize:override",
    "sql": "tracker.cli.sql:sql_command",
    "db": "tracker.cli.sql:db_group",
    "search": "tracker.cli.sql:search_command",
    "export": "tracker.cli.sql:export_command",
    "export-markdown": "tracker.cli.sql:export_markdown_command",
    "subscribe": "tracker.cli.jobs:subscribe",
    "unsubscribe": "tracker.cli.jobs:unsubscribe",
    "subscribers": "tracker.cli.jobs:subscribers",
    "digest": "tracker.cli.jobs:digest",
    "run": "tracker.cli.jobs:run",
    "worker": "tracker.cli.jobs:worker",
    "jobs": "tracker.cli.jobs:jobs_group",
    "status": "tracker.cli.jobs:status_command",
    "cadence": "tracker.cli.jobs:cadence",
    "serve": "tracker.cli.web:serve_command",
    "serve-archive": "tracker.cli.core:serve_archive",
    "demo": "tracker.cli.core:demo",
}


GLOBAL_FLAGS = {"-v", "--verbose"}


class LazyGroup(TrackerGroup):
    """A group whose commands are imported on first use, from the COMMANDS table."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self.place_global_options(ctx, args))

    def place_global_options(self, ctx: click.Context, args: list[str]) -> list[str]:
        """`tracker backfill -v` as `tracker -v backfill`, and `tracker --json changes` as
        `tracker changes --json`: the group's options may follow the command name, and a
        command's --json may precede it. Nothing after `--` is touched."""
        before, index = [], 0
        while index < len(args) and args[index] not in COMMANDS:
            if args[index] == "--":
                return args
            before.append(args[index])
            index += 1
            if before[-1] == "--config" and index < len(args):
                before.append(args[index])
                index += 1
        if index == len(args):
            return args
        name, rest, after, moved = args[index], args[index + 1:], [], []
        position = 0
        while position < len(rest):
            arg = rest[position]
            if arg == "--":
                after.extend(rest[position:])
                break
            if arg in GLOBAL_FLAGS or arg.startswith("--config="):
                moved.append(arg)
            elif arg == "--config" and position + 1 < len(rest):
                moved.extend(rest[position:position + 2])
                position += 1
            else:
                after.append(arg)
            position += 1
        command = self.get_command(ctx, name)
        if "--json" in before and command is not None and any("--json" in p.opts for p in command.params):
            before.remove("--json")
            after.append("--json")
        return before + moved + [name] + after

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """In the table's order (click sorts them by name)."""
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        rows = [(name, command.get_short_help_str(limit)) for name in COMMANDS
                if (command := self.get_command(ctx, name)) is not None]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="tracker")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="TOML config file (default ./tracker.toml, or $TRACKER_CONFIG).")
@click.option("-v", "--verbose", is_flag=True, help="Log each step.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """Track privacy policies through their Wayback Machine history."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    mask_logged_credentials()
    try:
        ctx.obj = App(config_path)
    except ConfigError as exc:
        raise click.ClickException(one_line(exc)) from None
