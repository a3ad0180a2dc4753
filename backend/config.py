"""Switchboard settings: the one place configuration is read.

Everything is read from the environment (prefix ``SWITCHBOARD_``) or an optional
``.env`` file, validated once at start, and passed down explicitly. ``memory``
never imports this module: it receives the values it needs.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "SWITCHBOARD_"

GRAPH_SCHEMES = {"falkor", "falkors", "bolt", "bolt+s", "neo4j", "neo4j+s"}
REDIS_SCHEMES = {"redis", "rediss", "unix"}
DATABASE_SCHEMES = {"postgres", "postgresql"}


class SettingsError(ValueError):
    """Raised when the environment holds an invalid setting; names the variable."""


FALLBACK_TIMEZONE = "UTC"


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone zoneinfo knows (e.g. Australia/Sydney), else ValueError."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a tz path that is a directory
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Australia/Sydney, UTC)") from None
    return name


@lru_cache(maxsize=32)
def region_timezone(region: str) -> str:
    """The zone a phone region implies: that of phonenumbers' example fixed-line number for it
    (AU → Australia/Sydney, US → America/New_York, GB → Europe/London), else UTC."""
    from phonenumbers import timezone  # its prefix tables cost ~12 ms: load them only when asked

    example = phonenumbers.example_number(region)
    zones = timezone.time_zones_for_number(example) if example else ()
    for zone in zones:
        try:
            return check_timezone(zone)
        except ValueError:  # "Etc/Unknown", or a zone this machine's tz database lacks
            continue
    return FALLBACK_TIMEZONE


def _require_scheme(url: str | None, schemes: set[str], example: str) -> str | None:
    if url is None or url == "":
        return None
    scheme = urlsplit(url).scheme
    if scheme not in schemes:
        allowed = ", ".join(sorted(f"{s}://" for s in schemes))
        raise ValueError(f"expected one of {allowed} (e.g. {example}), got {url.split('://')[0]!r}")
    return url


class Settings(BaseSettings):
    """Switchboard configuration. Unset service URLs mean: start it embedded."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("./.switchboard")
    """Where the embedded databases, their logs and the run state live."""

    graph_uri: str | None = None
    """Unset: embedded FalkorDB. ``falkor://host:port`` or ``bolt://`` / ``neo4j://`` (Neo4j)."""

    graph_user: str | None = None
    graph_password: SecretStr | None = None

    redis_url: str | None = None
    """arq's Redis. Unset: the embedded FalkorDB server (it is a Redis server)."""

    database_url: str | None = None
    """Postgres. Unset: the embedded pgserver Postgres."""

    llm: str = "policy"
    """``policy`` (deterministic, no key), ``openai``, or an OpenAI-compatible base URL."""

    llm_model: str | None = None
    llm_api_key: SecretStr | None = None

    embedder: Literal["local", "onnx", "onnx-int8", "torch", "openai"] = "local"
    """all-MiniLM-L6-v2 shipped in a package, offline, on ``onnx`` (ONNX Runtime fp32,
    exported once from the shipped weights), ``onnx-int8`` (quantized) or ``torch``
    (sentence-transformers); ``local`` is the default of those (``onnx``). ``openai``: OpenAI
    embeddings (or the compatible ``SWITCHBOARD_LLM`` base URL), cut to 384 dims."""

    default_region: str = "AU"
    """Region used to read phone numbers written without a country code."""

    timezone: str | None = None
    """The business time zone (IANA) tenants get by default. Unset: the region's (AU → Australia/Sydney)."""

    api_key: SecretStr | None = None
    """When set on first start, the local tenant gets this key."""

    queue_name: str = "switchboard:ingest"
    """The arq queue the API enqueues post-call jobs on and the workers read."""

    ingest_max_tries: int = Field(default=5, ge=1, le=50)
    """Tries of a post-call ingestion before it goes to the dead-letter list."""

    max_turn_chars: int = Field(default=4000, ge=1, le=100_000)
    """Longest caller turn the API accepts (longer is a 413, never truncated silently)."""

    memory_budget_ms: int = Field(default=150, ge=1, le=10_000)
    """Time a turn may wait on a memory read before it uses what it already has."""

    neighbours_file: Path | None = None
    """Which suburbs border which, as JSON ``{"Bondi": ["Bronte", …]}``: widening a search
    adds them. Unset: the demo suburbs' table."""

    upload_traces: bool = False
    """Also export agent traces to OpenAI (off: traces stay in Postgres)."""

    llm_prices: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {
            "gpt-4.1-mini": (0.40, 1.60),
            "gpt-4.1": (2.00, 8.00),
            "gpt-4o-mini": (0.15, 0.60),
        }
    )
    """US dollars per million input and output tokens, by model, as JSON
    ``{"gpt-4.1-mini": [0.4, 1.6]}``: what the operations notebook prices an LLM's calls at."""

    erasure_key: SecretStr | None = None
    """Key of the erasure tombstones' keyed hashes (HMAC) of erased phones and emails; every
    API and worker process needs the same. Unset: ``DATA_DIR/erasure.key``, made once."""

    vault_key: SecretStr | None = None
    """Key the secrets tenants give us are encrypted under (Twilio auth tokens); every API
    process needs the same. Unset: ``DATA_DIR/vault.key``, made once."""

    public_url: str | None = None
    """The URL Twilio reaches this server at (``https://voice.example.com``): webhook
    signatures are computed over it, and the media stream's ``wss://`` URL is built from it.
    Unset: the request's own URL (right when nothing rewrites it on the way in)."""

    twilio_api_url: str = "https://api.twilio.com"
    """Twilio's REST API (warm transfers update live calls through it); tests point it at a
    local server speaking the same protocol."""

    voice: Literal["cascade", "realtime"] = "cascade"
    """Who answers phone calls: ``cascade`` (offline speech models from the ``voice`` extra,
    the agents as in chat) or ``realtime`` (OpenAI Realtime, speech to speech, with the same
    agent tree; needs ``SWITCHBOARD_LLM_API_KEY``)."""

    realtime_model: str = "gpt-realtime"

    voice_filler_ms: int = Field(default=1200, ge=1, le=30_000)
    """A phone turn that takes longer than this gets "One moment." while the agents work."""

    twilio_unsigned: bool = False
    """Accept Twilio webhooks without a valid ``X-Twilio-Signature``: for local trials with a
    simulator only; ``doctor`` reports it as a failure."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("graph_uri")
    @classmethod
    def _graph_uri(cls, v: str | None) -> str | None:
        return _require_scheme(v, GRAPH_SCHEMES, "bolt://neo4j:7687")

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, v: str | None) -> str | None:
        return _require_scheme(v, REDIS_SCHEMES, "redis://localhost:6379")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, v: str | None) -> str | None:
        return _require_scheme(v, DATABASE_SCHEMES, "postgresql://user:pw@localhost/switchboard")

    @field_validator("llm")
    @classmethod
    def _llm(cls, v: str) -> str:
        if v in {"policy", "openai"} or urlsplit(v).scheme in {"http", "https"}:
            return v
        raise ValueError("expected 'policy', 'openai' or an http(s):// base URL")

    @field_validator("neighbours_file")
    @classmethod
    def _neighbours_file(cls, v: Path | None) -> Path | None:
        if v is None:
            return None
        try:
            table = json.loads(v.read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read {v} as JSON: {exc}") from None
        if not isinstance(table, dict) or not all(isinstance(n, list) for n in table.values()):
            raise ValueError(f'{v} must map each suburb to a list of suburbs, e.g. {{"Bondi": ["Bronte"]}}')
        return v

    @field_validator("default_region")
    @classmethod
    def _region(cls, v: str) -> str:
        region = v.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{v!r} is not a region phonenumbers knows (e.g. AU, GB, US)")
        return region

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str | None) -> str | None:
        return check_timezone(v) if v else None

    # Rules between settings: each message names the variables, as ``_describe`` would.
    @model_validator(mode="after")
    def _llm_model_for_a_base_url(self) -> Settings:
        if self.llm not in {"policy", "openai"} and not self.llm_model:
            raise ValueError(
                f"{ENV_PREFIX}LLM_MODEL: required when {ENV_PREFIX}LLM is a base URL ({self.llm})"
            )
        return self

    @model_validator(mode="after")
    def _key_for_openai(self) -> Settings:
        # OpenAI embeddings go to the compatible server instead when SWITCHBOARD_LLM is a base URL.
        wants_openai = self.llm == "openai" or (self.embedder == "openai" and not self.llm.startswith("http"))
        if (wants_openai or self.voice == "realtime") and self.llm_api_key is None:
            raise ValueError(
                f"{ENV_PREFIX}LLM_API_KEY: required to use OpenAI "
                f"(LLM, embeddings or {ENV_PREFIX}VOICE=realtime)"
            )
        return self

    @property
    def business_timezone(self) -> str:
        """The zone a tenant without one of its own reads and says times in."""
        return self.timezone or region_timezone(self.default_region)

    @property
    def graph_engine(self) -> Literal["falkordb", "neo4j"]:
        if self.graph_uri and not self.graph_uri.startswith("falkor"):
            return "neo4j"
        return "falkordb"

    @property
    def embedded(self) -> dict[str, bool]:
        """Which parts the project starts itself (those with no URL configured).

        An external FalkorDB is also a Redis server, so it serves arq too when no
        Redis URL is given; with Neo4j and no Redis URL the embedded server runs
        for the queue alone.
        """
        return {
            "graph": self.graph_uri is None,
            "redis": self.redis_url is None and (self.graph_uri is None or self.graph_engine == "neo4j"),
            "postgres": self.database_url is None,
        }


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings, turning a validation error into one clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        message = err["msg"].removeprefix("Value error, ")
        # A field's error is located at the field; a rule between fields names its own.
        lines.append(f"{ENV_PREFIX}{str(err['loc'][0]).upper()}: {message}" if err["loc"] else message)
    return "invalid settings:\n  " + "\n  ".join(lines)
