"""Local fakes of the providers' APIs, served on 127.0.0.1 by the tests.

Each fake checks what the real service checks (the request signature, the
access token, the recipient) and responds with the provider's own error
codes. A test scripts the next responses with `script`.
"""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from doudi.notifications.providers.aliyun import signature

SHANGHAI = ZoneInfo("Asia/Shanghai")


class _Handler(BaseHTTPRequestHandler):
    fake: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output quiet

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        status, body = self.fake.handle(
            "GET", parts.path, dict(parse_qsl(parts.query)), None
        )
        self._reply(status, body)

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length", 0))
        payload = json.loads(self.rfile.read(length) or b"{}")
        status, body = self.fake.handle(
            "POST", parts.path, dict(parse_qsl(parts.query)), payload
        )
        self._reply(status, body)


@contextmanager
def serve(fake: Any) -> Iterator[str]:
    """Serve `fake` on a free loopback port; yield its base URL."""
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class FakeAliyunSms:
    """Alibaba Cloud dysmsapi: SendSms and QuerySendDetails."""

    access_key_id: str
    access_key_secret: str
    script: list[str] = field(default_factory=list)
    sent: list[dict[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    # SendStatus of QuerySendDetails per OutId: 1 waiting, 2 failed, 3 delivered.
    receipts: dict[str, int] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _check_signature(
        self, query: dict[str, str]
    ) -> tuple[int, dict[str, Any]] | None:
        given = query.pop("Signature", "")
        if query.get("AccessKeyId") != self.access_key_id:
            return 404, {
                "Code": "InvalidAccessKeyId.NotFound",
                "Message": "Specified access key is not found.",
            }
        if given != signature(query, self.access_key_secret):
            return 400, {
                "Code": "SignatureDoesNotMatch",
                "Message": "Specified signature is not matched with our calculation.",
            }
        if query.get("SignatureNonce") in self.nonces:
            return 400, {
                "Code": "SignatureNonceUsed",
                "Message": "Specified signature nonce was used already.",
            }
        self.nonces.add(query["SignatureNonce"])
        return None

    def handle(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any]]:
        with self.lock:
            rejected = self._check_signature(query)
            if rejected:
                return rejected
            self.requests.append(query["Action"])
            if query["Action"] == "SendSms":
                return self._send(query)
            if query["Action"] == "QuerySendDetails":
                return self._query(query)
            return 404, {"Code": "InvalidAction.NotFound"}

    def _send(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        request_id = str(uuid.uuid4())
        phone = query.get("PhoneNumbers", "")
        if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
            return 200, {
                "Code": "isv.MOBILE_NUMBER_ILLEGAL",
                "Message": "invalid number",
                "RequestId": request_id,
            }
        code = self.script.pop(0) if self.script else "OK"
        if code != "OK":
            return 200, {"Code": code, "Message": code, "RequestId": request_id}
        biz_id = f"{len(self.sent) + 1:06d}^0"
        send_date = datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y%m%d")
        self.sent.append({**query, "BizId": biz_id, "SendDate": send_date})
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "BizId": biz_id,
            "RequestId": request_id,
        }

    def _query(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        details = [
            {
                "PhoneNum": sent["PhoneNumbers"],
                "OutId": sent["OutId"],
                "TemplateCode": sent["TemplateCode"],
                "SendStatus": self.receipts.get(sent["OutId"], 1),
                "ErrCode": "DELIVERED" if self.receipts.get(sent["OutId"]) == 3 else "",
            }
            for sent in self.sent
            if sent["PhoneNumbers"] == query["PhoneNumber"]
            and sent["SendDate"] == query["SendDate"]
        ]
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "TotalCount": len(details),
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": details},
        }


@dataclass
class FakeWeChat:
    """The Official Account API: /cgi-bin/token and template message sends."""

    app_id: str
    app_secret: str
    followers: set[str] = field(default_factory=set)
    script: list[int] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    tokens_issued: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def handle(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if method == "GET" and path == "/cgi-bin/token":
                return self._token(query)
            if method == "POST" and path == "/cgi-bin/message/template/send":
                return self._send(query, body)
            return 404, {"errcode": 404, "errmsg": "not found"}

    def _token(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if query.get("grant_type") != "client_credential":
            return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
        if query.get("appid") != self.app_id:
            return 200, {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != self.app_secret:
            return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
        self.tokens_issued += 1
        token = f"token-{self.tokens_issued}-{uuid.uuid4().hex}"
        self.valid_tokens.add(token)
        return 200, {"access_token": token, "expires_in": 7200}

    def _send(
        self, query: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if query.get("access_token") not in self.valid_tokens:
            return 200, {
                "errcode": 40001,
                "errmsg": "invalid credential, access_token is invalid or not latest",
            }
        if body.get("touser") not in self.followers:
            return 200, {"errcode": 43004, "errmsg": "require subscribe"}
        errcode = self.script.pop(0) if self.script else 0
        if errcode:
            return 200, {"errcode": errcode, "errmsg": "scripted"}
        self.sent.append(body)
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": 200228000 + len(self.sent)}


class RecordingHandler:
    """An aiosmtpd handler that keeps each message and can refuse some.

    `refuse` maps a recipient address to the SMTP reply sent for RCPT TO,
    and `data_replies` lists replies for the next DATA commands.
    """

    def __init__(self) -> None:
        self.messages: list[Envelope] = []
        self.refuse: dict[str, str] = {}
        self.data_replies: list[str] = []

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.data_replies:
            return self.data_replies.pop(0)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[RecordingHandler, int]]:
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
