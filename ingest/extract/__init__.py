"""Fact extraction from a finished call's transcript: the interface (``interface``), the
offline extractor (``offline``, over the caller-core ``patterns``) and its evaluation against
``ingest/extract/data/extraction_labelled.jsonl`` (``evaluate``)."""
