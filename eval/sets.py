"""The evaluation sets: our own questions and the public benchmarks, each with its corpus and data folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.settings import ROOT, Settings
from eval.questions import BENCHMARKS_DIR, QUESTIONS_PATH, Question, load_questions


@dataclass(frozen=True)
class EvalSet:
    """A question file over a corpus; benchmark indexes live in their own data folder."""

    name: str
    questions_path: Path
    corpus_dir: Path | None = None  # None: the configured corpus (our articles)

    def settings(self, base: Settings) -> Settings:
        """Settings that search this set's corpus, keeping everything else from ``base``."""
        if self.corpus_dir is None:
            return base
        return base.with_(corpus_dir=self.corpus_dir, data_dir=base.data_dir / "eval" / self.name)

    def questions(self, split: str = "dev") -> list[Question]:
        """The set's questions in ``split`` (benchmarks are all dev: their held-out halves live elsewhere)."""
        return load_questions(self.questions_path, split=split)


def dev_sets() -> list[EvalSet]:
    """Every set the product is tuned and gated on: our dev split and the two benchmarks."""
    return [
        EvalSet("articles", QUESTIONS_PATH),
        EvalSet("xquad-dev", BENCHMARKS_DIR / "xquad-dev" / "questions.jsonl", BENCHMARKS_DIR / "xquad-dev" / "corpus"),
        EvalSet("cmrc2018-trial", BENCHMARKS_DIR / "cmrc2018-trial" / "questions.jsonl",
                BENCHMARKS_DIR / "cmrc2018-trial" / "corpus"),
    ]


def custom_set(corpus: Path, questions: Path) -> EvalSet:
    """A set for any corpus folder and question file (``python -m eval --corpus DIR --questions FILE``)."""
    corpus, questions = corpus.resolve(), questions.resolve()
    name = corpus.name if corpus.name != "corpus" else corpus.parent.name
    if corpus == (ROOT / "data" / "corpus").resolve():
        return EvalSet("articles", questions)
    return EvalSet(name, questions, corpus)
