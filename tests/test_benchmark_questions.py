"""Benchmark question files load like ours, and a passage is a hit by the benchmarks' own rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.questions import BENCHMARKS_DIR, load_questions
from eval.sets import custom_set, dev_sets

GOLD = "夏季剧院位于附近的萨克森花园（波兰语：Ogród Saski）中，从 1870 年到 1939 年运营。剧院综合体还包括歌厅。"


def _write(tmp_path: Path, **row) -> Path:
    base = {"id": "x1-en", "lang": "en", "question": "What is the Saxon Garden in Polish?", "answerable": True,
            "doc_id": "01_Warsaw", "gold_paragraph": GOLD, "answers": ["Ogród Saski"], "answers_en": ["Ogród Saski"]}
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(base | row, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_benchmark_rows_load_as_dev_questions(tmp_path):
    (q,) = load_questions(_write(tmp_path))
    assert q.split == "dev" and q.answers_en == ("Ogród Saski",) and q.evidence == ()


def test_a_hit_overlaps_the_gold_paragraph_and_holds_an_answer(tmp_path):
    (q,) = load_questions(_write(tmp_path))
    assert q.hit("前文。夏季剧院位于附近的萨克森花园（波兰语：Ogród Saski）中")
    # Sharing only the paragraph's tail (a chunk's overlap) without the answer is not a hit.
    assert not q.hit("从 1870 年到 1939 年运营。剧院综合体还包括歌厅。下一段")
    # Naming the answer elsewhere is not a hit either.
    assert not q.hit("另一篇文章也提到 Ogród Saski，但说的是别的事情，与那座剧院毫无关系。")


def test_a_malformed_row_names_its_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "lang": "zh"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:1"):
        load_questions(path)


def test_every_dev_set_is_shipped_with_the_project():
    for eval_set in dev_sets():
        questions = eval_set.questions("dev")
        assert questions, eval_set.name
        if eval_set.corpus_dir is not None:
            assert eval_set.corpus_dir.is_dir() and any(eval_set.corpus_dir.glob("*.md"))
            # Every answerable benchmark question's answer lies in its gold paragraph.
            assert all(q.hit(q.gold_paragraph) for q in questions if q.answerable)


def test_a_custom_corpus_gets_its_own_data_folder(tmp_path):
    from common.settings import Settings

    eval_set = custom_set(BENCHMARKS_DIR / "xquad-dev" / "corpus", BENCHMARKS_DIR / "xquad-dev" / "questions.jsonl")
    settings = eval_set.settings(Settings().with_(data_dir=tmp_path))
    assert eval_set.name == "xquad-dev" and settings.data_dir == tmp_path / "eval" / "xquad-dev"
