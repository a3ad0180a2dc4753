"""Opening Graphiti's driver for the configured engine (FalkorDB or Neo4j)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from graphiti_core.driver.driver import GraphDriver, GraphProvider


def connect_graph(uri: str, user: str | None = None, password: str | None = None) -> GraphDriver:
    """A Graphiti driver for ``falkor[s]://[:pw@]host:port`` or ``bolt://`` / ``neo4j://``."""
    parts = urlsplit(uri)
    if parts.scheme in {"falkor", "falkors"}:
        from graphiti_core.driver.falkordb_driver import FalkorDriver

        return FalkorDriver(
            host=parts.hostname or "localhost",
            port=parts.port or 6379,
            username=user or (unquote(parts.username) if parts.username else None),
            password=password or (unquote(parts.password) if parts.password else None),
        )
    from graphiti_core.driver.neo4j_driver import Neo4jDriver

    return Neo4jDriver(uri=uri, user=user, password=password)


async def graph_version(driver: GraphDriver) -> str:
    """The engine's name and version, from a round trip to the server."""
    if driver.provider == GraphProvider.FALKORDB:
        from graphiti_core.driver.falkordb_driver import FalkorDriver

        assert isinstance(driver, FalkorDriver)  # the one driver of that provider (connect_graph)
        modules = await driver.client.connection.execute_command("MODULE", "LIST")
        for module in modules:
            info = {_text(k): _text(v) for k, v in zip(module[::2], module[1::2], strict=True)}
            if info.get("name") == "graph":
                version = int(info["ver"])
                return f"FalkorDB {version // 10000}.{version // 100 % 100}.{version % 100}"
        return "FalkorDB (graph module not loaded)"
    records, _, _ = await driver.execute_query(
        "CALL dbms.components() YIELD name, versions RETURN name, versions[0] AS version"
    )
    return f"{records[0]['name']} {records[0]['version']}"


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
