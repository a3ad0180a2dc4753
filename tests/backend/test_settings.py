import pathlib

import pytest
from pydantic import ValidationError

from backend.config import Settings, SettingsError, load_settings


def test_defaults_embed_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GRAPH_URI", "REDIS_URL", "DATABASE_URL"):
        monkeypatch.delenv(f"SWITCHBOARD_{var}", raising=False)
    s = load_settings()
    assert s.embedded == {"graph": True, "redis": True, "postgres": True}
    assert s.llm == "policy"
    assert s.default_region == "AU"
    assert str(s.data_dir) == ".switchboard"


@pytest.mark.parametrize(
    ("var", "value", "named"),
    [
        ("GRAPH_URI", "mysql://db:3306", "SWITCHBOARD_GRAPH_URI"),
        ("REDIS_URL", "http://localhost", "SWITCHBOARD_REDIS_URL"),
        ("DATABASE_URL", "sqlite:///x.db", "SWITCHBOARD_DATABASE_URL"),
        ("LLM", "gpt-9", "SWITCHBOARD_LLM"),
        ("DEFAULT_REGION", "XX", "SWITCHBOARD_DEFAULT_REGION"),
        ("PORT", "99999", "SWITCHBOARD_PORT"),
    ],
)
def test_bad_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str, named: str
) -> None:
    monkeypatch.setenv(f"SWITCHBOARD_{var}", value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert named in str(err.value)
    assert str(err.value).count("\n") == 1  # one clear message, not a traceback dump


def test_base_url_llm_needs_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_LLM", "http://localhost:8080/v1")
    with pytest.raises(SettingsError, match="SWITCHBOARD_LLM_MODEL"):
        load_settings()
    monkeypatch.setenv("SWITCHBOARD_LLM_MODEL", "qwen")
    assert load_settings().llm_model == "qwen"


def test_openai_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_EMBEDDER", "openai")
    with pytest.raises(SettingsError, match="SWITCHBOARD_LLM_API_KEY"):
        load_settings()
    monkeypatch.setenv("SWITCHBOARD_LLM_API_KEY", "sk-test")
    assert load_settings().embedder == "openai"


def test_external_urls_embed_nothing_or_only_the_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_GRAPH_URI", "falkor://graph:6379")
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", "postgresql://u:p@db/switchboard")
    assert load_settings().embedded == {"graph": False, "redis": False, "postgres": False}
    # Neo4j is not a Redis server: without a Redis URL the queue stays embedded.
    monkeypatch.setenv("SWITCHBOARD_GRAPH_URI", "bolt://neo4j:7687")
    assert load_settings().embedded == {"graph": False, "redis": True, "postgres": False}


def test_region_is_normalized(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_DEFAULT_REGION", "gb")
    assert load_settings().default_region == "GB"


def test_a_neighbours_file_must_map_suburbs_to_lists(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    table = tmp_path / "neighbours.json"
    table.write_text('{"Bondi": "Bronte"}')
    monkeypatch.setenv("SWITCHBOARD_NEIGHBOURS_FILE", str(table))
    with pytest.raises(SettingsError, match="SWITCHBOARD_NEIGHBOURS_FILE"):
        load_settings()
    table.write_text('{"Bondi": ["Bronte"]}')
    assert load_settings().neighbours_file == table


def test_rules_between_settings_hold_however_settings_are_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings' own validators hold the rules, so no caller can skip them by not using load_settings."""
    for var in ("LLM_MODEL", "LLM_API_KEY", "EMBEDDER"):
        monkeypatch.delenv(f"SWITCHBOARD_{var}", raising=False)
    with pytest.raises(ValidationError, match="SWITCHBOARD_LLM_MODEL"):
        Settings(llm="http://localhost:8080/v1")
    with pytest.raises(ValidationError, match="SWITCHBOARD_LLM_API_KEY"):
        Settings(llm="openai")
    assert Settings(llm="http://localhost:8080/v1", embedder="openai", llm_model="qwen").llm_model == "qwen"
