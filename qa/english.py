"""English renderings of what a Chinese sentence states: figures, dates, counts and names.

An English reader needs the short answer in English: ``30亿美元`` → ``US$3 billion``, ``2023年4月`` → ``April
2023``, ``600多人`` → ``600+ people``, and names as the glossary (or any other zh→en mapping) gives them, or
else a person's name in pinyin with the Chinese beside it (``Yang Zhilin (杨植麟)``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from pypinyin import lazy_pinyin

from common.patterns import CJK_CHAR
from common.textnorm import to_simplified

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_CURRENCY = {"美元": "US$", "美金": "US$", "人民币": "RMB ", "元": "RMB ", "港元": "HK$", "港币": "HK$",
             "欧元": "€", "英镑": "£", "日元": "¥"}
_SCALE = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6,
          "万": Decimal(10) ** 4, "千": Decimal(1000)}
_COUNTERS = {"人": ("person", "people"), "名": ("person", "people"), "位": ("person", "people"),
             "家": ("company", "companies"), "个": ("", ""), "款": ("product", "products"),
             "次": ("time", "times"), "倍": ("-fold", "-fold"), "年": ("year", "years"), "天": ("day", "days"),
             "轮": ("round", "rounds"), "篇": ("article", "articles"), "项": ("item", "items")}
_APPROX = {"约": "about ", "大约": "about ", "近": "nearly ", "超过": "over ", "超": "over ", "逾": "over ",
           "不到": "under ", "将近": "nearly ", "多达": "up to ", "达": "", "仅": "only ", "共": ""}

_NUM = r"\d[\d,]*(?:\.\d+)?"
_AMOUNT = re.compile(
    r"(?:(?P<approx>大约|将近|多达|超过|不到|约|近|超|逾|达|仅|共)\s*)?(?P<num>" + _NUM + r")\s*(?P<plus>多|余)?\s*"
    r"(?P<scale>万亿|千万|百万|亿|万|千)?\s*(?P<plus2>多|余)?\s*"
    r"(?P<unit>美元|美金|人民币|港元|港币|欧元|英镑|日元|元|%|％|人|名|位|家|个|款|次|倍|年|天|轮|篇|项)?"
    r"(?P<plus3>多|余|以上)?")
_DATE = re.compile(r"(?P<y>(?:19|20)\d\d)\s*(?:年\s*(?:(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号])?)?|"
                   r"[./-](?P<m2>\d{1,2})(?:[./-](?P<d2>\d{1,2}))?(?!\d))|(?P<m3>\d{1,2})\s*月\s*(?P<d3>\d{1,2})\s*[日号]")
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
FIGURE = re.compile(f"(?:{_DATE.pattern})|(?:{_AMOUNT.pattern})")
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


def render_amount(match: re.Match[str]) -> str:
    """One matched Chinese figure in English."""
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
    number = english_number(value)
    if unit in _CURRENCY:
        return f"{approx}{_CURRENCY[unit]}{number}{plus}"
    if unit in _COUNTERS:
        one, many = _COUNTERS[unit]
        noun = one if value == 1 and not plus else many
        if noun.startswith("-"):
            return f"{approx}{number}{plus}{noun}"
        return f"{approx}{number}{plus}{' ' + noun if noun else ''}"
    return f"{approx}{number}{plus}"


def render_date(match: re.Match[str]) -> str:
    """``2023年4月`` → ``April 2023``; ``2023.04.06`` → ``6 April 2023``; ``2023年`` → ``2023``."""
    year = match.group("y") or ""
    month = match.group("m") or match.group("m2") or match.group("m3")
    day = match.group("d") or match.group("d2") or match.group("d3")
    if month and not 1 <= int(month) <= 12:
        return match.group(0)
    parts = [str(int(day))] if day and month else []
    if month:
        parts.append(MONTHS[int(month) - 1])
    if year:
        parts.append(year)
    return " ".join(parts)


def render_figures(text: str) -> str:
    """``text`` with its dates and figures in English, other text unchanged."""
    out: list[str] = []
    pos = 0
    while pos < len(text):
        date = _DATE.search(text, pos)
        amount = next((m for m in _AMOUNT.finditer(text, pos) if m.group("num")), None)
        if date and (amount is None or date.start() <= amount.start()):
            match, rendered = date, render_date(date)
        elif amount:
            match, rendered = amount, render_amount(amount)
        else:
            break
        out.append(text[pos:match.start()])
        before = text[match.start() - 1:match.start()] if match.start() else ""
        after = text[match.end():match.end() + 1]
        # Keep words apart once the figure is in Latin letters: "估值US$3 billion" reads "估值 US$3 billion".
        lead = " " if before and not before.isspace() and CJK_CHAR.match(before) else ""
        tail = " " if after and CJK_CHAR.match(after) else ""
        out.append(f"{lead}{rendered}{tail}")
        pos = max(match.end(), pos + 1)
    out.append(text[pos:])
    return "".join(out)


def has_figure(text: str) -> bool:
    """Whether ``text`` holds a date or a figure that :func:`render_figures` would change."""
    return bool(_DATE.search(text)) or any(m.group("scale") or m.group("unit") or m.group("plus")
                                           for m in _AMOUNT.finditer(text) if m.group("num"))


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

    def english(self, name: str) -> str | None:
        """The English form of ``name`` from the mapping, if it has one."""
        return self._names.get(to_simplified(name.strip()))

    def render(self, text: str, *, person: bool = False) -> str:
        """``text`` for an English reader: mapped names in English, a person's name in pinyin with the Chinese.

        Text that is already Latin is returned as it is; Chinese text that is neither mapped nor a person's
        name keeps its Chinese, with any figures inside rendered in English.
        """
        text = text.strip()
        if not CJK_CHAR.search(text):
            return render_figures(text)
        known = self.english(text)
        if known:
            return f"{known} ({text})"
        if person and 2 <= len(text) <= 4 and all(CJK_CHAR.match(c) for c in text):
            return f"{pinyin_name(text)} ({text})"
        # Names inside a longer span ("杨植麟和周昕宇"): replace the mapped ones, longest first.
        out, simplified = text, to_simplified(text)
        for zh in sorted((k for k in self._names if k in simplified), key=len, reverse=True):
            out = to_simplified(out).replace(zh, self._names[zh])
        out = render_figures(out)
        return out if out == text else f"{out} ({text})"
