"""The tables. Migrations in store/migrations create them; this module describes them for queries."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

metadata = MetaData()

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
Id = BigInteger().with_variant(Integer, "sqlite")
UtcDateTime = DateTime(timezone=True)

channels = Table(
    "channels",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("platform", String(40), nullable=False),
    Column("platform_id", String(255), nullable=False),
    Column("handle", String(255)),
    Column("title", Text),
    Column("kind", String(60)),
    Column("attribution", String(20), nullable=False, server_default="unknown"),
    Column("attribution_reasons", JSON),  # migration 0005: the attribution step's reasons
    Column("first_seen", UtcDateTime),
    Column("last_seen", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
)

posts = Table(
    "posts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("channel_id", Id, ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("date", UtcDateTime, nullable=False),
    Column("edit_date", UtcDateTime),
    Column("date_assumed_tz", String(64)),
    Column("kind", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("sender_id", String(255)),
    Column("sender_name", Text),
    Column("forwarded_from", Text),
    Column("forwarded_from_id", String(255)),
    Column("reply_to", BigInteger),
    Column("entities", JSON, nullable=False),
    Column("raw", Text, nullable=False),
    Column("raw_format", String(10), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("ingested_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel_id", "message_id", name="uq_posts_channel_message"),
    Index("ix_posts_date", "date"),
    Index("ix_posts_forwarded_from", "forwarded_from"),
)

post_versions = Table(
    "post_versions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("post_id", Id, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("edit_date", UtcDateTime),
    Column("text", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("post_id", "content_hash", name="uq_post_versions_hash"),
)

media = Table(
    "media",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mime", String(120)),
    Column("width", Integer),
    Column("height", Integer),
    Column("storage_path", Text, nullable=False),
    Column("first_seen", UtcDateTime, nullable=False),
)

post_media = Table(
    "post_media",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("post_id", Id, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(40), nullable=False),
    Column("export_path", Text, nullable=False),
    Column("sha256", String(64), ForeignKey("media.sha256")),
    Column("status", String(20), nullable=False),
    Column("note", Text),
    UniqueConstraint("post_id", "role", "export_path", name="uq_post_media"),
    Index("ix_post_media_sha256", "sha256"),
)

signals = Table(
    "signals",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_type", String(10), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("analyzer", String(80), nullable=False),
    Column("version", String(40), nullable=False),
    Column("kind", String(80), nullable=False),
    Column("value", JSON),
    Column("score", Float),
    Column("evidence", JSON),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("subject_type", "subject", "analyzer", "kind", name="uq_signals"),
    Index("ix_signals_kind", "kind"),
)

analysis_state = Table(
    "analysis_state",
    metadata,
    Column("analyzer", String(80), primary_key=True),
    Column("subject_type", String(10), primary_key=True),
    Column("subject", String(128), primary_key=True),
    Column("version", String(40), nullable=False),
    Column("input_key", String(64), nullable=False),
    Column("status", String(20), nullable=False),  # ok, rejected, error
    Column("detail", Text),
    Column("updated_at", UtcDateTime, nullable=False),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("stage", String(20), nullable=False),
    Column("source", Text, nullable=False),
    Column("locator", Text, nullable=False),
    Column("code", String(60), nullable=False),
    Column("reason", Text, nullable=False),
    Column("payload", Text),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    Column("resolved", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("stage", "source", "locator", "code", name="uq_quarantine"),
)

ingest_checkpoints = Table(
    "ingest_checkpoints",
    metadata,
    Column("source_key", String(128), primary_key=True),
    Column("source", Text, nullable=False),
    Column("chat_key", String(300), nullable=False),
    Column("messages_done", BigInteger, nullable=False),
    Column("completed", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

banks = Table(
    "banks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("description", Text),
    Column("threshold", Integer, nullable=False, server_default="31"),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    Column("revision", Integer, nullable=False, server_default="0"),  # bumped on every change
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

bank_entries = Table(
    "bank_entries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("bank_id", Id, ForeignKey("banks.id", ondelete="CASCADE"), nullable=False),
    Column("signal_type", String(20), nullable=False),  # pdq, md5
    Column("value", String(128), nullable=False),  # lowercase hex
    Column("quality", Integer),
    Column("label", Text),
    Column("note", Text),
    Column("source", Text),  # file it was hashed from or imported out of
    Column("added_by", String(120)),
    Column("added_at", UtcDateTime, nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("bank_id", "signal_type", "value", name="uq_bank_entries"),
    Index("ix_bank_entries_value", "signal_type", "value"),
    Index("ix_bank_entries_bank_order", "bank_id", "id"),  # a bank's entries page by page
    Index("ix_bank_entries_bank_enabled", "bank_id", "enabled"),  # counts without the rows
)

# Reference images analysts register: emblems (flags, logos, outlet watermarks) and a landmark
# gallery. The images themselves live in the content-addressed media store under their sha256.
emblems = Table(
    "emblems",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("label", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # flag, logo, watermark
    Column("sha256", String(64), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("note", Text),
    Column("source", Text),
    Column("added_by", String(120)),
    Column("added_at", UtcDateTime, nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("label", "sha256", name="uq_emblems"),
)

gallery = Table(
    "gallery",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("landmark", String(200), nullable=False),
    Column("city", String(200)),
    Column("country", String(200)),
    Column("lat", Float),
    Column("lon", Float),
    Column("sha256", String(64), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("source", Text),
    Column("added_by", String(120)),
    Column("added_at", UtcDateTime, nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("landmark", "sha256", name="uq_gallery"),
)

# The targets read model: places shown or named, rebuilt from signals by a corpus step.
targets = Table(
    "targets",
    metadata,
    Column("key", String(200), primary_key=True),  # e.g. landmark:tower-bridge, city:2643743
    Column("kind", String(20), nullable=False),  # landmark, city, country
    Column("name", Text, nullable=False),
    Column("city", Text),
    Column("country", Text),
    Column("lat", Float),
    Column("lon", Float),
    Column("first_seen", UtcDateTime),
    Column("last_seen", UtcDateTime),
    Column("posts", Integer, nullable=False),
    Column("evidence_kinds", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

target_evidence = Table(
    "target_evidence",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "target_key", String(200), ForeignKey("targets.key", ondelete="CASCADE"), nullable=False
    ),
    Column("post_id", Id, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),  # visual, exif, text, ocr
    Column("subject_type", String(10), nullable=False),  # media or post
    Column("subject", String(128), nullable=False),
    Column("score", Float),
    Column("detail", JSON),
    Column("seen_at", UtcDateTime, nullable=False),
    UniqueConstraint("target_key", "post_id", "kind", "subject", name="uq_target_evidence"),
    Index("ix_target_evidence_post", "post_id"),
)

# Text analysis (migration 0004): analysts' lexicon entries and exemplars, merged with the
# shipped ones (a disabled row masks a shipped entry), and the outlet registry.
lexicon_entries = Table(
    "lexicon_entries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("language", String(10), nullable=False),  # ar, en, fr, de, nl, other or *
    Column("phrase", Text, nullable=False),
    Column("label", String(20), nullable=False),  # threat, propaganda, reporting
    Column("weight", Float, nullable=False),
    Column("kind", String(10), nullable=False),  # phrase or regex
    Column("note", Text),
    Column("added_by", String(120)),
    Column("added_at", UtcDateTime, nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("language", "phrase", "label", name="uq_lexicon_entries"),
)

exemplars = Table(
    "exemplars",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),
    Column("label", String(20), nullable=False),  # threat, propaganda, reporting, neutral
    Column("language", String(10), nullable=False),
    Column("note", Text),
    Column("added_by", String(120)),
    Column("added_at", UtcDateTime, nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("text", "label", name="uq_exemplars"),
)

outlets = Table(
    "outlets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),  # official, news, ...
    Column("handles", JSON, nullable=False),
    Column("aliases", JSON, nullable=False),
    Column("watermark_labels", JSON, nullable=False),
    Column("signatures", JSON, nullable=False),
    Column("note", Text),
    Column("added_by", String(120)),
    Column("added_at", UtcDateTime, nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=true()),
)

# Alerts (migration 0006/0007): one row per rule and subject, and what each sink was sent.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("rule_id", String(120), nullable=False),
    Column("rule_type", String(40), nullable=False),
    Column("subject_key", String(300), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("summary", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("fingerprint", String(64), nullable=False),  # of the evidence: changes re-fire
    Column("revision", Integer, nullable=False),  # bumped whenever the evidence changes
    Column("status", String(20), nullable=False),  # new, acknowledged, dismissed
    Column("status_by", String(120)),
    Column("status_at", UtcDateTime),
    Column("status_note", Text),
    Column("first_fired", UtcDateTime, nullable=False),
    Column("last_fired", UtcDateTime, nullable=False),
    Column("count", Integer, nullable=False),
    UniqueConstraint("rule_id", "subject_key", name="uq_alerts_rule_subject"),
    Index("ix_alerts_status", "status"),
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("alert_id", Id, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("sink", String(120), primary_key=True),
    Column("revision", Integer, nullable=False),  # the alert revision last attempted
    Column("status", String(10), nullable=False),  # sent, failed
    Column("attempts", Integer, nullable=False),
    Column("error", Text),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Migration 0007: people who use the web app and API, their sessions and tokens, the audit log,
# and background jobs (uploads of export archives).
users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("role", String(20), nullable=False),  # viewer, analyst, admin
    Column("password_hash", Text),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("prefs", JSON),  # e.g. {"reveal_media": false}
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled_at", UtcDateTime),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 of the secret
    Column("scopes", String(120), nullable=False),  # comma-separated: read, write
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),
    Column("last_used_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # sha256 of the cookie value
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("action", String(60), nullable=False),
    Column("target_kind", String(40)),
    Column("target_id", String(300)),
    Column("detail", JSON),
    Column("origin", String(10), nullable=False),  # cli, web, api
    Column("ip", String(64)),
    Index("ix_audit_at", "at"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("status", String(20), nullable=False),  # queued, running, done, failed
    Column("created_by", String(120), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    Column("input", JSON),
    Column("result", JSON),
    Column("error", Text),
)

# Migration 0009: campaigns as found by the `campaigns` corpus step over the whole corpus
# (the web app reads them here; `watchfloor campaigns` with other options still groups on read).
campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(80), primary_key=True),  # campaign:<hex>
    Column("start", UtcDateTime, nullable=False),
    Column("end", UtcDateTime, nullable=False),
    Column("size", Integer, nullable=False),
    Column("channel_count", Integer, nullable=False),
    Column("data", JSON, nullable=False),  # Campaign.as_dict()
    Index("ix_campaigns_start", "start"),
    Index("ix_campaigns_end", "end"),
)
