"""Helpers for the server tests: clients pointed at a server, raw HTTP requests."""

from __future__ import annotations

import functools
import http.client
import json
from typing import Any

import boto3
from botocore.config import Config

from lightsail_stub.server import ThreadedServer

TARGET = "Lightsail_20161128."
JSON_11 = "application/x-amz-json-1.1"


@functools.cache
def _session() -> boto3.session.Session:
    # One session for every server test: it loads Lightsail's large model once, not per
    # client. Clients are made from it in the main thread only (sessions are not
    # thread-safe); a client itself may then be used from any thread.
    return boto3.session.Session()


def server_client(server: ThreadedServer, region: str = "eu-west-2", **config: Any) -> Any:
    """A real boto3 client sending to ``server``; dummy keys (the conftest removed every AWS
    setting); no retries unless asked."""
    config.setdefault("retries", {"mode": "standard", "total_max_attempts": 1})
    return _session().client(
        "lightsail",
        region_name=region,
        endpoint_url=server.url,
        aws_access_key_id="AKIAFAKEFAKEFAKEFAKE",
        aws_secret_access_key="fake-secret",
        config=Config(**config),
    )


def request(
    server: ThreadedServer,
    method: str,
    path: str,
    body: bytes | str | dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """One HTTP request on a fresh connection: the status, the headers (lower-case) and the
    body decoded from JSON (``None`` if empty)."""
    if isinstance(body, dict):
        body = json.dumps(body)
    connection = http.client.HTTPConnection(*server.address, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        answer_headers = {key.lower(): value for key, value in response.getheaders()}
        return response.status, answer_headers, json.loads(data) if data else None
    finally:
        connection.close()


def lightsail(
    server: ThreadedServer,
    operation: str,
    body: bytes | str | dict[str, Any],
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """A raw Lightsail request (unsigned: the server's default Region)."""
    sent = {"X-Amz-Target": TARGET + operation, "Content-Type": JSON_11, **(headers or {})}
    return request(server, "POST", "/", body, sent)


class ClientSleeps:
    """Stands in for the ``time`` module in ``botocore.endpoint``: records botocore's back-off
    between retries instead of sleeping it. Over HTTP the back-off is the client's own
    (the stub's virtual back-off is for calls the botocore hook answers), so the tests
    that retry make it instant this way."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.slept: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
