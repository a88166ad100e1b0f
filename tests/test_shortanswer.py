"""The short answer: question types and the span of a sentence that answers (no model needed)."""

from __future__ import annotations

import pytest

from qa.shortanswer import extract_span, holds_kind, is_factoid, question_kind, reads_as_person


@pytest.mark.parametrize(("question", "kind"), [
    ("月之暗面的创始人是谁？", "person"),
    ("Who founded Moonshot AI?", "person"),
    ("哪一位微软首席执行官是芝加哥大学校友？", "person"),
    ("智谱AI成立于哪一年？", "time"),
    ("When was StepFun founded?", "time"),
    ("MiniMax 2024 年收入大约多少？", "number"),
    ("How many foundation models did Stepfun put out?", "number"),
    ("What is Moonshot AI's valuation?", "number"),
    ("What was the city's population in 1901?", "number"),  # a measure asked for by its noun
    ("What is used to calculate the cross section area?", "entity"),  # a measure noun, but not what is asked
    ("DeepSeek 位于哪里？", "place"),
    ("无问芯穹推出的云平台叫什么名字？", "entity"),
    ("“六小虎”指的是哪些公司？", "list"),
    ("「六小虎」裡哪幾家屬於轉型派？", "list"),  # "which ones", not "how many"
    ("有几家公司获得了投资？", "number"),
    ("Which investors backed Zhipu AI?", "list"),
    ("Who invested in Baichuan?", "list"),  # investors come several to a round
    ("为什么百川智能转向医疗？", "explain"),
    ("介绍一下月之暗面", "explain"),
    ("谁介绍了通过海水蒸馏获得饮用水？", "person"),  # who did the introducing, not a request to introduce
    ("旧富国银行后来改名为什么？", "entity"),
    ("How did Moonshot grow so fast?", "explain"),
    ("什么是梧桐树协议？", "explain"),
    ("乙酰胺是什么？", "explain"),
    ("宏都阿里山公司的主要业务是什么？", "entity"),
    ("In what episode did Doctor Who meet his brother?", "entity"),  # a capitalised "Who" names a title
    ("Who played Doctor Who on stage?", "person"),
    ("In what decades was he most active?", "time"),
    ("Which actor replaced him?", "person"),
])
def test_question_kind(question, kind):
    assert question_kind(question) == kind
    assert is_factoid(kind) == (kind not in ("list", "explain"))


def test_span_is_the_typed_candidate_nearest_the_question_words():
    sentence = "该公司成立于2021年，2024年的收入约为7000万美元，员工约300人。"
    assert extract_span("它2024年的收入是多少？", sentence).text.endswith("7000万美元")
    # A count of people is what "多少人" asks for, not the amount of money beside it.
    assert extract_span("公司有多少人？", sentence).text.startswith("约300")
    assert extract_span("公司是哪一年成立的？", sentence).text == "2021年"


def test_a_length_of_time_answers_only_a_question_about_time():
    sentence = "团队蛰伏一年，成立短短一年，规模已达 150 人。"
    assert extract_span("How big was the team about a year after it was founded?", sentence).text == "150 人"
    assert extract_span("团队有多大？", "团队蛰伏一年后亮相。") is None  # no figure is better than a wrong one
    assert extract_span("How long did the team wait?", "团队蛰伏一年后亮相。").text == "一年"
    assert extract_span("团队蛰伏了多久？", "团队蛰伏一年后亮相。").text == "一年"


def test_a_number_inside_a_model_name_is_no_figure():
    sentence = "Step-2 在 MATH 等多个 Benchmark 上成绩超过 GPT-4 和 Llama 3 70B Chat。"
    assert extract_span("What is Step-2's MATH score?", sentence) is None
    assert extract_span("模型有多少参数？", "该模型有 700 亿参数，胜过 GPT-4o。").text == "700 亿"
    assert extract_span("路线有多长？", "全程 12km，耗时 3 小时。").text == "12km"
    assert extract_span("她获得过几次冠军？", "她曾获得10次WTA赛事冠军。").text == "10次"


def test_a_known_person_beats_name_like_strings_and_names_the_question_gives_are_excluded():
    sentence = "Minimax由AI资深人士闫俊杰创立，以其产品Talkie而闻名。"
    assert extract_span("Who founded MiniMax?", sentence, people=("闫俊杰",)).text == "闫俊杰"
    other = extract_span("Who founded MiniMax?", sentence, people=("闫俊杰",), exclude=("闫俊杰",))
    assert other is None or other.text != "闫俊杰"
    # Nor is a piece of a name the question gives, where the segmenter split it (伊克 / 巴勒).
    sentence = "伊克巴勒批评了国大党，后来回到了拉合尔。"
    assert extract_span("Who was Iqbal a critic of?", sentence).text == "巴勒"
    other = extract_span("Who was Iqbal a critic of?", sentence, exclude=("伊克巴勒",))
    assert other is None or other.text not in "伊克巴勒"


def test_the_words_around_the_question_word_place_the_span():
    # The question repeats the sentence's words around what it asks ("是由……开发的").
    span = extract_span("《战国无双3》是由哪两个公司合作开发的？",
                        "《战国无双3》是由光荣和ω-force开发的战国无双系列续作。")
    assert span is not None and span.text == "光荣和ω-force"
    span = extract_span("杨昊的职业是什么？", "杨昊（），中国足球运动员，司职中场。")
    assert span is not None and "足球运动员" in span.text


def test_model_names_and_date_parts_are_not_figures():
    sentence = "阶跃星辰一年后发布 Step-1 千亿参数模型，2024/03 团队约 150 人。"
    span = extract_span("How big was Stepfun's team?", sentence, "number")
    assert span is not None and span.text in ("约 150 人", "150 人")


def test_span_occurs_verbatim_in_the_sentence_in_any_script():
    sentence = "階躍星辰成立於2023年4月，創始人是姜大昕。"
    span = extract_span("阶跃星辰是哪一年哪个月成立的？", sentence)
    assert span is not None and span.text == "2023年4月" and sentence[span.start:].startswith(span.text)


def test_list_and_explanation_questions_get_no_span():
    assert extract_span("“六小虎”指的是哪些公司？", "六小虎指智谱、月之暗面、百川智能。") is None


def test_who_picks_the_person_name_not_a_word_from_the_question():
    sentence = "在商业领域，芝大的著名校友有：甲骨文公司创始人、全美第三富有的人 拉里·埃伦斯 ，高盛首席执行官。"
    span = extract_span("甲骨文公司的创始人是谁？", sentence)
    assert span is not None and span.text == "拉里·埃伦斯"
    # Acronyms and brands are not people: a sentence naming only them holds no answer to "who".
    assert extract_span("Who founded Zhipu AI?", "智谱 AI 团队前成员加入了 MiniMAX。") is None


def test_a_guessed_name_does_not_cut_a_word():
    # "于" is a surname, but in "属于君主" it ends the word 属于: the name guess is 君主's, not 于君主.
    span = extract_span("行政权名义上属于谁？", "行政权名义上属于君主，实际由内阁行使。", "person")
    assert span is not None and span.text == "君主"


def test_a_latin_gloss_of_the_chinese_words_before_it_is_not_the_answer():
    sentence = "在2007年格莱美奖上，她获得一项最佳流行演唱女歌手（Best Female Pop Vocal Performance）的提名。"
    span = extract_span("2007年格莱美奖她获得了什么提名？", sentence)
    assert span is None or "Best" not in span.text


def test_the_words_before_the_question_word_are_found_where_the_words_after_it_follow():
    # "药房技术员" occurs twice; the occurrence followed by "专业人员" frames the answer, which keeps the
    # noun the question word qualifies.
    sentence = "药房技术员是卫生保健专业人员，由其他高级药房技术员监督和管理。"
    assert extract_span("药房技术员属于哪类专业人员？", sentence).text == "卫生保健专业人员"


