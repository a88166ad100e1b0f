"""Load test of the web UI: concurrent gradio_client users asking questions against a local app.

``python -m bench.load_ui [--users 20] [--questions 3] [--timeout 120] [--url http://127.0.0.1:PORT/]``
starts the app on a free 127.0.0.1 port (unless ``--url`` names a running one), runs the load and prints
the numbers as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit
from urllib.request import urlopen

from common.settings import ROOT

QUESTIONS = (
    "月之暗面的创始人是谁？",
    "Who founded Moonshot AI?",
    "智谱AI成立于哪一年？",
    "What is Moonshot AI's valuation?",
    "“六小虎”指的是哪些公司？",
    "Which investors backed China's AI start-ups?",
    "百川智能的創始人是誰？",
    "What is the weather on Mars?",
)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100), or None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return round(ordered[rank - 1], 1)


def _is_answer(chat: object) -> bool:
    """The last chat message is an answer (cited or an abstention), not an error."""
    try:
        last = chat[-1]["content"]  # type: ignore[index]
        text = last[0]["text"] if isinstance(last, list) else str(last)
    except (TypeError, KeyError, IndexError):
        return False
    return "qa-answer" in text and "qa-error" not in text and "qa-pending" not in text


def run_load(url: str, users: int = 20, questions_per_user: int = 3, timeout_s: float = 120) -> dict:
    """Send ``questions_per_user`` questions from each of ``users`` concurrent clients; latency in ms.

    Each user is its own gradio_client session (so its questions form one conversation). Clients connect
    first; the clock starts when all are connected. Stops by itself after ``timeout_s`` seconds: questions
    not sent by then are not counted, questions in flight count as errors.
    """
    host = urlsplit(url).hostname or ""
    if host not in LOCAL_HOSTS:
        raise ValueError(f"run_load only targets a local app (127.0.0.1), not {host or url!r}")
    from gradio_client import Client

    users = max(1, int(users))
    deadline = time.monotonic() + timeout_s
    start_gate = threading.Barrier(users + 1)
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"requests": 0, "errors": 0}

    def record(ms: float | None, n: int = 1) -> None:
        with lock:
            counts["requests"] += n
            if ms is None:
                counts["errors"] += n
            else:
                latencies.append(ms)

    def user(number: int) -> None:
        client = None
        try:
            client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
        except Exception:
            client = None
        with contextlib.suppress(threading.BrokenBarrierError):
            start_gate.wait(timeout=max(1.0, deadline - time.monotonic()))
        if client is None:
            record(None, questions_per_user)
            return
        try:
            for i in range(questions_per_user):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                question = QUESTIONS[(number + i) % len(QUESTIONS)]
                began = time.perf_counter()
                try:
                    job = client.submit(question, 5, "en", api_name="/ask")
                    chat, _box, _trace = job.result(timeout=left)
                    ok = _is_answer(chat)
                except Exception:
                    ok = False
                record((time.perf_counter() - began) * 1000 if ok else None)
        finally:
            with contextlib.suppress(Exception):
                client.close()

    with ThreadPoolExecutor(max_workers=users) as pool:
        futures = [pool.submit(user, n) for n in range(users)]
        with contextlib.suppress(threading.BrokenBarrierError):
            start_gate.wait(timeout=max(1.0, deadline - time.monotonic()))
        began = time.perf_counter()
        for future in futures:
            future.result()
        wall = time.perf_counter() - began
    return {"users": users, "requests": counts["requests"], "errors": counts["errors"],
            "p50_ms": _percentile(latencies, 50), "p95_ms": _percentile(latencies, 95), "wall_s": round(wall, 2)}


def _start_app(log: IO[str], timeout_s: float) -> tuple[subprocess.Popen, str]:
    """Run ``app.py`` in its own process on a free local port; return it and its URL once it answers.

    Its output goes to ``log`` (a file: a pipe nobody reads could fill up and stall the app).
    """
    import app

    port = app.free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the app exited with code {proc.returncode}: {log.read()[-2000:]}")
        try:
            with urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    _stop(proc)
    raise RuntimeError(f"the app did not answer on {url} within {timeout_s:.0f} s")


def _cpu_seconds(proc: subprocess.Popen | None) -> float:
    """User plus system CPU time the app process has used so far (Linux), or -1 when unknown."""
    try:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()  # type: ignore[union-attr]
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (AttributeError, OSError, ValueError, IndexError):
        return -1.0


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    """Start the app on a free local port (or use ``--url``), run the load test and print the numbers."""
    parser = argparse.ArgumentParser(description="Load-test the web UI with concurrent gradio_client users.")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=3, help="questions per user")
    parser.add_argument("--timeout", type=float, default=120.0, help="stop after this many seconds")
    parser.add_argument("--url", help="a running app on 127.0.0.1 (default: start one in its own process)")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    proc = None
    url = args.url
    with tempfile.TemporaryFile("w+") as log:
        try:
            if not url:
                print("starting the app…", file=sys.stderr, flush=True)
                proc, url = _start_app(log, timeout_s=300)
                from gradio_client import Client

                warm = Client(url, verbose=False, download_files=False)
                warm.predict(QUESTIONS[0], 5, "en", api_name="/ask")
                warm.close()
            cpu_before = _cpu_seconds(proc)
            result = run_load(url, args.users, args.questions, args.timeout)
            cpu_used = _cpu_seconds(proc) - cpu_before
            if proc is not None and cpu_used >= 0 and result["requests"]:
                # The load clients share this machine's cores with the app; this is the app's own cost.
                result["app_cpu_ms_per_request"] = round(1000 * cpu_used / result["requests"], 1)
        finally:
            if proc is not None:
                _stop(proc)
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
