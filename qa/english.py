"""English renderings of what a Chinese sentence states: figures, dates, counts and names.

An English reader needs the short answer in English: ``30亿美元`` → ``US$3 billion``, ``2023年4月`` → ``April
2023``, ``600多人`` → ``600+ people``, and names as the glossary (or any other zh→en mapping) gives them, or
else a person's name in pinyin with the Chinese beside it (``Yang Zhilin (杨植麟)``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

import cn2an
from pypinyin import lazy_pinyin

from common.patterns import CJK_CHAR
from common.textnorm import to_simplified

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_CURRENCY = {"美元": "US$", "美金": "US$", "人民币": "RMB ", "元": "RMB ", "港元": "HK$", "港币": "HK$",
             "欧元": "€", "英镑": "£", "日元": "¥"}
_SCALE = {"万亿": Decimal(10) ** 12, "千亿": Decimal(10) ** 11, "百亿": Decimal(10) ** 10, "十亿": Decimal(10) ** 9,
          "亿": Decimal(10) ** 8, "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6, "万": Decimal(10) ** 4,
          "千": Decimal(1000)}
_COUNTERS = {"人": ("person", "people"), "名": ("person", "people"), "位": ("person", "people"),
             "家": ("company", "companies"), "个月": ("month", "months"), "个": ("", ""), "款": ("product", "products"),
             "次": ("time", "times"), "倍": ("-fold", "-fold"), "年": ("year", "years"), "天": ("day", "days"),
             "小时": ("hour", "hours"), "周": ("week", "weeks"), "轮": ("round", "rounds"),
             "篇": ("article", "articles"), "项": ("item", "items"), "种": ("kind", "kinds"),
             "层": ("layer", "layers"), "集": ("episode", "episodes"), "季": ("season", "seasons"),
             "分": ("point", "points")}
# Measure words that only count: "两支球队" is two teams, said by the noun after them.
_COUNTING = ("支", "所", "座", "条", "只", "部", "件", "张", "本", "台", "辆", "场", "届", "首", "枚", "艘", "架")
_SMALL = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# Measures keep their number as it is and take the English unit after it: "340英里" → "340 miles".
_MEASURES = {"平方公里": "km²", "平方米": "m²", "平方英里": "square miles", "公里": "km", "千米": "km", "厘米": "cm",
             "毫米": "mm", "米": "m", "英里": "miles", "英尺": "ft", "英寸": "in", "公斤": "kg", "千克": "kg",
             "吨": "tonnes", "岁": "years old", "周岁": "years old"}
_APPROX = {"约": "about ", "大约": "about ", "近": "nearly ", "超过": "over ", "超": "over ", "逾": "over ",
           "不到": "under ", "将近": "nearly ", "多达": "up to ", "达": "", "仅": "only ", "共": ""}

_NUM = r"\d[\d,]*(?:\.\d+)?"
_APPROX_WORDS = "|".join(sorted(_APPROX, key=len, reverse=True))  # "超过" before "超"
_UNITS = (r"美元|美金|人民币|港元|港币|欧元|英镑|日元|元|%|％|平方公里|平方米|平方英里|公里|千米|厘米|毫米|米|英里|"
          r"英尺|英寸|公斤|千克|吨|周岁|岁|人|名|位|家|个月|个|款|次|倍|年(?!代)|天|小时|周|轮|篇|项|种|层|集|季|分(?![钟之])|"
          + "|".join(_COUNTING))
_AMOUNT = re.compile(
    # A number glued to letters is part of a name: "Step-1", "GPT-4", "V2".
    r"(?:(?P<approx>" + _APPROX_WORDS + r")\s*)?"
    # An ordinal is no count ("第7名"), nor the minutes of a time of day ("10点30分").
    r"(?<![A-Za-z])(?<![A-Za-z]-)(?<![第点\d.,])(?P<num>" + _NUM + r")"
    r"\s*(?P<plus>多|余)?\s*(?P<scale>万亿|千亿|百亿|十亿|千万|百万|亿|万|千)?\s*(?P<plus2>多|余)?\s*"
    r"(?P<unit>" + _UNITS + r")?(?P<plus3>多|余|以上)?")
# A count in Chinese numerals takes a measure word: "两次", "五位", "三千万美元"; "一起" and "三大" are no counts,
# nor is an ordinal ("第三届"), a word ending in one ("唯一"), or two digits side by side ("三四家": three or four).
_CN_DIGIT = "一二两三四五六七八九"
_CN_COUNT = re.compile(
    r"(?:(?P<approx>" + _APPROX_WORDS + r")\s*)?"
    rf"(?<![第唯统万{_CN_DIGIT}])(?P<cn>[{_CN_DIGIT}十][零〇{_CN_DIGIT}十百千]*(?:万亿|亿|万)?[零〇{_CN_DIGIT}十百千]*)"
    r"(?P<plus>多|余)?(?P<unit>" + _UNITS + r")")
# A year is four digits before 年 ("1281 年" is a year, not 1,281 years), or 19xx/20xx in 2023.04.06 form; a
# year before the common era says so ("公元前 221 年").
_DATE = re.compile(r"(?:(?P<bc>公元前)\s*(?P<yb>\d{1,4})\s*年(?!代)|(?P<y>1\d{3}|20\d\d)\s*年(?!代)"
                   r"(?:\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号])?)?|"
                   r"(?P<y2>(?:19|20)\d\d)\s?[./-]\s?(?P<m2>\d{1,2})(?:[./-](?P<d2>\d{1,2}))?(?!\d))|"
                   r"(?P<m3>\d{1,2})\s*月\s*(?P<d3>\d{1,2})\s*[日号]")
# Centuries and decades: "20 世纪 90 年代" is the 1990s, not "20 世纪 90 years 代".
_ERA = re.compile(r"(?:(?P<ebc>公元前)\s*)?(?P<c>\d{1,2})\s*世[纪紀](?:\s*(?P<dec>\d0)\s*年代)?"
                  r"(?P<part>初期|中期|末期|后期|後期|前期|初|中|末)?|(?P<decade>\d{0,2}\d0)\s*年代"
                  r"(?P<part2>初期|中期|末期|后期|後期|前期|初|中|末)?")
_ORDINAL = re.compile(r"第\s*(?P<n>\d{1,4})(?![\d.])(?:\s*[名位届次期])?")
_RANGE = re.compile(r"\s*(?:到|至|~|～)\s*")
_PAIR = {"和": " and ", "及": " and ", "与": " and ", "與": " and ", "或": " or "}
_RELATIVE_WORDS = {"以来": "since", "以后": "after", "之后": "after", "以前": "before", "之前": "before"}
_RELATIVE = re.compile("|".join(_RELATIVE_WORDS))
_PART = {"初": "early ", "初期": "early ", "前期": "early ", "中": "mid-", "中期": "mid-", "末": "late ",
         "末期": "late ", "后期": "late ", "後期": "late "}
# Column names that tables in Chinese articles commonly use, for English readers of a quoted row.
COLUMN_WORDS = {"时间": "date", "日期": "date", "轮次": "round", "金额": "amount", "融资金额": "amount",
                "估值": "valuation", "最新估值": "latest valuation", "机构": "investors", "投资机构": "investors",
                "投资方": "investors", "创始人": "founder", "模型": "model", "分类": "group", "价格": "price",
                "收入": "revenue", "业务": "business", "产品": "product", "C 端产品": "consumer products",
                "B 端产品": "business products"}
# What an English question asks for, in the words of those column names.
ASKED_COLUMNS = {"valued": "估值", "valuation": "估值", "worth": "估值", "raised": "金额", "raise": "金额",
                 "amount": "金额", "investors": "机构|投资", "backed": "机构|投资", "founder": "创始人",
                 "founded": "创始人", "price": "价格", "cost": "价格", "revenue": "收入", "when": "时间",
                 "date": "时间"}


def english_column(name: str) -> str:
    """A table column name in English when it is a common one, else as it is."""
    return COLUMN_WORDS.get(to_simplified(name.strip()), name)


# A date or a figure, for finding what to render in a sentence.
FIGURE = re.compile(f"(?:{_ERA.pattern})|(?:{_DATE.pattern})|(?:{_ORDINAL.pattern})|(?:{_AMOUNT.pattern})")
# Readings of characters that differ when they are a surname.
_SURNAME_READING = {"曾": "zeng", "单": "shan", "仇": "qiu", "解": "xie", "查": "zha", "朴": "piao", "区": "ou",
                    "盖": "ge", "覃": "qin", "乐": "yue", "尉": "yu", "员": "yun", "缪": "miao", "瞿": "qu",
                    "万": "wan", "贾": "jia", "沈": "shen", "石": "shi", "翟": "zhai", "秘": "bi"}
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "尉迟", "长孙", "宇文")


def _plain(value: Decimal) -> str:
    """``3`` for 3.000, ``1.4`` for 1.40, with thousands separators."""
    text = f"{value:,.2f}" if abs(value) >= 10000 else f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def english_number(value: Decimal) -> str:
    """``3000000000`` → ``3 billion``; small numbers stay digits (``906``, ``11``)."""
    for size, word in ((Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if abs(value) >= size:
            return f"{_plain(value / size)} {word}"
    return _plain(value)


# 家 counts companies, but also institutions, banks or shops: "companies" only where the text says so.
_COMPANY_WORDS = re.compile(r"公司|企业|企業|创业|創業|初创|初創|独角兽|獨角獸|厂商|廠商|大厂|大廠")


def _counts_companies(text: str, start: int, end: int) -> bool:
    """Whether the count at ``text[start:end]`` is of companies: a company word right before or after it."""
    return bool(_COMPANY_WORDS.search(text[max(0, start - 8):start]) or _COMPANY_WORDS.search(text[end:end + 6]))


def render_amount(match: re.Match[str], companies: bool) -> str:
    """One matched Chinese figure in English; ``companies`` says whether a 家 count is of companies."""
    try:
        value = Decimal(match.group("num").replace(",", ""))
    except InvalidOperation:
        return match.group(0)
    scale, unit = match.group("scale"), match.group("unit") or ""
    if scale:
        value *= _SCALE[scale]
    plus = "+" if (match.group("plus") or match.group("plus2") or match.group("plus3")) else ""
    approx = _APPROX.get(match.group("approx") or "", "")
    if unit in ("%", "％"):
        return f"{approx}{_plain(value)}%{plus}"
    # A figure the source writes out in digits ("1,345,596") stays exact; one it scales (30 亿) reads in words.
    number = english_number(value) if scale else _plain(value)
    if unit in _MEASURES:
        return f"{approx}{number}{plus} {_MEASURES[unit]}"
    if unit in _CURRENCY:
        return f"{approx}{_CURRENCY[unit]}{number}{plus}"
    if unit in _COUNTING:
        return f"{approx}{number}{plus}"
    if unit == "家" and not companies:
        return f"{approx}{number}{plus}"
    if unit in _COUNTERS:
        one, many = _COUNTERS[unit]
        noun = one if value == 1 and not plus else many
        if noun.startswith("-"):
            return f"{approx}{number}{plus}{noun}"
        return f"{approx}{number}{plus}{' ' + noun if noun else ''}"
    return f"{approx}{number}{plus}"


def render_count(match: re.Match[str], companies: bool) -> str:
    """A count in Chinese numerals: ``两次`` → ``twice``, ``五位`` → ``five people``, ``三千万元`` → ``RMB 30 million``.

    Under ten it reads in words, as English writes small counts; ``companies`` as for :func:`render_amount`.
    """
    if re.search(f"[{_CN_DIGIT}]{{2}}", match.group("cn")):
        return match.group(0)  # "三四家" is three or four, "唯一一家" the only one
    try:
        value = int(cn2an.cn2an(match.group("cn"), "smart"))
    except (ValueError, KeyError, TypeError):
        return match.group(0)
    # 三千万 reads "30 million", as 3000万 does, not "30,000,000".
    digits = next((f"{value // size}{word}" for size, word in ((10 ** 8, "亿"), (10 ** 4, "万"))
                   if value >= size and value % size == 0), str(value))
    text = f"{match.group('approx') or ''}{digits}{match.group('plus') or ''}{match.group('unit')}"
    amount = _AMOUNT.fullmatch(text)
    rendered = render_amount(amount, companies) if amount else match.group(0)
    if 0 < value < 10 and not match.group("plus"):
        if match.group("unit") == "次" and value <= 2:
            return ("once", "twice")[value - 1]
        rendered = re.sub(rf"(?<![\d.]){value}(?![\d.])", _SMALL[value - 1], rendered, count=1)
    return rendered


def render_date(match: re.Match[str]) -> str:
    """``2023年4月`` → ``April 2023``; ``2023.04.06`` → ``April 6, 2023``; ``2023年`` → ``2023``."""
    if match.group("bc"):
        return f"{int(match.group('yb'))} BC"
    year = match.group("y") or match.group("y2") or ""
    month = match.group("m") or match.group("m2") or match.group("m3")
    day = match.group("d") or match.group("d2") or match.group("d3")
    if month and not 1 <= int(month) <= 12:
        return match.group(0)
    if day and month:
        # American order, as with US$: "May 18, 1756".
        return f"{MONTHS[int(month) - 1]} {int(day)}" + (f", {year}" if year else "")
    return " ".join(([MONTHS[int(month) - 1]] if month else []) + ([year] if year else []))


def _ordinal(n: int) -> str:
    """``1`` → ``1st``, ``12`` → ``12th``, ``22`` → ``22nd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def render_era(match: re.Match[str]) -> str:
    """``20 世纪 90 年代`` → ``the 1990s``; ``公元前 3 世纪`` → ``the 3rd century BC``; ``80 年代`` → ``the '80s``.

    A decade without its century stays short: "80 年代" could be the 1880s or the 1980s.
    """
    part = _PART.get(match.group("part") or match.group("part2") or "", "")
    if match.group("decade"):
        decade = match.group("decade")
        return f"the {part}{decade}s" if len(decade) >= 3 else f"the {part}'{decade}s"
    century = int(match.group("c"))
    if match.group("dec") and not match.group("ebc") and century >= 1:
        return f"the {part}{(century - 1) * 100 + int(match.group('dec'))}s"
    bc = " BC" if match.group("ebc") else ""
    return f"the {part}{_ordinal(century)} century{bc}"


def date_key(text: str) -> str | None:
    """A date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: 2023年4月 is 2023-04, 2023.04.06 is 2023-04-06."""
    m = _DATE.search(text)
    year = m and (m.group("y") or m.group("y2"))
    if not year:
        return None
    month, day = m.group("m") or m.group("m2"), m.group("d") or m.group("d2")
    return "-".join([year, *(f"{int(x):02d}" for x in (month, day if month else None) if x)])


def render_ordinal(match: re.Match[str]) -> str:
    """``第12名`` → ``12th``."""
    return _ordinal(int(match.group("n")))


def render_figures(text: str, preceding: str = "", following: str = "") -> str:
    """``text`` with its dates and figures in English, other text unchanged; "到" between two is "to".

    ``preceding`` and ``following`` are the text around it (a span's sentence): they say what a count counts.
    """
    out: list[str] = []
    pos, last = 0, -1
    around, at = f"{preceding}{text}{following}", len(preceding)  # what each count's neighbouring words say
    while pos < len(text):
        amount = next((m for m in _AMOUNT.finditer(text, pos) if m.group("num")), None)
        found = [(m, render) for m, render in ((_ERA.search(text, pos), render_era),
                                               (_DATE.search(text, pos), render_date),
                                               (_ORDINAL.search(text, pos), render_ordinal),
                                               (amount, render_amount),
                                               (_CN_COUNT.search(text, pos), render_count)) if m]
        if not found:
            break
        match, render = min(found, key=lambda f: f[0].start())  # the earliest; an era before a date before an amount
        if render in (render_amount, render_count):
            rendered = render(match, _counts_companies(around, at + match.start(), at + match.end()))
        else:
            rendered = render(match)
        end = match.end()
        relation = _RELATIVE.match(text, end) if render in (render_date, render_era) else None
        if relation:
            # "90 年代以来" is "since the '90s": the word after a date says how it bounds the time.
            rendered, end = f"{_RELATIVE_WORDS[relation.group(0)]} {rendered}", relation.end()
        start = match.start()
        if relation and relation.group(0) == "以来" and text[pos:start].rstrip().endswith(("自", "从")):
            start = pos + len(text[pos:start].rstrip()) - 1  # "自 2000 年以来" is "since 2000", not "自 since 2000"
        gap = text[pos:start]
        # "7%到10%" is one range, "7% to 10%"; "1915 年和1937 年" a pair, "1915 and 1937".
        joiner = (" to " if _RANGE.fullmatch(gap) else _PAIR.get(gap.strip(), "")) if last == pos else ""
        joined = bool(joiner)
        if joined:
            out[-1] = out[-1].rstrip()
        out.append(joiner or gap)
        before = text[start - 1:start] if start else ""
        after = text[end:end + 1]
        # Keep words apart once the figure is in Latin letters: "估值US$3 billion" reads "估值 US$3 billion".
        lead = " " if not joined and before and not before.isspace() and CJK_CHAR.match(before) else ""
        tail = " " if after and (CJK_CHAR.match(after) or (after.isalnum() and rendered[-1:].isalnum())) else ""
        out.append(f"{lead}{rendered}{tail}")
        pos = max(end, pos + 1)
        last = pos
    out.append(text[pos:])
    return "".join(out)


