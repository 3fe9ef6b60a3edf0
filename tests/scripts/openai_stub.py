"""The pieces every scripted OpenAI-compatible stand-in server of the tests shares (stdlib, 127.0.0.1).

Used by tests/test_judge_http.py, tests/test_teach.py and tests/scripts/scripted_teacher.py: a server that never
holds up teardown nor prints a client's broken pipe, a handler that answers JSON, and the chat-completion envelope.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietServer(ThreadingHTTPServer):
    daemon_threads, block_on_close = True, False  # a sleeping handler must not hold up teardown

    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up (a timeout test) leaves a broken pipe behind: expected here


class JsonHandler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def read_json(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def reply(self, code: int, data: dict | None, headers: dict | None = None, raw: bytes | None = None) -> None:
        payload = raw if raw is not None else json.dumps(data).encode()
        self.send_response(code)
        for k, v in {"Content-Type": "application/json", "Content-Length": str(len(payload)), **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)


def chat_completion(model: str, content: str, usage: dict, logprobs: dict | None = None) -> dict:
    """One assistant answer in the shape of OpenAI's /v1/chat/completions."""
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "logprobs": logprobs,
                         "finish_reason": "stop"}],
            "usage": usage}
