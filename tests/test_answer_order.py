"""Which quoted sentence comes first: the one that answers, not the one that repeats the subject (no model)."""

from __future__ import annotations

from qa.extractive import extractive_answer
from retrieve.passage import Passage


class _FlatRarity:
    """Every word equally rare, so only the answerer's own ordering decides."""

    def idf(self, text: str) -> float:
        return 1.0


def _passage(title: str, text: str, rank: int = 0) -> Passage:
    return Passage(f"doc{rank}", f"doc{rank}#0", title, "", None, "", text, 0, len(text), 1.0 - rank / 10)


def _first_quote(question: str, concepts: list[list[str]], passages: list[Passage]) -> str:
    answer = extractive_answer(question, "zh", passages, concepts, _FlatRarity(), {})
    return answer.citations[0].sentence


def test_a_sentence_calling_the_subject_it_answers_over_ones_naming_the_subject():
    text = ("大果西番莲是西番莲属的植物中，果实最大的一种。大果西番莲有时候会在温室中种植。"
            "它的根部可用来当作催吐剂与麻醉药品。")
    passage = _passage("大果西番莲", text)
    first = _first_quote("大果西番莲的根部有什么作用？", [["大果西番莲"], ["根部"], ["作用"]], [passage])
    assert first == "它的根部可用来当作催吐剂与麻醉药品。"


def test_a_sentence_opening_with_he_is_about_the_subject_of_the_sentence_before():
    text = ("阿尔-穆瓦法克在该领域的贡献也是开创性的。他明确了碳酸钠和碳酸钾的区别。"
            "后人明确了许多物质的区别，但并不完整。")
    first = _first_quote("阿尔-穆瓦法克明确了哪两种物质的区别？", [["阿尔-穆瓦法克"], ["明确"], ["区别"]],
                         [_passage("药学", text)])
    assert first == "他明确了碳酸钠和碳酸钾的区别。"


def test_a_sentence_opening_with_it_holds_all_the_words_of_the_sentence_before():
    # What "该公司" refers to is named past the first clause of the sentence before ("1886 年，……").
    text = "1886 年，特斯拉资助了一家照明公司。该公司安装了电弧灯系统。后来，特斯拉在纽约安装了发电机。"
    first = _first_quote("照明公司安装了哪些东西？", [["照明公司"], ["安装"]], [_passage("尼古拉·特斯拉", text)])
    assert first == "该公司安装了电弧灯系统。"


def test_the_subject_in_the_title_does_not_pull_in_another_articles_sentence():
    about = _passage("尤金袋鼠", "尤金袋鼠共有三个亚种。它的体重约只有8公斤，适合饲养。")
    other = _passage("袋鼠", "红袋鼠的体重可达90公斤。", rank=1)
    first = _first_quote("尤金袋鼠的体重是多少？", [["尤金袋鼠"], ["体重"]], [about, other])
    assert first == "它的体重约只有8公斤，适合饲养。"


def test_a_figure_in_a_sentence_about_several_companies_does_not_contradict_the_subjects_own():
    from common.messages import message
    from qa.extractive import AnswerContext

    companies = {"智谱": ("智谱", "Zhipu AI"), "MiniMAX": ("MiniMAX",), "百川智能": ("百川智能",)}

    def entities_in(text: str) -> list[tuple[str, ...]]:
        return [forms for name, forms in companies.items() if name in text]

    own = _passage("智谱融资", "智谱最新一轮融资估值为 30 亿美元。")
    several = _passage("独角兽", "智谱、MiniMAX 以及百川智能等也作为独角兽（估值超过 10 亿美元的企业）而知名。", rank=1)
    context = AnswerContext(names=[list(companies["智谱"])], entities_in=entities_in)
    answer = extractive_answer("智谱的估值是多少？", "zh", [own, several], [["智谱"], ["估值"]], _FlatRarity(), {},
                               context=context)
    assert answer.short_answer == "30 亿美元"
    assert message("conflict_lead", "zh") not in answer.text
    # The same figure from a sentence about the subject alone is a disagreement worth showing.
    alone = _passage("智谱估值", "智谱的估值超过 10 亿美元。", rank=1)
    answer = extractive_answer("智谱的估值是多少？", "zh", [own, alone], [["智谱"], ["估值"]], _FlatRarity(), {},
                               context=context)
    assert message("conflict_lead", "zh") in answer.text


def test_a_sentence_naming_the_subject_is_about_it_even_when_the_lookup_finds_only_others():
    from qa.extractive import AnswerContext

    def entities_in(text: str) -> list[tuple[str, ...]]:
        # The lookup knows companies and people, not universities.
        return [forms for forms in [("DeepSeek",), ("梁文锋",)] if forms[0] in text]

    text = ("调查显示中国机构的作者人数大增，排名前100的机构中中国占31家。"
            "DeepSeek创始人梁文锋的母校浙江大学的作者人数从2020年的34人增至2024年的906人。")
    context = AnswerContext(names=[["浙江大学", "Zhejiang University"]], entities_in=entities_in)
    answer = extractive_answer("浙江大学2024年的作者人数是多少？", "zh", [_passage("论文调查", text)],
                               [["浙江大学"], ["作者"], ["人数"], ["2024"]], _FlatRarity(), {}, context=context)
    assert answer.citations[0].sentence.startswith("DeepSeek创始人")
    assert "906" in answer.short_answer


