"""Consistency checks for the fixed evaluation question set (eval/questions.jsonl)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from common.patterns import PINYIN_READING

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

TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")


def strip_annotations(text: str) -> str:
    return PINYIN_READING.sub("", text)


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


def _evidence():
    for row in ROWS:
        for ev in row.get("evidence", []):
            yield row, ev


def _row_problems(row: dict) -> list[str]:
    """What is wrong with one row's fields (nothing when it is well formed)."""
    problems = [f"missing {key}" for key in REQUIRED if key not in row]
    problems += [f"{key} should be {typ.__name__}" for key, typ in REQUIRED.items()
                 if key in row and not isinstance(row[key], typ)]
    if problems:
        return problems
    checks = {
        "id is not q<digits>": re.fullmatch(r"q\d{3,}", row["id"]),
        f"split {row['split']!r} unknown": row["split"] in SPLITS,
        f"lang {row['lang']!r} unknown": row["lang"] in LANGS,
        f"type {row['type']!r} unknown": row["type"] in TYPES,
        "empty question": row["question"].strip(),
        "answerable disagrees with type": row["answerable"] == (row["type"] not in UNANSWERABLE),
    }
    if row["answerable"]:
        checks["answerable question without evidence"] = row["evidence"]
        checks["answerable question without answer keys"] = row["answers"]
        checks["blank answer key"] = all(isinstance(a, str) and a.strip() for a in row["answers"])
    else:
        checks["unanswerable question with evidence or answers"] = row["evidence"] == row["answers"] == []
    for ev in row["evidence"]:
        checks[f"evidence {ev} is not doc_id + quote"] = isinstance(ev, dict) and set(ev) == {"doc_id", "quote"}
        checks[f"unknown document {ev.get('doc_id')}"] = ev.get("doc_id") in DOC_IDS
        checks[f"quote {ev.get('quote')!r} is not text"] = isinstance(ev.get("quote"), str)
    return [problem for problem, ok in checks.items() if not ok]


def _report(bad: list) -> str:
    return f"{len(bad)} bad:\n" + "\n".join(map(str, bad))


def test_file_has_enough_questions():
    assert len(ROWS) >= 120


def test_ids_unique():
    counts = Counter(row.get("id") for row in ROWS)
    dupes = [i for i, n in counts.items() if n > 1]
    assert not dupes, dupes


def test_every_row_is_well_formed():
    bad = [(row.get("id"), problem) for row in ROWS for problem in _row_problems(row)]
    assert not bad, _report(bad)


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


def test_quotes_are_short_plain_reader_text():
    def shape_ok(quote: str) -> bool:
        return (6 <= len(quote) <= 40 and not any(mark in quote for mark in ("\n", "\r", "|", "**", "<", ">"))
                and not PINYIN_READING.search(quote))  # quotes are written without pinyin annotations

    bad = [(row["id"], ev["quote"]) for row, ev in _evidence() if not shape_ok(ev["quote"])]
    assert not bad, _report(bad)


def test_quotes_occur_in_their_document():
    bad = [(row["id"], ev["quote"]) for row, ev in _evidence() if squash(ev["quote"]) not in reader_text(ev["doc_id"])]
    assert not bad, _report(bad)


def test_quotes_stay_within_one_line_or_cell():
    bad = [(row["id"], ev["quote"]) for row, ev in _evidence()
           if not any(squash(ev["quote"]) in seg for seg in reader_segments(ev["doc_id"]))]
    assert not bad, _report(bad)


def test_some_answer_key_occurs_in_the_cited_documents():
    from opencc import OpenCC

    simp = OpenCC("t2s").convert
    bad = []
    for row in (r for r in ROWS if r["answerable"]):
        texts = [simp(reader_text(d)).lower() for d in {ev["doc_id"] for ev in row["evidence"]}]
        keys = [simp(squash(a)).lower() for a in row["answers"]]
        if not any(k in t for k in keys for t in texts):
            bad.append((row["id"], row["answers"]))
    assert not bad, _report(bad)