@pytest.mark.parametrize(("question", "sentence", "span"), [
    ("萱侬律占地面积多大？", "它是一个占地约两平方公里的热带植物公园。", "两平方公里"),
    ("黄鳍紫鱼体长多少？", "体长可达50公分。", "达50公分"),
    ("高英是北魏的第几位皇后？", "高英是北魏的第二位皇后（第一位是她的姑姑高照容）。", "第二位"),
    ("斯氏腔吻鳕的生殖季是什么时候？", "几乎是以多毛类为食，生殖季在2至4月。", "2至4月"),
    ("五月艾生长的地区海拔约是多少米？", "生长于海拔100米至2,800米的地区。", "100米至2,800米"),
    ("机场有几条跑道？", "机场有三条跑道，主跑道是08/26，长1,980米；第二条是17/35。", "三条"),
    ("系统的飞弹分为几类？", "系统一共部署100枚飞弹，这些飞弹又分成两类：36枚射程较远。", "两类"),
    ("OpenAI 的订阅价是多少？", "海外竞品 OpenAI 订阅价格为 20 美元/月，国内竞品大多为免费制。", "20 美元"),  # a rate
])
def test_figures_with_their_units_ordinals_and_month_ranges(question, sentence, span):
    assert extract_span(question, sentence).text == span


def test_a_magnitude_and_a_currency_alone_are_no_figure():
    # "数亿美元" says "several hundred million"; "亿美元" with no count before it is only a unit.
    span = extract_span("零一万物融了多少钱？", "零一万物已获新一轮数亿美元融资。")
    assert span is not None and span.text == "数亿美元"
    assert extract_span("表中金额的单位是多少？", "表中金额单位为亿美元。", "number") is None


def test_a_count_of_one_is_an_article_not_a_figure():
    assert extract_span("纽西兰鸡毛松有多高？", "纽西兰鸡毛松是罗汉松科鸡毛松属的一种。") is None
    span = extract_span("这所大学有多少学生？", "它是一所公立大学，共有学生两万名。")
    assert span is not None and span.text == "两万名"


def test_a_fraction_is_not_an_amount():
    span = extract_span("GPT-4 的价格是多少？", "成本大幅降低，是时 GPT-4 Turbo 的七十分之一。")
    assert span is None or "七十分" not in span.text


@pytest.mark.parametrize(("question", "sentence", "span"), [
    ("马克毕业于哪所大学？", "马克出生于底特律，毕业于耶鲁大学，是微软公司的元老之一。", "耶鲁大学"),
    ("长宗我部元亲在领内实行什么制度？", "由于长宗我部元亲在领内实行「一领具足」制度，因此集结约7300名士兵。",
     "「一领具足」制度"),
])
def test_the_noun_the_question_word_qualifies_belongs_to_the_span(question, sentence, span):
    assert extract_span(question, sentence).text == span


@pytest.mark.parametrize(("question", "sentence", "span"), [
    ("渡川之战发生于什么时候？", "渡川之战，又名四万十川之战，发生于天正3年（1575年）。", "天正3年（1575年）"),
    ("第二届比赛什么时候举行的？", "第二届比赛于2009年9月27日-10月9日举行。", "2009年9月27日-10月9日"),
    ("香港何时成为英国的殖民地？", "香港自十九世纪以来即为英国殖民地。", "十九世纪以来"),
    ("街道什么时候开始彻底改建？", "1930年代已经形成繁盛的商业街，1990年代以后经过彻底改建。", "1990年代以后"),
])
def test_dates_keep_their_reign_era_range_and_qualifier(question, sentence, span):
    assert extract_span(question, sentence).text == span


def test_a_span_does_not_start_with_the_particle_that_ends_the_words_before_it():
    span = extract_span("特斯拉创立公司后，首先获得了什么？", "特斯拉创立公司后，首先获得了的第一批专利。")
    assert span is not None and span.text == "第一批专利"


def test_an_aside_after_the_subject_is_not_the_answer():
    span = extract_span("威廉·狄尔泰是哪国的哲学家？", "威廉·狄尔泰（Wilhelm Dilthey，），德国哲学家，历史学家。")
    assert span is not None and span.text == "德国"


