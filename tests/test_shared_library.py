"""One database, several processes: following other writers, and ingest workers that share a
folder without doing a file twice or losing one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from corpus import write_corpus
from sqlalchemy import create_engine, update

from report_rag.pipeline.ingest import ingest_paths, worker_name
from report_rag.retrieval import search
from report_rag.settings import Settings
from report_rag.store import Follower, Library, ReadWriteLock
from report_rag.store.claims import claim, release_claims
from report_rag.store.sql import ClaimRow, Store
from report_rag.types import ReportStatus

ROOT = Path(__file__).resolve().parent.parent


def _pair(tmp_path: Path, db_url: str | None = None) -> tuple[Settings, Settings]:
    """Two processes' settings: own homes (own index files), one database."""
    url = db_url or f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return (Settings.for_tests(tmp_path / "a", database_url=url),
            Settings.for_tests(tmp_path / "b", database_url=url))


def _files(tmp_path: Path) -> dict[str, Path]:
    return write_corpus(tmp_path / "in")


def test_a_reader_follows_reports_another_process_commits_and_deletes(tmp_path) -> None:
    files = _files(tmp_path)
    writer_settings, reader_settings = _pair(tmp_path)
    with Library(writer_settings) as writer, Library(reader_settings) as reader:
        ingest_paths(writer, [str(files["liquor"])])
        assert [h.file_name for h in search(reader, "茅台 目标价", k=3)][:1] == ["moutai.pdf"]
        assert not reader.behind()

        ingest_paths(writer, [str(files["media"])])
        assert reader.behind()
        media_query = "投资评级 传媒"
        assert reader.sync() and not reader.behind()
        media = next(r for r in reader.reports() if r.file_name.startswith("media"))
        # Dense and lexical rankers and the report list all see the new report.
        assert {h.report_id for h in search(reader, media_query, k=5, report_ids=[media.id])} == {media.id}
        assert media.id in {int(i) for i in reader.catalog.report_of(reader.index.ids())}

        writer.delete_report(media.id)
        assert reader.sync()
        assert all(r.id != media.id for r in reader.reports())
        assert all(h.report_id != media.id for h in search(reader, media_query, k=10))
        assert len(reader.index) == len(writer.index)
        assert not reader.sync()  # nothing moved since


def test_the_follower_thread_catches_up_under_the_writer_lock(tmp_path) -> None:
    files = _files(tmp_path)
    writer_settings, reader_settings = _pair(tmp_path)
    with Library(writer_settings) as writer, Library(reader_settings) as reader:
        ingest_paths(writer, [str(files["liquor"])])
        search(reader, "茅台", k=1)  # the reader has loaded its index
        lock = ReadWriteLock()
        follower = Follower(reader, lock, interval_s=0.05).start()
        try:
            ingest_paths(writer, [str(files["media"])])
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                with lock.reading():
                    if len(reader.reports()) == 2 and len(reader.index) == len(writer.index):
                        break
                time.sleep(0.05)
            with lock.reading():
                assert len(reader.reports()) == 2 and len(reader.index) == len(writer.index)
        finally:
            follower.stop()


