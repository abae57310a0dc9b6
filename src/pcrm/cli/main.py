"""The root command: global options, error handling, and the table of commands.

A command's module is imported only when that command runs (or --help lists it), and each
imports only typer at module level: the CRM (sqlite-utils, Rich layout, dateutil's parser)
loads inside the command that runs.
"""

import contextlib
import copy
import functools
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperGroup

from pcrm import __version__
from pcrm.cli.env import Env
from pcrm.cli.helpformat import Typer
from pcrm.cli.output import ExitStatus, error_lines
from pcrm.errors import Ambiguous, PcrmError


def _load(name: str, spec: str) -> Any:
    """Build the click command `name` from its COMMANDS entry, as add_typer() would."""
    module_name, attribute = spec.split(":")
    target = getattr(importlib.import_module(module_name), attribute)
    holder = Typer(rich_markup_mode=None)  # as the root: click's plain help, no Rich
    if isinstance(target, typer.Typer):
        command = _lazy_group(holder, target, name)
    else:
        target(holder)
        command = _guard_text(typer.main.get_group(holder).commands[name])
    if os.environ.get("_PCRM_COMPLETE"):  # the shell asks for completions: from the database
        from pcrm.cli.complete import attach

        attach(name, command)
    return command


def _lazy_group(holder: Typer, target: typer.Typer, name: str) -> Any:
    """The click group of the Typer app `target`, as add_typer() builds it, but each of its
    sub-commands built when first used: Typer evaluates every annotation of a command as
    it builds it, and `contact show` built the contact group's 11 commands (~14 ms).
    `pcrm contact --help` builds them all, to list them."""
    options: dict[str, Any] = {
        "pretty_exceptions_short": holder.pretty_exceptions_short,
        "rich_markup_mode": holder.rich_markup_mode,
    }
    builders: dict[str, Callable[[], Any]] = {}
    for info in target.registered_commands:
        assert info.callback is not None
        sub = info.name or typer.main.get_command_name(info.callback.__name__)
        builders[sub] = functools.partial(typer.main.get_command_from_info, info, **options)
    for group_info in target.registered_groups:
        group_name = typer.main.solve_typer_info_defaults(group_info).name
        if not group_name:  # a group without a name: Typer merges its commands into this one
            holder.add_typer(target, name=name)
            return _guard_text(typer.main.get_group(holder).commands[name])
        builders[group_name] = functools.partial(
            typer.main.get_group_from_info,
            group_info,
            suggest_commands=holder.suggest_commands,
            **options,
        )
    shell = copy.copy(target)  # the group itself (its callback, options, help)
    shell.registered_commands, shell.registered_groups = [], []
    holder.add_typer(shell, name=name)
    group = _guard_text(typer.main.get_group(holder).commands[name])
    group.commands = LazyCommands(builders, {}, lambda _name, build: _guard_text(build()))
    return group


# Arguments that name a file may hold any bytes the file system allows; every other
# argument is text that is stored or shown, so it must be valid UTF-8.
PATH_METAVARS = frozenset({"FILE", "PATH"})


def _guard_text(command: Any) -> Any:
    """Check the text arguments of `command` and of its sub-commands before they run."""
    for sub in getattr(command, "commands", {}).values():
        _guard_text(sub)
    if command.callback is not None:
        command.callback = _checking_text(command.callback, command.params)
    return command


def _checking_text(callback: Callable[..., Any], params: list[Any]) -> Callable[..., Any]:
    named = {param.name: param for param in params if param.metavar not in PATH_METAVARS}

    @functools.wraps(callback)
    def checked(*args: Any, **kwargs: Any) -> Any:
        for name, value in kwargs.items():
            if name in named:
                kwargs[name] = _utf8(value, named[name])
        return callback(*args, **kwargs)

    return checked