@pytest.mark.parametrize(("question", "sentence", "span"), [
    ("谁在70年代的舞台上扮演过神秘博士？", "20世纪70年代初，特雷弗·马丁在舞台剧中扮演博士。", "特雷弗·马丁"),
    ("苏丹伊斯兰政体的领导人是谁？", "多年来，苏丹在哈桑·阿卜杜拉·图拉比的领导下建立了伊斯兰政体。",
     "哈桑·阿卜杜拉·图拉比"),
    ("谁与特斯拉合作？", "特斯拉与两位商人罗伯特·莱恩和本杰明·威尔合作。", "罗伯特·莱恩"),
    ("Who challenges the hypothesis?", "此外，皮凯蒂认为，库兹涅茨曲线假说无法解释这一点。", "皮凯蒂"),
])
def test_a_transliterated_name_is_taken_whole_however_the_tagger_cuts_it(question, sentence, span):
    assert extract_span(question, sentence).text == span


def test_a_place_is_what_follows_the_word_that_locates_it():
    sentence = "2006年2月，宏都建设转投资成立宏都阿里山公司，总部与宏都建设同样位于嘉义市。"
    span = extract_span("宏都阿里山公司总部在哪里？", sentence)
    assert span is not None and span.text == "嘉义市"


def test_a_list_in_the_question_is_not_a_request_for_a_list():
    assert question_kind("How many Zhipu subsidiaries were put on the US trade restriction list?") == "number"
    assert question_kind("List the investors of Zhipu.") == "list"


def test_a_question_for_the_country_gets_the_country_alone():
    question = "蒂亚戈·蒙泰罗是哪个国家的赛车手？"
    assert extract_span(question, "蒂亚戈·蒙泰罗是一名葡萄牙F1赛车手，曾效力乔丹车队。").text == "葡萄牙"
    assert extract_span("他是哪国的政治人物？", "他是马达加斯加共和国政治人物。").text == "马达加斯加共和国"


def test_a_title_before_the_name_follows_what_the_question_asks_for():
    assert extract_span("隋阔是哪家公司的CEO？", "蚁智岛科技CEO隋阔表示。").text == "蚁智岛科技"
    assert extract_span("王法慧是谁的女儿？", "后来朝廷走访王蕴的女儿王法慧，容貌品德美好。").text == "王蕴"
    sentence = "北京邮电大学智能交互设计专业副教授谭剑认为，成本将下降。"
    assert extract_span("谭剑是哪所大学的副教授？", sentence).text == "北京邮电大学"  # ends in the noun asked for


def test_a_question_for_a_rank_is_held_only_by_an_ordinal():
    question = "清华大学在排名中是第几名？"
    assert holds_kind(question, "比如清华大学（第二名）、北京大学（第六名）等。", "number")
    assert not holds_kind(question, "清华大学的作者人数增加了3～4倍。", "number")


def test_an_adverb_before_the_verb_ends_the_subject():
    span = extract_span("哪家公司计划在港股上市？", "据彭博社消息，MiniMax可能计划最早于今年实现港股上市。")
    assert span.text == "MiniMax"


def test_of_several_dates_the_one_whose_clause_repeats_the_question_answers():
    sentence = "冷湖原为无人区，1954年发现石油后开始建设，1959年设立冷湖市，1964年降格为镇。"
    assert extract_span("冷湖市是何时设立的？", sentence).text == "1959年"
    sentence = "1970年，在台北师范大学取得学士学位，1975年在明尼苏达州立大学取得硕士学位。"
    assert extract_span("杨朝祥是何时取得学士学位的？", sentence).text == "1970年"


def test_a_ratio_is_one_answer_but_a_model_version_is_none():
    span = extract_span("目前学校男女生比例是多少？", "目前学校男女生比例约为1：7（男：女）。")
    assert span is not None and span.text == "1：7"
    sentence = "Step-2 在 MATH 等多个 Benchmark 上成绩超过 GPT-4-1106、Claude 3 和 Llama 3 70B Chat。"
    span = extract_span("What is Step-2's zero-shot MATH score?", sentence, "number")
    assert span is None or "1106" not in span.text


def test_a_question_for_the_year_gets_the_year_alone():
    assert extract_span("特斯拉是哪一年去世的？", "特斯拉于 1943 年 1 月 7 日去世。").text == "1943 年"
    assert extract_span("特斯拉是什么时候去世的？", "特斯拉于 1943 年 1 月 7 日去世。").text == "1943 年 1 月 7 日"
    assert extract_span("智谱在哪一年成立？", "2019.06 智谱 AI 成立").text == "2019"  # a timeline's date too


