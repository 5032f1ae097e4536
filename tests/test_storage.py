"""Shared state (bot/infra/storage.py) on SQLite and on PostgreSQL.

PostgreSQL comes from SOCIALPOLICY_TEST_DATABASE_URL, or the database that
deploy/ci/postgres.sh creates. Where it cannot be reached its tests are skipped
with the reason. Every PostgreSQL test runs in a schema of its own (dropped
afterwards), so reruns and parallel runs never see each other's rows.
"""

from __future__ import annotations

import os
import threading
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from bot.infra.storage import Database, normalise_url

DEFAULT_PG_URL = "postgresql://socialpolicy:socialpolicy@127.0.0.1:5432/socialpolicy_test"
AMSTERDAM_SUMMER = timezone(timedelta(hours=2))


def _pg_base_url() -> str:
    return os.environ.get("SOCIALPOLICY_TEST_DATABASE_URL") or DEFAULT_PG_URL


_pg_unavailable: list[str] = []


def _pg_reason() -> str | None:
    """Why PostgreSQL cannot be used, or None; asked once per session."""
    if not _pg_unavailable:
        try:
            import psycopg

            url = _pg_base_url().replace("postgresql+psycopg://", "postgresql://").replace("postgres://", "postgresql://")
            with psycopg.connect(url, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            _pg_unavailable.append("")
        except Exception as exc:  # any failure to connect means: skip, and say why
            _pg_unavailable.append(f"PostgreSQL not reachable at {_redact(_pg_base_url())}: "
                                   f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
                                   " (run deploy/ci/postgres.sh or set SOCIALPOLICY_TEST_DATABASE_URL)")
    return _pg_unavailable[0] or None


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(normalise_url(url)).render_as_string(hide_password=True)


@pytest.fixture
def pg_url():
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    reason = _pg_reason()
    if reason:
        pytest.skip(reason)
    from sqlalchemy import create_engine, text

    base = _pg_base_url()
    schema = f"sp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(base))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'state' / 'socialpolicy.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def db(url):
    database = Database(url)
    yield database
    database.close()


# -- URLs

def test_normalise_url_uses_psycopg3():
    assert normalise_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgresql://u:p@h:5432/db?sslmode=require") == "postgresql+psycopg://u:p@h:5432/db?sslmode=require"
    assert normalise_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_parent_directory_is_created(tmp_path):
    target = tmp_path / "a" / "b" / "state.db"
    database = Database(f"sqlite:///{target}")
    try:
        assert database.ping()
        assert target.exists()
    finally:
        database.close()


def test_postgresql_is_used_through_psycopg3(pg_url):
    database = Database(pg_url)
    try:
        assert database.engine.dialect.name == "postgresql"
        assert database.engine.dialect.driver == "psycopg"
        assert database.ping()
    finally:
        database.close()


# -- feedback

def test_feedback_records_and_counts(db):
    assert db.ping()
    db.feedback.record("slack", "answer", "up", org="leiden", language="en", section="Guideline 3")
    db.feedback.record("slack", "answer", "up", org="leiden", language="nl")
    db.feedback.record("slack", "answer", "down", org="rocwb", language="nl")
    db.feedback.record("teams", "review", "down", org="rocwb", language="nl", verdict="revise")
    assert db.feedback.counts() == {
        ("slack", "answer", "up"): 2,
        ("slack", "answer", "down"): 1,
        ("teams", "review", "down"): 1,
    }
    rows = db.feedback.rows()
    assert [r["vote"] for r in rows] == ["up", "up", "down", "down"]
    assert rows[0]["section"] == "Guideline 3" and rows[1]["section"] is None
    assert rows[3]["verdict"] == "revise"
    # Only what was rated is kept: there is no column for the question or the draft.
    assert set(rows[0]) == {"id", "created_at", "channel", "kind", "vote", "org", "language", "verdict", "section"}
    created = rows[0]["created_at"]
    assert created.utcoffset() == timedelta(0)
    assert abs((datetime.now(timezone.utc) - created).total_seconds()) < 300


def test_feedback_long_section_is_truncated(db):
    db.feedback.record("slack", "answer", "up", section="x" * 500)
    assert db.feedback.rows()[0]["section"] == "x" * 200


@pytest.mark.parametrize("vote", ["sideways", "", "UP", None, "1"])
def test_feedback_rejects_bad_votes(db, vote):
    with pytest.raises(ValueError):
        db.feedback.record("slack", "answer", vote)
    assert db.feedback.counts() == {}


# -- onboarding progress

def test_progress_round_trip(db):
    store = db.progress
    assert store.get("slack:T1:U1") is None
    before = datetime.now(timezone.utc)
    started = store.start("slack:T1:U1", "slack", "leiden", total=5, display_name="Jan")
    assert started.user_key == "slack:T1:U1" and started.org == "leiden" and started.channel == "slack"
    assert started.display_name == "Jan" and started.total == 5 and started.score == 0
    assert started.answers == {} and started.completed_at is None and not started.completed
    assert started.started_at.tzinfo is not None
    assert started.started_at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=5) <= started.started_at <= datetime.now(timezone.utc) + timedelta(seconds=5)

    started.answers["s1"] = 2
    started.answers["s2"] = 0
    started.score = 1
    # A completion time in another zone is stored as the same instant.
    done = datetime(2025, 6, 1, 14, 30, 15, 123456, tzinfo=AMSTERDAM_SUMMER)
    started.completed_at = done
    store.save(started)

    got = store.get("slack:T1:U1")
    assert got.answers == {"s1": 2, "s2": 0}
    assert got.score == 1 and got.total == 5 and got.completed
    assert got.completed_at == done
    assert got.completed_at.utcoffset() == timedelta(0)
    assert got.completed_at == datetime(2025, 6, 1, 12, 30, 15, 123456, tzinfo=timezone.utc)
    assert got.started_at == started.started_at


