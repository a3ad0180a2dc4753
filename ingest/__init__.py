"""Switchboard ingestion: arq workers that turn finished calls into memory."""

from ingest.erasure import CallerErased, erase_caller
from ingest.jobs import enqueue_ingest, replay
from ingest.worker import Limits, build_worker, group_lock, run_worker

__all__ = [
    "CallerErased",
    "Limits",
    "build_worker",
    "enqueue_ingest",
    "erase_caller",
    "group_lock",
    "replay",
    "run_worker",
]
