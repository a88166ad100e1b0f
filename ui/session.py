"""One browser tab's conversation: its turns, the questions waiting their turn, and stopping an answer.

Questions sent while an answer streams are queued (and shown as queued), never dropped; one answering loop
per tab works through the queue. Stop ends the current answer and keeps its partial text; Clear ends it and
empties everything. Answers are computed on a helper thread so that Stop takes effect at once, even while
the language model is still silent.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from qa.types import Answer

POLL_S = 0.1  # how often a waiting answer checks for Stop and Clear


@dataclass
class Turn:
    """One exchange: the question as typed, then the (partial or final) answer or an error."""

    question: str
    answer: Answer | None = None
    error: str | None = None
    invalid: bool = False
    internal: bool = False
    notice: str | None = None  # an interface-string key: a problem with the page's settings, not the question
    stopped: bool = False  # the reader pressed Stop: the partial answer is kept and marked
    html: dict[str, str] = field(default_factory=dict)  # rendered assistant message per interface language


class ChatSession:
    """The conversation of one tab (kept in ``gr.State``; each new tab gets a fresh one)."""

    def __init__(self, turns: list[Turn] | None = None) -> None:
        """Start with ``turns`` (restored from the browser) or an empty conversation."""
        self.turns: list[Turn] = list(turns or [])
        self.pending: list[str] = []
        self.generation = 0  # bumped by Clear: a loop answering for an older generation stops
        # The interface language last chosen in this tab: an answer that was asked before the page took the
        # browser's language still ends in the language the page shows.
        self.language: str | None = None
        self._busy = False
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> ChatSession:
        """Gradio copies the initial state for each tab: every tab starts empty."""
        return ChatSession()

    # Sequence access to the turns, for callers that treat the state as the list of turns.
    def __len__(self) -> int:
        """How many turns."""
        return len(self.turns)

    def __getitem__(self, index: int) -> Turn:
        """Turn ``index``."""
        return self.turns[index]

    def __iter__(self) -> Iterator[Turn]:
        """The turns in order."""
        return iter(self.turns)

    @property
    def busy(self) -> bool:
        """True while an answering loop runs for this tab."""
        return self._busy

    def enqueue(self, question: str, *, first: bool = False) -> None:
        """Add a question to answer after the current one (or next, with ``first``)."""
        with self._lock:
            if first:
                self.pending.insert(0, question)
            else:
                self.pending.append(question)

    def claim(self) -> bool:
        """Become this tab's answering loop; False when one is already running (it will take the queue)."""
        with self._lock:
            if self._busy:
                return False
            self._busy = True
            return True

    def next_question(self) -> str | None:
        """The next queued question for the loop, or None (and the loop is released) when there is none."""
        with self._lock:
            if not self.pending:
                self._busy = False
                return None
            self._stop.clear()
            return self.pending.pop(0)

    def release(self) -> None:
        """End the loop (also when it is cancelled midway)."""
        with self._lock:
            self._busy = False

    def request_stop(self) -> None:
        """Stop the answer being written now (queued questions stay queued)."""
        self._stop.set()

    def clear(self) -> None:
        """Forget everything and stop the current answer."""
        with self._lock:
            self.generation += 1
            self.turns = []
            self.pending = []
            self._stop.set()

    def regenerate(self) -> bool:
        """Ask the last question again, replacing its answer; False when busy or nothing was asked."""
        with self._lock:
            if self._busy or not self.turns:
                return False
            turn = self.turns.pop()
            self.pending.insert(0, turn.question)
            return True

    def stream(self, answers: Callable[[], Iterator[Answer]]) -> Iterator[Answer | None]:
        """Run ``answers()`` on a helper thread; yield each answer, or None every poll while nothing comes.

        Ends early (closing the answer stream) as soon as Stop or Clear is requested. Exceptions of the
        stream are raised here, in the caller's thread.
        """
        items: queue.Queue[tuple[str, Any]] = queue.Queue()
        done = threading.Event()

        def work() -> None:
            iterator = answers()
            try:
                for answer in iterator:
                    if done.is_set():
                        break
                    items.put(("answer", answer))
                items.put(("end", None))
            except BaseException as exc:  # handed over to the caller
                items.put(("error", exc))
            finally:
                close = getattr(iterator, "close", None)
                if close is not None:
                    close()

        threading.Thread(target=work, daemon=True, name="answer").start()
        generation = self.generation
        try:
            while not self._stop.is_set() and generation == self.generation:
                try:
                    kind, value = items.get(timeout=POLL_S)
                except queue.Empty:
                    yield None
                    continue
                if kind == "end":
                    return
                if kind == "error":
                    raise value
                yield value
            # Stopped: what had already been written before the click still counts.
            while not items.empty() and generation == self.generation:
                kind, value = items.get_nowait()
                if kind == "answer":
                    yield value
        finally:
            done.set()

    @property
    def stop_requested(self) -> bool:
        """True once Stop (or Clear) was pressed for the current answer."""
        return self._stop.is_set()
