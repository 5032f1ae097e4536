"""The assistant against a real Chroma server (the deployment shape: many bot
replicas, one Chroma server), started here with chromadb's own CLI:
`chroma run --path DIR --port P --host 127.0.0.1`.

The server answers on loopback only, telemetry is off on both sides, and every
outgoing connection this process makes while the module runs is checked to be
to a loopback address.

Time: the real ingest runs against the server, but the passage vectors the
embedded store (conftest's `assistant`) already computed are handed back
instead of being computed a second time (~30 s on two cores); questions are
embedded by the real model, and so is anything the embedded store has not seen
(the document added in the last test, counted).
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0

QUESTIONS = [
    # (question, expected to abstain)
    ("Can I put a photo of my students from this morning's lecture on Instagram?", False),
    ("our faculty twitter account got hacked this morning, what do I do now??", False),
    ("Mag ik vertrouwelijke informatie over een reorganisatie op LinkedIn zetten?", False),
    ("Ik heb naast mijn werk een webshopje. Mag ik een kortingscode daarvan posten in de LinkedIn-groep van het ROC?", False),
    ("Is there any bike parking near the Faculty of Science building?", True),
]


# A small third document, dropped into a copy of knowledge/ (no code change).
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NEW_DOC = (FIXTURES / "voorbeeld.md").read_text(encoding="utf-8")
NEW_META = (FIXTURES / "voorbeeld.yaml").read_text(encoding="utf-8")


class ReusedVectors(Embeddings):
    """The real embedder, with the passage vectors already computed handed back
    by text; `computed` counts the texts the real model had to embed."""

    def __init__(self, base, known: dict[str, list[float]]) -> None:
        self.base = base
        self.known = dict(known)
        self.name = base.name
        self.dim = getattr(base, "dim", None)
        self.computed = 0

    def embed_query(self, text: str) -> list[float]:
        return self.base.embed_query(text)

    def embed_documents(self, texts):
        missing = [t for t in dict.fromkeys(texts) if t not in self.known]
        if missing:
            self.computed += len(missing)
            self.known.update(zip(missing, self.base.embed_documents(missing)))
        return [list(self.known[t]) for t in texts]


def _chroma_cli() -> str | None:
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.exists() else shutil.which("chroma")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _is_loopback(address) -> bool:
    if isinstance(address, tuple):
        host = address[0]
    else:  # a Unix socket path
        return True
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(scope="module", autouse=True)
def loopback_only():
    """Refuse, and remember, any connection this process tries beyond loopback."""
    refused: list = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            refused.append(address)
            raise OSError(f"test_chroma_server: connection to {address!r} refused (loopback only)")
        return real_connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            refused.append(address)
            return 111  # ECONNREFUSED
        return real_connect_ex(self, address)

    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", connect)
    mp.setattr(socket.socket, "connect_ex", connect_ex)
    mp.setenv("ANONYMIZED_TELEMETRY", "False")
    try:
        yield refused
    finally:
        mp.undo()
    assert not refused, f"connections beyond loopback were attempted: {refused}"


def _heartbeat(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as r:
            return r.status == 200 and "nanosecond heartbeat" in json.loads(r.read())
    except (OSError, ValueError):
        return False


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    cli = _chroma_cli()
    if cli is None:
        pytest.skip("the chroma CLI (from the chromadb package) is not installed")
    path = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    log_path = path.parent / f"chroma-server-{port}.log"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "NO_COLOR": "1"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [cli, "run", "--path", str(path), "--port", str(port), "--host", "127.0.0.1"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _heartbeat(port):
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited with {proc.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"chroma run did not answer within {START_TIMEOUT:.0f} s:\n"
                            f"{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield {"host": "127.0.0.1", "port": port, "path": path, "process": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def server_settings(chroma_server, tmp_path_factory):
    from bot.settings import Settings

    return Settings(chroma_host=chroma_server["host"], chroma_port=chroma_server["port"],
                    data_dir=tmp_path_factory.mktemp("server-data"), knowledge_dir=REPO / "knowledge",
                    database_url=None)


@pytest.fixture(scope="module")
def embeddings(assistant, settings):
    from bot.container import build_store

    # The session's embedded Chroma store (the assistant itself answers from its snapshot).
    embedded = build_store(settings, assistant.retriever.store.embeddings)
    got = embedded.collection.get(include=["embeddings", "documents"])
    known = {doc: [float(x) for x in vec] for doc, vec in zip(got["documents"], got["embeddings"])}
    return ReusedVectors(embedded.embeddings, known)


@pytest.fixture(scope="module")
def ingested(server_settings, embeddings):
    """The real ingest, through bot.container, into the server."""
    from bot.container import build_store, ingest

    report, store = ingest(server_settings, build_store(server_settings, embeddings), show_progress=False)
    return report, store


@pytest.fixture(scope="module")
def server_assistant(server_settings, ingested):
    from bot.container import build_assistant

    _, store = ingested
    return build_assistant(server_settings, store=store)


def test_server_runs_from_the_given_path_on_loopback(chroma_server):
    assert chroma_server["process"].poll() is None
    assert (chroma_server["path"] / "chroma.sqlite3").exists()


def test_ingest_fills_the_server(ingested, server_settings, assistant, embeddings):
    report, store = ingested
    assert embeddings.computed == 0  # the same passage texts as the embedded store
    assert report.documents == 2
    assert report.chunks > 0 and report.added == report.chunks
    assert report.updated == 0 and report.removed == 0
    # It really is the server: an HTTP client, and no embedded store on disk.
    assert type(store.client).__name__ != "PersistentClient"
    assert not server_settings.chroma_dir.exists()
    assert store.client.get_settings().anonymized_telemetry is False
    assert store.ping()
    # Same passages as the embedded store.
    assert store.count() == assistant.retriever.store.count() == report.chunks
    assert store.ids() == {p.id for p in assistant.retriever.store.all()}


def test_a_second_client_sees_the_same_collection(ingested, server_settings):
    """A new replica (its own client) finds the vectors already there."""
    from bot.container import build_store

    _, store = ingested
    other = build_store(server_settings, embeddings=store.embeddings)
    assert other.name == store.name
    assert other.count() == store.count()
    assert other.ids() == store.ids()


@pytest.mark.parametrize("question, abstains", QUESTIONS, ids=[f"q{i}" for i in range(len(QUESTIONS))])
def test_answers_match_the_embedded_store(server_assistant, assistant, question, abstains):
    via_server = server_assistant.ask(question)
    embedded = assistant.ask(question)
    assert via_server.abstained is embedded.abstained is abstains
    assert via_server.language == embedded.language
    assert via_server.answer == embedded.answer
    got = [(c.organisation, c.document, c.section, c.quote, c.cao) for c in via_server.citations]
    want = [(c.organisation, c.document, c.section, c.quote, c.cao) for c in embedded.citations]
    assert got == want
    for a, b in zip(via_server.citations, embedded.citations):
        assert a.score == pytest.approx(b.score, abs=1e-4)
    if not abstains:
        assert got, "an answer must cite"


def test_scoped_answers_match(server_assistant, assistant):
    q = "Mag ik tentamenvragen delen op social media?"
    for org in ("leiden", "rocwb"):
        a, b = server_assistant.ask(q, org), assistant.ask(q, org)
        assert a.abstained == b.abstained
        assert [(c.section, c.quote) for c in a.citations] == [(c.section, c.quote) for c in b.citations]
        assert all(c.org in ("", org) for c in a.citations)


def test_reingest_against_the_server_is_idempotent(ingested, server_settings, server_assistant):
    from bot.container import build_store, ingest

    _, store = ingested
    before = store.ids()
    # Through a fresh client, as the ingest Job of a redeploy would.
    again, _ = ingest(server_settings, build_store(server_settings, store.embeddings), show_progress=False)
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert again.chunks == len(before)
    assert store.ids() == before


def test_a_changed_document_reaches_the_server(server_settings, ingested, embeddings, tmp_path):
    """Drop a document into knowledge/, run ingest: only its chunks are embedded;
    edit it: one chunk is updated; remove it: its chunks are deleted."""
    from bot.container import build_assistant, build_store, ingest

    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", knowledge)
    settings = server_settings.model_copy(update={"knowledge_dir": knowledge})
    store = build_store(settings, embeddings)
    total = store.count()
    computed = embeddings.computed

    (knowledge / "documents" / "voorbeeld.md").write_text(NEW_DOC, encoding="utf-8")
    (knowledge / "documents" / "voorbeeld.yaml").write_text(NEW_META, encoding="utf-8")
    try:
        added, _ = ingest(settings, store, show_progress=False)
        assert (added.documents, added.added, added.updated, added.removed) == (3, 3, 0, 0)
        assert embeddings.computed - computed == 3  # only the new chunks, by the real model
        assert store.count() == total + 3

        edited = NEW_DOC.replace("direct bij de servicedesk", "binnen een uur bij de servicedesk")
        (knowledge / "documents" / "voorbeeld.md").write_text(edited, encoding="utf-8")
        changed, _ = ingest(settings, store, show_progress=False)
        assert (changed.added, changed.updated, changed.removed) == (0, 1, 0)
        assert embeddings.computed - computed == 4

        answer = build_assistant(settings, store=store).ask("Mijn account is gehackt, wat moet ik doen?", org="voorbeeld")
        assert not answer.abstained
        assert answer.citations[0].organisation == "Hogeschool Voorbeeld"
        assert "binnen een uur" in answer.citations[0].quote
    finally:
        (knowledge / "documents" / "voorbeeld.md").unlink()
        (knowledge / "documents" / "voorbeeld.yaml").unlink()
        removed, _ = ingest(settings, store, show_progress=False)
    assert (removed.added, removed.updated, removed.removed) == (0, 0, 3)
    assert store.count() == total


def test_a_running_replica_follows_a_reingest_on_the_server(server_settings, ingested, embeddings, tmp_path):
    """Issue 13, finding 1 on a Chroma server: the ingest job writes a new
    generation; a replica that was serving switches to it without a restart
    and keeps answering meanwhile."""
    from bot.container import build_assistant, build_database, build_store, ingest
    from bot.infra.chroma_store import ChromaPassageStore, active_collection
    from bot.live_assistant import LiveAssistant

    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", knowledge)
    settings = server_settings.model_copy(update={"knowledge_dir": knowledge})
    replica = build_store(settings, embeddings)
    database = build_database(settings)

    def build(name):
        return build_assistant(settings, store=ChromaPassageStore(replica.client, embeddings, name=name),
                               database=database)

    live = LiveAssistant(build, lambda: active_collection(replica.client, replica.base), interval=3600)
    before = live.generation
    (knowledge / "documents" / "voorbeeld.md").write_text(NEW_DOC, encoding="utf-8")
    (knowledge / "documents" / "voorbeeld.yaml").write_text(NEW_META, encoding="utf-8")
    try:
        report, _ = ingest(settings, build_store(settings, embeddings), show_progress=False)  # the ingest job
        assert report.added == 3
        assert not live.ask(QUESTIONS[0][0]).abstained          # still the old generation, still answering
        assert live.check() and live.generation != before
        answer = live.ask("Mijn account is gehackt, wat moet ik doen?", org="voorbeeld")
        assert answer.citations[0].organisation == "Hogeschool Voorbeeld"
        assert live.ready()
    finally:
        (knowledge / "documents" / "voorbeeld.md").unlink()
        (knowledge / "documents" / "voorbeeld.yaml").unlink()
        ingest(settings, build_store(settings, embeddings), show_progress=False)
