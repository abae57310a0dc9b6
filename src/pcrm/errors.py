"""Typed errors. Lower layers raise them; only cli/ turns them into messages and exit codes."""

from __future__ import annotations


class PcrmError(Exception):
    """A user-facing problem: one line of message, plus an optional hint of what to try next."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InvalidInput(PcrmError):
    """A value given by the user cannot be used (bad WHEN, bad email, unknown kind...)."""


class InvalidWhen(InvalidInput):
    """A WHEN (date/time expression) could not be understood."""


class NotFound(PcrmError):
    """A REF matches no record."""


class Ambiguous(PcrmError):
    """A REF matches several records; `candidates` lists them so the user can pick one."""

    def __init__(self, message: str, candidates: list[str], hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.candidates = candidates


class Conflict(PcrmError):
    """The change would break a rule of the data (an email already used by another contact...)."""


class DatabaseError(PcrmError):
    """The database file is missing, unreadable, locked, corrupt or from a newer pcrm."""
