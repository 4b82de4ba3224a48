"""Export and import of everything a user owns: JSON (lossless) and CSV (one row per set).

The JSON document names rows by their ``uid``, never by database id, so exporting, importing into
another database and exporting again gives the same document; importing rows that are already there
(same uid) skips them.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from midline import __version__
from midline.errors import MidlineError
from midline.log.records import (
    ROLES,
    SIDES,
    AnalysisRecord,
    PlanRecord,
    ProfileRecord,
    Role,
    SessionRecord,
    SetRecord,
    Side,
    UserRecord,
)

FORMAT = "midline-log"
FORMAT_VERSION = 1
CSV_COLUMNS = (
    "date",
    "session",
    "exercise",
    "set",
    "side",
    "reps",
    "prop",
    "placement",
    "position",
    "tempo",
    "rpe",
    "pain",
    "notes",
    "session_notes",
    "plan",
    "plan_week",
    "plan_session",
)


class ImportFileError(MidlineError):
    """An import file that is not a midline export, or a row in it that is malformed."""


@dataclass(frozen=True)
class Bundle:
    """Everything one user owns, as domain records (the parsed JSON export)."""

    user: dict[str, Any]
    profiles: list[ProfileRecord] = field(default_factory=list)
    plans: list[PlanRecord] = field(default_factory=list)
    sessions: list[SessionRecord] = field(default_factory=list)
    analyses: list[AnalysisRecord] = field(default_factory=list)
    landmarks: dict[str, bytes] = field(default_factory=dict)
    """Analysis uid -> packed landmarks."""


def _ts(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat()


def _set_dict(s: SetRecord) -> dict[str, Any]:
    return {
        "exercise": s.exercise,
        "set": s.set_number,
        "side": s.side,
        "reps": s.reps,
        "prop": s.prop,
        "placement": s.placement,
        "position": s.position,
        "tempo": s.tempo,
        "rpe": s.rpe,
        "pain": s.pain,
        "notes": s.notes,
    }


def export_document(
    user: UserRecord,
    profiles: Iterable[ProfileRecord],
    plans: Iterable[PlanRecord],
    sessions: Iterable[SessionRecord],
    analyses: Iterable[AnalysisRecord],
    landmarks: Mapping[str, bytes],
) -> dict[str, Any]:
    """The JSON export. The password hash is left out: an export is a file a user may share."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "midline_version": __version__,
        "user": {"username": user.username, "display_name": user.display_name, "role": user.role},
        "profiles": [
            {"uid": p.uid, "name": p.name, "created_at": _ts(p.created_at), "data": p.data} for p in profiles
        ],
        "plans": [
            {
                "uid": p.uid,
                "name": p.name,
                "profile": p.profile_uid,
                "start_date": p.start_date.isoformat() if p.start_date else None,
                "created_at": _ts(p.created_at),
                "data": p.data,
            }
            for p in plans
        ],
        "sessions": [
            {
                "uid": s.uid,
                "date": s.date.isoformat(),
                "created_at": _ts(s.created_at),
                "notes": s.notes,
                "plan": s.plan_uid,
                "plan_week": s.plan_week,
                "plan_session": s.plan_session,
                "sets": [_set_dict(x) for x in s.sets],
            }
            for s in sessions
        ],
        "analyses": [
            {
                "uid": a.uid,
                "exercise": a.exercise,
                "session": a.session_uid,
                "created_at": _ts(a.created_at),
                "midline_version": a.midline_version,
                "analysis_version": a.analysis_version,
                "metrics": a.metrics,
                "files": a.files,
                "report": a.report,
                "landmarks_zlib_base64": (
                    base64.b64encode(landmarks[a.uid]).decode("ascii") if a.uid in landmarks else None
                ),
            }
            for a in analyses
        ],
    }


