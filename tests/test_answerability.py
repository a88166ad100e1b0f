"""The answer/decline decision: evidence signals, the calibrated model and how it is fitted."""

from __future__ import annotations

import json
from typing import ClassVar

import numpy as np
import pytest

from common.errors import IndexCorruptError
from eval.calibrate import LEFT_OUT, Sample, best_threshold, calibrate, fit_logistic
from qa.abstain import AbstainPolicy, AnswerabilityModel
from qa.evidence import (
    NAMES,
    EvidenceSignals,
    key_terms,
    quoted_subjects,
    signals,
    stated,
    subject_names,
    visible_share,
)
from retrieve.expand import Entity, Expansion, Rendering
from retrieve.hybrid import Retrieval
from retrieve.passage import Passage


class Rarity:
    """Document frequencies of a tiny corpus of 100 passages."""

    passages = 100
    doc_freq: ClassVar[dict[str, int]] = {"智谱": 30, "估值": 20, "腾讯": 3, "创始人": 40, "tokens": 3, "上海": 2}

    def seen(self, text: str) -> bool:
        from common.tokenize import tokenize

        tokens = tokenize(text)
        return bool(tokens) and all(t in self.doc_freq for t in tokens)

    def idf(self, text: str) -> float:
        return 1.0

    def rarest_doc_freq(self, text: str) -> int:
        from common.tokenize import tokenize

        return min((self.doc_freq.get(t, 0) for t in tokenize(text)), default=0)


def _retrieval(language: str, *texts: str, renderings=(), dense=0.85, spread=3.0) -> Retrieval:
    passages = [Passage("d", f"d#{i}", "", "", "", "", t, 0, len(t), 1.0) for i, t in enumerate(texts)]
    return Retrieval(passages, language, Expansion(renderings=list(renderings)), dense, dense_spread=spread)


def test_key_terms_are_names_numbers_quotes_and_rare_words():
    rarity = Rarity()
    zh = key_terms("《红楼梦》的作者在 1791 年去了腾讯吗？", _retrieval("zh"), rarity)
    flat = [forms[0] for forms in zh]
    assert "红楼梦" in flat and "1791" in flat and "腾讯" in flat
    assert "作者" in flat  # never in the corpus: rare by definition
    shanghai = Rendering("dictionary", "shanghai", ("上海",), 0.5)
    en = key_terms("Who is the CEO of Google in Shanghai?", _retrieval("en", renderings=[shanghai]), rarity)
    assert ["google"] in en and ["shanghai", "上海"] in en
    assert not any(forms[0] in ("who", "is") for forms in en)


def test_signals_see_missing_names_and_unseen_words():
    rarity = Rarity()
    about = signals("Who is the CEO of Google?", _retrieval("en", "Google 的 CEO 是某人。"), rarity)
    other = signals("Who is the CEO of Google?", _retrieval("en", "智谱的估值。"), rarity)
    assert about.key_coverage > other.key_coverage
    assert other.unseen > 0 and other.dense == 0.85 and other.spread == 3.0


def test_visible_share_is_the_part_of_the_question_the_corpus_writes():
    rarity = Rarity()
    assert visible_share([["腾讯"], ["创始人"]], rarity) == 1.0
    assert visible_share([["腾讯"], ["天气", "weather"]], rarity) == 0.5  # Rarity weighs every word alike
    assert visible_share([["天气"]], rarity) == 0.0
    assert visible_share([], rarity) == 1.0


_TENCENT = Entity("company", ("腾讯",), ("Tencent",))
_MINIMAX = Entity("company", ("稀宇科技",), ("MiniMax",))


def _about(concepts: list[list[str]], *texts: str, section: str = "", named=(_TENCENT,)) -> Retrieval:
    passages = [Passage("d", f"d#{i}", "", "", "", section, t, 0, len(t), 1.0) for i, t in enumerate(texts)]
    return Retrieval(passages, "zh", Expansion(entities=list(named), concepts=concepts), 0.85)


def test_stated_needs_the_subject_and_another_question_word_in_one_sentence():
    founder = [["腾讯", "tencent"], ["创始人", "创始"]]
    # Tencent only among investors, and a founder only of another company: nothing ties them.
    apart = _about(founder, "投资方包括腾讯、阿里。该轮融资于2023年完成。杨植麟是月之暗面的创始人。")
    assert stated(apart, {}) == 0.0
    assert stated(_about(founder, "马化腾是腾讯的创始人。"), {}) == 1.0
    # "该公司" refers to the sentence before; a section heading names what its sentences leave out.
    assert stated(_about(founder, "腾讯成立于1998年。该公司的创始人是马化腾。"), {}) == 1.0
    assert stated(_about(founder, "其创始人是马化腾。", section="腾讯"), {}) == 1.0
    # A table row names its subject through the text above its table.
    row = _about(founder, "| 创始人 | 马化腾 |")
    assert stated(row, {}) == 0.0 and stated(row, {"d#0": "腾讯的团队"}) == 1.0
    # Two subjects named together are tied to each other.
    both = [["腾讯", "tencent"], ["稀宇科技", "minimax"]]
    assert stated(_about(both, "腾讯投资了稀宇科技。", named=(_TENCENT, _MINIMAX)), {}) == 1.0
    # A question naming no subject, or nothing besides it, is not judged.
    assert stated(_retrieval("zh", "投资方包括腾讯。"), {}) == 1.0
    assert stated(_about([["腾讯", "tencent"], ["什么"]], "投资方包括阿里。"), {}) == 1.0