def test_claims_are_exclusive_and_a_dead_workers_claim_expires(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'lib.sqlite3'}")
    assert claim(store, "h1", "host-a:1", "a.pdf", ttl_s=60) is None
    assert claim(store, "h1", "host-a:1", "a.pdf", ttl_s=60) is None  # ours already: renewed
    assert claim(store, "h1", "host-b:2", "a.pdf", ttl_s=60) == "host-a:1"
    # host-a dies: its claim is not renewed and lapses.
    with store.session() as s:
        s.execute(update(ClaimRow).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert claim(store, "h1", "host-b:2", "a.pdf", ttl_s=60) is None
    assert claim(store, "h1", "host-a:1", "a.pdf", ttl_s=60) == "host-b:2"
    release_claims(store, "host-b:2")
    assert claim(store, "h1", "host-a:1", "a.pdf", ttl_s=60) is None
    store.close()


def test_a_file_another_worker_holds_is_skipped_and_a_lapsed_claim_is_taken(tmp_path, settings) -> None:
    files = _files(tmp_path)
    from report_rag.pipeline.ingest import file_hash

    with Library(settings) as library:
        digest = file_hash(files["liquor"])
        claim(library.store, digest, "elsewhere:99", "moutai.pdf", ttl_s=600)
        summary = ingest_paths(library, [str(tmp_path / "in")])
        assert len(summary.ingested) == 2
        assert [(Path(s.file).name, s.reason) for s in summary.skipped] == [
            ("moutai.pdf", "being ingested by another worker (elsewhere:99)")
        ]
        with library.store.session() as s:
            s.execute(update(ClaimRow).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        again = ingest_paths(library, [str(files["liquor"])])
        assert [Path(i.file).name for i in again.ingested] == ["moutai.pdf"]
        with library.store.session() as s:
            assert s.query(ClaimRow).count() == 0  # the commit ended the claim


def _workers_split_a_folder(tmp_path: Path, db_url: str | None) -> None:
    folder = tmp_path / "in"
    write_corpus(folder)
    for n in range(3):  # more files, and byte-identical copies under other names
        shutil.copy(folder / "moutai.pdf", folder / f"copy-{n}.pdf")
    first, second = _pair(tmp_path, db_url)
    summaries = []

    def run(settings: Settings) -> None:
        with Library(settings) as library:
            summaries.append(ingest_paths(library, [str(folder)]))

    threads = [threading.Thread(target=run, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(summaries) == 2
    assert all(not s.failed for s in summaries)
    assert sum(len(s.ingested) for s in summaries) == 3  # each distinct report once
    with Library(first) as library:
        reports = library.store.list_reports()
        assert len(reports) == 3 and all(r.status == ReportStatus.READY for r in reports)
        assert len({r.id for r in reports}) == 3
        assert len(library.index) == library.store.counts()["chunks"]


def test_two_workers_split_one_folder_on_sqlite(tmp_path) -> None:
    _workers_split_a_folder(tmp_path, None)


@pytest.fixture
def clean_postgres(postgres_url: str):
    """A PostgreSQL database with no report-rag tables (the CI database is reused)."""
    from report_rag.store.facts_tables import FactsBase
    from report_rag.store.sql import Base

    def drop() -> None:
        engine = create_engine(postgres_url)
        FactsBase.metadata.drop_all(engine)
        Base.metadata.drop_all(engine)
        engine.dispose()

    drop()
    yield postgres_url
    drop()


def test_two_workers_split_one_folder_on_postgresql(tmp_path, clean_postgres) -> None:
    _workers_split_a_folder(tmp_path, clean_postgres)


def _cli(settings: Settings, *args: str) -> list[str]:
    return [sys.executable, "-m", "report_rag.cli", "--home", str(settings.home), *args]


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return {**os.environ, "REPORT_RAG_EMBEDDER": "hashing", "REPORT_RAG_DATABASE_URL": settings.db_url,
            "PYTHONPATH": str(ROOT), **extra}


@pytest.mark.slow
def test_a_worker_killed_mid_ingest_loses_nothing_and_leaves_no_half_report(tmp_path) -> None:
    from pdf_factory import make_many_page_pdf

    folder = tmp_path / "in"
    write_corpus(folder)
    page = "港股通 业绩 点评 " * 60
    for n in range(4):  # slower files, so the kill lands mid-work
        make_many_page_pdf(folder / f"long-{n}.pdf", page_count=250 + n, text=page)
    total = len(list(folder.glob("*.pdf")))
    settings, _ = _pair(tmp_path)
    env = _env(settings, REPORT_RAG_CLAIM_TTL_S="1")
    watcher = Store(settings.db_url)
    worker = subprocess.Popen(_cli(settings, "ingest", str(folder)), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and worker.poll() is None:
            try:
                if watcher.counts()["reports"] >= 1:
                    break  # one report is in: kill the worker while it works on the next
            except Exception:
                pass  # the schema is still being created
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        watcher.close()
    with Library(settings) as library:
        partial = library.store.list_reports()
        assert 1 <= len(partial) < total
        for report in partial:  # every committed report is whole
            assert report.status == ReportStatus.READY
            assert report.pages == len(library.store.pages(report.id)) > 0
            assert report.chunks == len(library.store.report_chunks(report.id, include_boilerplate=True)) > 0
    time.sleep(1.2)  # the dead worker's claims lapse
    finished = subprocess.run(_cli(settings, "ingest", str(folder)), env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    with Library(settings) as library:
        reports = library.store.list_reports()
        assert sorted(r.file_name for r in reports) == sorted(p.name for p in folder.glob("*.pdf"))
        assert len(library.index) == library.store.counts()["chunks"]


def test_worker_names_say_which_machine_process_and_run(tmp_path) -> None:
    host, pid, run = worker_name().split(":")
    assert host and pid == str(os.getpid()) and run and worker_name() != worker_name()


def test_a_crashed_local_workers_claim_is_taken_at_once(tmp_path, settings) -> None:
    from report_rag.pipeline.ingest import file_hash, worker_is_dead

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = worker_name().split(":")[0]
    dead, alive = f"{host}:{gone.stdout.strip()}:run1", f"{host}:{os.getppid()}:run2"
    assert worker_is_dead(dead) and not worker_is_dead(alive)
    assert not worker_is_dead(f"another-machine:{gone.stdout.strip()}")  # judged by time only
    files = _files(tmp_path)
    with Library(settings) as library:
        claim(library.store, file_hash(files["liquor"]), dead, "moutai.pdf", ttl_s=600)
        summary = ingest_paths(library, [str(files["liquor"])])
        assert [Path(i.file).name for i in summary.ingested] == ["moutai.pdf"]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get_json(url: str) -> dict:
    import json
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_two_servers_see_a_report_an_ingest_worker_commits_within_5_s(tmp_path, clean_postgres) -> None:
    files = _files(tmp_path)
    first, second = _pair(tmp_path, clean_postgres)
    ingester = Settings.for_tests(tmp_path / "worker", database_url=clean_postgres)
    servers, ports = [], []
    try:
        for settings in (first, second):
            port = _free_port()
            servers.append(subprocess.Popen(_cli(settings, "serve", "--port", str(port)), env=_env(settings),
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            ports.append(port)
        deadline = time.monotonic() + 60
        for port in ports:
            while True:
                try:
                    _get_json(f"http://127.0.0.1:{port}/v1/search?q=%E8%8C%85%E5%8F%B0")  # loads the index
                    break
                except OSError:
                    assert time.monotonic() < deadline, "a server did not start"
                    time.sleep(0.2)
        done = subprocess.run(_cli(ingester, "ingest", str(files["liquor"])), env=_env(ingester),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        committed = time.monotonic()
        seen: dict[int, float] = {}
        while len(seen) < len(ports) and time.monotonic() - committed < 10:
            for port in ports:
                if port not in seen:
                    hits = _get_json(f"http://127.0.0.1:{port}/v1/search?q=%E8%8C%85%E5%8F%B0%20%E7%9B%AE%E6%A0%87%E4%BB%B7")["hits"]
                    if hits and hits[0]["file_name"] == "moutai.pdf":
                        seen[port] = time.monotonic() - committed
            time.sleep(0.1)
        assert sorted(seen) == sorted(ports), f"not searchable from every server: {seen}"
        assert max(seen.values()) <= 5.0, seen
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


def test_a_reader_that_only_listed_reports_follows_too(tmp_path) -> None:
    files = _files(tmp_path)
    writer_settings, reader_settings = _pair(tmp_path)
    with Library(writer_settings) as writer, Library(reader_settings) as reader:
        ingest_paths(writer, [str(files["liquor"])])
        assert len(reader.reports()) == 1  # a report list page, no search yet
        ingest_paths(writer, [str(files["media"])])
        assert reader.behind() and reader.sync()
        assert len(reader.reports()) == 2
        # An index opened after the catalog went stale does not hide that staleness.
        search(reader, "茅台", k=1)
        ingest_paths(writer, [str(files["english"])])
        search(reader, "Tencent", k=1)
        assert reader.behind()


@pytest.mark.slow
def test_serve_with_two_worker_processes_sees_one_library(tmp_path) -> None:
    import httpx

    files = _files(tmp_path)
    settings, _ = _pair(tmp_path)
    port = _free_port()
    server = subprocess.Popen(_cli(settings, "serve", "--port", str(port), "--workers", "2"), env=_env(settings),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/v1/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "serve --workers 2 did not come up"
            time.sleep(0.3)
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(8):  # load the library in both processes (requests land on either)
                client.get("/v1/search", params={"q": "目标价"})
            created = client.post("/v1/reports", files={"file": ("moutai.pdf", files["liquor"].read_bytes(),
                                                                  "application/pdf")})
            assert created.status_code == 201, created.text
            time.sleep(2.5)  # the other process follows within about a second
            for _ in range(10):  # whichever process answers, it has the new report
                hits = client.get("/v1/search", params={"q": "茅台 目标价"}).json()["hits"]
                assert hits and hits[0]["file_name"] == "moutai.pdf"
                assert client.get("/v1/health").json()["reports"] == 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.mark.slow
def test_a_server_killed_mid_upload_loses_nothing_and_leaves_no_half_report(tmp_path) -> None:
    import httpx
    from pdf_factory import make_many_page_pdf

    big = make_many_page_pdf(tmp_path / "long.pdf", page_count=600, text="港股通 业绩 点评 " * 60)
    settings, _ = _pair(tmp_path)

    def start() -> tuple[subprocess.Popen, str]:
        port = _free_port()
        server = subprocess.Popen(_cli(settings, "serve", "--port", str(port)), env=_env(settings),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/v1/health", timeout=5).status_code == 200:
                    return server, base
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
                time.sleep(0.2)

    server, base = start()
    outcome: list[object] = []

    def upload() -> None:
        try:
            outcome.append(httpx.post(f"{base}/v1/reports", timeout=120,
                                      files={"file": ("long.pdf", big.read_bytes(), "application/pdf")}))
        except httpx.HTTPError as exc:  # the server died under it
            outcome.append(exc)

    uploading = threading.Thread(target=upload)
    uploading.start()
    uploads_dir = settings.home / "uploads"
    deadline = time.monotonic() + 60
    while not (uploads_dir.exists() and any(uploads_dir.rglob("*.pdf"))):  # the bytes are in: it is parsing
        assert time.monotonic() < deadline, "the upload never reached the server"
        time.sleep(0.01)
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=30)
    uploading.join(timeout=60)
    got = outcome[0]
    assert not (isinstance(got, httpx.Response) and got.status_code == 201), "the kill came too late"
    with Library(settings) as library:
        assert library.store.list_reports() == []  # nothing half-written
    server, base = start()  # the same upload again goes through: no stale claim blocks it
    try:
        again = httpx.post(f"{base}/v1/reports", timeout=300,
                           files={"file": ("long.pdf", big.read_bytes(), "application/pdf")})
        assert again.status_code == 201, again.text
        assert again.json()["report"]["pages"] == 600
    finally:
        server.terminate()
        server.wait(timeout=30)