def has_figure(text: str) -> bool:
    """Whether ``text`` holds a date or a figure that :func:`render_figures` would change."""
    if _ERA.search(text) or _DATE.search(text) or _ORDINAL.search(text):
        return True
    return any(m.group("scale") or m.group("unit") or m.group("plus") for m in _AMOUNT.finditer(text) if m.group("num"))


def pinyin_name(name: str) -> str:
    """A Chinese person's name in pinyin, surname first: ``杨植麟`` → ``Yang Zhilin``."""
    name = to_simplified(name.strip())
    surname = next((s for s in _COMPOUND_SURNAMES if name.startswith(s)), name[:1])
    given = name[len(surname):]
    family = "".join(_SURNAME_READING.get(c, "") or lazy_pinyin(c)[0] for c in surname)
    rest = "".join(lazy_pinyin(given))
    return " ".join(p.capitalize() for p in (family, rest) if p)


class NameRenderer:
    """Renders Chinese names in English from any zh→en mapping, else (for people) in pinyin.

    The mapping can come from the glossary, from name pairs mined from the corpus, or both: whatever maps
    a Chinese name (any script) to its English form.
    """

    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        """Keep the mapping, keyed by the Simplified form."""
        self._names = {to_simplified(k): v for k, v in (names or {}).items() if k and v}

    @classmethod
    def from_entities(cls, entities: Iterable[object], mined: Mapping[str, str] | None = None) -> NameRenderer:
        """From glossary entities (objects with ``zh`` and ``en`` alias tuples): each Chinese alias → first English.

        ``mined`` (Chinese → English name pairs found in the corpus) fills in names the glossary lacks.
        """
        names: dict[str, str] = {}
        for entity in entities:
            en = getattr(entity, "en", ())
            if en:
                for zh in getattr(entity, "zh", ()):
                    if CJK_CHAR.search(zh):
                        names.setdefault(zh, en[0])
        return cls({**(mined or {}), **names})

    def with_names(self, names: Mapping[str, str]) -> NameRenderer:
        """A renderer with these names added (a question's own spellings), which come first."""
        if not names:
            return self
        renderer = NameRenderer(names)  # only the new names need their Simplified keys made
        renderer._names = {**self._names, **renderer._names}
        return renderer

    def english(self, name: str) -> str | None:
        """The English form of ``name`` from the mapping, if it has one."""
        return self._names.get(to_simplified(name.strip()))

    def names_in(self, text: str) -> list[str]:
        """The English forms of the mapped names ``text`` writes, in order, a name inside a longer one not again."""
        simplified = to_simplified(text)
        found: list[tuple[int, str]] = []
        taken = [False] * len(simplified)
        for zh in sorted((k for k in self._names if k in simplified), key=len, reverse=True):
            at = simplified.find(zh)
            if not any(taken[at: at + len(zh)]):
                taken[at: at + len(zh)] = [True] * len(zh)
                found.append((at, self._names[zh]))
        return list(dict.fromkeys(en for _, en in sorted(found)))

    def render(self, text: str, *, person: bool = False, sentence: str = "") -> str:
        """``text`` for an English reader: mapped names in English, a person's name in pinyin with the Chinese.

        Text that is already Latin is returned as it is; Chinese text that is neither mapped nor a person's
        name keeps its Chinese, with any figures inside rendered in English (read in ``sentence``, the text
        ``text`` was taken from, where given).
        """
        text = text.strip()
        at = sentence.find(text) if text else -1
        before, after = (sentence[:at], sentence[at + len(text):]) if at >= 0 else ("", "")
        if not CJK_CHAR.search(text):
            return render_figures(text, before, after)
        known = self.english(text)
        if known:
            return f"{known} ({text})"
        if person and 2 <= len(text) <= 4 and all(CJK_CHAR.match(c) for c in text):
            return f"{pinyin_name(text)} ({text})"
        # Names inside a longer span ("杨植麟和周昕宇"): replace the mapped ones, longest first.
        out, simplified = text, to_simplified(text)
        for zh in sorted((k for k in self._names if k in simplified), key=len, reverse=True):
            out = to_simplified(out).replace(zh, self._names[zh])
        out = render_figures(out, before, after)
        return out if out == text else f"{out} ({text})"
