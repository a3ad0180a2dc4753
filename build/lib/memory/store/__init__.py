"""Graph access: every Cypher statement Switchboard writes lives in this package,
shared statements in ``cypher``, engine-specific ones in one module per engine."""

from memory.store.base import GraphStore, StoredRow, WriteBatch, iso

__all__ = ["GraphStore", "StoredRow", "WriteBatch", "iso"]
