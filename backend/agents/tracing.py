"""Traces and spans of agent runs, stored in Postgres, never uploaded.

``install()`` replaces the SDK's processors (and so its OpenAI uploader) with
ours; the SDK calls it synchronously, so spans are buffered and ``flush`` writes
them after each turn.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from agents.tracing import Span, Trace, TracingProcessor, set_trace_processors

from backend.pii import redact
from backend.store import Database
from backend.store import traces as store


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class PostgresTraces(TracingProcessor):
    def __init__(self) -> None:
        self.traces: list[tuple[Any, ...]] = []
        self.spans: list[tuple[Any, ...]] = []

    def on_trace_start(self, trace: Trace) -> None:
        data = trace.export() or {}
        meta = data.get("metadata") or {}
        self.traces.append(
            (trace.trace_id, meta.get("group_id"), meta.get("call_id"), trace.name, json.dumps(meta))
        )

    def on_trace_end(self, trace: Trace) -> None:
        pass

    def on_span_start(self, span: Span[Any]) -> None:
        pass

    def on_span_end(self, span: Span[Any]) -> None:
        data = span.span_data.export()
        started, ended = _time(span.started_at), _time(span.ended_at)
        duration = (ended - started).total_seconds() * 1000 if started and ended else None
        error = span.error
        self.spans.append(
            (
                span.span_id,
                span.trace_id,
                span.parent_id,
                span.span_data.type,
                str(data.get("name") or data.get("to_agent") or data.get("type") or ""),
                started,
                ended,
                duration,
                json.dumps(redact(data), default=str),
                json.dumps(redact(dict(error))) if error else None,
            )
        )

    def shutdown(self) -> None:
        pass

    def force_flush(self) -> None:
        pass

    async def flush(self, db: Database) -> int:
        traces, spans = self.traces, self.spans
        self.traces, self.spans = [], []
        await store.insert(db, traces, spans)
        return len(spans)


_installed: PostgresTraces | None = None


def install(*, upload: bool = False) -> PostgresTraces:
    """Ours as the trace processor; the SDK's OpenAI uploader only when ``upload``
    (``SWITCHBOARD_UPLOAD_TRACES``)."""
    global _installed
    if _installed is None:
        _installed = PostgresTraces()
        processors: list[TracingProcessor] = [_installed]
        if upload:
            from agents.tracing.processors import default_processor

            processors.append(default_processor())
        set_trace_processors(processors)
    return _installed
