"""Settings from the environment (and a ``.env`` file), in one place.

Every knob a user may turn is here, with its environment variable
(``SKILLCHECK_*`` unless it is a well-known name such as ``OPENAI_API_KEY``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from skillcheck.paths import CORPUS_DIR, PROMPTS_DIR


class Settings(BaseSettings):
    """skillcheck's configuration; read once per process via :func:`get_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="SKILLCHECK_", env_file=".env", extra="ignore", populate_by_name=True
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
        default=8000, validation_alias=AliasChoices("CHROMA_PORT", "SKILLCHECK_CHROMA_PORT")
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
    offline: bool = False

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests call ``get_settings.cache_clear()``)."""
    return Settings()