def _utf8(value: Any, param: Any) -> Any:
    """`value` as valid text. Python hands undecodable argv bytes over as lone surrogates,
    which SQLite and the terminal refuse half-way through a command: UTF-8 bytes decoded
    under a non-UTF-8 locale (LC_ALL=C) are read as UTF-8; any other bytes are refused
    here, naming the argument, before anything is done."""
    if isinstance(value, list | tuple):
        return type(value)(_utf8(item, param) for item in value)
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(value)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    long_names = [opt for opt in param.opts if opt.startswith("--")]
    label = long_names[0] if long_names and param.param_type_name == "option" else param.metavar
    shown = raw.decode("utf-8", "backslashreplace")
    error_lines(
        f'{label} "{shown}" is not valid UTF-8 (type it again in UTF-8, or convert it with '
        "iconv -t utf-8)"
    )
    raise typer.Exit(ExitStatus.USAGE)


class LazyCommands(MutableMapping[str, Any]):
    """A group's sub-commands: every name of `table`, each built on first access by
    `build(name, table[name])` (the root's: _load of its COMMANDS entry). Listed in the
    table's order, whichever were built."""

    def __init__(
        self,
        table: Mapping[str, Any],
        built: Mapping[str, Any],
        build: Callable[[str, Any], Any] = _load,
    ) -> None:
        self._table = dict(table)
        self._built = dict(built)
        self._build = build

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in self._table:
                raise KeyError(name)
            self._built[name] = self._build(name, self._table[name])
        return self._built[name]

    def __contains__(self, name: object) -> bool:
        return name in self._built or name in self._table

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._table, *self._built]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*self._table, *self._built]))

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._built.pop(name, None)
        self._table.pop(name, None)


class PcrmGroup(TyperGroup):
    """Turns pcrm's typed errors into one line on stderr and an exit code.

    Every command runs inside the root group's invoke, so this is the one place where
    errors become messages. PCRM_DEBUG=1 lets the traceback through. Its sub-commands come
    from the COMMANDS table, loaded lazily.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(dict(COMMANDS), self.commands)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # names only: listing builds nothing

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """`pcrm --help`'s list of commands, from SUMMARIES: building the ~90 commands to
        read their first lines made Typer evaluate ~2,000 annotations. What is shown is
        what click shows (a test compares each summary with the built command's)."""
        from typer._click.utils import make_default_short_help

        shown = [name for name in self.list_commands(ctx) if SUMMARIES.get(name)]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name in shown)
        rows = [(name, make_default_short_help(SUMMARIES[name] or "", limit)) for name in shown]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # The command line as typed, for the change journal (`pcrm history`).
        ctx.meta.setdefault("pcrm.argv", list(args))
        result: list[str] = super().parse_args(ctx, args)
        return result

    def invoke(self, ctx: Any) -> Any:
        from pcrm.dates import date_order_lookup

        # get_env installs this command's lookup of the date-order setting; none outlives it.
        token = date_order_lookup.set(None)
        try:
            return self._invoke(ctx)
        finally:
            date_order_lookup.reset(token)

    def _invoke(self, ctx: Any) -> Any:
        try:
            try:
                result = super().invoke(ctx)
            except typer.Exit:
                sys.stdout.flush()
                raise
            # What is still buffered is written now, so that a full disk is told (below)
            # rather than lost at exit with status 0 or 120.
            sys.stdout.flush()
            return result
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except PcrmError as exc:
            if os.environ.get("PCRM_DEBUG") == "1":
                raise
            details = exc.candidates if isinstance(exc, Ambiguous) else []
            error_lines(str(exc), details)
            raise typer.Exit(ExitStatus.ERROR) from None
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            raise typer.Exit(ExitStatus.INTERRUPTED) from None
        except BrokenPipeError:
            # `pcrm contact list | head`: the reader left; nothing more to say.
            _drop_stdout()  # what is still buffered would fail again at exit (status 120)
            sys.stderr.close()
            raise typer.Exit(ExitStatus.OK) from None
        except Exception as exc:
            if os.environ.get("PCRM_DEBUG") == "1":
                raise
            if isinstance(exc, OSError) and (message := _write_failed(exc)):
                error_lines(message)
                raise typer.Exit(ExitStatus.ERROR) from None
            error_lines(
                f"unexpected {type(exc).__name__}: {exc} "
                "(this is a bug in pcrm; run again with PCRM_DEBUG=1 for the details)"
            )
            raise typer.Exit(ExitStatus.ERROR) from None


