"""Switchboard ingestion: arq workers that turn finished calls into memory."""

from ingest.worker import build_worker, run_worker

__all__ = ["build_worker", "run_worker"]
