"""Settings from the environment (`STUDYBOT_*`, platform tokens under their usual names) and an optional
config file (`STUDYBOT_CONFIG`, TOML or YAML, keys as the variable names in lower case without the
prefix). The environment wins over the file."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

ENV_NAMES = {
    "db": "STUDYBOT_DB",
    "content_dir": "STUDYBOT_CONTENT_DIR",
    "log_level": "STUDYBOT_LOG_LEVEL",
    "console_name": "STUDYBOT_CONSOLE_NAME",
    "sweep_minutes": "STUDYBOT_SWEEP_MINUTES",
    "db_busy_timeout_ms": "STUDYBOT_DB_BUSY_TIMEOUT_MS",
    "job_concurrency": "STUDYBOT_JOB_CONCURRENCY",
    "db_retry_delay_ms": "STUDYBOT_DB_RETRY_DELAY_MS",
    "discord_token": "DISCORD_TOKEN",
    "discord_api_base_url": "DISCORD_API_BASE_URL",
    "discord_gateway_url": "DISCORD_GATEWAY_URL",
    "discord_admin_role": "STUDYBOT_DISCORD_ADMIN_ROLE",
    "discord_shards": "STUDYBOT_DISCORD_SHARDS",
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_api_url": "SLACK_API_URL",
    "slack_port": "STUDYBOT_SLACK_PORT",
    "slack_admin_users": "STUDYBOT_SLACK_ADMIN_USERS",
}


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    db: str = "studybot.db"
    content_dir: str | None = None
    log_level: str = "INFO"
    console_name: str = "you"
    sweep_minutes: int = 5
    job_concurrency: int = 32  # scheduled jobs run at once (the 09:00 herd), each community in its own slot
    db_busy_timeout_ms: int = 10_000  # how long one write waits on a lock held by another process
    db_retry_delay_ms: int = 500  # then the write is tried again, a few times, this far apart
    discord_token: str | None = None
    discord_api_base_url: str | None = None
    discord_gateway_url: str | None = None
    discord_admin_role: str | None = None
    discord_shards: str | None = None  # "auto" or a number
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_api_url: str | None = None
    slack_port: int = 3000
    slack_admin_users: tuple[str, ...] = field(default_factory=tuple)

    @property
    def discord_enabled(self) -> bool:
        return bool(self.discord_token)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_app_token or self.slack_signing_secret))


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"config file {path} is not valid: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must be a mapping of settings")
    unknown = sorted(set(data) - set(ENV_NAMES))
    if unknown:
        raise ConfigError(f"config file {path} has unknown settings: {', '.join(unknown)}")
    return data


def load_config(env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    if env.get("STUDYBOT_CONFIG"):
        raw.update(_read_file(Path(env["STUDYBOT_CONFIG"])))
    for name, var in ENV_NAMES.items():
        if env.get(var):
            raw[name] = env[var]
    raw.update({k: v for k, v in overrides.items() if v is not None})
    kinds = {f.name: f.type for f in fields(Config)}
    values: dict[str, Any] = {}
    for name, value in raw.items():
        kind = str(kinds[name])
        if kind == "int":
            try:
                values[name] = int(value)
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"{ENV_NAMES[name]} must be a whole number, got {value!r}") from exc
        elif kind.startswith("tuple"):
            items = value if isinstance(value, list) else str(value).split(",")
            values[name] = tuple(str(v).strip() for v in items if str(v).strip())
        else:
            values[name] = str(value)
    return Config(**values)
