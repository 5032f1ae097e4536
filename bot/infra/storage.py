"""Shared state on SQLAlchemy: feedback, onboarding progress and the keys of
events already handled (so Slack retries never answer twice, across replicas).

SQLite by default, PostgreSQL when DATABASE_URL is set. No draft text and no
question text is ever stored: feedback keeps what was rated, not what was said.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import (
    Column, DateTime, Integer, MetaData, String, Table, Text, create_engine, delete, func,
    insert, select, text, update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.core.onboarding import Progress

metadata = MetaData()

feedback = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("kind", String(16), nullable=False),          # answer | review
    Column("vote", String(8), nullable=False),           # up | down
    Column("org", String(32)),
    Column("language", String(4)),
    Column("verdict", String(16)),                       # reviews only
    Column("section", String(200)),                      # answers: the top guideline
)

onboarding_progress = Table(
    "onboarding_progress", metadata,
    Column("user_key", String(200), primary_key=True),   # channel:team:user
    Column("channel", String(16), nullable=False),
    Column("org", String(32), nullable=False),
    Column("display_name", String(200)),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("answers", Text, nullable=False, default="{}"),  # scenario id -> choice
    Column("score", Integer, nullable=False, default=0),
    Column("total", Integer, nullable=False, default=0),
    Column("completed_at", DateTime(timezone=True)),
)

handled_events = Table(
    "handled_events", metadata,
    Column("key", String(200), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


# One row per rate-limited request (ask or review): who and when, nothing said.
rate_hits = Table(
    "rate_hits", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, index=True),   # hashed channel user key
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)


def normalise_url(url: str) -> str:
    """postgres:// and postgresql:// use psycopg 3, the driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _utc(value: datetime | None) -> datetime | None:
    """The same instant in UTC. Naive values are taken to be UTC already.

    Everything is written in UTC: SQLite keeps no offset (it would store an
    Amsterdam wall-clock time as if it were UTC), and reads come back in UTC
    on every backend (PostgreSQL would use the session's time zone)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


_aware = _utc  # reads: SQLite returns naive datetimes, PostgreSQL the session's zone

# Any constant will do: it only has to be the same in every replica.
_SCHEMA_LOCK_KEY = 0x5C0C1A1


def _create_schema(engine) -> None:
    """Create the tables if missing. Replicas that start together all get
    here: on PostgreSQL they take turns under an advisory lock; on SQLite (and
    if anything else races) a failed attempt is retried, and then finds the
    tables there."""
    attempts = 5
    for attempt in range(attempts):
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
                metadata.create_all(conn)
            return
        except DBAPIError as exc:
            if exc.connection_invalidated or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


class Database:
    def __init__(self, url: str) -> None:
        url = normalise_url(url)
        kwargs: dict = {"pool_pre_ping": True, "future": True}
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False}
        self.url = url
        self.engine = create_engine(url, **kwargs)
        _create_schema(self.engine)
        self.feedback = FeedbackStore(self.engine)
        self.progress = ProgressStore(self.engine)
        self.events = EventLedger(self.engine)
        self.rates = RateLedger(self.engine)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
            return True
        except Exception:
            return False

    def close(self) -> None:
        self.engine.dispose()


class FeedbackStore:
    VOTES = ("up", "down")

    def __init__(self, engine) -> None:
        self.engine = engine

    def record(self, channel: str, kind: str, vote: str, org: str | None = None,
               language: str | None = None, verdict: str | None = None, section: str | None = None) -> None:
        if vote not in self.VOTES:
            raise ValueError(f"vote must be one of {self.VOTES}")
        with self.engine.begin() as conn:
            conn.execute(insert(feedback).values(
                created_at=_now(), channel=channel, kind=kind, vote=vote, org=org,
                language=language, verdict=verdict, section=(section or None) and section[:200],
            ))

    def rows(self) -> list[dict]:
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(feedback).order_by(feedback.c.id))]
        for row in rows:
            row["created_at"] = _aware(row["created_at"])
        return rows

    def counts(self) -> dict[tuple[str, str, str], int]:
        with self.engine.connect() as conn:
            q = select(feedback.c.channel, feedback.c.kind, feedback.c.vote, func.count()).group_by(
                feedback.c.channel, feedback.c.kind, feedback.c.vote)
            return {(c, k, v): n for c, k, v, n in conn.execute(q)}


class ProgressStore:
    """Implements the core's onboarding `ProgressStore` port."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()

    @staticmethod
    def _to_progress(row) -> Progress:
        m = row._mapping
        return Progress(
            user_key=m["user_key"], channel=m["channel"], org=m["org"], display_name=m["display_name"],
            started_at=_aware(m["started_at"]), answers=json.loads(m["answers"] or "{}"),
            score=m["score"], total=m["total"], completed_at=_aware(m["completed_at"]),
        )

    def get(self, user_key: str) -> Progress | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(onboarding_progress).where(onboarding_progress.c.user_key == user_key)).first()
        return self._to_progress(row) if row else None

    def start(self, user_key: str, channel: str, org: str, total: int, display_name: str | None = None) -> Progress:
        """Start (or restart) a quiz: answers and score are reset."""
        values = dict(channel=channel, org=org, display_name=display_name, started_at=_now(),
                      answers="{}", score=0, total=total, completed_at=None)
        with self._lock:
            # Update, else insert. Another replica may insert the same key
            # between the two: then the retry's update finds its row.
            for attempt in range(2):
                try:
                    with self.engine.begin() as conn:
                        done = conn.execute(update(onboarding_progress).where(
                            onboarding_progress.c.user_key == user_key).values(**values)).rowcount
                        if not done:
                            conn.execute(insert(onboarding_progress).values(user_key=user_key, **values))
                    break
                except IntegrityError:
                    if attempt:
                        raise
        return self.get(user_key)

    def save(self, progress: Progress) -> None:
        with self._lock, self.engine.begin() as conn:
            conn.execute(update(onboarding_progress).where(
                onboarding_progress.c.user_key == progress.user_key).values(
                answers=json.dumps(progress.answers), score=progress.score, total=progress.total,
                completed_at=_utc(progress.completed_at)))

    def all(self) -> list[Progress]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(onboarding_progress).order_by(onboarding_progress.c.started_at))
            return [self._to_progress(r) for r in rows]


