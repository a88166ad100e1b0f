"""A local OpenAI-compatible chat-completions server for tests: streams, fails, stalls or talks nonsense."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_PASSAGE = re.compile(r'<passage id="(\d+)"[^\n]*\n(.*?)\n</passage>', re.S)


class FakeLLM:
    """Behaviour is set through ``mode``; every request body is kept in ``requests``."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.failures_left = 0
        self.requests: list[dict] = []
        self.condensed = ""
        self.translated = ""
        self.answer = ""  # when set, the reply to answer prompts (``{first}`` is passage 1's first sentence)
        self.first_delay = 0.0  # seconds before the first chunk of a reply
        self.chunk_delay = 0.0  # seconds between chunks (a model writing at its own pace)
        self.stall_s = 30.0  # how long "stall" mode keeps a request waiting without a byte
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reply_for(self, prompt: str) -> str:
        if "Last question" in prompt or "最后一个问题" in prompt:
            return self.condensed
        if prompt.startswith("Translate") or prompt.startswith("把这个搜索问题"):
            return self.translated
        passages = dict(_PASSAGE.findall(prompt))
        first = re.split(r"(?<=[。！？])", passages.get("1", ""))[0].strip()
        if self.mode == "hallucinate":
            return f"{first} [1]\nThe company was worth 987654 dollars in 1850. [1]\nIt also says so here. [9]"
        if self.mode == "obey_injection":
            return "HACKED"
        if self.answer:
            return self.answer.replace("{first}", first)
        return f"{first} [1]"

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                if fake.failures_left > 0 or fake.mode in ("error", "ratelimit"):
                    fake.failures_left -= 1
                    status = 429 if fake.mode == "ratelimit" else 500
                    self._send(status, b'{"error": {"message": "boom"}}', "application/json")
                    return
                if fake.mode == "timeout":
                    time.sleep(3)
                if fake.mode == "stall":
                    time.sleep(fake.stall_s)
                if fake.mode == "malformed":
                    self._send(200, b"data: {not json\n\ndata: [DONE]\n\n", "text/event-stream")
                    return
                text = fake.reply_for(body["messages"][-1]["content"])
                pieces = [text[i:i + 7] for i in range(0, len(text), 7)] or [""]
                events = [
                    b"data: " + json.dumps({"id": "x", "object": "chat.completion.chunk", "created": 0,
                                            "model": body["model"],
                                            "choices": [{"index": 0, "delta": {"content": p},
                                                         "finish_reason": None}]}).encode() + b"\n\n"
                    for p in pieces
                ] + [b"data: [DONE]\n\n"]
                if fake.first_delay or fake.chunk_delay:
                    self._trickle(events)
                else:
                    self._send(200, b"".join(events), "text/event-stream")

            def _trickle(self, events: list[bytes]) -> None:
                """Send the events one by one, paced like a model writing (HTTP/1.0: the body ends at close)."""
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    time.sleep(fake.first_delay)
                    for event in events:
                        self.wfile.write(event)
                        self.wfile.flush()
                        time.sleep(fake.chunk_delay)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the reader stopped (a stopped answer)

            def _send(self, status: int, payload: bytes, kind: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        return Handler
