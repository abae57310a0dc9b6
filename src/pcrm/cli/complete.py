"""Shell completion of what the database holds: REFs (names, emails), tags, stages,
pipelines, kinds and follow-up ids.

The completers are attached to every command's parameters in one place, `attach()`, which
cli/main.py calls only when the shell asks for completions ($_PCRM_COMPLETE is set): the
command modules stay as they are, and a normal run pays nothing. Each parameter is matched
by what it holds (its option name or its argument's metavar, and the command it is on),
so a new command with a `--tag TAG` or a `REF` is completed without a line here.

Completion is silent: any failure (no file, a locked or newer one, a bad --db) offers
nothing rather than print an error into the user's prompt. The file is opened read-only
and never created (store/peek.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from click.shell_completion import CompletionItem

COMPLETE_VAR = "_PCRM_COMPLETE"
Completer = Callable[[Any, Any, str], list[CompletionItem]]
Query = Callable[[Any, str], list[str]]

SEARCH_KINDS = ("contact", "company", "deal", "interaction")
RECORD_KINDS = ("contact", "company", "deal")
PREFIXES = ("contact:", "company:", "deal:")


def completing() -> bool:
    return bool(os.environ.get(COMPLETE_VAR))


def attach(name: str, command: Any) -> Any:
    """Give the parameters of `command` (the top-level command `name`, and its
    sub-commands) their completers."""
    _attach((name,), command)
    return command


def _attach(path: tuple[str, ...], command: Any) -> None:
    for sub_name, sub in getattr(command, "commands", {}).items():
        _attach((*path, sub_name), sub)
    for param in command.params:
        completer = completer_for(path, param)
        if completer is not None:
            param._custom_shell_complete = completer


def completer_for(path: tuple[str, ...], param: Any) -> Completer | None:
    """The completer for a parameter of the command at `path` (("deal", "add")), if any."""
    group = path[0]
    opts = set(param.opts) | set(getattr(param, "secondary_opts", []))
    metavar = param.metavar or ""
    if param.param_type_name == "option":
        if opts & {"--company", "-c"}:
            return _records(("company",))
        # -w is --where everywhere but on log, where it is the hidden old --with.
        if opts & ({"--contact", "--rm-contact"} | ({"--with", "-w"} if group == "log" else set())):
            return _records(("contact",))
        if "--deal" in opts:
            return _records(("deal",))
        if opts & {"--tag", "--untag", "--any-tag", "--no-tag"}:
            return _listed(_query("tag_names"), commas=True)
        if "--stage" in opts and group in ("contact", "company"):  # lifecycle stages
            return _listed(_query("lifecycle_stage_names"))
        if "--stage" in opts or (opts & {"--after", "--to"} and group == "stage"):
            return _listed(_query("deal_stage_names"))
        if "--after" in opts and group == "lifecycle":
            return _listed(_query("lifecycle_stage_names"))
        if "--pipeline" in opts or ("--to" in opts and group == "pipeline"):
            return _listed(_query("pipeline_names"))
        if "--kind" in opts and group in ("log", "interaction"):
            return _listed(_query("interaction_kind_names"))
        if "--kind" in opts:
            return _fixed(SEARCH_KINDS if group == "search" else ("contact", "company"))
        if "--after" in opts and path[:2] == ("interaction", "kind"):
            return _listed(_query("interaction_kind_names"))
        if "--on" in opts:
            return _fixed(RECORD_KINDS)
        return None
    if metavar == "ID" and group in ("follow-up", "task"):
        return _follow_ups
    if metavar == "STAGE":
        if group in ("contact", "company", "lifecycle"):
            return _listed(_query("lifecycle_stage_names"))
        return _listed(_query("deal_stage_names"))
    if metavar == "NAME" and group == "pipeline" and path[-1] != "add":
        return _listed(_query("pipeline_names"))
    if metavar == "REF" and path == ("contact", "stage"):
        # `contact stage REF... STAGE`: click hands every word to the REFs, so a word
        # there may be the stage too.
        return _either(_records(("contact",)), _listed(_query("lifecycle_stage_names")))
    if metavar in ("REF", "KEEP", "OTHER", "[REF]"):
        kinds = {
            "company": ("company",),
            "deal": ("deal",),
            "show": RECORD_KINDS,
            "timeline": RECORD_KINDS,
        }
        return _records(kinds.get(group, ("contact",)))
    return None


# -- the completers -----------------------------------------------------------------------


def _either(first: Completer, second: Completer) -> Completer:
    def complete(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem]:
        return [*first(ctx, param, incomplete), *second(ctx, param, incomplete)]

    return complete


def _records(kinds: tuple[str, ...]) -> Completer:
    """Names of records of `kinds` (a prefix contact:/company:/deal: picks the kind)."""

    def complete(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem]:
        chosen, typed, prefix = kinds, incomplete, ""
        for kind in RECORD_KINDS:
            if incomplete.lower().startswith(kind + ":"):
                chosen, prefix = (kind,), incomplete[: len(kind) + 1]
                typed = incomplete[len(prefix) :]
        queries = {
            "contact": _query("contact_names"),
            "company": _query("company_names"),
            "deal": _query("deal_titles"),
        }
        values = _ask(ctx, lambda db: [v for k in chosen for v in queries[k](db, typed)])
        items = [CompletionItem(_shell(prefix + value)) for value in dict.fromkeys(values)]
        if not prefix and len(kinds) > 1:
            items += [CompletionItem(p) for p in PREFIXES if p.startswith(incomplete.lower())]
        return items

    return complete


def _listed(query: Query, *, commas: bool = False) -> Completer:
    """What `query` finds for the word typed; with `commas`, for its last comma piece
    (`--tag vip,pr` completes `pr`)."""

    def complete(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem]:
        head, typed = "", incomplete
        if commas and "," in incomplete:
            head, _, typed = incomplete.rpartition(",")
            head += ","
        values = _ask(ctx, lambda db: query(db, typed.strip()))
        return [CompletionItem(_shell(head + value)) for value in values]

    return complete


def _fixed(words: tuple[str, ...]) -> Completer:
    def complete(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem]:
        return [CompletionItem(word) for word in words if word.startswith(incomplete.lower())]

    return complete


def _follow_ups(ctx: Any, param: Any, incomplete: str) -> list[CompletionItem]:
    from pcrm.core.completion import open_follow_ups

    rows = _ask(ctx, lambda db: open_follow_ups(db, incomplete.strip()))
    return [CompletionItem(ident, help=text) for ident, text in rows]


def _query(name: str) -> Query:
    """core.completion's function `name`, imported when a completion runs."""

    def run(db: Any, typed: str) -> list[str]:
        from pcrm.core import completion

        found: list[str] = getattr(completion, name)(db, typed)
        return found

    return run


def _ask(ctx: Any, question: Callable[[Any], list[Any]]) -> list[Any]:
    """The answer to `question` from the database that --db / $PCRM_DB names, read-only;
    [] when there is no file or anything goes wrong (completion must stay silent)."""
    try:
        from pcrm.store.paths import resolve_db_path
        from pcrm.store.peek import peek

        db = peek(resolve_db_path(ctx.find_root().params.get("db") or None))
        if db is None:
            return []
        try:
            return question(db)
        finally:
            db.close()
    except Exception:  # whatever it is, a shell prompt is no place to say so
        return []


# Characters a shell would split or interpret in a word: bash inserts completions as typed,
# so a name with a space is offered as `Ada\ Lovelace`. Other shells quote for themselves.
_SPECIAL = re.compile(r"""([\s'"\\$`!&|;<>()*?\[\]{}#~^])""")


def _shell(value: str) -> str:
    if os.environ.get(COMPLETE_VAR, "").endswith("bash"):
        return _SPECIAL.sub(r"\\\1", value)
    return value
