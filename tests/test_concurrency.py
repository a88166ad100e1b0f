"""Concurrent callers share one loaded pipeline: no errors, and the same answers as one caller at a time."""

from __future__ import annotations

import pytest

from bench.reliability import concurrent_ask
from qa import get_pipeline

pytestmark = pytest.mark.slow
QUESTIONS = ["月之暗面的创始人是谁？", "Who founded Moonshot AI?", "智谱的估值是多少？", "百川智能的創始人是誰？",
             "What is the weather on Mars?"]


@pytest.mark.parametrize("rounds", [1, pytest.param(4, marks=pytest.mark.extended)])
def test_twenty_threads_get_the_serial_answers(rounds):
    result = concurrent_ask(get_pipeline(), QUESTIONS, callers=20, rounds=rounds)
    print(f"\nconcurrent ask(): {result.summary()}")
    assert result.requests == len(QUESTIONS) * rounds and result.errors == []
    assert result.mismatches == [] and len(result.latencies_ms) == result.requests