def _model(threshold: float = 0.5) -> AnswerabilityModel:
    # Answer when the best cosine is high: p = sigmoid(40 * (dense - 0.8)).
    weights = [40.0] + [0.0] * (len(NAMES) - 1)
    return AnswerabilityModel({"en": weights, "zh": weights}, {"en": -32.0, "zh": -32.0},
                              {"en": threshold, "zh": threshold})


def test_policy_declines_weak_evidence_and_answers_strong():
    policy = AbstainPolicy(model=_model())
    strong = policy.decide("智谱的估值是多少？", _retrieval("zh", "智谱估值 400 亿元。", dense=0.9), Rarity())
    weak = policy.decide("智谱的估值是多少？", _retrieval("zh", "智谱估值 400 亿元。", dense=0.7), Rarity())
    assert not strong.abstain and strong.reason == "answerable" and strong.probability > 0.9
    assert weak.abstain and weak.reason == "weak evidence"
    assert policy.decide("智谱？", _retrieval("zh"), Rarity()).abstain  # no passages at all


def test_a_model_file_for_other_signals_is_a_clear_error(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"signals": ["dense"], "weights": {"en": [1], "zh": [1]}, "bias": {"en": 0, "zh": 0},
                                "threshold": {"en": 0.5, "zh": 0.5}}), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match=r"eval\.calibrate"):
        AnswerabilityModel.load(path)
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError):
        AnswerabilityModel.load(path)


def test_the_shipped_model_loads_and_ranks_evidence_sensibly():
    model = AnswerabilityModel.load()
    good = EvidenceSignals(0.92, 4.0, 0.9, 0.9, 1.0, 1.0, 0.0, 1.0, 1.0, 0.3, 0.92, 0.4)
    poor = EvidenceSignals(0.80, 1.0, 0.1, 0.1, 0.0, 1.0, 1.0, 0.3, 1.0, 0.01, 0.78, -0.1)
    for language in ("en", "zh", "zh-Hant"):
        assert model.probability(language, good) > model.probability(language, poor)


def test_logistic_fit_separates_separable_data():
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0.9, 0.02, (50, 1)), rng.normal(0.7, 0.02, (50, 1))])
    y = np.array([1.0] * 50 + [0.0] * 50)
    weights, bias = fit_logistic(x, y, np.ones(100))
    p = 1 / (1 + np.exp(-(x @ weights + bias)))
    assert (p[:50] > 0.5).all() and (p[50:] < 0.5).all()


def test_threshold_keeps_every_set_answering_its_target():
    samples = [Sample("a", "zh", True, ()), Sample("a", "zh", True, ()), Sample("a", "zh", False, ()),
               Sample("b", "zh", True, ()), Sample("b", "zh", False, ())]
    probs = np.array([0.9, 0.6, 0.5, 0.8, 0.2])
    # Answering both of a's answerable questions needs t <= 0.6; b's needs t <= 0.8.
    assert best_threshold(samples, probs, target=1.0) == 0.6
    assert best_threshold(samples, probs, target=0.5) == 0.8


def test_refitting_one_language_group_keeps_the_others_fit(capsys):
    rng = np.random.default_rng(1)
    samples = [Sample("a", "en", bool(i % 2), tuple(rng.normal(0.5 + 0.2 * (i % 2), 0.1, len(NAMES))))
               for i in range(40)]
    old_signals = [n for n in NAMES if n not in LEFT_OUT["zh"]]
    previous = {"signals": old_signals, "weights": {"zh": [float(i) for i in range(len(old_signals))]},
                "bias": {"zh": -1.5}, "threshold": {"zh": 0.4}, "fitted_on": {"zh": {"a answerable": 3}}}
    model = calibrate(samples, ("en",), previous)
    kept = dict(zip(NAMES, model["weights"]["zh"], strict=True))
    assert [kept[n] for n in old_signals] == previous["weights"]["zh"]
    assert all(kept[n] == 0.0 for n in LEFT_OUT["zh"])
    assert model["bias"]["zh"] == -1.5 and model["threshold"]["zh"] == 0.4
    assert any(w != 0 for w in model["weights"]["en"]) and "en: threshold" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="refit every group"):
        calibrate(samples, ("en",), {**previous, "signals": ["dense"], "weights": {"zh": [1.0]}})


def test_without_a_glossary_a_name_spelled_in_pinyin_is_the_subject():
    spelled = Rendering("pinyin", "yang zhilin", ("杨植麟",), 1.0)
    mined = Rendering("names", "ai", ("智能",), 1.0)  # a bracket pair may be a term, not what is asked about
    assert subject_names(Expansion(renderings=[spelled, mined])) == [["yang zhilin", "杨植麟"]]
    moonshot = Entity("company", ("月之暗面",), ("Moonshot AI",))
    assert subject_names(Expansion(entities=[moonshot], renderings=[spelled])) == [["月之暗面", "Moonshot AI"]]


def test_quotes_are_about_a_capitalised_name_the_corpus_gives_in_brackets():
    tesla = Rendering("names", "tesla", ("特斯拉",), 1.0)
    term = Rendering("names", "ai", ("智能",), 1.0)
    expansion = Expansion(renderings=[tesla, term])
    assert quoted_subjects("Where did Tesla live, and what is ai?", expansion) == [["tesla", "特斯拉"]]
    assert quoted_subjects("where did tesla live?", expansion) == []
    spelled = Rendering("pinyin", "yang zhilin", ("杨植麟",), 1.0)
    assert quoted_subjects("Did Yang Zhilin meet Tesla?", Expansion(renderings=[spelled, tesla])) == \
        [["yang zhilin", "杨植麟"]]
