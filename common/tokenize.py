"""Lexical tokens for BM25: normalised text segmented into Chinese words and English terms."""

from __future__ import annotations

import re
from collections.abc import Collection

import rjieba

from common.patterns import CJK
from common.textnorm import normalize

_KEEP = re.compile(f"[0-9a-z{CJK}]")
_CJK_WORD = re.compile(f"[{CJK}]+")
# Function words that match everywhere and only dilute BM25 scores.
_STOPWORD_TEXT = """
的 了 和 与 及 是 在 也 都 而 或 其 之 为 对 从 被 把 让 向 于 以 等 这 那 该 此 有 个 中 上 下 吗 呢 吧 啊
什么 哪些 哪个 多少 如何 怎么 怎样 为什么 是否 谁 哪 几 大约 大概 约 具体 到底 分别 一共 总共 请问 据说 目前 当时
哪年 哪一年 哪天 哪一天 哪个月 什么时候 何时 多大 多久 多高 叫 名字 是什么
a an the of and or to in on at for by with from as is are was were be been being do does did
what which who whom whose when where why how much many that this these those it its their his her
about into than then there has have had can could would should will shall may might roughly approximately
exactly according said say says article articles report
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_FUNCTION_CHARS = frozenset(w for w in STOPWORDS if len(w) == 1 and _CJK_WORD.fullmatch(w))
# "第几名", "几个", "哪家", "什么样": words that ask; they name nothing a passage could hold.
_MEASURE = "个家位里儿款种国所些样年天月日条部本座场支项届次名只间类号"
_ASKING = re.compile(rf"第?几[{_MEASURE}]?|哪一?[{_MEASURE}]?|什么样|为何|谁家|多长时间")


def is_word(token: str) -> bool:
    """Whether a segment holds a letter, digit or Chinese character (not only punctuation or symbols)."""
    return bool(_KEEP.search(token))


def tokenize(text: str) -> list[str]:
    """Segment ``text`` (any script) into lower-case Simplified tokens without punctuation."""
    tokens = []
    for token in rjieba.cut(normalize(text)):
        token = token.strip()
        if token and _KEEP.search(token) and token not in STOPWORDS:
            tokens.append(token)
            if "-" in token:
                tokens.extend(_compound_parts(token))
    return tokens


def asks_or_joins(token: str) -> bool:
    """Whether a question's token only asks ("第几名") or fuses function words ("在排名中是" cut as "中是")."""
    return bool(_ASKING.fullmatch(token)) or (len(token) <= 3 and all(c in _FUNCTION_CHARS for c in token))


def _compound_parts(token: str) -> list[str]:
    """Prefixes and parts of a hyphenated name, so ``abab-6.5s`` meets ``abab-6.5s-2024 0415`` in a table.

    Single characters (the ``4`` of ``gpt-4``) would match every number and are left out.
    """
    parts = [p for p in token.split("-") if p]
    if len(parts) < 2:
        return []
    prefixes = ["-".join(parts[:n]) for n in range(1, len(parts))]
    return [t for t in dict.fromkeys(prefixes + parts[1:]) if len(t) >= 2 and t != token]


def sub_words(word: str) -> list[str]:
    """Shorter words inside a compound (``年收入`` -> ``收入``), for looser matching of question words."""
    return [w for w in rjieba.cut_for_search(normalize(word)) if w != word and len(w) >= 2 and w not in STOPWORDS]


def corpus_words(text: str, vocabulary: Collection[str], longest: int = 4) -> list[str]:
    """Words of ``vocabulary`` across the question's segments that the corpus does not use ("条窄" "轨" → 窄轨).

    The segmenter may cut a question differently from the passage that answers it ("有多少条窄轨铁路线" gives
    条窄 / 轨, the passage 窄轨), and the unused segment then matches nothing. Each Chinese segment the corpus
    never uses is read again together with its neighbours, and the corpus words of two to ``longest``
    characters that overlap it are returned.
    """
    raw = [t for t in rjieba.cut(normalize(text)) if t.strip()]
    found: list[str] = []
    for i, token in enumerate(raw):
        if not _CJK_WORD.fullmatch(token) or token in vocabulary or token in STOPWORDS:
            continue
        left = raw[i - 1] if i and _CJK_WORD.fullmatch(raw[i - 1]) else ""
        right = raw[i + 1] if i + 1 < len(raw) and _CJK_WORD.fullmatch(raw[i + 1]) else ""
        window, start = f"{left}{token}{right}", len(left)
        for size in range(min(longest, len(window)), 1, -1):
            for at in range(len(window) - size + 1):
                word = window[at:at + size]
                if at < start + len(token) and at + size > start and word != token and word in vocabulary \
                        and word not in STOPWORDS and word not in found:
                    found.append(word)
    return found
