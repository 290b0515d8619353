"""A real SMTP server on loopback (aiosmtpd) that records what it receives.

It can refuse chosen recipients with a 5xx, answer the first N messages with a 4xx, and call
back after each message (the reliability test kills a worker from there).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Sink:
    refuse_prefix: str = "refused"
    fail_first: int = 0
    on_message: Callable[[int], None] | None = None
    received: list[bytes] = field(default_factory=list)
    attempts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith(self.refuse_prefix):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.attempts += 1
            if self.attempts <= self.fail_first:
                return "451 4.3.0 Try again later"
            self.received.append(envelope.content)
            count = len(self.received)
        if self.on_message is not None:
            self.on_message(count)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        with self._lock:
            raw = list(self.received)
        return [email.message_from_bytes(data, policy=email.policy.default) for data in raw]

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]).strip("<>") for message in self.messages()]


class SinkServer:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.port = free_port()
        self.controller = Controller(sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SinkServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
