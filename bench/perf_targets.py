"""Issue 16's start-up and ingest targets for the default embedder, with CPU
time beside wall time (the machine is shared: wall time is CPU time plus
waiting for a core, so the load average is recorded at every step).

    python bench/perf_targets.py [--runs 5] [--json]

* ingest: `ingest` of the 200 knowledge passages into a fresh data dir, in a
  fresh process, timed from after the model load (as bot.evaluation.bench's
  sp_ingest) to the published store; passages/s by wall and CPU seconds.
  The router's fit and the question-bank vectors are content-keyed caches
  (SOCIALPOLICY_CACHE_DIR, else .cache/bench), filled by one untimed ingest
  first: fitting the router is a one-off per bank and embedder, not ingest.
* cold start: `python -m bot.cli ask` on that ingested data dir, process
  start to the first line of the answer (the target), and the child's CPU
  seconds until it exits.

Each is the median of --runs fresh processes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

QUESTION = "foto van studenten op instagram?"
TARGETS = {"ingest_passages_per_s": 60.0, "cold_start_s": 2.0}


def worker_ingest() -> dict:
    started_cpu = time.process_time()
    from bot.container import build_store, ingest
    from bot.infra.embedders import make_embeddings
    from bot.settings import Settings

    settings = Settings()
    embeddings = make_embeddings(settings.embedding_model, settings.embedding_threads, settings.embedding_cache_dir)
    wall, cpu = time.perf_counter(), time.process_time()
    store = build_store(settings, embeddings)
    report, _ = ingest(settings, store)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"passages": report.chunks, "added": report.added, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "startup_cpu_s": round(time.process_time() - started_cpu - cpu, 3),
            "passages_per_s": round(report.chunks / wall, 1), "passages_per_cpu_s": round(report.chunks / cpu, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def _env(data_dir: Path, cache_dir: Path) -> dict:
    env = dict(os.environ)
    env.update({"SOCIALPOLICY_DATA_DIR": str(data_dir), "SOCIALPOLICY_CACHE_DIR": str(cache_dir),
                "SOCIALPOLICY_LOG_LEVEL": "WARNING", "CHROMA_HOST": "", "DATABASE_URL": "",
                "PYTHONPATH": str(REPO) + os.pathsep + env.get("PYTHONPATH", "")})
    for name in ("SOCIALPOLICY_EMBEDDING_MODEL", "SOCIALPOLICY_EMBEDDING_THREADS", "SOCIALPOLICY_CONFIG"):
        env.pop(name, None)  # the defaults are what is measured
    return env


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_ingest(env: dict) -> dict:
    done = subprocess.run([sys.executable, __file__, "--worker", "ingest"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"ingest worker failed: {done.stderr[-2000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["load_average_1m"] = round(os.getloadavg()[0], 1)
    return out


def cold_start(env: dict) -> dict:
    from bot.evaluation.bench import time_to_first_line

    cpu = children_cpu()
    got = time_to_first_line([sys.executable, "-m", "bot.cli", "ask", QUESTION], {**env, "COLUMNS": "100"})
    if not got["ok"]:
        raise RuntimeError(f"cold ask failed: {got}")
    return {"first_answer_s": got["first_answer_s"], "cpu_s": round(children_cpu() - cpu, 3),
            "peak_rss_mb": got["peak_rss_mb"], "load_average_1m": round(os.getloadavg()[0], 1)}


def median(rows: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in rows), 3)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker")
    ns = parser.parse_args()
    if ns.worker == "ingest":
        print(json.dumps(worker_ingest()))
        return 0

    cache = Path(os.environ.get("SOCIALPOLICY_CACHE_DIR") or REPO / ".cache" / "bench")
    work = Path(tempfile.mkdtemp(prefix="bench-perf-"))
    load_start = os.getloadavg()
    warm = run_ingest(_env(work / "warm", cache))  # fills the content-keyed caches; not reported
    ingests = [run_ingest(_env(work / f"ingest{i}", cache)) for i in range(ns.runs)]
    colds = [cold_start(_env(work / "warm", cache)) for _ in range(ns.runs)]
    result = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_average_start": [round(x, 1) for x in load_start],
        "ingest": {"passages": warm["passages"], "runs": ingests,
                   "median_passages_per_s": median(ingests, "passages_per_s"),
                   "median_wall_s": median(ingests, "wall_s"), "median_cpu_s": median(ingests, "cpu_s"),
                   "median_passages_per_cpu_s": median(ingests, "passages_per_cpu_s")},
        "cold_start": {"runs": colds, "median_first_answer_s": median(colds, "first_answer_s"),
                       "median_cpu_s": median(colds, "cpu_s")},
        "load_average_end": [round(x, 1) for x in os.getloadavg()],
        "targets": TARGETS,
    }
    result["targets_met"] = {
        "ingest_passages_per_s": result["ingest"]["median_passages_per_s"] >= TARGETS["ingest_passages_per_s"],
        "cold_start_s": result["cold_start"]["median_first_answer_s"] <= TARGETS["cold_start_s"],
    }
    if ns.json:
        print(json.dumps(result, indent=1))
    else:
        i, c = result["ingest"], result["cold_start"]
        print(f"ingest ({i['passages']} passages, fresh store): {i['median_passages_per_s']} passages/s wall "
              f"({i['median_wall_s']} s), CPU {i['median_cpu_s']} s = {i['median_passages_per_cpu_s']} passages per "
              f"CPU second; target >= {TARGETS['ingest_passages_per_s']:g}/s")
        print(f"cold start (process start -> answer): {c['median_first_answer_s']} s wall, {c['median_cpu_s']} s CPU; "
              f"target <= {TARGETS['cold_start_s']:g} s")
        print(f"load average: start {result['load_average_start']}, end {result['load_average_end']} "
              f"on {result['cpus']} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
