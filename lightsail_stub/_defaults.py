"""The server's defaults, in a module of their own: ``python -m lightsail_stub`` shows them in
its help without importing the server (``http.server``) before it serves."""

from __future__ import annotations

#: Lightsail requests are small (the largest, a create with 50 tags, is a few kB).
DEFAULT_MAX_BODY = 1024 * 1024
#: Seconds a connection may stay silent: while a request's line, headers or body arrive,
#: and between two requests on a kept-alive connection.
DEFAULT_TIMEOUT = 30.0
#: Region of requests that carry no signing scope (and no ``x-lightsail-stub-region``).
DEFAULT_REGION = "us-east-1"
