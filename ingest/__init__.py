"""Switchboard ingestion: arq workers that turn finished calls into memory (``ingest.worker``,
``ingest.jobs``). Ingest uses backend and memory; backend knows its jobs by name only
(``backend.queue``)."""