def test_an_english_question_picks_the_table_column_its_latin_words_name():
    text = ("| 模型 | 综合 | | 数学 |\n| --- | --- | --- | --- |\n| | LIVEBENCH | ARENA HARD | MATH (zero-shot) |\n"
            "| Step-2 | 44.1 | 86.0 | 68.4 |\n| GPT-4 | 45.0 | 74.6 | 64.1 |")
    answer = extractive_answer("What is Step-2's zero-shot MATH score?", "en", [_passage("主流测试集成绩", text)],
                               [["step-2"], ["zero-shot"], ["math"]], _FlatRarity(), {})
    assert answer.short_answer == "68.4"
    row = next(line for line in answer.text.split("\n") if "MATH (zero-shot): 68.4" in line)
    assert " — " not in row  # "86.0" glossed as "86" told an English reader nothing


def test_the_person_asked_about_is_never_the_person_asked_for():
    from qa.extractive import AnswerContext

    text = "早早吸引投资人押注，其中部分资方与杨植麟在创办循环智能时就已结缘。创始团队为清华计算机系同学。"
    context = AnswerContext(names=[["杨植麟", "Yang Zhilin"]])
    answer = extractive_answer("他读博时和谁一起创办了循环智能？", "zh", [_passage("月之暗面", text)],
                               [["杨植麟"], ["读博"], ["创办"], ["循环智能"]], _FlatRarity(), {}, context=context)
    assert "杨植麟" not in answer.short_answer


def test_a_sentence_ending_in_a_colon_is_quoted_with_what_it_introduces():
    text = "进入下一阶段，有两项不变的重要指标：\n第一，技术研发可持续。\n第二，商业模式闭环。\n此外，市场仍在变化。"
    answer = extractive_answer("进入下一阶段的两项不变指标是什么？", "zh", [_passage("报告", text)],
                               [["不变"], ["指标"]], _FlatRarity(), {})
    quotes = [c.sentence for c in answer.citations]
    assert quotes == ["进入下一阶段，有两项不变的重要指标：", "第一，技术研发可持续。", "第二，商业模式闭环。"]


def test_a_why_question_quotes_the_reasons_before_a_sentence_saying_therefore():
    reason = "次磷酸可以将碘还原为氢碘酸，进而可以制成冰毒。"
    therefore = "因此，次磷酸被列为易制毒化学品，购买受到严格管制。"
    text = reason + therefore + "它是一种无色油状液体。"
    passage = _passage("次磷酸", text)
    answer = extractive_answer("为什么次磷酸的购买受到严格管制？", "zh", [passage], [["次磷酸"], ["购买"], ["管制"]],
                               _FlatRarity(), {})
    quotes = [c.sentence for c in answer.citations]
    assert quotes[:2] == [reason, therefore]
    # One that gives its own reason answers by itself.
    own = _passage("单曲", "它在年初发行。所以发行前评价很高，因而获得第1名。")
    answer = extractive_answer("为什么它获得第1名？", "zh", [own], [["获得"], ["第1名"]], _FlatRarity(), {})
    assert answer.citations[0].sentence == "所以发行前评价很高，因而获得第1名。"


def _english_first_quote(passage: Passage, similarity: dict[str, dict[str, float]]) -> str:
    from qa.extractive import AnswerContext

    answer = extractive_answer("What does the club do in winter?", "en", [passage], [["club", "俱乐部"]],
                               _FlatRarity(), {}, context=AnswerContext(similarity=similarity))
    return answer.citations[0].sentence


def test_an_english_question_quotes_the_sentence_its_embedding_is_closest_to():
    # Both sentences name the club and nothing else of the question: the words cannot tell them apart.
    first, second = "这个俱乐部成立于一八九七年，位于市中心以北。", "这个俱乐部每年冬天都会组织滑雪和冰球比赛。"
    passage = _passage("俱乐部", first + second)
    assert _english_first_quote(passage, {}) == first
    close = {passage.chunk_id: {first: 0.71, second: 0.78}}
    assert _english_first_quote(passage, close) == second
    far = {passage.chunk_id: {first: 0.78, second: 0.71}}
    assert _english_first_quote(passage, far) == first


def test_the_embedding_outweighs_words_only_when_the_question_is_not_rendered_surely():
    from qa.extractive import AnswerContext

    words, vector = "这个俱乐部冬天组织滑雪比赛。", "这个俱乐部成立于一八九七年，位于市中心以北的山上。"
    passage = _passage("俱乐部", words + vector)
    similarity = {passage.chunk_id: {words: 0.70, vector: 0.80}}

    def first(sure_share: float) -> str:
        context = AnswerContext(similarity=similarity, sure_share=sure_share)
        answer = extractive_answer("Does the club hold ski races?", "en", [passage],
                                   [["club", "俱乐部"], ["ski", "滑雪"]], _FlatRarity(), {}, context=context)
        return answer.citations[0].sentence

    assert first(1.0) == words  # "ski" surely means 滑雪: the sentence saying it answers
    assert first(0.0) == vector  # a dictionary's guess at "ski" weighs less than the embedding


