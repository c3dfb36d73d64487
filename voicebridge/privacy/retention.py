"""Retention rules: how long each kind of data is kept, as cut-off times. Pure, so the rules are tested without a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from voicebridge.config import RetentionConfig

KINDS = ("recordings", "transcripts", "notes", "metadata", "audit_log")


@dataclass(frozen=True)
class Cutoffs:
    """Data of calls that ended before these instants (audit entries written before) is due for deletion."""

    recordings: str
    transcripts: str
    notes: str
    metadata: str
    audit_log: str

    def as_dict(self) -> dict[str, str]:
        return {kind: getattr(self, kind) for kind in KINDS}


def stamp(moment: datetime) -> str:
    """The form every timestamp in the store has, so cut-offs compare as strings."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def cutoffs(retention: RetentionConfig, now: datetime | None = None) -> Cutoffs:
    now = now or datetime.now(UTC)
    return Cutoffs(**{kind: stamp(now - timedelta(days=getattr(retention, f"{kind}_days"))) for kind in KINDS})


def is_due(ended_at: str | None, cutoff: str) -> bool:
    """A call still in progress (no end) is never due; its data is being written."""
    return bool(ended_at) and str(ended_at) < cutoff
