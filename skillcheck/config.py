"""Settings from the environment (and a ``.env`` file), in one place.

Every knob a user may turn is here, with its environment variable
(``SKILLCHECK_*`` unless it is a well-known name such as ``OPENAI_API_KEY``).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from skillcheck.errors import UserInputError
from skillcheck.paths import CORPUS_DIR, PROMPTS_DIR

ENV_FILE = ".env"
#: ``tcp://10.0.0.1:8000``: what Kubernetes puts in ``CHROMA_PORT`` for a service named chroma.
_SERVICE_LINK = re.compile(r"^tcp://[^/:\s]+:(\d{1,5})/?$")


class Settings(BaseSettings):
    """skillcheck's configuration; read once per process via :func:`get_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="SKILLCHECK_", env_file=ENV_FILE, extra="ignore", populate_by_name=True
    )

    home: Path = Field(default_factory=lambda: Path(user_data_dir("skillcheck")))
    corpus_dir: Path = CORPUS_DIR
    prompts_dir: Path = PROMPTS_DIR
    collection_prefix: str = "skillcheck"
    top_k: int = Field(default=4, ge=1, le=50)

    embeddings: Literal["local", "openai"] = "local"
    openai_embedding_model: str = "text-embedding-3-small"

    chroma_host: str | None = Field(
        default=None, validation_alias=AliasChoices("CHROMA_HOST", "SKILLCHECK_CHROMA_HOST")
    )
    chroma_port: int = Field(
        default=8000,
        ge=1,
        le=65535,
        validation_alias=AliasChoices("CHROMA_PORT", "SKILLCHECK_CHROMA_PORT"),
    )
    chroma_ssl: bool = Field(
        default=False, validation_alias=AliasChoices("CHROMA_SSL", "SKILLCHECK_CHROMA_SSL")
    )

    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "SKILLCHECK_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_BASE_URL", "SKILLCHECK_OPENAI_BASE_URL"),
    )
    model: str = "gpt-4o-mini"
    llm_timeout: float = Field(default=30.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    turn_timeout: float = Field(default=60.0, gt=0, le=3600)
    max_tokens: int = Field(default=800, ge=16, le=32768)
    max_tool_calls: int = Field(default=4, ge=1, le=20)
    offline: bool = False
    #: How long a build waits for another build of the same store before giving up.
    build_wait_seconds: float = Field(default=300.0, ge=0, le=86400)
    #: A server build lease's life; its holder renews it every third of that while it builds.
    build_lease_seconds: float = Field(default=60.0, ge=1, le=3600)

    @field_validator("chroma_port", mode="before")
    @classmethod
    def _port_of_a_service_link(cls, value: Any) -> Any:
        """``tcp://host:port`` (set by Kubernetes for a service named chroma) means its port.

        The host stays ``CHROMA_HOST``'s: the link only says where the service listens.
        """
        if isinstance(value, str):
            found = _SERVICE_LINK.match(value.strip())
            if found:
                return found.group(1)
        return value

    @property
    def store_path(self) -> Path:
        """Where the persistent Chroma store lives when no server is configured."""
        return self.home / "chroma"

    @property
    def cache_dir(self) -> Path:
        """Where computed vectors are kept between runs (safe to delete)."""
        return self.home / "cache"

    @property
    def llm_configured(self) -> bool:
        """True when a chat model is configured and offline mode is not forced."""
        return self.openai_api_key is not None and not self.offline


_SECRET_FIELDS = frozenset({"openai_api_key"})
_HINTS = {"chroma_port": " (give a port such as 8000, or tcp://host:port)"}


def _env_names(field: str) -> list[str]:
    """The environment variables that set ``field``, the preferred one first."""
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    return [f"SKILLCHECK_{field.upper()}"]


def _field_of(loc: str) -> str:
    """The field name of an error location (a field name, or one of its aliases)."""
    for name in Settings.model_fields:
        if loc == name or loc.upper() in _env_names(name):
            return name
    return loc


def _where(names: list[str]) -> tuple[str, str]:
    """The variable that was set (of ``names``) and where: the environment or ``.env``."""
    environ = {key.upper() for key in os.environ}
    for name in names:
        if name.upper() in environ:
            return name, ""
    return names[0], f" (in {ENV_FILE})" if Path(ENV_FILE).is_file() else ""


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _shown(value: Any) -> str:
    text = str(value)[:60]
    return text if text and text.isprintable() and " " not in text else repr(text)


def _reason(error: Any) -> str:
    kind = error.get("type", "")
    ctx = {key: _num(value) for key, value in (error.get("ctx") or {}).items()}
    reasons = {
        "int_parsing": "is not a whole number",
        "int_from_float": "is not a whole number",
        "float_parsing": "is not a number",
        "bool_parsing": "is not true or false",
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "greater_than": f"must be greater than {ctx.get('gt')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "less_than": f"must be less than {ctx.get('lt')}",
    }
    if kind in reasons:
        return reasons[kind]
    msg = str(error.get("msg", "is not valid"))
    return "should" + msg[len("Input should") :] if msg.startswith("Input should") else msg


def describe_settings_error(exc: ValidationError) -> str:
    """One line naming every bad variable, its value (never a secret's) and what is wrong."""
    parts = []
    for error in exc.errors():
        loc = str(error["loc"][0]) if error.get("loc") else "settings"
        field = _field_of(loc)
        name, where = _where(_env_names(field))
        value = error.get("input")
        shown = "" if field in _SECRET_FIELDS or not isinstance(value, str) else f"={_shown(value)}"
        parts.append(f"{name}{shown}{where} {_reason(error)}{_HINTS.get(field, '')}")
    return "setting " + "; ".join(parts)


def load_settings() -> Settings:
    """The settings, or one :class:`UserInputError` line naming the variable that is wrong."""
    try:
        return Settings()
    except ValidationError as exc:
        raise UserInputError(describe_settings_error(exc)) from None
    except (SettingsError, UnicodeDecodeError, OSError) as exc:
        first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0][:200]
        raise UserInputError(f"settings: cannot read them ({first}); check {ENV_FILE}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests call ``get_settings.cache_clear()``).

    A bad value raises :class:`~skillcheck.errors.UserInputError` naming the variable:
    the command line prints it as one line, exit 2.
    """
    return load_settings()
