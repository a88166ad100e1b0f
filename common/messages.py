"""User-facing sentences of the offline answerer in each supported language."""

from __future__ import annotations

_MESSAGES: dict[str, dict[str, str]] = {
    "lead": {
        "en": "Here is what the articles say (quoted in their original language):",
        "zh": "根据检索到的文章：",
        "zh-Hant": "根據檢索到的文章：",
    },
    "evidence_en": {
        "en": "Evidence (quoted from the Chinese articles; names and figures in English after each quote):",
    },
    "conflict_lead": {
        "en": "The sources give different figures; here is each with its date (evidence quoted in Chinese):",
        "zh": "不同来源的说法不一致，分别如下（附日期）：",
        "zh-Hant": "不同來源的說法不一致，分別如下（附日期）：",
    },
    "abstain": {
        "en": "I could not find anything about this in the articles, so I can't answer it.",
        "zh": "在现有文章中没有找到与这个问题相关的内容，无法回答。",
        "zh-Hant": "在現有文章中沒有找到與這個問題相關的內容，無法回答。",
    },
    "source_prefix": {
        "en": "«{title}» ({date}): ",
        "zh": "《{title}》（{date}）：",
        "zh-Hant": "《{title}》（{date}）：",
    },
    "undated": {"en": "undated", "zh": "日期不详", "zh-Hant": "日期不詳"},
    "llm_failed": {
        "en": "The language model could not answer ({reason}); showing the quoted answer instead.",
        "zh": "语言模型未能作答（{reason}），以下为直接引用原文的回答。",
        "zh-Hant": "語言模型未能作答（{reason}），以下為直接引用原文的回答。",
    },
    "unsupported": {
        "en": "Sentences marked ⚠ are not supported by the passages they cite; check them before relying on them.",
        "zh": "标有 ⚠ 的句子与其引用的段落不符，请核对后再使用。",
        "zh-Hant": "標有 ⚠ 的句子與其引用的段落不符，請核對後再使用。",
    },
}


def message(key: str, language: str, **values: str) -> str:
    """The ``key`` sentence in ``language`` (English when the language is unknown)."""
    table = _MESSAGES[key]
    return table.get(language, table["en"]).format(**values)
