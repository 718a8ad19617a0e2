"""OAuth distribution (optional): other workspaces install the app at `/slack/install` (HTTP mode).

Turned on by bolt's own variables, SLACK_CLIENT_ID and SLACK_CLIENT_SECRET. Installations are kept
in a SQLite file next to the studybot database (`<db>.slack-installations`), and `Workspaces` reads
each team's bot token from there. SLACK_BOT_TOKEN still serves the workspace it belongs to.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

from adapters.slack.manifest import BOT_SCOPES
from bot.config import Config

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600


def installations_file(config: Config) -> str:
    if config.db == ":memory:":  # each sqlite3 connection would get its own empty database
        return str(Path(tempfile.gettempdir()) / f"studybot-{os.getpid()}.slack-installations")
    return str(Path(config.db).with_name(Path(config.db).name + ".slack-installations"))


def oauth_settings(config: Config, store: AsyncInstallationStore | None,
                   env: Mapping[str, str] | None = None) -> AsyncOAuthSettings | None:
    """The OAuth flow's settings when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set, else None."""
    env = os.environ if env is None else env
    client_id, client_secret = env.get("SLACK_CLIENT_ID"), env.get("SLACK_CLIENT_SECRET")
    if not client_id or not client_secret:
        return None
    database = installations_file(config)
    if store is None:
        store = SQLite3InstallationStore(database=database, client_id=client_id)
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=env.get("SLACK_REDIRECT_URI") or None,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        installation_store_bot_only=True,
        state_store=SQLite3OAuthStateStore(database=database, expiration_seconds=STATE_SECONDS),
    )
