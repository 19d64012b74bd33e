"""Articles from the web: fetch a page by its link and read its title, date and text.

Only ``http`` and ``https`` links are fetched, and only from public addresses: a host that
resolves to a private, loopback, link-local or otherwise reserved address is refused before
any connection, on the first request and after every redirect (the connection goes to the
address that was checked, so a second DNS answer cannot slip past). Pages are limited in size
(:data:`~geo.articles.MAX_BYTES`) and in time; proxies from the environment are not used.

Tests (and self-hosted setups) pass ``allow_private=True`` or their own ``allow_address``
and ``resolve`` functions: nothing here is patched.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from .articles import MAX_BYTES, Article, article_from_text, find_year, html_to_text
from .errors import FetchError

__all__ = ["DEFAULT_TIMEOUT", "MAX_REDIRECTS", "article_from_url", "is_public", "is_url"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Seconds for the whole fetch (connecting, redirects and reading).
DEFAULT_TIMEOUT = 10.0
MAX_REDIRECTS = 5
USER_AGENT = "news-atlas/0.1.0 (article reader)"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/markdown")


def is_url(text: str) -> bool:
    """Whether ``text`` looks like a web link (as opposed to a file name or pasted text)."""
    return bool(re.match(r"(?i)^https?://\S+$", text.strip()))


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address: not private, loopback, link-local, multicast,
    reserved or unspecified (IPv4-mapped IPv6 addresses are judged as their IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _system_resolve(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class _Fetcher:
    """One fetch's policy: which addresses may be connected to, and by when."""

    def __init__(
        self,
        allow_address: Callable[[IPAddress], bool],
        resolve: Callable[[str, int], Sequence[str]],
        deadline: float,
    ) -> None:
        self.allow_address = allow_address
        self.resolve = resolve
        self.deadline = deadline

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise FetchError("the page took too long to load")
        return left

    def check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            raise FetchError(f"{url!r} is not a web link: only http:// and https:// are fetched")
        if not parts.hostname:
            raise FetchError(f"{url!r} has no host name")
        if parts.username or parts.password:
            raise FetchError(f"{url!r} carries a user name or password: remove them")

    def connect(
        self, address: tuple[str, int], timeout: Any = None, source_address: Any = None
    ) -> socket.socket:
        """``socket.create_connection`` to a checked address of the host, never another."""
        host, port = address
        try:
            found = list(self.resolve(host, port))
        except OSError as err:
            raise FetchError(f"cannot find the server {host!r}: {err}") from err
        if not found:
            raise FetchError(f"cannot find the server {host!r}")
        addresses: list[str] = []
        for text in found:
            ip = ipaddress.ip_address(text.split("%", 1)[0])
            if not self.allow_address(ip):
                raise FetchError(
                    f"{host!r} is at {ip}, a private or local address: only public web pages "
                    "are fetched"
                )
            addresses.append(str(ip))
        last: OSError | None = None
        for checked in addresses:
            try:
                return socket.create_connection((checked, port), timeout=min(5.0, self.remaining()))
            except OSError as err:
                last = err
        raise FetchError(f"cannot connect to {host!r}: {last}")

    def connection(self, cls: type[http.client.HTTPConnection]) -> Callable[..., Any]:
        def build(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            conn = cls(host, **kwargs)
            conn._create_connection = self.connect  # type: ignore[attr-defined]
            return conn

        return build


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, fetcher: _Fetcher) -> None:
        super().__init__()
        self.fetcher = fetcher

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.fetcher.connection(http.client.HTTPConnection), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, fetcher: _Fetcher) -> None:
        super().__init__()
        self.fetcher = fetcher

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(
            self.fetcher.connection(http.client.HTTPSConnection),
            req,
            context=self._context,  # type: ignore[attr-defined]
        )


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def __init__(self, fetcher: _Fetcher) -> None:
        super().__init__()
        self.fetcher = fetcher

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        try:
            self.fetcher.check_url(newurl)
            self.fetcher.remaining()
        except FetchError:
            fp.close()
            raise
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _read(response: Any, url: str, limit: int, fetcher: _Fetcher) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > limit:
        raise FetchError(f"{url!r} is {int(length) / 1e6:.1f} MB; the limit is {limit / 1e6:g} MB")
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
        if size > limit:
            raise FetchError(f"{url!r} is larger than the limit of {limit / 1e6:g} MB")
        chunks.append(chunk)
        fetcher.remaining()
    return b"".join(chunks)


def article_from_url(
    url: str,
    *,
    allow_private: bool = False,
    allow_address: Callable[[IPAddress], bool] | None = None,
    resolve: Callable[[str, int], Sequence[str]] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> Article:
    """The article at ``url``: its text (trafilatura), title and year of publication.

    ``allow_private=True`` also allows private and loopback addresses (a local server);
    ``allow_address`` decides per address instead; ``resolve(host, port)`` replaces DNS.
    Every failure is a :class:`~geo.errors.FetchError` with a message for the user.
    """
    url = url.strip()
    allowed = allow_address or ((lambda _ip: True) if allow_private else is_public)
    fetcher = _Fetcher(allowed, resolve or _system_resolve, time.monotonic() + timeout)
    fetcher.check_url(url)
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),  # an environment proxy would bypass the address check
        _HTTPHandler(fetcher),
        _HTTPSHandler(fetcher),
        _RedirectHandler(fetcher),
    )
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.8"}
    )
    try:
        with opener.open(request, timeout=min(5.0, fetcher.remaining())) as response:
            final = response.geturl()
            content_type = response.headers.get_content_type()
            charset = response.headers.get_content_charset()
            data = _read(response, url, max_bytes, fetcher)
    except FetchError:
        raise
    except urllib.error.HTTPError as err:
        err.close()
        raise FetchError(f"{url!r} answered HTTP {err.code} ({err.reason})") from err
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, FetchError):
            raise reason from err
        raise FetchError(f"cannot fetch {url!r}: {reason}") from err
    except TimeoutError as err:
        raise FetchError(f"{url!r} took too long to answer") from err
    except (OSError, http.client.HTTPException, ValueError) as err:
        raise FetchError(f"cannot fetch {url!r}: {err}") from err
    if content_type not in (*_HTML_TYPES, *_TEXT_TYPES):
        raise FetchError(f"{url!r} is {content_type}, not a web page or text")
    text = data.decode(charset or "utf-8", errors="replace")
    if content_type in _TEXT_TYPES:
        return article_from_text(text, source=final)
    return _article_from_html(text, final)


def _article_from_html(html: str, source: str) -> Article:
    import trafilatura

    body = html_to_text(html)
    if not body.strip():
        raise FetchError(f"{source!r} has no readable text")
    metadata = trafilatura.extract_metadata(html)
    title = str(metadata.title or "").strip() if metadata is not None else ""
    date = str(metadata.date or "") if metadata is not None else ""
    year = int(date[:4]) if re.match(r"(19|20)\d\d-", date) else find_year(body)
    article = article_from_text(body, source=source, year=year)
    return replace(article, title=title) if title else article