def _get(row: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in row:
        raise ImportFileError(f"{where}: missing {key!r}")
    value = row[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ImportFileError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
    return value


def _opt(row: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    return None if row.get(key) is None else _get(row, key, kind, where)


def _date(text: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ImportFileError(f"{where}: {text!r} is not a YYYY-MM-DD date") from None


def _datetime(text: str, where: str) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ImportFileError(f"{where}: {text!r} is not an ISO 8601 time") from None
    return (t if t.tzinfo else t.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def _set(row: Mapping[str, Any], where: str) -> SetRecord:
    side = _get(row, "side", str, where)
    if side not in SIDES:
        raise ImportFileError(f"{where}: side must be one of {', '.join(SIDES)} (got {side!r})")
    return SetRecord(
        exercise=_get(row, "exercise", str, where),
        set_number=_get(row, "set", int, where),
        side=cast(Side, side),
        reps=_get(row, "reps", int, where),
        prop=_get(row, "prop", str, where),
        placement=_get(row, "placement", str, where),
        position=_get(row, "position", str, where),
        tempo=_opt(row, "tempo", str, where),
        rpe=_opt(row, "rpe", int, where),
        pain=_get(row, "pain", int, where),
        notes=_get(row, "notes", str, where),
    )


def parse_document(doc: Any) -> Bundle:
    """The records of a JSON export; anything malformed raises :class:`ImportFileError` naming the row."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ImportFileError(f'not a midline export (expected "format": "{FORMAT}")')
    if doc.get("version") != FORMAT_VERSION:
        raise ImportFileError(
            f"export format version {doc.get('version')!r} is not supported (this midline reads"
            f" {FORMAT_VERSION}); upgrade midline"
        )
    user = _get(doc, "user", dict, "user")
    if user.get("role", "client") not in ROLES:
        raise ImportFileError(f"user: role must be one of {', '.join(ROLES)}")
    bundle = Bundle(user=cast(dict[str, Any], user))
    for i, row in enumerate(_get(doc, "profiles", list, "export")):
        w = f"profiles[{i}]"
        bundle.profiles.append(
            ProfileRecord(
                uid=_get(row, "uid", str, w),
                name=_get(row, "name", str, w),
                data=_get(row, "data", dict, w),
                created_at=_datetime(_get(row, "created_at", str, w), w),
            )
        )
    for i, row in enumerate(_get(doc, "plans", list, "export")):
        w = f"plans[{i}]"
        start = _opt(row, "start_date", str, w)
        bundle.plans.append(
            PlanRecord(
                uid=_get(row, "uid", str, w),
                name=_get(row, "name", str, w),
                data=_get(row, "data", dict, w),
                profile_uid=_opt(row, "profile", str, w),
                start_date=None if start is None else _date(start, w),
                created_at=_datetime(_get(row, "created_at", str, w), w),
            )
        )
    for i, row in enumerate(_get(doc, "sessions", list, "export")):
        w = f"sessions[{i}]"
        sets = _get(row, "sets", list, w)
        bundle.sessions.append(
            SessionRecord(
                uid=_get(row, "uid", str, w),
                date=_date(_get(row, "date", str, w), w),
                created_at=_datetime(_get(row, "created_at", str, w), w),
                notes=_get(row, "notes", str, w),
                plan_uid=_opt(row, "plan", str, w),
                plan_week=_opt(row, "plan_week", int, w),
                plan_session=_opt(row, "plan_session", int, w),
                sets=tuple(_set(s, f"{w}.sets[{j}]") for j, s in enumerate(sets)),
            )
        )
    for i, row in enumerate(_get(doc, "analyses", list, "export")):
        w = f"analyses[{i}]"
        metrics = _get(row, "metrics", dict, w)
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in metrics.values()):
            raise ImportFileError(f"{w}: every metric must be a number")
        record = AnalysisRecord(
            uid=_get(row, "uid", str, w),
            exercise=_get(row, "exercise", str, w),
            session_uid=_opt(row, "session", str, w),
            created_at=_datetime(_get(row, "created_at", str, w), w),
            midline_version=_get(row, "midline_version", str, w),
            analysis_version=_get(row, "analysis_version", str, w),
            metrics={k: float(v) for k, v in metrics.items()},
            files=_get(row, "files", dict, w),
            report=_get(row, "report", dict, w),
        )
        bundle.analyses.append(record)
        packed = _opt(row, "landmarks_zlib_base64", str, w)
        if packed is not None:
            try:
                bundle.landmarks[record.uid] = base64.b64decode(packed, validate=True)
            except ValueError:
                raise ImportFileError(f"{w}: landmarks_zlib_base64 is not base64") from None
    return bundle


def user_role(bundle: Bundle) -> Role:
    return cast(Role, bundle.user.get("role", "client"))


def sets_csv(sessions: Iterable[SessionRecord]) -> str:
    """One row per set with its session's date, notes and planned session (spreadsheet-friendly)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in sessions:
        for x in s.sets:
            writer.writerow(
                [
                    s.date.isoformat(),
                    s.uid,
                    x.exercise,
                    x.set_number,
                    x.side,
                    x.reps,
                    x.prop,
                    x.placement,
                    x.position,
                    x.tempo or "",
                    "" if x.rpe is None else x.rpe,
                    x.pain,
                    x.notes,
                    s.notes,
                    s.plan_uid or "",
                    "" if s.plan_week is None else s.plan_week,
                    "" if s.plan_session is None else s.plan_session,
                ]
            )
    return out.getvalue()
