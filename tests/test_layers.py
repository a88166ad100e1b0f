"""Each stage imports only what it needs: the LLM package and the result types stay light."""

from __future__ import annotations

import json
import subprocess
import sys

from common.settings import ROOT

HEAVY = ("faiss", "bm25s", "langchain_text_splitters", "torch", "gradio", "index", "ingest", "embed", "qa.api")


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_the_llm_package_needs_only_common_and_the_passage_type():
    loaded = _loaded_after("import llm.answer, llm.client, llm.support, llm.stream_check")
    ours = {m.split(".")[0] for m in loaded} & {"qa", "retrieve", "index", "ingest", "embed", "ui", "eval"}
    assert ours <= {"retrieve"} and {m for m in loaded if m.startswith("retrieve.")} == {"retrieve.passage"}
    assert _heavy(loaded) == []


def test_result_types_import_without_the_retrieval_stack():
    assert _heavy(_loaded_after("import qa; from qa.types import Answer, Citation")) == []
