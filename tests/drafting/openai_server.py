"""A small local server that speaks the OpenAI chat-completions protocol, for tests.

Each request takes the next scripted behaviour (or the default one): answer, hang past the
client's timeout, 429, 500, or answer with malformed output. Every request body is recorded.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_REPLY = (
    "Bonjour {greeting_name},\n\nNous avons bien reçu votre demande. D'après nos informations, "
    "la démarche se fait en ligne et les pièces justificatives sont listées dans la fiche [1]. "
    "Si votre situation a changé, signalez-le rapidement afin que vos droits soient recalculés "
    "sans retard [1].\n\nNous vous prions d'agréer nos salutations distinguées.\n\nLe service"
)


@dataclass
class FakeOpenAI:
    behaviours: deque = field(default_factory=deque)
    default: str = "ok"
    requests: list[dict] = field(default_factory=list)
    reply_text: str = DEFAULT_REPLY
    hang_seconds: float = 3.0

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(
                    {
                        "path": self.path,
                        "body": body,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                    }
                )
                behaviour = fake.behaviours.popleft() if fake.behaviours else fake.default
                if behaviour == "hang":
                    time.sleep(fake.hang_seconds)
                    return self._json(200, fake._completion(body))
                if behaviour == "429":
                    return self._json(
                        429,
                        {"error": {"message": "Rate limit", "type": "rate"}},
                        {"Retry-After": "0"},
                    )
                if behaviour == "500":
                    return self._json(500, {"error": {"message": "boom", "type": "server"}})
                if behaviour == "malformed":
                    return self._json(200, fake._completion(body, text="[99] ?"))
                if behaviour == "garbage":
                    payload = b"this is not json"
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return None
                return self._json(200, fake._completion(body))

            def _json(self, code, payload, headers=None):
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _completion(self, request: dict, text: str | None = None) -> dict:
        if text is None:
            # Greet with the placeholder the prompt gave, as a real model would.
            prompt = request["messages"][-1]["content"]
            start = prompt.find("<salutation>") + len("<salutation>")
            greeting = prompt[start : prompt.find("</salutation>")]
            name = greeting.removeprefix("Bonjour ").rstrip(",") or "Madame, Monsieur"
            text = self.reply_text.format(greeting_name=name)
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "test-model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 321, "completion_tokens": 87, "total_tokens": 408},
        }
