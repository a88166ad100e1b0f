"""Checks for the articles' bilingual glossary and term list (``glossary.tsv``, ``terms.tsv`` beside them)."""

from __future__ import annotations

import re
import unittest
from pathlib import Path

from common.patterns import CJK_CHAR

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
CORPUS = DATA / "corpus"
GLOSSARY = CORPUS / "glossary.tsv"
TERMS = CORPUS / "terms.tsv"

KINDS = {"company", "product", "person", "investor", "org", "media", "place", "other"}

# Pinyin readings inserted after characters in some articles, e.g. 個(gè), 業(yè).
PINYIN_NOTE = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)")


def _lines(path: Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    return [(n, line) for n, line in enumerate(text.splitlines(), 1)]


def _glossary_rows() -> list[tuple[int, str, list[str], list[str]]]:
    rows = []
    lines = _lines(GLOSSARY)
    assert lines and lines[0][1] == "kind\tzh\ten", "glossary header must be 'kind<TAB>zh<TAB>en'"
    for n, line in lines[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        assert len(cols) == 3, f"glossary line {n}: expected 3 columns, got {len(cols)}"
        kind, zh, en = cols
        rows.append((n, kind, zh.split("|"), en.split("|")))
    return rows


def _term_rows() -> list[tuple[int, str, list[str]]]:
    rows = []
    lines = _lines(TERMS)
    assert lines and lines[0][1] == "en\tzh", "terms header must be 'en<TAB>zh'"
    for n, line in lines[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        assert len(cols) == 2, f"terms line {n}: expected 2 columns, got {len(cols)}"
        rows.append((n, cols[0], cols[1].split("|")))
    return rows


def _corpus_texts() -> dict[str, str]:
    texts = {}
    for path in sorted(CORPUS.glob("*.txt")):
        texts[path.name] = PINYIN_NOTE.sub("", path.read_text(encoding="utf-8"))
    return texts


class GlossaryFormat(unittest.TestCase):
    def test_rows_parse_with_valid_kinds_and_nonempty_aliases(self):
        rows = _glossary_rows()
        self.assertGreaterEqual(len(rows), 250)
        for n, kind, zh, en in rows:
            self.assertIn(kind, KINDS, f"line {n}: bad kind {kind!r}")
            for alias in zh + en:
                self.assertTrue(alias, f"line {n}: empty alias")
                self.assertEqual(alias, alias.strip(), f"line {n}: alias with outer spaces {alias!r}")
            self.assertEqual(len(zh), len(set(zh)), f"line {n}: repeated zh alias")
            self.assertEqual(len(en), len(set(en)), f"line {n}: repeated en alias")

    def test_first_zh_alias_is_chinese_for_most_rows(self):
        rows = _glossary_rows()
        with_cjk = sum(1 for _, _, zh, _ in rows if any(CJK_CHAR.search(a) for a in zh))
        self.assertGreaterEqual(with_cjk / len(rows), 0.7)

    def test_no_duplicate_entities(self):
        seen_rows: dict[tuple[str, str, str], int] = {}
        seen_primary: dict[str, int] = {}
        owner: dict[str, int] = {}
        for n, kind, zh, en in _glossary_rows():
            key = (kind, "|".join(zh), "|".join(en))
            self.assertNotIn(key, seen_rows, f"line {n} repeats line {seen_rows.get(key)}")
            seen_rows[key] = n
            primary = zh[0].lower()
            self.assertNotIn(primary, seen_primary, f"line {n}: {zh[0]!r} already at line {seen_primary.get(primary)}")
            seen_primary[primary] = n
            for alias in set(a.lower() for a in zh):
                self.assertNotIn(alias, owner, f"line {n}: zh alias {alias!r} also on line {owner.get(alias)}")
                owner[alias] = n


class TermsFormat(unittest.TestCase):
    def test_rows_parse_and_keys_are_unique_lowercase(self):
        rows = _term_rows()
        self.assertGreaterEqual(len(rows), 150)
        seen: dict[str, int] = {}
        for n, en, zh in rows:
            self.assertTrue(en and en == en.strip(), f"line {n}: bad key {en!r}")
            self.assertEqual(en, en.lower(), f"line {n}: key must be lower case")
            self.assertNotIn(en, seen, f"line {n}: {en!r} already on line {seen.get(en)}")
            seen[en] = n
            for alias in zh:
                self.assertTrue(alias and alias == alias.strip(), f"line {n}: empty or padded rendering")
            self.assertEqual(len(zh), len(set(zh)), f"line {n}: repeated rendering")

    def test_core_vocabulary_present(self):
        terms = {en: zh for _, en, zh in _term_rows()}
        for en, zh in [
            ("valuation", "估值"),
            ("funding", "融资"),
            ("large model", "大模型"),
            ("founder", "创始人"),
            ("unicorn", "独角兽"),
            ("open source", "开源"),
            ("export control", "出口管制"),
            ("six little tigers", "六小虎"),
            ("billion", "亿"),
            ("star market", "科创板"),
        ]:
            self.assertIn(en, terms)
            self.assertIn(zh, terms[en])


class GlossarySeededFromCorpus(unittest.TestCase):
    def test_pinyin_notes_are_removed(self):
        self.assertEqual(PINYIN_NOTE.sub("", "這是一個(gè)行業(yè)"), "這是一個行業")

    def test_many_entities_occur_in_articles(self):
        texts = _corpus_texts()
        self.assertTrue(texts, "no articles found under data/corpus")
        blob = "\n".join(texts.values())
        found = []
        for _n, _kind, zh, _en in _glossary_rows():
            if any(CJK_CHAR.search(a) and a in blob for a in zh):
                found.append(zh[0])
        self.assertGreaterEqual(len(found), 30, f"only {len(found)} entities found: {found}")

    def test_corpus_spellings_are_listed(self):
        texts = _corpus_texts()
        blob = "\n".join(texts.values())
        aliases = {a for _, _, zh, _ in _glossary_rows() for a in zh}
        # Spellings as the articles print them: damaged, Traditional or variant forms.
        for form in ["阶跃星", "江大新", "智譜", "階躍星辰", "零一萬物", "李開復", "月之暗面", "面疆智能", "幻方资本"]:
            self.assertIn(form, blob, f"{form!r} no longer occurs in the articles")
            self.assertIn(form, aliases, f"{form!r} is not a glossary alias")


if __name__ == "__main__":
    unittest.main()
