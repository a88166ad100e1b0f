"""Latin names matched to the Chinese characters that spell their sound (Jacksonville → 杰克逊维尔).

Chinese writes most Western names by sound, with a small set of characters, and no dictionary lists the
names of every corpus. Both spellings are reduced to their consonants in broad classes (Chinese uses 加 for
"ga", 维 for "v" and 尔 for a final "r"), and a name matches the corpus's runs of such characters that
reduce to the same consonants, or to the same but one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from pypinyin import lazy_pinyin

MIN_KEY = 3  # consonant classes a name needs: shorter keys match too much ("Mies" is only M S)
MAX_CHARS = 8  # the longest Chinese spelling looked for
NEAR_KEY = 4  # a key this long may also match with one consonant more or less ("Wittenberg", 维滕贝格)

# English letters and letter groups (regular expressions), by what Chinese spells them with; the order
# matters ("tsch" before "ch"). A silent "gh" is not the "gh" of "Ghana"; "ng" ends a syllable as Chinese
# -ng does ("Geelong", 基隆).
_ENGLISH_GROUPS = (("tsch", "k"), ("sch", "s"), ("tch", "k"), ("ch", "k"), ("sh", "s"), ("ph", "f"), ("th", "t"),
                   ("ck", "k"), ("(?<=.)gh", ""), ("ng(?![aeiouy])", "n"), ("qu", "k"), ("x", "ks"), ("tz", "s"),
                   ("ts", "s"), ("dt", "t"))
_SOFT_C = re.compile(r"c(?=[eiy])")
_CLASSES = {**dict.fromkeys("bp", "P"), **dict.fromkeys("dt", "T"), **dict.fromkeys("kgjqc", "K"),
            **dict.fromkeys("sz", "S"), **dict.fromkeys("fvw", "F"), **dict.fromkeys("lr", "L"),
            "m": "M", "n": "N", "h": "H"}
# Pinyin initials by the same classes; two-letter initials first.
_INITIALS = (("zh", "K"), ("ch", "K"), ("sh", "S"), ("b", "P"), ("p", "P"), ("d", "T"), ("t", "T"), ("g", "K"),
             ("k", "K"), ("j", "K"), ("q", "K"), ("s", "S"), ("z", "S"), ("c", "S"), ("x", "S"), ("f", "F"),
             ("w", "F"), ("l", "L"), ("r", "L"), ("m", "M"), ("n", "N"), ("h", "H"))
_VOWEL = "A"  # a name opening with a vowel: Anaheim, 阿纳海姆


def latin_key(word: str) -> str:
    """The consonant classes of a Latin word, with a mark for an opening vowel."""
    spelled = re.sub(r"[^a-z]", "", word.lower())
    for group, sound in _ENGLISH_GROUPS:
        spelled = re.sub(group, sound, spelled)
    spelled = _SOFT_C.sub("s", spelled)
    if len(spelled) > 3 and spelled.endswith("e") and spelled[-2] not in "aeiouy":
        spelled = spelled[:-1]  # a silent final e
    return _collapse(_CLASSES.get(ch, _VOWEL if i == 0 else "") for i, ch in enumerate(spelled))


@lru_cache(maxsize=4096)
def _syllable_key(syllable: str, first: bool) -> str:
    if syllable == "er":
        return "L"  # 尔 spells a final r or l
    initial = next((sound for start, sound in _INITIALS if syllable.startswith(start)), _VOWEL if first else "")
    return initial + ("N" if syllable.endswith(("n", "ng")) else "")


def chinese_key(text: str) -> str:
    """The consonant classes of a Chinese spelling, read through its pinyin."""
    return _collapse(_syllable_key(s, i == 0) for i, s in enumerate(lazy_pinyin(text)))


def _collapse(sounds: Iterable[str]) -> str:
    out: list[str] = []
    for sound in "".join(sounds):
        if not out or out[-1] != sound:
            out.append(sound)
    return "".join(out)


def _one_less(key: str) -> set[str]:
    return {key[:i] + key[i + 1:] for i in range(len(key))}


class SoundIndex:
    """The corpus's runs of name-spelling characters, by their consonant keys."""

    def __init__(self, texts: Iterable[str], characters: str) -> None:
        """Index every stretch of 2 to ``MAX_CHARS`` of ``characters`` in ``texts``, with how often it occurs."""
        run = re.compile(f"[{re.escape(characters)}]{{2,}}") if characters else None
        self._count: Counter[str] = Counter()
        for text in texts if run else ():
            for m in run.finditer(text):
                found = m.group(0)
                for i in range(len(found) - 1):
                    for j in range(i + 2, min(len(found), i + MAX_CHARS) + 1):
                        self._count[found[i:j]] += 1
        # A stretch that never occurs but inside one longer stretch is part of another name (克巴勒 of 伊克巴勒).
        parts = {part for spelling, n in self._count.items() if len(spelling) > 2
                 for part in (spelling[1:], spelling[:-1]) if self._count[part] == n}
        self._exact: dict[str, set[str]] = {}
        self._near: dict[str, set[str]] = {}  # keys with one consonant left out
        for spelling in self._count.keys() - parts:
            key = chinese_key(spelling)
            if len(key) < MIN_KEY:
                continue
            self._exact.setdefault(key, set()).add(spelling)
            if len(key) >= NEAR_KEY:
                for shorter in _one_less(key):
                    self._near.setdefault(shorter, set()).add(spelling)

    def find(self, word: str) -> tuple[tuple[str, ...], bool]:
        """The corpus spellings of ``word``'s sound, one per name, the most used first; and whether they match exactly.

        A stretch inside a longer one found too (克逊维尔 in 杰克逊维尔) is the same name, not another.
        """
        key = latin_key(word)
        if len(key) < MIN_KEY:
            return (), False
        found, exact = self._exact.get(key, set()), True
        if not found and len(key) >= NEAR_KEY:
            exact = False
            found = set(self._near.get(key, ()))  # the Chinese spelling has one consonant more
            for shorter in _one_less(key):
                found |= self._exact.get(shorter, set()) if len(shorter) >= NEAR_KEY else set()
                found |= self._near.get(shorter, set())
        names: list[str] = []
        for spelling in sorted(found, key=lambda s: (-len(s), -self._count[s], s)):
            if not any(spelling in longer for longer in names):
                names.append(spelling)
        if not exact and len(names) > 1:
            return (), False  # one consonant off is evidence only when nothing else is as close
        return tuple(sorted(names, key=lambda s: (-self._count[s], -len(s)))), exact
