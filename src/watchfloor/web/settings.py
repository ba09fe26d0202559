"""Web settings from WATCHFLOOR_* variables: cookie policy, session length, upload limit."""

from __future__ import annotations

from dataclasses import dataclass

from watchfloor.config import ConfigError, Settings


@dataclass(frozen=True)
class WebSettings:
    cookie_secure: str = "auto"  # auto: Secure when the request came over HTTPS
    session_hours: int = 12
    max_upload_bytes: int = 512 * 1024 * 1024
    login_attempts: int = 5  # failures per name and address before a pause
    login_pause_seconds: int = 900


def web_settings(settings: Settings) -> WebSettings:
    env = settings.env
    secure = env.get("WATCHFLOOR_COOKIE_SECURE", "auto").lower()
    if secure not in ("auto", "always", "never"):
        raise ConfigError("WATCHFLOOR_COOKIE_SECURE must be auto, always or never")
    return WebSettings(
        cookie_secure=secure,
        session_hours=_positive(env, "WATCHFLOOR_SESSION_HOURS", 12),
        max_upload_bytes=_positive(env, "WATCHFLOOR_MAX_UPLOAD_MB", 512) * 1024 * 1024,
    )


def _positive(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, not {value}")
    return value
