"""English renderings of Chinese figures, dates and names."""

from __future__ import annotations

import pytest

from qa.english import NameRenderer, date_key, has_figure, pinyin_name, render_figures


@pytest.mark.parametrize(("chinese", "english"), [
    ("30亿美元", "US$3 billion"),
    ("约 30 亿美元", "about US$3 billion"),
    ("1.4亿美元", "US$140 million"),
    ("7000万美元", "US$70 million"),
    ("50 亿人民币", "RMB 5 billion"),
    ("600多人", "600+ people"),
    ("906人", "906 people"),
    ("1万亿", "1 trillion"),
    ("40%", "40%"),
    ("2023年4月", "April 2023"),
    ("2023.04.06", "April 6, 2023"),
    ("1756年5月18日", "May 18, 1756"),
    ("2023/05", "May 2023"),
    ("2024 /02", "February 2024"),
    ("2017年", "2017"),
    ("12000人", "12,000 people"),
    ("5,105,768人", "5,105,768 people"),  # written out in digits: kept exact, not "5.11 million"
    ("1281 年", "1281"),
    ("公元前221年", "221 BC"),
    ("20 世纪 90 年代", "the 1990s"),
    ("19世纪80年代末", "the late 1880s"),
    ("公元前3世纪", "the 3rd century BC"),
    ("21世纪初", "the early 21st century"),
    ("2000年代", "the 2000s"),
    ("80年代", "the '80s"),
    ("90 年代以来", "since the '90s"),
    ("自 2000 年以来", "since 2000"),
    ("2014年2月之前", "before February 2014"),
    ("约 300 年", "about 300 years"),
    ("7%到10%", "7% to 10%"),
    ("1991 年到 2000 年", "1991 to 2000"),
    ("1915 年和1937 年", "1915 and 1937"),
    ("340英里", "340 miles"),
    ("1600毫米", "1600 mm"),
    ("第12名", "12th"),
])
def test_figures_and_dates(chinese, english):
    assert render_figures(chinese) == english
    assert has_figure(chinese)


@pytest.mark.parametrize(("chinese", "english"), [
    ("两次", "twice"),
    ("五位", "five people"),
    ("两支", "two"),  # a measure word that only counts
    ("七年", "seven years"),
    ("三个月", "three months"),
    ("4种", "4 kinds"),  # written in digits: kept in digits
    ("十二个月", "12 months"),
    ("超过三百人", "over 300 people"),
    ("两百多家", "200+"),  # 家 counts companies, institutions or shops: the text around it tells
    ("三千万美元", "US$30 million"),
    ("三大", "三大"),  # "the three major": no measure word, no count
    ("一起", "一起"),
    ("第三届", "第三届"),  # an ordinal
    ("三四家", "三四家"),  # three or four
    ("唯一一家", "唯一一家"),  # "the only one"
])
def test_counts_in_chinese_numerals(chinese, english):
    assert render_figures(chinese) == english


def test_points_are_points_and_an_ordinal_or_a_time_is_no_count():
    assert render_figures("以1332分排总榜第7名") == "以 1332 points 排总榜 7th"
    assert render_figures("10点30分") == "10 点30分"
    assert render_figures("5分钟") == "5 分钟"


def test_a_count_of_companies_is_said_so_only_where_the_text_says_so():
    assert render_figures("31家", preceding="中国机构占") == "31"
    assert render_figures("20家", preceding="投资了", following="AI初创企业") == "20 companies"
    assert render_figures("3家", preceding="国内大模型创业公司中有") == "3 companies"
    assert render_figures("31家和5家", following="公司") == "31 companies and 5 companies"  # each reads the text around
    renderer = NameRenderer()
    assert renderer.render("374家", sentence="有374家上市公司，总资本1625.84亿欧元。") == "374 companies (374家)"
    assert renderer.render("31家", sentence="中国机构占31家，美国占37家。") == "31 (31家)"


def test_a_number_in_a_name_is_no_figure_and_large_scales_read_in_words():
    from qa.english import FIGURE

    sentence = "发布 Step-1 千亿参数语言大模型、GPT-4 与 Step-2 万亿参数模型，融资 30 亿美元"
    assert [render_figures(m.group(0)) for m in FIGURE.finditer(sentence)] == ["US$3 billion"]
    assert render_figures("5 千亿") == "500 billion"
    assert render_figures("1000亿参数").startswith("100 billion")


def test_figures_inside_a_sentence_keep_the_words_apart():
    assert render_figures("截至 2024 年 7 月进行 4 轮融资，估值达 30 亿美元") == \
        "截至 July 2024 进行 4 rounds 融资，估值 US$3 billion"


def test_person_names_in_pinyin_surname_first():
    assert pinyin_name("杨植麟") == "Yang Zhilin"
    assert pinyin_name("曾鸣") == "Zeng Ming"  # 曾 as a surname
    assert pinyin_name("欧阳娜娜") == "Ouyang Nana"
    assert pinyin_name("楊植麟") == "Yang Zhilin"  # Traditional script


def test_any_mapping_renders_names_and_unknown_people_fall_back_to_pinyin():
    renderer = NameRenderer({"月之暗面": "Moonshot AI", "闫俊杰": "Yan Junjie"})
    assert renderer.render("月之暗面") == "Moonshot AI (月之暗面)"
    assert renderer.render("閆俊杰", person=True) == "Yan Junjie (閆俊杰)"
    assert renderer.render("张宇韬", person=True) == "Zhang Yutao (张宇韬)"
    assert renderer.render("张宇韬") == "张宇韬"  # not known to be a person: left as it is
    assert renderer.render("OpenBMB") == "OpenBMB"
    assert renderer.render("30 亿美元") == "US$3 billion (30 亿美元)"


def test_renderer_from_glossary_entities():
    class Entity:
        def __init__(self, zh, en):
            self.zh, self.en = zh, en

    renderer = NameRenderer.from_entities([Entity(("杨植麟", "楊植麟"), ("Yang Zhilin",)), Entity(("x",), ())])
    assert renderer.english("楊植麟") == "Yang Zhilin" and renderer.english("x") is None


def test_date_keys_compare_dates_written_differently():
    assert date_key("2023年4月") == "2023-04" and date_key("2023.04.06 阶跃星辰成立") == "2023-04-06"
    assert date_key("2023年") == "2023" and date_key("约 30 亿美元") is None
