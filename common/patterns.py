"""Character classes shared by cleaning, tokenising, answering and evaluation, defined once."""

from __future__ import annotations

import re

# CJK ideographs: extension A, the unified block and the compatibility block (for use inside [...]).
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR = re.compile(f"[{CJK}]")
# Pinyin vowels with a tone mark, and the rare toned consonants (ń ň ǹ ḿ).
TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
TONE_MARK = re.compile(f"[{TONE_MARKS}]")
# A pinyin reading glued to the character it annotates: 個(gè), 與(yǔ). A tone mark is required so that
# ordinary parentheses such as "(MiniMax)" or "(ai)" are not readings.
PINYIN_READING = re.compile(rf"(?<=[{CJK}])\((?=[a-zü]*[{TONE_MARKS}])[a-zü{TONE_MARKS}]{{1,7}}\)")