def test_progress_restart_resets_answers(db):
    store = db.progress
    p = store.start("teams:tenant:U2", "teams", "rocwb", total=3)
    p.answers["a"] = 1
    p.score = 1
    p.completed_at = datetime.now(timezone.utc)
    store.save(p)
    again = store.start("teams:tenant:U2", "teams", "leiden", total=4, display_name="Eva")
    assert again.answers == {} and again.score == 0 and again.total == 4
    assert again.org == "leiden" and again.display_name == "Eva" and again.completed_at is None
    assert len(store.all()) == 1


def test_progress_all_in_start_order(db):
    store = db.progress
    for i in range(3):
        store.start(f"slack:T:U{i}", "slack", "leiden", total=2, display_name=f"user {i}")
    everyone = store.all()
    assert [p.user_key for p in everyone] == ["slack:T:U0", "slack:T:U1", "slack:T:U2"]
    assert all(p.started_at.tzinfo is not None for p in everyone)
    assert everyone[0].started_at <= everyone[1].started_at <= everyone[2].started_at


def test_progress_report_is_the_same_on_every_backend(db):
    from bot.core.onboarding import report_rows

    p = db.progress.start("slack:T:U9", "slack", "rocwb", total=2, display_name="Piet")
    p.answers["x"] = 1
    p.completed_at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    db.progress.save(p)
    (row,) = report_rows(db.progress)
    assert row["completed_at"] == "2025-01-02T03:04:05+00:00"
    assert row["started_at"].endswith("+00:00")
    assert row["answered"] == 1 and row["name"] == "Piet"


