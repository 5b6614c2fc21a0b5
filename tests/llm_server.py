"""A scripted language-model server on loopback, speaking the OpenAI-compatible and the Ollama wire formats.

It stands in for an external model service (the one part tests may script): each reply is
produced by a function of the request, and every request is recorded for inspection.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict], str]


class ScriptedModel:
    """`reply(request_body) -> answer text`; the text is sent in `chunks` pieces (word groups)."""

    def __init__(
        self,
        reply: Reply | str = "",
        *,
        delay: float = 0.0,
        status: int = 200,
        chunk_words: int = 2,
        pause: float = 0.01,
    ) -> None:
        self.reply = reply if callable(reply) else (lambda _body, text=reply: text)
        self.delay = delay
        self.status = status
        self.chunk_words = chunk_words
        self.pause = pause  # seconds between streamed pieces
        self.requests: list[dict[str, Any]] = []
        self.sent: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def chunks(self, text: str) -> list[str]:
        words = re.findall(r"\S+\s*", text)
        return ["".join(words[i : i + self.chunk_words]) for i in range(0, len(words), self.chunk_words)]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        model = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def handle(self) -> None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    super().handle()

            def _send(self, code: int, body: dict | str, kind: str = "application/json") -> None:
                data = (json.dumps(body) if isinstance(body, dict) else body).encode()
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, kind: str, lines: list[str]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Connection", "close")
                self.end_headers()
                for line in lines:
                    self.wfile.write(line.encode())
                    self.wfile.flush()
                    time.sleep(model.pause)
                self.close_connection = True

            def do_GET(self) -> None:
                model.requests.append({"method": "GET", "path": self.path, "headers": dict(self.headers)})
                if self.path.endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})
                elif self.path == "/api/tags":
                    self._send(200, {"models": [{"name": "scripted:latest"}]})
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(size) or b"{}")
                model.requests.append(
                    {"method": "POST", "path": self.path, "headers": dict(self.headers), "body": body}
                )
                if model.delay:
                    time.sleep(model.delay)
                if model.status != 200:
                    return self._send(model.status, {"error": {"message": "scripted failure"}})
                text = model.reply(body)
                pieces = model.chunks(text)
                model.sent = pieces
                stream = bool(body.get("stream"))
                if self.path.endswith("/chat/completions"):
                    if not stream:
                        message = {"role": "assistant", "content": text}
                        return self._send(200, {"id": "1", "object": "chat.completion", "model": "scripted",
                                                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]})  # fmt: skip
                    chunk = {"id": "1", "object": "chat.completion.chunk", "model": "scripted"}
                    events = [
                        "data: " + json.dumps({**chunk, "choices": [{"index": 0, "delta": {"content": p}}]}) + "\n\n"
                        for p in pieces
                    ]
                    return self._stream("text/event-stream", [*events, "data: [DONE]\n\n"])
                if self.path == "/api/chat":
                    stamp = {"model": body.get("model", ""), "created_at": "2026-11-22T00:00:00Z"}
                    if not stream:
                        return self._send(
                            200, {**stamp, "message": {"role": "assistant", "content": text}, "done": True}
                        )
                    lines = [json.dumps({**stamp, "message": {"role": "assistant", "content": p}, "done": False}) + "\n"
                             for p in pieces]  # fmt: skip
                    last = {
                        **stamp,
                        "message": {"role": "assistant", "content": ""},
                        "done": True,
                        "done_reason": "stop",
                    }
                    return self._stream("application/x-ndjson", [*lines, json.dumps(last) + "\n"])
                return self._send(404, {"error": f"no route {self.path}"})

        return Handler


def user_message(body: dict) -> str:
    """The user turn of a chat request (both wire formats put messages in `messages`)."""
    return next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")


def source_number(body: dict, words: str) -> int:
    """The number the prompt gives the source whose text contains `words`."""
    prompt = user_message(body)
    for match in re.finditer(r'<source n="(\d+)">\n(.*?)\n</source>', prompt, re.S):
        if words in match.group(2):
            return int(match.group(1))
    raise AssertionError(f"no source contains {words!r}")


def source_count(body: dict) -> int:
    return len(re.findall(r'<source n="\d+">', user_message(body)))