def _drop_stdout() -> None:
    """Send what is left of stdout's output to /dev/null: the write failed or the reader
    left, and Python's flush at exit must not fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _write_failed(exc: OSError) -> str | None:
    """One line for a write the system refused: a full disk or a file size limit, or an
    I/O error on stdout (which has no file name). None: not a failed write."""
    import errno

    from pcrm.store.files import write_failed_hint

    hint = write_failed_hint(exc)
    if hint is None and not (exc.filename is None and exc.errno in (errno.EIO, errno.EBADF)):
        return None
    if exc.filename is None:
        _drop_stdout()  # stdout: what is still buffered for it would fail again at exit
    where = "output" if exc.filename is None else str(exc.filename)
    return f"cannot write {where}: {exc.strerror}" + (f" ({hint})" if hint else "")


app = Typer(
    cls=PcrmGroup,
    name="pcrm",
    help="A local-first personal CRM for the terminal: contacts, companies, deals and "
    "interactions in one SQLite file.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pcrm {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Database file (default: $PCRM_DB, else your user data folder).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """A local-first personal CRM for the terminal.

    \b
    Example:
      pcrm contact add "Ada Lovelace" --email ada@example.org --company Analytical
    """
    env = ctx.obj if isinstance(ctx.obj, Env) else Env()
    if db is not None and not db.strip():
        # An empty --db (a shell variable that was not set) must not mean the default file.
        error_lines("--db is empty (give the database file's path, or leave --db out)")
        raise typer.Exit(ExitStatus.USAGE)
    if db:
        env.db_option = db
    if env.argv is None:
        env.argv = ctx.meta.get("pcrm.argv")
    ctx.obj = env


# Every command of `pcrm`, in `pcrm --help` order: name -> "module:attribute", where the
# attribute is a Typer app (a command group) or a register(app) function that adds the
# command. One line each; a module is imported only when one of its commands is looked up,
# so `pcrm log` loads and builds one command, not all of them (--help still lists all).
COMMANDS = {
    "log": "pcrm.cli.interactions:register",
    "interaction": "pcrm.cli.interaction:app",
    "capture": "pcrm.cli.capture:app",
    "follow-up": "pcrm.cli.task:app",
    "agenda": "pcrm.cli.agenda:app",
    "digest": "pcrm.cli.digest:register",
    "show": "pcrm.cli.views:register",
    "timeline": "pcrm.cli.views:register",
    "search": "pcrm.cli.views:register",
    "demo": "pcrm.cli.demo:register",
    "dupes": "pcrm.cli.merge:register",
    "undo": "pcrm.cli.merge:register",
    "history": "pcrm.cli.merge:register",
    "backup": "pcrm.cli.maintenance:register",
    "restore": "pcrm.cli.maintenance:register",
    "doctor": "pcrm.cli.maintenance:register",
    "contact": "pcrm.cli.contact:app",
    "company": "pcrm.cli.company:app",
    "deal": "pcrm.cli.deal:app",
    "stage": "pcrm.cli.stage:app",
    "lifecycle": "pcrm.cli.lifecycle:app",
    "pipeline": "pcrm.cli.pipeline:app",
    "task": "pcrm.cli.task:task_app",  # the old name of follow-up, hidden
    "config": "pcrm.cli.config:app",
    "field": "pcrm.cli.field:app",
    "export": "pcrm.cli.export:app",
    "import": "pcrm.cli.importer:app",
    "vdir": "pcrm.cli.vdir:app",
    "sync": "pcrm.cli.sync:app",
    "report": "pcrm.cli.report:app",
    "score": "pcrm.cli.score:app",
}

# The first sentence of each command's help, as `pcrm --help` lists it (None: hidden).
# tests/test_startup_lazy.py checks each against the command it names, built.
SUMMARIES: dict[str, str | None] = {
    "log": "Log a call, email, meeting or note; on a deal or company too.",
    "interaction": "List, correct, cancel and remove logged interactions.",
    "capture": "Capture interactions from mail and calendars.",
    "follow-up": "Add, list, finish, snooze, edit or remove follow-ups.",
    "agenda": "Show what is due: follow-ups, people, birthdays, deals.",
    "digest": "Summarise last week: activity, deals, who is slipping.",
    "show": "Show a contact or a company, with recent interactions.",
    "timeline": "Show the history of a contact, a company or a deal.",
    "search": "Search contacts, companies, deals and interactions.",
    "demo": "Create a demo database of sample data and show it.",
    "dupes": "List likely duplicate contacts and companies.",
    "undo": "Undo the last change, or change ID.",
    "history": "List the latest changes, newest first.",
    "backup": "Copy the database to a backup file, safely while pcrm runs.",
    "restore": "Replace the database with a backup, keeping the current one.",
    "doctor": "Check the database file for problems, and say what to run.",
    "contact": "Add, list, show, edit, stage and remove contacts.",
    "company": "Add, list, show, edit, stage and remove companies.",
    "deal": "Add deals, move them through stages, win or lose them.",
    "stage": "List, add, edit, reorder and remove pipeline stages.",
    "lifecycle": "The lifecycle stages contacts and companies go through.",
    "pipeline": "Show the deals board; add, list and remove pipelines.",
    "task": None,
    "config": "Show and change settings, like the default currency.",
    "field": "Declare, list and remove custom fields.",
    "export": "Write records out as files other programs read.",
    "import": "Import contacts from CSV, vCard and pcrm JSON files.",
    "vdir": "Sync contacts and follow-ups with a vdir folder.",
    "sync": "Sync contacts and follow-ups with a CardDAV/CalDAV server.",
    "report": "Reports: pipeline, wins, activity, funnel and sources.",
    "score": "Score leads by rules and explain their scores.",
}


class _ClosedStdout:
    """stdout when the shell closed it: each write fails with one clear line."""

    def _closed(self) -> OSError:
        import errno

        return OSError(errno.EBADF, "stdout is closed")

    def write(self, text: str) -> int:
        raise self._closed()

    @property
    def buffer(self) -> Any:
        raise self._closed()

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise self._closed()


def _buffered_stdout() -> None:
    """Under `python -u` (PYTHONUNBUFFERED) stdout's text layer writes straight to the file
    and drops whatever a short write left out (a full disk): the output is cut and the exit
    status 0. A buffer in between writes the rest or raises, which PcrmGroup tells; flushed
    at each line, it keeps -u's promptness."""
    import io

    stream = sys.stdout
    if stream is None:  # `pcrm ... >&-`: Python gives None; writing to it says so
        sys.stdout = _ClosedStdout()
        return
    raw = getattr(stream, "buffer", None)
    if isinstance(stream, io.TextIOWrapper) and isinstance(raw, io.RawIOBase):
        sys.stdout = io.TextIOWrapper(
            io.BufferedWriter(raw),
            encoding=stream.encoding,
            errors=stream.errors,
            line_buffering=True,
        )


def run() -> None:
    """Console-script entry point."""
    _buffered_stdout()
    _escape_unencodable()
    try:
        app()
    except KeyboardInterrupt:
        # Ctrl-C outside a command (while parsing); inside one, PcrmGroup handles it.
        sys.stderr.write("\n")
        raise SystemExit(ExitStatus.INTERRUPTED) from None


def _escape_unencodable() -> None:
    """Under a locale that is not UTF-8 (LC_ALL=C with PYTHONUTF8=0: ASCII), a name with
    an accent would stop a listing half-way with UnicodeEncodeError: print what the
    terminal can show and escape the rest (\\xe9), as stderr already does."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