def test_no_person_named_from_a_sentence_that_does_not_say_what_is_asked():
    from qa.extractive import AnswerContext

    context = AnswerContext(names=[["智谱", "Zhipu AI"]], people=("拜登", "唐杰"))
    sanction = _passage("出口管制", "2025年1月15日，拜登政府将Zhipu AI的10家子公司列入限制贸易名单。")
    answer = extractive_answer("Who founded Zhipu AI?", "en", [sanction], [["Zhipu AI", "智谱"], ["创立", "创办"]],
                               _FlatRarity(), {}, context=context)
    assert not answer.abstained and answer.short_answer == "" and "**" not in answer.text
    founded = _passage("智谱", "智谱由唐杰创立。", rank=1)
    answer = extractive_answer("Who founded Zhipu AI?", "en", [sanction, founded],
                               [["Zhipu AI", "智谱"], ["创立", "创办"]], _FlatRarity(), {}, context=context)
    assert answer.short_answer == "唐杰"
    # Figures are still read from a sentence naming the subject: the relation check is for people only.
    valuation = _passage("智谱", "智谱最新一轮融资为 30 亿美元。")
    answer = extractive_answer("What is Zhipu AI's valuation?", "en", [valuation], [["Zhipu AI", "智谱"], ["估值"]],
                               _FlatRarity(), {}, context=context)
    assert answer.short_answer == "30 亿美元"



def test_markup_left_in_a_sentence_is_never_quoted():
    from common.sentences import says_something

    text = ("他明确了碳酸钠和碳酸钾的区别。[verification needed]\n"
            "应力张量导致了产生所有应变的力。：133–134:38-1–38-11")
    # Nothing in the passage matches the question's words, so every sentence ties and all may be quoted.
    answer = extractive_answer("这些物质有哪些性质？", "zh", [_passage("药学", text)], [["性质"]], _FlatRarity(), {})
    quoted = [c.sentence for c in answer.citations]
    assert quoted == ["他明确了碳酸钠和碳酸钾的区别。", "应力张量导致了产生所有应变的力。"]
    assert not says_something("[citation needed]") and says_something("身高182CM")


def test_a_row_counts_the_column_names_of_a_second_header_row():
    # Categories above the rule, benchmark names below it: the row's score is read under MMLU, not 中文综合.
    text = ("abab-6.5 在 MT-Bench、AlignBench、MMLU 等多个 Benchmark 上成绩接近 GPT-4。\n\n"
            "| | 英文综合 | | 中文综合 |\n| --- | --- | --- | --- |\n| | MT-Bench | AlignBench | MMLU |\n"
            "| abab-6.5 | 8.77 | 7.42 | 78.7 |\n| GPT-4 | 9.01 | 7.53 | 86.4 |\n")
    answer = extractive_answer("abab-6.5 在 MMLU 上得了多少分？", "zh", [_passage("评测", text)],
                               [["abab-6.5"], ["mmlu"], ["分"]], _FlatRarity(), {})
    assert answer.short_answer == "78.7"
    assert answer.citations[0].sentence == "| abab-6.5 | 8.77 | 7.42 | 78.7 |"


def test_a_body_answering_who_is_not_shown_as_a_person_in_pinyin():
    passage = _passage("报道", "据彭博社消息，该公司计划上市。唐杰创立了该公司。")
    reported = extractive_answer("Who reported the listing plan?", "en", [passage], [["reported", "消息"]],
                                 _FlatRarity(), {})
    founded = extractive_answer("Who founded the company?", "en", [passage], [["founded", "创立"]], _FlatRarity(), {})
    assert "Peng" not in reported.text and "**Tang Jie (唐杰)**" in founded.text


def test_another_articles_figure_disputes_only_an_answer_to_the_same_question():
    from common.messages import message

    question, concepts = "纽约证券交易所这个名字是何时出现的？", [["纽约证券交易所"], ["这个"], ["名字"], ["出现"]]
    renamed = _passage("纽约证券交易所", "1863年，纽约证券和交易管理处改名为纽约证券交易所，这个名字沿用至今。")
    # Another article's year for some other name does not dispute it: it does not name the exchange.
    other_name = _passage("计算神经科学", "这个名字首次出现于1985年。", rank=1)
    answer = extractive_answer(question, "zh", [renamed, other_name], concepts, _FlatRarity(), {})
    assert answer.short_answer == "1863年" and message("conflict_lead", "zh") not in answer.text
    # One that states as much about the exchange with another year does.
    disputed = _passage("纽约", "纽约证券交易所这个名字在1817年就已使用。", rank=1)
    answer = extractive_answer(question, "zh", [renamed, disputed], concepts, _FlatRarity(), {})
    assert message("conflict_lead", "zh") in answer.text