def test_progress_start_from_many_replicas_at_once(url):
    """Replicas racing to start the same person's quiz: no error, one row."""
    replicas = [Database(url) for _ in range(4)]
    try:
        barrier = threading.Barrier(len(replicas))
        errors: list[BaseException] = []

        def start(database: Database) -> None:
            try:
                barrier.wait(timeout=10)
                database.progress.start("slack:T:race", "slack", "leiden", total=3)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=start, args=(d,)) for d in replicas]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert not errors, errors
        assert [p.user_key for p in replicas[0].progress.all()] == ["slack:T:race"]
    finally:
        for d in replicas:
            d.close()


# -- handled-event ledger

def test_event_claimed_once(db):
    assert db.events.claim("slack:Ev123") is True
    assert db.events.claim("slack:Ev123") is False
    assert db.events.claim("slack:Ev124") is True
    assert db.events.claim("teams:Ev123") is True


def test_long_event_keys_do_not_collide(db):
    base = "k" * 250
    assert db.events.claim(base + "a") is True
    assert db.events.claim(base + "b") is True
    assert db.events.claim(base + "a") is False


def test_event_claimed_once_across_threads(url):
    """Many workers (each its own replica) receive the same retried event: exactly one wins."""
    replicas = [Database(url) for _ in range(3)]
    try:
        n = 12
        barrier = threading.Barrier(n)
        results: list[bool] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def claim(i: int) -> None:
            try:
                barrier.wait(timeout=10)
                won = replicas[i % len(replicas)].events.claim("slack:EvRACE")
                with lock:
                    results.append(won)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert not errors, errors
        assert len(results) == n
        assert results.count(True) == 1
    finally:
        for d in replicas:
            d.close()


def test_prune_forgets_old_events(db):
    from sqlalchemy import update

    from bot.infra.storage import handled_events

    assert db.events.claim("old") and db.events.claim("new")
    with db.engine.begin() as conn:
        conn.execute(update(handled_events).where(handled_events.c.key == "old")
                     .values(created_at=datetime.now(timezone.utc) - timedelta(days=3)))
    assert db.events.prune() == 1
    assert db.events.claim("old") is True
    assert db.events.claim("new") is False


# -- stateless replicas

def test_two_databases_on_one_url_share_state(url):
    a, b = Database(url), Database(url)
    try:
        a.feedback.record("slack", "answer", "up", org="leiden")
        b.feedback.record("teams", "answer", "down", org="rocwb")
        assert a.feedback.counts() == b.feedback.counts() == {
            ("slack", "answer", "up"): 1, ("teams", "answer", "down"): 1}

        p = a.progress.start("slack:T:U1", "slack", "leiden", total=2)
        p.answers["q1"] = 0
        a.progress.save(p)
        assert b.progress.get("slack:T:U1").answers == {"q1": 0}

        assert a.events.claim("slack:EvShared") is True
        assert b.events.claim("slack:EvShared") is False
    finally:
        a.close()
        b.close()


def test_schema_creation_is_idempotent(url):
    """Every replica runs create_all at start-up; starting them together must work."""
    errors: list[BaseException] = []
    made: list[Database] = []
    barrier = threading.Barrier(4)

    def boot() -> None:
        try:
            barrier.wait(timeout=10)
            made.append(Database(url))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=boot) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    try:
        assert not errors, errors
        assert all(d.ping() for d in made)
        made[0].feedback.record("slack", "answer", "up")
        assert made[-1].feedback.counts() == {("slack", "answer", "up"): 1}
    finally:
        for d in made:
            d.close()


def test_event_ledger_prunes_old_keys_by_itself(tmp_path):
    from datetime import timedelta

    from bot.infra.storage import Database, handled_events
    from sqlalchemy import func, select

    db = Database(f"sqlite:///{tmp_path / 'ledger.db'}")
    ledger = db.events
    ledger.keep = timedelta(seconds=-1)  # everything already counts as old
    ledger.PRUNE_EVERY = 10
    for n in range(25):
        assert ledger.claim(f"event-{n}")
    with db.engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(handled_events)).scalar()
    assert left < 25  # pruned along the way, without a separate job