@pytest.mark.parametrize(("question", "sentence", "span"), [
    ("苏佩维埃尔的墓碑上刻着什么？", "墓碑上刻了他自己的诗句：这里是灵魂换马的驿站。", "这里是灵魂换马的驿站"),
    ("戴尔·罗素提出扁掌龙亚科包含哪两个族？", "戴尔·罗素提出扁掌龙亚科包含两个族：扁掌龙族、倾齿龙族。",
     "扁掌龙族、倾齿龙族"),
])
def test_what_a_colon_after_the_span_introduces_is_the_answer(question, sentence, span):
    assert extract_span(question, sentence).text == span


def test_a_sentence_that_says_z_is_a_answers_what_a_is():
    sentence = "“卡基达(Kaji Dha)”是它的启动口令，第一代蓝甲虫加勒特就在它的影响下攻击过科德。"
    span = extract_span("它的启动口令是什么？", sentence)
    assert span is not None and "卡基达" in span.text and "蓝甲虫" not in span.text


def test_as_what_is_a_name_not_a_reason():
    sentence = "1998年，西北银行收购旧富国银行，并改名为富国银行，大厦亦改名为富国银行广场。"
    span = extract_span("旧富国银行后来改名为什么？", sentence)
    assert span is not None and span.text.startswith("富国银行") and "大厦" not in span.text


def test_a_latin_name_starts_at_a_word_start():
    # "6B" is one token: its letter does not begin a name of its own.
    span = extract_span("开源的是什么模型？", "Yi-1.5-9B & 6B Chat Model 已开源", "entity")
    assert span is None or not span.text.startswith("B ")
    assert extract_span("那是什么库？", "Gtk是一个GUI函式库", "entity").text == "Gtk"


def test_an_english_what_question_gets_no_guessed_name():
    # Nothing lines the English question up with the Chinese sentence: its names are guesses, not answers.
    sentence = "此外，该公司还在 2024 WAIC 上发布了 AI 健康顾问应用。"
    assert extract_span("What kind of app did the company launch?", sentence) is None
    assert extract_span("该公司在 WAIC 上发布了什么应用？", sentence) is not None


@pytest.mark.parametrize(("span", "person"), [("唐杰", True), ("閆俊傑", True), ("彭博社", False), ("美国政府", False),
                                              ("国务院", False)])
def test_what_reads_as_a_person_name(span, person):
    # A surname and one or two characters, unless the last one says it is a body (社, 院): only such a span
    # is shown in pinyin to English readers.
    assert reads_as_person(span) is person


def test_a_choice_between_named_things_is_told_from_a_question_for_a_figure():
    from qa.shortanswer import asks_choice

    assert asks_choice("Which company is worth more, Zhipu or Moonshot?")
    assert asks_choice("Kimi 和智谱清言的 APP 下载量谁更高？") and asks_choice("月之暗面还是智谱成立得更早？")
    assert not asks_choice("On CMMMU, did Baichuan4 or GPT-4V score higher, and by how much?")  # asks the figure
    assert not asks_choice("芝加哥大学的校园外观是从哪一年代起变得更现代的？")  # one thing, not a choice


def test_a_request_to_describe_something_searches_for_that_thing():
    from qa.shortanswer import requested_topic

    assert requested_topic("Tell me about Kimi") == "Kimi"
    assert requested_topic("Can you describe MiniMax?") == "MiniMax?"
    assert requested_topic("请简单介绍一下百川智能") == "百川智能"
    assert requested_topic("What is Kimi?") == "Kimi?" and requested_topic("What is Moonshot AI?") == "Moonshot AI?"
    assert requested_topic("What is Kimi's price?") == "What is Kimi's price?"
    assert requested_topic("What is the capital of Australia?") == "What is the capital of Australia?"
    assert requested_topic("介绍一下") == "介绍一下"  # nothing left to search for: the question as asked
    question = "How did Li Zhihui describe the relationship?"
    assert requested_topic(question) == question  # "describe" inside a question is one of its words
