"""Switchboard memory: the bi-temporal caller graph on Graphiti's data model.

This package imports nothing else of Switchboard; callers pass settings in.
"""

import os

# Graphiti posts usage analytics unless told not to; nothing leaves the machine.
os.environ["GRAPHITI_TELEMETRY_ENABLED"] = "false"

from memory.engine import connect_graph, graph_version

__all__ = ["connect_graph", "graph_version"]