class EventLedger:
    """Remembers handled event keys, so a retried delivery is handled once."""

    PRUNE_EVERY = 500  # claims between clean-ups of keys older than `keep`

    def __init__(self, engine, keep: timedelta = timedelta(days=1)) -> None:
        self.engine = engine
        self.keep = keep
        self._claims = 0

    @staticmethod
    def _key(key: str) -> str:
        # The column holds 200 characters: a longer key keeps its start and a
        # hash of the whole, so two long keys never collide on a shared prefix.
        if len(key) <= 200:
            return key
        return key[:135] + "#" + hashlib.sha256(key.encode("utf-8")).hexdigest()

    def claim(self, key: str) -> bool:
        """True the first time a key is seen, False for every repeat."""
        self._claims += 1
        if self._claims % self.PRUNE_EVERY == 0:
            # Slack retries within minutes; a day-old key is never needed
            # again, so the table stays small without a separate job.
            self.prune()
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(handled_events).values(key=self._key(key), created_at=_now()))
            return True
        except IntegrityError:
            return False

    def prune(self) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(handled_events).where(
                handled_events.c.created_at < _now() - self.keep)).rowcount


class RateLedger:
    """A sliding one-minute window per user, in the shared database, so that
    replicas behind one load balancer share a user's allowance."""

    WINDOW = timedelta(minutes=1)
    PRUNE_EVERY = 500

    def __init__(self, engine) -> None:
        self.engine = engine
        self._hits = 0
        self._lock = threading.Lock()

    @staticmethod
    def _key(user_key: str) -> str:
        return hashlib.sha256(user_key.encode("utf-8")).hexdigest()

    def allow(self, user_key: str, per_minute: int) -> bool:
        """Count this request and say whether it is within `per_minute`
        (0 or less: no limit). A refused request is not counted."""
        if per_minute <= 0:
            return True
        self._hits += 1
        if self._hits % self.PRUNE_EVERY == 0:
            with self.engine.begin() as conn:
                conn.execute(delete(rate_hits).where(rate_hits.c.at < _now() - self.WINDOW))
        key, now = self._key(user_key), _now()
        with self._lock, self.engine.begin() as conn:
            used = conn.execute(select(func.count()).select_from(rate_hits).where(
                rate_hits.c.key == key, rate_hits.c.at > now - self.WINDOW)).scalar_one()
            if used >= per_minute:
                return False
            conn.execute(insert(rate_hits).values(key=key, at=now))
        return True
