"""Who may use a dashboard: its token, the Host it answers to, how big a request may be.

The dashboard runs simulations on the machine that serves it and shows the results
in its runs folder, so it is guarded the way a Jupyter server is:

- **A token.** By default a random one, printed in the address the command shows
  (``http://127.0.0.1:8050/?token=...``). The first request with the right token gets
  it back as a cookie (HttpOnly, SameSite=Strict) and is sent on to the same page
  without it in the address; every later request must carry the cookie. Without it the
  answer is 403 and a line saying where the token is. ``--token`` sets one;
  ``--no-token`` turns it off, on a loopback address only.
- **The Host header.** Served on a loopback address, the dashboard answers only
  requests addressed to a loopback name: a web page whose domain is made to resolve to
  127.0.0.1 (DNS rebinding) sends its own domain as Host and is refused (403). Served on
  another address, the token is what protects it.
- **Request size.** Bodies over :data:`MAX_REQUEST_BYTES` are answered 413 before they
  are read (an uploaded scenario may be at most 100 KB; a callback body is a few
  kilobytes).
- **Requests it cannot answer.** A callback request with inputs the page never sends
  (forged ids, values of the wrong type) is answered 400 with one line, and the log
  gets one line, not a server error page and a traceback.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass

from flask import Flask, Response, redirect, request
from werkzeug.exceptions import HTTPException

LOG = logging.getLogger(__name__)

TOKEN_COOKIE = "commsim_token"
TOKEN_PARAMETER = "token"
MAX_REQUEST_BYTES = 4_000_000
"""Largest request body read: an upload travels base64-encoded inside a callback."""
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    return host in LOOPBACK_NAMES or host.startswith("127.")


def new_token() -> str:
    """A fresh random token (192 bits, URL-safe)."""
    return secrets.token_urlsafe(24)


def host_name(header: str) -> str:
    """The name in a Host header, without its port (``[::1]:8050`` -> ``::1``)."""
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


@dataclass(frozen=True)
class Access:
    """What a request needs to be served.

    ``token``: the token (``None``: none needed); ``loopback_only``: accept only Host
    headers naming this machine (when serving on a loopback address).
    """

    token: str | None = None
    loopback_only: bool = True

    @classmethod
    def for_address(cls, host: str, token: str | None) -> Access:
        """The access rules for a dashboard served on ``host`` with ``token``."""
        return cls(token=token, loopback_only=is_loopback(host))

    def host_allowed(self, header: str) -> bool:
        """Whether a request with this Host header may be served."""
        return not self.loopback_only or is_loopback(host_name(header))

    def token_matches(self, given: str | None) -> bool:
        """Whether ``given`` is the token (in constant time)."""
        if self.token is None:
            return True
        return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"),
                                                         self.token.encode("utf-8"))


def refusal(status: int, text: str) -> Response:
    """A plain-text refusal (no page, no traceback)."""
    return Response(text + "\n", status=status, mimetype="text/plain")


def guard(server: Flask, access: Access) -> None:
    """Check every request to ``server`` against ``access`` before Dash sees it."""
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    @server.errorhandler(Exception)
    def failed(exc: Exception):  # noqa: ANN202 - Flask's hook
        if isinstance(exc, HTTPException):
            return exc  # 404, 405, 413 ... as Flask words them
        LOG.warning("refused %s %s: %s: %s", request.method, request.path,
                    type(exc).__name__, str(exc)[:200])
        LOG.debug("the refused request's traceback", exc_info=exc)
        return refusal(400, "This request could not be answered: the page sent something "
                       "it does not know. Reload the page.")

    @server.before_request
    def check():  # noqa: ANN202 - Flask's hook
        if not access.host_allowed(request.host):
            return refusal(403, "This dashboard answers only to the address it serves on "
                           "(the Host header names another).")
        if access.token is None:
            return None
        given = request.args.get(TOKEN_PARAMETER)
        if given is not None and request.method == "GET" and access.token_matches(given):
            response = redirect(request.path)  # the token leaves the address bar
            response.set_cookie(TOKEN_COOKIE, access.token, httponly=True, samesite="Strict")
            return response
        if access.token_matches(request.cookies.get(TOKEN_COOKIE)):
            return None
        return refusal(403, "This dashboard needs its token: open the address with "
                       "?token=... that `commsim dashboard` printed when it started.")
