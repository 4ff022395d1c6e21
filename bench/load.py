"""Load on `report-rag serve`: concurrent clients searching and asking while an ingest runs.

    python bench/load.py [--clients 32] [--seconds 60] [--embedder hashing|e5-small]

The server runs in a child process (uvicorn on a free loopback port, so the clients' own
work does not share its interpreter lock) over a temporary library of the sample reports;
asks use a scripted generator so the model's time does not hide the server's. Search
queries are distinct (a term pair and a number), so each one is embedded — the query
cache would otherwise answer most of them. Measured in one run, as ratios where the
machine is noisy:

* one client alone: search p50 and throughput (the baseline);
* `--clients` clients for `--seconds`: 3 of 4 requests searches, 1 of 4 asks, while a second
  copy of the samples is ingested through POST /v1/reports;
* p50 / p95 / p99 per endpoint, requests/s, errors; search p95 / single-client p50 and
  throughput / single-client throughput.

Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = ["贵州茅台的目标价是多少？", "What does Harbourline say about Tencent's games?", "传媒行业的投资评级是什么？",
             "台积电的先进制程进展如何？", "恒瑞医药的创新药管线有哪些？"]
QUERIES = ["目标价", "advertising revenue", "投资评级 维持", "先进封装", "创新药 管线", "games pipeline", "储能 出货量"]
TERMS = ["2025年", "毛利率", "net profit", "EPS", "市场份额", "guidance", "估值", "产能", "margin", "订单"]


def distinct_query(rng: random.Random) -> str:
    return f"{rng.choice(QUERIES)} {rng.choice(TERMS)} {rng.randrange(100_000)}"


class ScriptedGenerator:
    """Replies at once with a fixed sentence: the server's time, not the model's, is measured."""

    name = "scripted"
    context_tokens = 4096

    def count_tokens(self, text: str) -> int:
        return len(text) // 2 + 1

    def stream(self, messages: object, params: object) -> Iterator[str]:
        yield from ("The ", "reports ", "say ", "so ", "[1].")

    def describe(self) -> dict[str, object]:
        return {"backend": "scripted", "model": self.name, "loaded": True}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_clients(base: str, clients: int, seconds: float, mix_asks: bool) -> tuple[dict[str, list[float]], int, int]:
    import httpx

    latencies: dict[str, list[float]] = defaultdict(list)
    errors = 0
    done = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(seed: int) -> None:
        nonlocal errors, done
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=60) as http:
            while time.perf_counter() < stop:
                ask = mix_asks and rng.random() < 0.25
                started = time.perf_counter()
                try:
                    if ask:
                        response = http.post("/v1/ask", json={"question": rng.choice(QUESTIONS)})
                    else:
                        response = http.get("/v1/search", params={"q": distinct_query(rng), "k": 5})
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    done += 1
                    if ok:
                        latencies["ask" if ask else "search"].append(elapsed)
                    else:
                        errors += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, done


def serve(port: int, home: Path, embedder: str) -> int:
    import uvicorn

    from report_rag.api import create_app
    from report_rag.settings import Settings

    settings = Settings.from_variables(home=home, embedder=embedder)
    app = create_app(settings, generator_factory=lambda _: ScriptedGenerator())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--embedder", default="hashing", help="hashing (fast, default) or e5-small")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the child: serve on this port
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve, args.home, args.embedder)

    import httpx

    from report_rag.pipeline import ingest_paths
    from report_rag.settings import Settings
    from report_rag.store import Library

    samples = sorted((ROOT / "sample_reports").glob("*.pdf"))
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        settings = Settings.from_variables(home=home, embedder=args.embedder)
        with Library(settings) as library:
            ingest_paths(library, [str(p) for p in samples[: len(samples) // 2]])
        port = free_port()
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--home", str(home),
                                   "--embedder", args.embedder])
        base = f"http://127.0.0.1:{port}"
        for _ in range(1200):
            try:
                if httpx.get(f"{base}/v1/search", params={"q": "warm-up"}, timeout=30).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)

        single, single_errors, single_done = run_clients(base, 1, min(10.0, args.seconds), mix_asks=False)
        single_seconds = min(10.0, args.seconds)

        uploads: list[int] = []

        def ingest_meanwhile() -> None:
            # The other half of the samples, uploaded one by one while the clients run.
            copies = Path(tmp) / "copies"
            copies.mkdir()
            with httpx.Client(base_url=base, timeout=120) as http:
                for pdf in samples[len(samples) // 2 :]:
                    target = copies / pdf.name
                    shutil.copy(pdf, target)
                    response = http.post("/v1/reports", files={"file": (pdf.name, target.read_bytes(), "application/pdf")})
                    uploads.append(response.status_code)

        ingester = threading.Thread(target=ingest_meanwhile)
        ingester.start()
        loaded, errors, done = run_clients(base, args.clients, args.seconds, mix_asks=True)
        ingester.join()
        server.terminate()
        server.wait(timeout=30)

    single_p50 = statistics.median(single["search"]) if single["search"] else 0.0
    single_rps = len(single["search"]) / single_seconds
    search_rps = len(loaded["search"]) / args.seconds
    rows = []
    for name, values in (("search (1 client)", single["search"]), ("search", loaded["search"]), ("ask", loaded["ask"])):
        rows.append((name, len(values), percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)))
    print(f"{'endpoint':20} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, count, p50, p95, p99 in rows:
        print(f"{name:20} {count:6d} {p50 * 1000:8.1f} {p95 * 1000:8.1f} {p99 * 1000:8.1f}")
    result = {
        "bench": "load", "clients": args.clients, "seconds": args.seconds, "embedder": args.embedder,
        "requests": done, "errors": errors + single_errors, "requests_per_s": round(done / args.seconds, 1),
        "uploads": uploads,
        "search": {"p50_ms": round(percentile(loaded["search"], 0.5) * 1000, 1),
                   "p95_ms": round(percentile(loaded["search"], 0.95) * 1000, 1),
                   "p99_ms": round(percentile(loaded["search"], 0.99) * 1000, 1), "per_s": round(search_rps, 1)},
        "ask": {"p50_ms": round(percentile(loaded["ask"], 0.5) * 1000, 1),
                "p95_ms": round(percentile(loaded["ask"], 0.95) * 1000, 1),
                "p99_ms": round(percentile(loaded["ask"], 0.99) * 1000, 1)},
        "single_search": {"p50_ms": round(single_p50 * 1000, 1), "per_s": round(single_rps, 1), "n": single_done},
        "search_p95_over_single_p50": round(percentile(loaded["search"], 0.95) / single_p50, 2) if single_p50 else None,
        "search_throughput_over_single": round(search_rps / single_rps, 2) if single_rps else None,
    }
    print(f"errors: {result['errors']}; uploads during the run: {uploads}")
    print(json.dumps(result))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
