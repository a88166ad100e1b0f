"""Interface strings in Chinese and English and the interface-language choice."""

from __future__ import annotations

LANGUAGES: tuple[tuple[str, str], ...] = (("中文", "zh"), ("English", "en"))
DEFAULT_LANGUAGE = "zh"

_STRINGS: dict[str, dict[str, str]] = {
    # Generic: a corpus names itself in its own about.tsv (ui/about.py).
    "title": {"zh": "文章问答", "en": "Ask the articles"},
    "subtitle": {
        "zh": "根据 {n} 篇文章回答问题，每个回答都附有可以核对原文的编号引用。中文、英文提问均可，回答使用提问的语言。",
        "en": "Answers from {n} articles, with numbered citations you can check against the original text. "
              "Ask in Chinese or English; answers come in the question's language.",
    },
    "language": {"zh": "界面语言", "en": "Interface language"},
    "chat_label": {"zh": "对话", "en": "Conversation"},
    "chat_placeholder": {
        "zh": "在下方输入问题，或点击一个示例问题。",
        "en": "Type a question below, or pick one of the example questions.",
    },
    "chat_placeholder_plain": {"zh": "在下方输入问题。", "en": "Type a question below."},
    "input_label": {"zh": "你的问题", "en": "Your question"},
    "input_placeholder": {"zh": "就这些文章提一个问题", "en": "Ask a question about the articles"},
    "send": {"zh": "发送", "en": "Ask"},
    "clear": {"zh": "清空对话", "en": "Clear chat"},
    "k_label": {"zh": "检索段落数 k", "en": "Passages to retrieve (k)"},
    "k_info": {"zh": "检索并交给回答的段落数；来源卡片只列出回答实际引用的段落，所以常常少于 k",
               "en": "Passages searched and handed to the answer; the source cards list only the ones the answer "
                     "cites, so there are often fewer than k"},
    "examples": {"zh": "示例问题", "en": "Example questions"},
    "trace": {"zh": "检索过程（供评测查看）", "en": "Retrieval trace (for evaluators)"},
    "trace_empty": {"zh": "还没有提问。", "en": "No question asked yet."},
    "trace_for": {"zh": "问题", "en": "Question"},
    "trace_query": {"zh": "检索用语句", "en": "Retrieval query"},
    "trace_language": {"zh": "语言", "en": "Language"},
    "trace_variants": {"zh": "查询变体", "en": "Query variants"},
    "trace_entities": {"zh": "识别出的实体", "en": "Entities"},
    "trace_evidence": {"zh": "可回答概率", "en": "Answerable (probability)"},
    "trace_timings": {"zh": "耗时（毫秒）", "en": "Timings (ms)"},
    "trace_ranks": {"zh": "候选段落与分数", "en": "Ranked passages and scores"},
    "trace_cited": {"zh": "已引用", "en": "cited"},
    "trace_raw": {"zh": "完整记录（JSON）", "en": "Full trace (JSON)"},
    "articles": {"zh": "文章列表", "en": "The articles"},
    "sources": {"zh": "引用来源", "en": "Sources"},
    "view_source": {"zh": "查看原文", "en": "View in article"},
    "open_link": {"zh": "打开原网页", "en": "Open the original page"},
    "undated": {"zh": "日期不详", "en": "undated"},
    "searching": {"zh": "正在检索文章……", "en": "Searching the articles…"},
    "empty_question": {"zh": "（空白问题）", "en": "(empty question)"},
    "invalid_question": {"zh": "无法处理这个问题：", "en": "I can't use this question: "},
    "error": {"zh": "出错了：", "en": "Something went wrong: "},
    "internal_error": {
        "zh": "出现内部错误，这个问题没有得到回答。请稍后再试（详情已记录在服务器日志中）。",
        "en": "An internal error stopped this answer. Please try again (the details are in the server log).",
    },
    "weak": {"zh": "这句话与所引段落的对应较弱", "en": "This sentence is only weakly backed by the passage"},
    "unsupported": {"zh": "所引段落不支持这句话", "en": "The cited passage does not support this sentence"},
    "card_unsupported": {
        "zh": "回答中引用本段落的某句话与本段落不符",
        "en": "A sentence of the answer that cites this passage is not supported by it",
    },
    "llm": {"zh": "大模型（可选）", "en": "LLM (optional)"},
    "llm_url": {"zh": "接口地址（base URL）", "en": "Base URL"},
    "llm_url_placeholder": {
        "zh": "例如 https://api.deepseek.com 或 http://127.0.0.1:11434/v1",
        "en": "e.g. https://api.deepseek.com or http://127.0.0.1:11434/v1",
    },
    "llm_model": {"zh": "模型", "en": "Model"},
    "llm_model_placeholder": {"zh": "例如 deepseek-chat 或 qwen2.5:7b", "en": "e.g. deepseek-chat or qwen2.5:7b"},
    "llm_key": {"zh": "API 密钥", "en": "API key"},
    "llm_key_placeholder": {"zh": "sk-…（本地服务可留空）", "en": "sk-… (local servers need none)"},
    "llm_key_placeholder_env": {
        "zh": "留空则使用服务器配置的密钥（仅限服务器配置的接口地址）",
        "en": "Empty: the server's key (only for the server's own base URL)",
    },
    "llm_temperature": {"zh": "温度", "en": "Temperature"},
    "llm_timeout": {"zh": "超时（秒）", "en": "Timeout (s)"},
    "llm_hint": {
        "zh": "接口地址留空时不使用大模型，离线直接引用原文作答。支持任何兼容 OpenAI 的接口，例如 DeepSeek"
              "（https://api.deepseek.com，模型 deepseek-chat）或本机 Ollama（http://127.0.0.1:11434/v1，"
              "模型 qwen2.5:7b）。这些设置只对当前浏览器页面有效，密钥不会显示在页面上。",
        "en": "Leave the base URL empty to answer offline with quoted sentences. Any OpenAI-compatible endpoint "
              "works, e.g. DeepSeek (https://api.deepseek.com, model deepseek-chat) or a local Ollama "
              "(http://127.0.0.1:11434/v1, model qwen2.5:7b). These settings apply to this browser tab only; "
              "the key is never shown on the page.",
    },
    "llm_bad_url": {
        "zh": "大模型接口地址必须以 http:// 或 https:// 开头（例如 https://api.deepseek.com）。"
              "请在“大模型（可选）”中修改，或清空地址以离线作答。",
        "en": "The LLM base URL must start with http:// or https:// (e.g. https://api.deepseek.com). "
              "Fix it under “LLM (optional)”, or clear it to answer offline.",
    },
    "llm_no_model": {
        "zh": "已填写大模型接口地址，但没有填写模型名称（例如 deepseek-chat）。请在“大模型（可选）”中填写，"
              "或清空地址以离线作答。",
        "en": "An LLM base URL is set but no model name (e.g. deepseek-chat). Enter one under “LLM (optional)”, "
              "or clear the base URL to answer offline.",
    },
    "close": {"zh": "关闭", "en": "Close"},
    "viewer_hint": {"zh": "高亮部分是被引用的段落。", "en": "The highlighted part is the cited passage."},
    "viewer_missing": {"zh": "找不到这篇文章。", "en": "This article could not be found."},
    "viewer_loading": {"zh": "正在打开文章……", "en": "Opening the article…"},
    "status_llm_rewrite": {"zh": "正在请语言模型改写问题以便检索……",
                           "en": "Asking the language model to rephrase the question for the search…"},
    "status_llm_wait": {"zh": "已找到相关段落，正在等待语言模型作答……",
                        "en": "Found the passages; waiting for the language model…"},
    "queued": {"zh": "已排队（第 {n} 个），当前回答结束后回答", "en": "Queued (#{n}): answered after the current one"},
    "stopped": {"zh": "已停止：以上为停止前写出的部分", "en": "Stopped: this is what was written before Stop"},
    "stopped_empty": {"zh": "已停止，尚未写出任何内容", "en": "Stopped before anything was written"},
    "stop": {"zh": "停止", "en": "Stop"},
    "regenerate": {"zh": "重新回答", "en": "Regenerate"},
    "copy": {"zh": "复制回答和来源", "en": "Copy with sources"},
    "copy_title": {"zh": "复制回答文字及编号来源列表", "en": "Copy the answer text and its numbered sources"},
    "feedback_comment": {"zh": "补充说明（可选）", "en": "Comment (optional)"},
    "feedback_comment_placeholder": {"zh": "哪里好或哪里不对？", "en": "What was good or wrong about it?"},
    "feedback_save": {"zh": "提交说明", "en": "Send comment"},
    "feedback_thanks": {"zh": "谢谢，反馈已保存。", "en": "Thanks, your feedback is saved."},
    "feedback_failed": {"zh": "反馈未能保存：", "en": "The feedback could not be saved: "},
}


def t(key: str, language: str, **values: object) -> str:
    """The interface string ``key`` in ``language`` (``"zh"`` or ``"en"``; Traditional Chinese uses ``"zh"``)."""
    table = _STRINGS[key]
    text = table.get(ui_language(language), table["en"])
    return text.format(**values) if values else text


def ui_language(language: str | None) -> str:
    """Map any language tag (``zh-Hant``, ``en-US``, ``zh-CN``...) onto an interface language."""
    return "zh" if (language or "").lower().startswith("zh") else "en"


def from_accept_language(header: str | None) -> str:
    """The interface language for an HTTP ``Accept-Language`` header (its first zh/en tag wins)."""
    for part in (header or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE
