"""Structured logs (structlog): JSON when not on a terminal, readable when on one."""

from __future__ import annotations

import logging
import sys
import traceback

import structlog


def configure_logging(level: str = "info") -> None:
    renderer = structlog.dev.ConsoleRenderer() if sys.stderr.isatty() else structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )
    logging.basicConfig(level=level.upper(), stream=sys.stderr, format="%(name)s %(message)s")
    for chatty in QUIET:
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLevelName(level.upper())))


QUIET = ("graphiti_core", "sentence_transformers", "transformers", "httpx", "faster_whisper")
"""Libraries whose info lines are noise in our log ("Index already exists" at every start,
faster-whisper's duration of every utterance)."""


def frames(error: BaseException) -> str:
    """Where ``error`` was raised, innermost frame first, without its message (it may hold
    what a caller said)."""
    return " < ".join(
        f"{f.name} ({f.filename}:{f.lineno})" for f in reversed(traceback.extract_tb(error.__traceback__))
    )
