"""The short answer: what a factoid question asks for, and the span of a sentence that answers it.

Three general signals, none tied to one document or question:

- the question's type (who, when, how much / how many, where, which / what) says what kind of span to
  look for: a name, a date, an amount or count, a place, a quoted or Latin term;
- the question usually repeats words of the answering sentence around its question word ("X 是由哪家公司
  开发的" / "X 是由光荣开发的"): the text the question word stands in for lies between those words;
- the answer is not something the question already says, and lies near the question's words.

The span's edges then follow what the question asks: a date keeps its reign era, range and qualifier, a
figure its range and unit, a name is taken whole, the noun the question word qualifies stays, and what a
colon right after the span introduces is the answer.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

import rjieba

from common.patterns import CJK, CJK_CHAR
from common.textnorm import to_simplified

# ----------------------------------------------------------------------------------------- question types

LIST, EXPLAIN = "list", "explain"
PERSON, TIME, NUMBER, PLACE, ENTITY = "person", "time", "number", "place", "entity"
FACTOID_KINDS = (PERSON, TIME, NUMBER, PLACE, ENTITY)

_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (EXPLAIN, re.compile(r"为什么|为何|为啥|原因|如何|怎么样|怎样|怎么|(?<!谁)介绍|解释|说明|意味着|"
                         r"\bwhy\b|\bhow\b(?! (?:much|many|long|old|large|big|far|tall|high|often))|\bexplain\b|"
                         r"\bdescribe\b|\bwhat (?:does|did|do) .* (?:mean|say|think|describe)")),
    (LIST, re.compile(r"哪些|哪几(?![年月天日号])|有什么|分别|列举|包括什么|谁投资|"
                      r"\bwho (?:has |have |had )?(?:invested|backed|funded)\b|"  # investors come several to a round
                      r"\bwhich (?:\w+ )?(?:companies|investors|firms|start-?ups|models|products|people|players|"
                      # "List the investors", not "put on the trade restriction list".
                      r"universities|backers|funds|ones)\b|\bwhat are\b|^(?:please )?list\b|"
                      r"\bname the\b")),
    (TIME, re.compile(r"何时|什么时候|什么时间|哪年|哪一年|哪个月|哪一月|哪天|哪一天|几月|几号|几年|多少年|哪个年代|"
                      r"哪个世纪|日期|年份|\bwhen\b|\bwhat (?:year|month|date|day|time|century|decade)s?\b|"
                      r"\bwhich (?:year|month|date|day|century|decade)s?\b|\bin what year\b")),
    (NUMBER, re.compile(r"多少|几|多大|分数|得分|评分|\bscores?\b|多高|多长|多久|多远|多重|多快|百分之|比例|"
                        r"估值|金额|收入|营收|价格|"
                        r"\bhow (?:much|many|long|old|large|big|far|tall|high|often)\b|\bwhat (?:percentage|share|"
                        r"proportion|amount|number|valuation|price)\b|\bvaluation\b|\bvalued\b|\brevenue\b|\bworth\b|"
                        # "What was Warsaw's population in 1901?": a measure asked for by its noun.
                        r"\bwhat (?:is|was|are|were) (?:[\w.\-]+(?:'s)? ){0,4}?(?:population|cost|size|area|length|"
                        r"height|depth|width|weight|budget|capacity|distance|speed|temperature|salary|age|gdp)\b")),
    (PERSON, re.compile(r"谁|哪一?位|哪个人|什么人|何人|创始人|创办人|掌门人|"
                        r"\bwho\b|\bwhom\b|\bwhose\b|\bfounders?\b|"
                        r"\b(?:which|what) (?:actor|actress|person|man|woman|author|writer|poet|singer|composer|"
                        r"artist|player|scientist|king|queen|emperor|president|leader|architect)\b")),
    (PLACE, re.compile(r"哪里|哪儿|哪裡|在哪|何处|何地|什么地方|哪个城市|哪座城市|哪个国家|哪个省|\bwhere\b|"
                       r"\bwhich (?:city|country|province|place|region)\b|\bwhat (?:city|country|province)\b")),
    (ENTITY, re.compile(rf"哪[{CJK}]|什么|叫|名字|名称|是啥|\bwhich\b|"
                        r"\bwhat\b|\bname\b|\bcalled\b")),
)


# "什么是乡里制？" / "乙酰胺是什么？": asks what a thing is, which a sentence describing it answers. "X 的 Y
# 是什么" asks for one attribute and stays a factoid.
_DEFINITION = re.compile(r"^\s*(?:什么是[^，,的]{1,20}|[^，,的]{1,20}是什么)\s*[？?]?\s*$")


# "龙胆又被称之为什么？", "医院更名为什么？": "为 + 什么" at the end asks "as what", a name, not "why".
_AS_WHAT = re.compile(r"为什么\s*[？?]?\s*$")


# "Which is worth more, Zhipu or Moonshot?", "Kimi 和智谱清言谁更高？": a choice between named things by a
# comparison, which the evidence for each answers; a bold figure of one of them would read as the answer.
# English asks "which / who ... A or B"; "did A or B score higher, and by how much?" asks for the figure.
_COMPARATIVE = r"(?:more|less|fewer|higher|lower|larger|bigger|smaller|older|younger|earlier|later|cheaper|faster)"
_CHOICE = re.compile(rf"\b(?:which|who)\b[^?]*\b{_COMPARATIVE}\b[^?]*\bor\b|"
                     rf"\b(?:which|who)\b[^?]*\bor\b[^?]*\b{_COMPARATIVE}\b|"
                     r"(?:和|与|跟)[^？?，,]{1,20}(?:哪|谁)[^？?，,]{0,6}更|还是[^？?]{0,20}(?:哪|谁|更)")


def asks_choice(question: str) -> bool:
    """Whether ``question`` asks which of the things it names compares higher, lower, earlier..."""
    return bool(_CHOICE.search(_norm(question)))


_REQUEST = re.compile(
    r"^\s*(?:please\s+)?(?:(?:can|could|would) you\s+)?(?:tell me (?:more |something )?about|describe|introduce|"
    r"give (?:me )?an? (?:overview|introduction|summary) of|what do you know about|summari[sz]e)\s+|"
    r"^\s*(?:请你?|麻烦你?)?(?:简单|详细)?地?(?:介绍|介紹|讲讲|講講|讲一讲|说说|說說|说一说|谈谈|談談|聊聊|概述)(?:一下|下)?",
    re.I)
# "What is Kimi?": a name alone, asked about as a whole (no "'s valuation", no "of ...").
_WHAT_IS_NAME = re.compile(r"^\s*[Ww]hat (?:is|are) (?=[A-Z][\w.\-]*(?: [A-Z0-9][\w.\-]*)*\s*[?？]?\s*$)")


def requested_topic(question: str) -> str:
    """``question`` without a request to talk about something, which then searches for that thing alone.

    "Tell me about Kimi" and "介绍一下月之暗面" ask about Kimi and 月之暗面; their words "tell" and "介绍" are in
    no article, so the answer check would read them as asked and not answered.
    """
    topic = _WHAT_IS_NAME.sub("", _REQUEST.sub("", question, count=1), count=1).strip()
    return topic if topic.strip("?？。.!！ ") else question


# A question word written with a capital inside the question is part of a title or name: "Doctor Who",
# "The Who". "In what episode did Doctor Who ..." asks for an episode, not a person.
_NAMED_WH = re.compile(r"(?<=[A-Za-z0-9'] )(?:Who|What|When|Where|Which|Why|How)\b")


def question_kind(question: str) -> str:
    """What ``question`` asks for: a factoid kind (``person``, ``time``, ...), ``list`` or ``explain``."""
    text = _norm(_NAMED_WH.sub("", question))
    if _DEFINITION.match(text):
        return EXPLAIN
    if _AS_WHAT.search(text):
        return ENTITY
    for kind, pattern in _KINDS:
        if pattern.search(text):
            return kind
    return EXPLAIN


def is_factoid(kind: str) -> bool:
    """Whether a question of this kind is answered by a short span."""
    return kind in FACTOID_KINDS


# The question word a span stands in for, longest first; measure words and the noun asked about may follow.
_WH = re.compile(
    r"(?:哪(?:一|两|几|[0-9]+)?(?:个|家|位|款|种|类|部|所|支|项|名|座|条|本|张|首|场|届|次|年|月|天|日|国|省|市|"
    r"城市|国家|地区|公司|人|队|样)?|什么(?:时候|时间|地方|人|样的|样)?|多少(?:个|家|人|年|次|钱|倍)?|几(?:个|家|位|年|月|"
    r"次|种|名|号|岁|倍|部)?|谁|何(?:时|地|处|人|种)|多(?:大|高|长|久|远|重|快)|如何|怎么|怎样|为什么|为何|啥)")
_PUNCT = "，。！？；：、,.!?;:（）()「」『』“”\"'《》〈〉【】[]…—-·|/ \t\n"
_CLAUSE_END = re.compile(r"[，。！？；：,!?;:（）()|\n]")
_MONEY = re.compile(r"多少钱|融资|融了|估值|金额|价格|收入|营收|售价|\b(?:valuation|valued|raised?|revenue|price|cost|"
                    r"worth|funding)\b")
_LEAD_PARTICLES = ("是由", "是在", "称为", "名为", "叫做", "被称为", "被认为是", "被视为",
                   "就是", "分别是", "是", "为", "由", "在", "于",
                   "叫", "约", "达", "了", "将", "即", "乃", "的")
# "一个矩形的表格", "一项最佳……的提名": a count of one is an article, not part of the answer.
_ARTICLE = re.compile(r"一(?:个|项|种|座|位|家|所|部|名|只|间|支|条|张)")
# Adverbs end a subject's clause before its verb: "MiniMax可能计划……上市" answers with "MiniMax".
_TAIL_PARTICLES = ("的", "了", "等", "之一", "左右",
                   "可能", "已经", "曾经", "正在", "将会", "仍然", "一直", "也将", "也已", "也在")

# ----------------------------------------------------------------------------------------- typed candidates

_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
_CN_DAY = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATE_CORE = (
    r"(?:公元前?)?(?:\d{3,4}|[一二三四五六七八九〇零]{4})\s*年(?!代)"
    r"(?:\s*" + _CN_DAY + r"\s*月(?:\s*" + _CN_DAY + r"\s*[日号])?)?|"
    r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*(?:(?:至|到|-|~|～|—)\s*\d{1,2}\s*)?月(?:份|初|中旬|底|末)?|"
    r"(?:19|20)\d\d[./-]\d{1,2}(?:[./-]\d{1,2})?|"
    r"[0-9" + _CN_NUM + r"]+\s*世纪(?:[0-9" + _CN_NUM + r"]+\s*年代)?(?:初|中|末|初期|中期|末期|后期|前期)?|"
    r"[0-9" + _CN_NUM + r"]+\s*年代(?:初|中|末|初期|中期|末期)?|"
    r"(?:19|20)\d\d(?!\d)"
)
# A date's own qualifier is part of the answer ("2003年初", "1990年代以后", "1227年前后").
_DATE = re.compile(r"(?:" + _DATE_CORE + r")(?:初|底|末|前后|以来|以后|以前|之后|左右)?")
# A reign-era year glossed by its Western year, and the month after it: "正德五年（1510年）十月".
_ERA_BEFORE = re.compile(rf"[{CJK}]{{2}}(?:元|[0-9一二三四五六七八九十]{{1,4}})年\s*\($")
_AFTER_GLOSS = re.compile(r"\)\s*(?:" + _CN_DAY + r"月(?:" + _CN_DAY + r"[日号])?)?")
# Two dates or figures joined as a range or a pair are one answer: "2009年9月27日-10月9日", "100米至2,800米".
_RANGE_JOIN = re.compile(r"\s*(?:起)?(?:至|到|-|~|—|及|和)(?:翌年|次年)?\s*")
_FIGURE_RANGE = re.compile(r"\s*(?:至|到|-|~|—)\s*")
_UNIT_WORDS = (r"(?:美元|美金|欧元|英镑|日元|港元|港币|人民币|元|块|"
               r"个|位|名|人|家|次|倍|岁|年|天|小时|分钟|秒|米|公里|千米|厘米|毫米|公分|公尺|英里|英尺|英寸|平方公里|平方米|"
               r"平方英里|立方米|公顷|亩|吨|公斤|千克|克|毫升|升|磅|度|%|％|层|座|所|部|款|种|类|项|场|届|篇|首|本|张|辆|架|"
               r"艘|条|只|头|匹|枚|颗|台|套|件|份|集|季|卷|章|分|票|席|支|队|国|省|城|户|处|册|股|节|间|"
               r"日圆|越南盾|韩元|卢布|新台币|台币|澳元|加元|法郎|卢比|里拉|比索|parameters|tokens|"
               r"km²|km2|km|cm|mm|kg|m²|m2|ghz|mhz|gb|mb|m(?![a-z]))")
_UNIT = r"(?:万亿|千亿|百亿|十亿|千万|百万|亿|万|千|百)?\s*" + _UNIT_WORDS + "?"
_NUMBER = re.compile(
    r"(?:约|近|超过|超|逾|达|仅|共|总计|大约|不到|将近|多达)?"
    r"(?:US\$|\$|¥|￥|€|£|±)?\d(?:[\d,]*\d)?(?:\.\d+)?(?:\s*(?:至|到|-|~|～|—)\s*\d[\d,]*(?:\.\d+)?)?"
    r"\s*(?:多|余|几)?" + _UNIT + r"(?:多|余|以上|左右)?|"
    # A count in Chinese numerals has a digit word, or says "several" (数亿美元): "亿美元" alone is no figure.
    r"(?:[数几]|[零〇一二两三四五六七八九十])[" + _CN_NUM + r"]{0,5}(?:多|余)?" + _UNIT_WORDS
)
_RATIO = re.compile(r"(?<![A-Za-z0-9.-])\d+(?:\.\d+)?\s*(?:比|:|-)\s*\d+(?:\.\d+)?(?![\d./-])")
_ASKS_ORDINAL = re.compile(r"第(?:几|多少)")
_ORDINAL = re.compile(r"第[0-9" + _CN_NUM + r"]+" + _UNIT_WORDS + "?")
_QUOTED = re.compile(r"《[^》]{1,40}》|“[^”]{1,40}”|「[^」]{1,40}」|『[^』]{1,40}』|\"[^\"]{1,40}\"")
# A run starts at a word's start: "6B" is one token, and "B Chat Model" is no name.
_LATIN = re.compile(r"(?<![A-Za-z0-9.\-+'&])[A-Za-z][A-Za-z0-9.\-+'&]*(?:\s+[A-Za-z0-9][A-Za-z0-9.\-+'&]*){0,5}")
# A common Chinese surname followed by one or two given-name characters, for "who" questions.
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
             "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_CN_NAME = re.compile(r"(?:欧阳|司马|诸葛|上官|[" + _SURNAMES + rf"])[{CJK}]{{1,2}}")
_BODY = re.compile(r"[社局部府院会司厂所团队党署委校馆台]$")
_PLACE = re.compile(rf"[{CJK}]{{1,8}}?(?:省|市|县|区|州|国|镇|村|岛|湖|河|江|山|港|湾|大学|学院|大道|路|街)")


@dataclass(frozen=True)
class Span:
    """A short answer: ``text`` occurs verbatim in the sentence at ``start``."""

    text: str
    start: int
    kind: str


def _norm(text: str) -> str:
    """NFKC, Simplified, lower case, with one character per input character where possible."""
    out = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    if len(out) != len(text):  # keep offsets aligned with the original sentence
        out = "".join((to_simplified(unicodedata.normalize("NFKC", c)).lower() or c)[:1] for c in text)
    return out


@functools.lru_cache(maxsize=8)
def _normal_forms(names: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`_norm` of each name, kept for the few name lists (the glossary's people) asked about again."""
    return tuple(_norm(n) for n in names)


def _candidates(sentence: str, original: str, kind: str, people: tuple[str, ...]) -> list[tuple[int, int, int]]:
    """Spans of ``sentence`` (normal form of ``original``) of the type ``kind`` asks for, in text order.

    Each is ``(start, end, strength)``: 2 for a known person, an amount with its unit or scale, or a date
    with its month; 1 for weaker evidence of the type (a bare number, a name-like string).
    """
    found: list[tuple[int, int, int]] = []
    if kind == TIME:
        found = [(*_with_era(sentence, *m.span()), 2 if "月" in m.group(0) or re.search(r"[./-]", m.group(0)) else 1)
                 for m in _DATE.finditer(sentence)]
        found = _joined(found, sentence)
    elif kind == NUMBER:
        for m in _NUMBER.finditer(sentence):
            if _is_number(m.group(0), sentence, m.start(), m.end()):
                # An amount with its unit or scale is strong; a bare number, a duration ("一年", "3 天") or
                # a count written in Chinese numerals is weak.
                strong = re.search(r"\d", m.group(0)) and re.search(
                    r"[^\d\s,.，约近超过逾达仅共总计大不到将多余几以上左右年天月日]", m.group(0))
                found.append((*m.span(), 2 if strong else 1))
        found = _joined(found, sentence, _FIGURE_RANGE)
    elif kind == PERSON:
        found = [(m.start(), m.start() + len(p), 2) for p in people if p for m in re.finditer(re.escape(p), sentence)]
        found += _tagged_names(sentence)
        found += [(*m.span(), 1) for m in _LATIN.finditer(original) if _looks_like_name(m.group(0))
                  and not _gloss(sentence, m.start())]
        if not found:
            # A surname and one or two characters is a guess; one that cuts a word ("源于公司" → 于公司) is none.
            edges = _word_edges(sentence)
            found = [(*m.span(), 1) for m in _CN_NAME.finditer(sentence) if m.start() in edges and m.end() in edges]
        found = _outermost(found)
    elif kind == PLACE:
        found = [(*m.span(), 1) for m in _PLACE.finditer(sentence)]
    elif kind == ENTITY:
        found = [(*m.span(), 1) for m in _QUOTED.finditer(sentence)]
        found += [(*m.span(), 1) for m in _LATIN.finditer(original) if len(m.group(0)) >= 2
                  and not _gloss(sentence, m.start())]
    return sorted(set(found))


