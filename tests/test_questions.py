"""Consistency checks for the fixed evaluation question set (eval/questions.jsonl)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "eval" / "questions.jsonl"
CORPUS = ROOT / "data" / "corpus"

LANGS = {"zh", "zh-Hant", "en"}
# Questions the articles cannot answer: what they never say, other subjects, other companies, and figures
# they never give for the companies they cover.
UNANSWERABLE = {"unanswerable", "off-topic", "other-company", "near-miss"}
TYPES = {"fact", "table", "date", "person", "comparison", "conflict"} | UNANSWERABLE
SPLITS = {"dev", "test"}
REQUIRED = {
    "id": str,
    "split": str,
    "lang": str,
    "type": str,
    "question": str,
    "answerable": bool,
    "evidence": list,
    "answers": list,
}

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PINYIN_LETTERS = "a-zàáâäāǎèéêëēěìíîïīǐòóôöōǒùúûüūǔǖǘǚǜńňǹḿ"
# A parenthesised run of lowercase (tone-marked) Latin letters right after a CJK character, e.g. 個(gè).
PINYIN = re.compile(rf"(?<=[{_CJK}])[(（][{_PINYIN_LETTERS}]+[)）]")
TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")


def strip_annotations(text: str) -> str:
    return PINYIN.sub("", text)


def squash(text: str) -> str:
    """NFKC with all whitespace removed."""
    return unicodedata.normalize("NFKC", SPACE.sub("", text))


@cache
def raw_doc(doc_id: str) -> str:
    return (CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8")


@cache
def reader_text(doc_id: str) -> str:
    """Document as a reader sees it: no pinyin annotations, no HTML tags; squashed."""
    return squash(TAG.sub("", strip_annotations(raw_doc(doc_id))))


@cache
def reader_segments(doc_id: str) -> tuple[str, ...]:
    """Squashed pieces a quote must stay within: lines, split again at tags, table cells and `**`."""
    text = TAG.sub("\n", strip_annotations(raw_doc(doc_id)))
    pieces = []
    for line in text.split("\n"):
        for cell in line.split("|"):
            pieces.extend(squash(seg) for seg in cell.split("**"))
    return tuple(p for p in pieces if p)


def load_rows() -> list[dict]:
    rows = []
    with QUESTIONS.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:  # pragma: no cover - reported as failure
                pytest.fail(f"line {lineno} is not valid JSON: {exc}")
    return rows


ROWS = load_rows()
DOC_IDS = {p.stem for p in CORPUS.glob("*.txt")}


def _evidence_params():
    for row in ROWS:
        for k, ev in enumerate(row.get("evidence", [])):
            yield pytest.param(row, ev, id=f"{row.get('id')}-{k}")


def test_file_has_enough_questions():
    assert len(ROWS) >= 120


def test_ids_unique():
    counts = Counter(row.get("id") for row in ROWS)
    dupes = [i for i, n in counts.items() if n > 1]
    assert not dupes, dupes


@pytest.mark.parametrize("row", ROWS, ids=[str(r.get("id")) for r in ROWS])
def test_row_fields(row):
    for key, typ in REQUIRED.items():
        assert key in row, f"missing {key}"
        assert isinstance(row[key], typ), f"{key} should be {typ.__name__}"
    assert re.fullmatch(r"q\d{3,}", row["id"])
    assert row["split"] in SPLITS
    assert row["lang"] in LANGS
    assert row["type"] in TYPES
    assert row["question"].strip()
    assert row["answerable"] == (row["type"] not in UNANSWERABLE)
    if row["answerable"]:
        assert row["evidence"], "answerable question without evidence"
        assert row["answers"], "answerable question without answer keys"
        assert all(isinstance(a, str) and a.strip() for a in row["answers"])
    else:
        assert row["evidence"] == []
        assert row["answers"] == []
    for ev in row["evidence"]:
        assert set(ev) == {"doc_id", "quote"}
        assert ev["doc_id"] in DOC_IDS, ev["doc_id"]
        assert isinstance(ev["quote"], str)


def test_question_text_unique():
    counts = Counter(row["question"] for row in ROWS)
    assert not [q for q, n in counts.items() if n > 1]


def test_enough_unanswerable():
    assert sum(1 for row in ROWS if not row["answerable"]) >= 12


def test_unanswerable_in_every_language():
    langs = {row["lang"] for row in ROWS if not row["answerable"]}
    assert langs == LANGS


def test_both_splits_for_every_language():
    seen = {(row["lang"], row["split"]) for row in ROWS}
    for lang in LANGS:
        for split in SPLITS:
            assert (lang, split) in seen, (lang, split)


def test_every_type_present():
    assert {row["type"] for row in ROWS} == TYPES


def test_every_document_has_evidence():
    cited = {ev["doc_id"] for row in ROWS for ev in row["evidence"]}
    assert cited == DOC_IDS


def test_conflict_questions_cite_several_passages():
    for row in ROWS:
        if row["type"] == "conflict":
            quotes = {(ev["doc_id"], ev["quote"]) for ev in row["evidence"]}
            assert len(quotes) >= 2, row["id"]


@pytest.mark.parametrize("row,ev", list(_evidence_params()))
def test_quote_shape(row, ev):
    quote = ev["quote"]
    assert 6 <= len(quote) <= 40, (row["id"], quote)
    assert "\n" not in quote and "\r" not in quote
    assert "|" not in quote and "**" not in quote
    assert "<" not in quote and ">" not in quote
    assert not PINYIN.search(quote), "quotes are written without pinyin annotations"


@pytest.mark.parametrize("row,ev", list(_evidence_params()))
def test_quote_occurs_in_document(row, ev):
    assert squash(ev["quote"]) in reader_text(ev["doc_id"]), (row["id"], ev["quote"])


@pytest.mark.parametrize("row,ev", list(_evidence_params()))
def test_quote_within_one_line_or_cell(row, ev):
    needle = squash(ev["quote"])
    assert any(needle in seg for seg in reader_segments(ev["doc_id"])), (row["id"], ev["quote"])


def _to_simplified():
    try:
        from opencc import OpenCC
    except ImportError:  # pragma: no cover - opencc is optional here
        return lambda s: s
    conv = OpenCC("t2s")
    return conv.convert


@pytest.mark.parametrize("row", [r for r in ROWS if r["answerable"]], ids=lambda r: r["id"])
def test_some_answer_key_occurs_in_cited_documents(row):
    simp = _to_simplified()
    docs = {ev["doc_id"] for ev in row["evidence"]}
    texts = [simp(reader_text(d)).lower() for d in docs]
    keys = [simp(squash(a)).lower() for a in row["answers"]]
    assert any(k in t for k in keys for t in texts), row["id"]
