"""No Docker engine runs here: check docker-compose.yml against the settings model."""

from __future__ import annotations

from pathlib import Path

import yaml

from backend.config import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_production_services_with_healthchecks() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"neo4j", "redis", "postgres", "api", "worker"}
    assert services["neo4j"]["image"].startswith("neo4j:5")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["postgres"]["image"].startswith("postgres:16")
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    for app in ("api", "worker"):
        assert services[app]["build"] == "."
        assert set(services[app]["depends_on"]) == {"neo4j", "redis", "postgres"}


def test_volumes_are_named_and_declared() -> None:
    declared = set(COMPOSE["volumes"])
    used = set()
    for service in COMPOSE["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert not source.startswith((".", "/")), f"bind mount {volume}: use a named volume"
            used.add(source)
    assert used == declared


def test_env_names_match_the_settings_model() -> None:
    fields = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    api_env = COMPOSE["services"]["api"]["environment"]
    assert api_env == COMPOSE["services"]["worker"]["environment"]
    unknown = {key for key in api_env if key.startswith(ENV_PREFIX)} - fields
    assert not unknown, f"compose sets variables the settings ignore: {unknown}"
    # Production runs no embedded store: every service URL is set.
    for var in ("GRAPH_URI", "REDIS_URL", "DATABASE_URL"):
        assert api_env[f"{ENV_PREFIX}{var}"], var
    # Separate containers have separate data dirs: without one shared key each would make its
    # own, and a worker could not match the API's erasure tombstones.
    assert api_env[f"{ENV_PREFIX}ERASURE_KEY"].startswith("${SWITCHBOARD_ERASURE_KEY:?")
    assert api_env[f"{ENV_PREFIX}VAULT_KEY"].startswith("${SWITCHBOARD_VAULT_KEY:?"), (
        "tokens sealed by one api"
    )
    assert api_env[f"{ENV_PREFIX}GRAPH_URI"].startswith("bolt://neo4j:")
    assert "@postgres:5432/" in api_env[f"{ENV_PREFIX}DATABASE_URL"]


def test_dockerfile_installs_the_pinned_tree() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "torch==2.13.0" in dockerfile
    assert "-c constraints.txt" in dockerfile


def test_the_api_and_worker_scale_without_port_clashes() -> None:
    """`docker compose up --scale api=N --scale worker=M`: a fixed host port would let only one
    api replica start; workers publish none."""
    services = COMPOSE["services"]
    [published] = services["api"]["ports"]
    host, container = published.rsplit(":", 1)
    first, last = (int(port) for port in host.split("-"))
    assert container == "8000" and last - first >= 1
    assert "ports" not in services["worker"] and "container_name" not in services["api"]
