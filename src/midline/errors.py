"""Exception types a user can act on. Every message says what is wrong and what to do."""

from __future__ import annotations


class MidlineError(Exception):
    """Base of every error midline reports to a user (the CLI prints the message, no traceback)."""


class CatalogError(MidlineError):
    """A catalog data file is missing, malformed, or refers to an entry that does not exist."""


class UnknownEntryError(MidlineError, KeyError):
    """An id (exercise, muscle, position, prop) that the catalog does not have."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class PlanInfeasibleError(MidlineError):
    """No programme satisfies the profile; the message names the constraint that cannot be met."""


class InputError(MidlineError):
    """An input file (video, landmarks) is unreadable, unsupported, too large or unsafe."""