def reads_as_person(text: str) -> bool:
    """Whether a Chinese span reads as a Han person's name: a common surname and one or two characters.

    A body's name ends in what it is: 彭博社 is a news agency, 国务院 a council.
    """
    text = to_simplified(text.strip())
    return bool(_CN_NAME.fullmatch(text)) and not _BODY.search(text)


def _with_era(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Widen a Western year in brackets to the reign-era date it glosses ("天正3年（1575年）十月")."""
    era = _ERA_BEFORE.search(sentence, 0, start)
    if era is None or ")" not in sentence[end:end + 2]:
        return start, end
    after = _AFTER_GLOSS.match(sentence, sentence.index(")", end))
    return era.start(), after.end() if after else end


def _joined(found: list[tuple[int, int, int]], sentence: str,
            join: re.Pattern[str] = _RANGE_JOIN) -> list[tuple[int, int, int]]:
    """Merge spans joined by a range or pair word ("2009年9月27日-10月9日") into one, keeping the parts too."""
    found = sorted(found)
    out = list(found)
    for (a, b, sa), (c, d, sc) in itertools.pairwise(found):
        if b <= c and join.fullmatch(sentence[b:c]):
            out.append((a, d, max(sa, sc)))
    return _outermost(out)


def _gloss(sentence: str, start: int) -> bool:
    """A Latin term glossing the Chinese words just before it ("最佳流行演唱女歌手（Best Female ...）")."""
    before = sentence[max(0, start - 2):start].rstrip("（( ")
    return bool(before) and bool(CJK_CHAR.match(before[-1:])) and \
        (sentence[max(0, start - 1):start] in ("（", "(") or sentence[max(0, start - 1):start] == before[-1:])


def _is_number(text: str, sentence: str, start: int, end: int) -> bool:
    """A figure, not a date or an ordinal: "2023 年", "1 月" and "第 3" are not amounts."""
    if not re.search(r"\d|[" + _CN_NUM + r"]", text):
        return False
    if _ARTICLE.fullmatch(text.strip()):
        return False  # "一种", "一个": an article ("是罗汉松科的一种"), not a count; none answered a dev question
    if re.fullmatch(r"(?:19|20)\d\d\s*年?", text.strip()):
        return False
    if re.match(r"\s*[月日号时点]|\s*[/.\-]\s*\d|之", sentence[end:end + 3]):
        return False  # a date, a time, or part of a fraction ("七十分之一"); "20 美元/月" is a rate, a figure
    if re.search(r"[a-z\-_./]\s?$", sentence[max(0, start - 2):start]):
        return False  # part of a name such as "step-1" or "gpt-4"
    if text[-1:].isdigit() and re.match(r"[a-z]", sentence[end:end + 1]):
        return False  # glued to letters that are no unit: a name again ("70b", "4o")
    return sentence[max(0, start - 1):start] != "第"


def _looks_like_name(text: str) -> bool:
    """A Latin personal name: capitalised words, at least one of them in lower case after its capital.

    "Jeanne DuPrau" and "Yang Zhilin" qualify; "AI", "CEO" and "MiniMAX" (acronyms, brands) do not.
    """
    words = text.split()
    return 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words) and not any(c.isdigit() for c in text) \
        and any(re.fullmatch(r"[A-Z][a-z]+\.?", w) for w in words) and len(words) + len(text) > 5


def _word_edges(sentence: str) -> set[int]:
    """Where the segmenter's words of ``sentence`` start and end (offsets)."""
    edges, at = {0}, 0
    for word in rjieba.cut(sentence):
        at += len(word)
        edges.add(at)
    return edges


def _tagged_names(sentence: str) -> list[tuple[int, int, int]]:
    """Names the part-of-speech tagger finds, as (start, end, strength): 2 for a transliterated name, else 1.

    A "who" question asks for a person as a rule, and sometimes for the body that did something
    ("由泰国国家铁路局捐献"). A transliterated name is several words joined by middle dots ("拉里·埃伦斯"),
    which the tagger splits. The tagger's guesses are weaker than a known person.
    """
    tokens, at = [], 0
    for word, tag in rjieba.tag(sentence):
        tokens.append((at, at + len(word), word, tag))
        at += len(word)
    out = []
    for i, (start, end, word, tag) in enumerate(tokens):
        if (len(word) >= 2 and tag in ("nr", "nrt", "nrfg")) or (len(word) >= 3 and tag == "nt"):
            if i and _split_syllable(tokens[i - 1], tokens[i - 2] if i >= 2 else None):
                start = tokens[i - 1][0]  # "皮" "凯蒂": the tagger split the name's first syllable off
            out.append((start, end, 1))
        elif word in _DOTS and 0 < i < len(tokens) - 1 and _name_part(*tokens[i - 1][2:]):
            first, last = tokens[i - 1][0], end
            for begin, _, part, part_tag in reversed(tokens[:i - 1]):
                # The tagger cuts a transliteration into pieces ("特雷" "弗"); a common noun before it
                # ("商人", "总统") is not one of them.
                if not (part_tag in _NAME_TAGS or _loose_syllable(part, part_tag)) or last - begin > 16:
                    break
                first = begin
            for _, stop, part, part_tag in tokens[i + 1:]:
                if not (_name_part(part, part_tag) or part in _DOTS or _loose_syllable(part, part_tag)) \
                        or stop - first > 16:
                    break
                last = stop
            if last > end:
                out.append((first, last, 2))
    return out


_DOTS = ("·", "•", "・")
_NAME_TAGS = ("nr", "nrt", "nrfg", "ns", "ng", "nz", "j")
# Single characters that end a name rather than continue it: particles, prepositions, conjunctions.
_NOT_SYLLABLES = set("的是在和与及等了以被由为于所之把将向从对也都就还而或则即乃又亦再才便曾")


def _loose_syllable(word: str, tag: str) -> bool:
    """One Chinese character the tagger split off a transliterated name ("霍尔" "兹"), not a function word."""
    return len(word) == 1 and bool(CJK_CHAR.match(word)) and word not in _NOT_SYLLABLES and tag not in ("m", "q")


def _split_syllable(token: tuple[int, int, str, str], before: tuple[int, int, str, str] | None) -> bool:
    """A noun of one character that opens a clause right before a name: the name's first syllable."""
    _, _, word, tag = token
    opens = before is None or before[2] in _PUNCT or before[2] in _NOT_SYLLABLES or before[3][:1] in ("p", "c", "u")
    return opens and tag == "n" and _loose_syllable(word, tag)


def _name_part(word: str, tag: str) -> bool:
    """A word that can be part of a transliterated name: a name, place or unknown word, not a function word."""
    return bool(word.strip()) and word not in _PUNCT and (tag[:1] in ("n", "j", "x", "z") or tag == "eng")


def _outermost(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Drop spans inside a longer one of at least the same strength ("拉里" inside "拉里·埃伦斯")."""
    return [c for c in spans if not any(o != c and o[0] <= c[0] and c[1] <= o[1] and o[2] >= c[2] for o in spans)]


def _longest_in(needle: str, haystack: str, *, suffix: bool, min_len: int = 2) -> tuple[int, int] | None:
    """The longest suffix (or prefix) of ``needle`` found in ``haystack``: (start, end) in ``haystack``."""
    for n in range(min(len(needle), 20), min_len - 1, -1):
        piece = needle[-n:] if suffix else needle[:n]
        if piece.strip(_PUNCT) != piece or not piece.strip():
            continue
        at = haystack.rfind(piece) if suffix else haystack.find(piece)
        if at >= 0:
            return at, at + n
    return None


def _first_after(right: str, haystack: str, after: int) -> int | None:
    """Where the earliest piece (2+ characters) of ``right`` occurs in ``haystack`` at or after ``after``."""
    best = None
    for i in range(len(right) - 1):
        for n in (4, 3, 2):
            piece = right[i:i + n]
            if len(piece) < n or any(c in _PUNCT for c in piece):
                continue
            at = haystack.find(piece, after)
            if at >= 0:
                best = at if best is None else min(best, at)
                break
        if best is not None:
            return best
    return best


def _trim(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Drop punctuation and particles at the edges of ``sentence[start:end]``."""
    changed = True
    while changed and start < end:
        changed = False
        while start < end and sentence[start] in _PUNCT and sentence[start] not in "《“「『\"":
            start, changed = start + 1, True
        while start < end and sentence[end - 1] in _PUNCT and sentence[end - 1] not in "》”」』\"":
            end, changed = end - 1, True
        for p in _LEAD_PARTICLES:
            if sentence.startswith(p, start) and end - start > len(p) + 1:
                start, changed = start + len(p), True
                break
        article = _ARTICLE.match(sentence, start, end)
        if article and end - article.end() >= 2:
            start, changed = article.end(), True
        for p in _TAIL_PARTICLES:
            if sentence[start:end].endswith(p) and end - start > len(p) + 1:
                end, changed = end - len(p), True
                break
    return start, end


def _ends_of(left: str, haystack: str) -> list[int]:
    """Where, in ``haystack``, each occurrence of the piece of ``left`` closest to its end (2+ characters) ends."""
    for i in range(len(left), 1, -1):
        for n in (6, 5, 4, 3, 2):
            piece = left[max(0, i - n):i]
            if len(piece) < n or any(c in _PUNCT for c in piece):
                continue
            ends = [m.end() for m in re.finditer(re.escape(piece), haystack)]
            if ends:
                return ends
    return []


def _aligned(question: str, sentence: str) -> tuple[int, int] | None:
    """The part of ``sentence`` the question word stands in for, from the words around it.

    When the words before the question word occur more than once, the occurrence followed soonest by
    the words after it counts.
    """
    wh = _WH.search(question)
    if not wh:
        return None
    left = question[: wh.start()].strip(_PUNCT)
    right = question[wh.end():].strip(_PUNCT + "呢吗啊呀")
    starts = _ends_of(left, sentence) if left else []
    start = end = None
    if starts and right:
        pairs = [(at, _first_after(right, sentence, at)) for at in starts]
        pairs = [(a, b) for a, b in pairs if b is not None and b > a]
        if pairs:
            start, end = min(pairs, key=lambda p: p[1] - p[0])
    if start is None and starts:
        start = starts[0]
    if end is None and right:
        end = _first_after(right, sentence, start if start is not None else 0)
    if start is not None and end is not None and end > start:
        # Both sides found: what lies between may run over an aside ("X（1546年－1618年）是 Y 的武将");
        # the answer is the clause that the words after the question word follow.
        start = _last_clause(sentence, start, end)
    elif start is not None:
        while start < len(sentence) and sentence[start] in _PUNCT:
            start += 1
        stop = _CLAUSE_END.search(sentence, start + 1)
        end = stop.start() if stop else len(sentence)
    elif end is not None:
        before = [m.end() for m in _CLAUSE_END.finditer(sentence, 0, end)]
        start = before[-1] if before else 0
    else:
        return None
    start, end = _trim(sentence, start, end)
    return (start, end) if end - start >= 2 else None



def _mask_brackets(text: str) -> str:
    """``text`` with each bracketed gloss blanked out, so that its punctuation splits no clause."""
    return re.sub(r"\([^()]*\)", lambda m: "_" * len(m.group(0)), text)


def _inverted(question: str, sentence: str) -> tuple[int, int] | None:
    """The answer to "A是什么" in a sentence that says "Z是A": the clause before that "是".

    "它的启动口令是什么" is answered by "“卡基达”是它的启动口令", where the words after the subject
    would say something else.
    """
    wh = _WH.search(question)
    if not wh or question[wh.end():].strip(_PUNCT + "呢吗啊呀"):
        return None
    asked = re.match(r"(.+?)(?:是|为)$", question[:wh.start()].strip(_PUNCT))
    core = asked.group(1) if asked else ""
    for n in range(min(len(core), 12), 3, -1):
        for m in re.finditer(re.escape(core[-n:]), sentence):
            if sentence[:m.start()].endswith("是"):
                masked = _mask_brackets(sentence[:m.start() - 1])
                before = [b.end() for b in _CLAUSE_END.finditer(masked)]
                start, end = _trim(sentence, before[-1] if before else 0, m.start() - 1)
                return (start, end) if end - start >= 2 else None
    return None


def _titled(question: str, sentence: str) -> tuple[int, int] | None:
    """The answer to "A是哪家公司的CEO" in a sentence that puts the title before the name: "蚁智岛科技CEO隋阔".

    What the question asks for is the run of nouns before the title ("王蕴的女儿王法慧" → "王蕴"), ending in the
    noun the question word qualifies where the sentence has it.
    """
    wh = _WH.search(question)
    if not wh or not wh.group(0).startswith(("哪", "谁")):
        return None
    subject = question[:wh.start()].strip(_PUNCT)
    head, _, title = question[wh.end():].strip(_PUNCT + "呢吗啊呀").rpartition("的")
    if not subject.endswith("是") or len(subject) < 3 or len(title) < 2:
        return None
    at = sentence.find(title + subject[:-1])
    if at <= 0:
        return None
    end = at - 1 if sentence[at - 1] == "的" else at
    if head and head in sentence[:end]:
        end = sentence.rindex(head, 0, end) + len(head)  # "哪所大学的副教授": "北京邮电大学智能交互设计专业副教授"
    start = end
    for token, tag in reversed(rjieba.tag(sentence[max(0, end - 20):end])):
        if not (tag.startswith("n") or tag in ("eng", "j")):
            break
        start -= len(token)
    return (start, end) if end - start >= 2 else None


def _last_clause(sentence: str, start: int, end: int) -> int:
    """Where the last clause of ``sentence[start:end]`` that holds words begins.

    Brackets gloss the words before them ("1435毫米（4英尺8英寸）的标准") and split nothing, unless they
    open the stretch (an aside after the subject the question names).
    """
    stop = end
    if sentence[start:end].rstrip().endswith(")") and "(" in sentence[start:end]:
        stop = sentence.rindex("(", start, end)  # a gloss at the end belongs to the clause before it
    masked = _mask_brackets(sentence[:stop])
    breaks = [m.end() for m in _CLAUSE_END.finditer(masked, start, stop)]
    aside = re.match(r"\s*\([^()]*\)", sentence[start:stop])
    if aside:
        breaks = sorted(set(breaks) | {start + aside.end()})
    for at in reversed(breaks):
        if len(sentence[at:stop].strip(_PUNCT)) >= 2:
            return at
    return start


def _anchors(question: str, sentence: str) -> list[int]:
    """Positions in ``sentence`` of the question's words (2+ characters, or Latin words)."""
    spots: list[int] = []
    for piece in re.findall(rf"[a-z0-9][a-z0-9.\-]+|[{CJK}]{{2,}}", question):
        if _WH.fullmatch(piece):
            continue
        for n in range(min(len(piece), 6), 1, -1):
            for i in range(len(piece) - n + 1):
                at = sentence.find(piece[i:i + n])
                if at >= 0:
                    spots.extend((at, at + n))
            if spots:
                break
    return spots


def _in_question(text: str, question: str) -> bool:
    core = text.strip(_PUNCT)
    return bool(core) and core in question


def _part_of_any(piece: str, names: set[str]) -> bool:
    """Whether ``piece`` is one of ``names`` or part of one: 巴勒 of 伊克巴勒 is still the name asked about."""
    return any(piece in name for name in names)


def extract_span(question: str, sentence: str, kind: str | None = None, *, people: tuple[str, ...] = (),
                 anchors: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> Span | None:
    """The short answer to ``question`` in ``sentence``, or None when the sentence holds no such span.

    ``people`` are known person names (from the glossary) to prefer for "who" questions; ``anchors`` are
    extra forms of the question's words in the sentence's language (an English question's Chinese
    renderings), so its span can be placed near them; ``exclude`` are names the question itself gives (in
    any language), which are never its answer, nor is any part of them.
    """
    kind = kind or question_kind(question)
    if not is_factoid(kind) or (kind in (ENTITY, PLACE) and not CJK_CHAR.search(question)):
        # "What" and "where" answers are found by lining the question's own words up with the sentence, which
        # takes a Chinese question. For an English one only name-like guesses are left, and they held the gold
        # answer for .30 of XQuAD's English dev questions: a wrong bold answer misleads more than the quote.
        return None
    q, s = _norm(question), _norm(sentence)
    aligned = (_titled(q, s) or _inverted(q, s) or _aligned(q, s)) if CJK_CHAR.search(q) else None
    spots = _anchors(q, s) + [m.start() for a in anchors if a for m in re.finditer(re.escape(_norm(a)), s)]
    known = {_norm(e).replace(" ", "") for e in exclude if e}
    typed = [c for c in _candidates(s, sentence, kind, _normal_forms(people))
             if not _in_question(s[c[0]:c[1]], q) and not _part_of_any(s[c[0]:c[1]].replace(" ", ""), known)]
    if kind == NUMBER and re.search(r"比例|比率|比分|\bratio\b|\bscore\b", q):
        # "男女生比例" and "比分" ask for two figures side by side ("1：7", "20比1").
        typed += [(*m.span(), 2) for m in _RATIO.finditer(s)]
    if kind == NUMBER and _ASKS_ORDINAL.search(q):
        # "第几位皇后" asks for an ordinal, which is otherwise not a figure.
        typed += [(*m.span(), 2) for m in _ORDINAL.finditer(s) if not _in_question(m.group(0), q)]
    if kind == NUMBER and not _ASKS_TIME.search(q):
        # "How big was the team?" is not answered by "一年" in "成立一年，规模已达 150 人".
        typed = [c for c in typed if not _DURATION.search(s[c[0]:c[1]])]
    strongest = max((c[2] for c in typed), default=0)
    # Dates and figures are told apart by their clause; names in one list share it.
    pairs = _pairs(q, anchors) if kind in (TIME, NUMBER) else set()
    chosen: tuple[int, int] | None = None
    if aligned and kind in (ENTITY, PLACE) and aligned[1] - aligned[0] <= 30:
        chosen = aligned
    elif typed:
        if aligned:
            inside = [c for c in typed if c[0] >= aligned[0] - 1 and c[1] <= aligned[1] + 1]
            overlapping = [c for c in typed if c[0] < aligned[1] and c[1] > aligned[0]]
            pool = sorted(set(inside) | set(overlapping))
            asked = _asked_noun(q)
            if pool and max(_shared(s, c, pairs) for c in pool) >= max(_shared(s, c, pairs) for c in typed):
                chosen = max(pool, key=lambda c: (_fits(s, c, asked), _shared(s, c, pairs), c[2], c[1] - c[0]))[:2]
        if chosen is None and aligned and kind == PERSON and strongest < 2 and aligned[1] - aligned[0] <= 30:
            chosen = aligned  # name heuristics are weaker than the question's own words around the answer
        if chosen is None and (spots or not aligned):
            asked = _asked_noun(q)
            chosen = min(typed, key=lambda c: (-_fits(s, c, asked), -_shared(s, c, pairs), -c[2],
                                               _distance(c, spots), c[0]))[:2]
    if chosen is None and aligned and aligned[1] - aligned[0] <= 40 and not _in_question(s[aligned[0]:aligned[1]], q) \
            and kind not in (NUMBER, TIME):  # a figure or a date must be found as one, not guessed
        chosen = aligned
    if chosen is None:
        return None
    a, b = _trim(sentence, *chosen) if chosen == aligned else chosen
    if kind == PLACE and chosen == aligned:
        a, b = _place_core(s, a, b)
    if _ASKS_COUNTRY.search(q):
        a, b = _leading_place(s, a, b)
    if chosen == aligned:
        a, b = _after_colon(s, a, b)
    if kind == TIME and _ASKS_YEAR.search(q) and not _ASKS_DAY.search(q):
        year = re.match(r"(?:公元前?)?\d{3,4}\s*年(?=\s*\d{1,2}\s*月)|\d{4}(?=[./-]\d{1,2}(?!\d))", s[a:b])
        b = a + year.end() if year else b  # "哪一年" asks for the year, not the day
    b = _with_head_noun(q, s, a, b)
    text = sentence[a:b].strip()
    return Span(text, a + (len(sentence[a:b]) - len(sentence[a:b].lstrip())), kind) if text else None


_ASKS_YEAR = re.compile(r"哪一?年|几几年|\b(?:which|what) year\b")
_ASKS_DAY = re.compile(r"哪一?个?月|几月|哪一?天|几号|几日|\b(?:month|date|day)\b")


def _after_colon(sentence: str, start: int, end: int) -> tuple[int, int]:
    """What a colon right after the span introduces: "刻了他自己的诗句：这里是灵魂换马的驿站", "两个族：A、B"."""
    rest = sentence[end:].lstrip()
    if not rest.startswith(":"):
        return start, end
    at = len(sentence) - len(rest) + 1
    stop = re.search(r"[。;!?；！？]|$", sentence[at:])
    after = _trim(sentence, at, at + stop.start())
    return after if after[1] - after[0] >= 2 else (start, end)


_LOCATED = re.compile(r"位于|坐落于|座落于|坐落在|座落在|地处")


def _place_core(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The place itself in a stretch that says what lies there: "与宏都建设同样位于嘉义市" → "嘉义市"."""
    located = list(_LOCATED.finditer(sentence, start, end))
    if located and end - located[-1].end() >= 2:
        start = located[-1].end()
    return start, end


# "哪个国家的赛车手" asks for the country: "葡萄牙" of "葡萄牙F1车手", not the words that follow it.
_ASKS_COUNTRY = re.compile(r"哪一?个?国家?的|哪国")


def _leading_place(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The place names that open ``sentence[start:end]``, when other words follow them ("荷兰女子" → "荷兰")."""
    tags = rjieba.tag(sentence[start:end])
    places = 0
    for token, tag in tags:
        if tag != "ns":
            break
        places += len(token)
    return (start, start + places) if 2 <= places < end - start else (start, end)


def _with_head_noun(question: str, sentence: str, start: int, end: int) -> int:
    """Extend a span by the noun the question word qualifies when the sentence has it right after the span.

    "哪所大学" asks for "耶鲁大学", not "耶鲁"; "什么制度" for "「一领具足」制度". The noun is the
    run of words after the question word that the tagger calls nouns.
    """
    wh = _WH.search(question)
    if wh is None or not re.match(r"哪|什么$", wh.group(0)):
        return end  # only "哪 / 什么" qualify a noun; "谁", "多少", "何时" stand alone
    word = ""
    for token, tag in rjieba.tag(question[wh.end():wh.end() + 10]):
        if not tag.startswith("n") or not CJK_CHAR.match(token):
            break
        word += token
    return end + len(word) if len(word) >= 2 and sentence.startswith(word, end) else end


def holds_kind(question: str, sentence: str, kind: str, people: tuple[str, ...] = ()) -> bool:
    """Whether ``sentence`` holds a span of the type ``kind`` asks for that the question does not already give."""
    if not is_factoid(kind) or kind == ENTITY:
        return False
    q, s = _norm(question), _norm(sentence)
    if kind == NUMBER and _ASKS_ORDINAL.search(q):
        return any(not _in_question(m.group(0), q) for m in _ORDINAL.finditer(s))
    return any(not _in_question(s[a:b], q) for a, b, strength in _candidates(s, sentence, kind, people)
               if strength == 2 or kind != PERSON)


# A figure that is a length of time, and questions that ask for one (or for a date, an age or a rate).
_DURATION = re.compile(r"(?:年|个月|天|小时|分钟|秒钟?|周|星期)(?:[多余]|左右)?$")
_TIME_UNIT = r"(?:个)?(?:年|月|天|日|小时|分钟|秒|周|星期|岁)"
_ASKS_TIME = re.compile(rf"多久|多长时间|多少{_TIME_UNIT}|几{_TIME_UNIT}|哪一?年|年龄|时长|期限|频率|"
                        r"\bhow (?:long|old|often|soon)\b|\bwhat age\b|"
                        r"\bhow many (?:years|months|days|hours|minutes|seconds|weeks|decades|centuries)\b")


def _asked_noun(question: str) -> set[str]:
    """The Chinese characters of what a "多少 / 几" question counts ("多少企业客户" → 企, 业, 客, 户)."""
    m = re.search(rf"(?:多少|几)([{CJK}]{{1,4}})", question)
    asked = set(m.group(1)) - set("个是的呢了") if m else set()
    if _MONEY.search(question):
        asked |= {"元"}  # an amount of money: 美元, 亿元, 人民币元
    return asked


def _fits(sentence: str, span: tuple[int, ...], asked: set[str]) -> int:
    """How well a figure fits what the question counts.

    2 when its own unit does ("三条" for "几条跑道"), 1 when the words right after it in its clause do
    ("500万 的特大都市"), else 0.
    """
    if not asked:
        return 0
    if asked & set(re.sub(r"[\d.,\s]", "", sentence[span[0]:span[1]])):
        return 2
    after = _CLAUSE_END.split(sentence[span[1]:span[1] + 4])[0]
    return int(bool(asked & set(after)))


def _pairs(question: str, anchors: tuple[str, ...]) -> set[str]:
    """Character pairs of the question's Chinese words (and of their renderings), the question word aside."""
    text = _WH.sub("|", question) + "|" + "|".join(_norm(a) for a in anchors if a)
    return {run[i:i + 2] for run in re.findall(rf"[{CJK}]+", text) for i in range(len(run) - 1)}


def _shared(sentence: str, span: tuple[int, ...], pairs: set[str]) -> int:
    """How many of the question's character pairs the clause around a candidate holds.

    Of several dates or figures in one sentence, the one whose clause repeats the question's words
    ("1959年设立冷湖市" for "冷湖市是何时设立的") answers it. A clause that is the candidate alone ("1970年，
    在……取得学士学位") is read with the clause after it.
    """
    if not pairs:
        return 0
    ends = [m.start() for m in _CLAUSE_END.finditer(sentence)] + [len(sentence)]
    before = [m.end() for m in _CLAUSE_END.finditer(sentence, 0, span[0])]
    start = before[-1] if before else 0
    end = next(e for e in ends if e >= span[1])
    if len(sentence[start:end].strip(_PUNCT)) - (span[1] - span[0]) < 2:
        end = next((e for e in ends if e > end), end)
    clause = sentence[start:end]
    return sum(1 for p in pairs if p in clause)


def _distance(span: tuple[int, ...], spots: list[int]) -> int:
    if not spots:
        return 0
    return min(min(abs(span[0] - p), abs(span[1] - p)) for p in spots)
