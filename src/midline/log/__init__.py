"""The training log: performed sessions and sets, video analyses, pain holds, history, export/import.

Plain typed records and pure functions; storage lives in :mod:`midline.storage` behind
:class:`midline.log.repository.LogRepository`.
"""

from midline.log.entry import LogInputError, SetInput, make_sets
from midline.log.pain import progression_hold, progression_holds
from midline.log.records import (
    AnalysisRecord,
    PlanRecord,
    ProfileRecord,
    SessionRecord,
    SetRecord,
    UserRecord,
)
from midline.log.repository import LogRepository

__all__ = [
    "AnalysisRecord",
    "LogInputError",
    "LogRepository",
    "PlanRecord",
    "ProfileRecord",
    "SessionRecord",
    "SetInput",
    "SetRecord",
    "UserRecord",
    "make_sets",
    "progression_hold",
    "progression_holds",
]
