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
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .articles import (
    MAX_BYTES,
    Article,
    article_from_text,
    find_year,
    html_metadata,
    html_to_text,
)
from .errors import FetchError

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_REDIRECTS",
    "article_from_url",
    "embedded_ipv4",
    "is_public",
    "is_url",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Seconds for the whole fetch (connecting, redirects and reading).
DEFAULT_TIMEOUT = 10.0
MAX_REDIRECTS = 5
TOO_SLOW = "the page took too long to load"
USER_AGENT = "news-atlas/0.1.0 (article reader)"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/markdown")
_GZIP_MAGIC = b"\x1f\x8b"
#: zlib's window bits for each content coding we undo (gzip header; zlib header).
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


def is_url(text: str) -> bool:
    """Whether ``text`` looks like a web link (as opposed to a file name or pasted text)."""
    return bool(re.match(r"(?i)^https?://\S+$", text.strip()))


#: Prefixes whose IPv6 addresses carry an IPv4 address in their last 32 bits: NAT64's
#: well-known prefix (RFC 6052), IPv4-translated (RFC 2765) and IPv4-compatible (deprecated,
#: RFC 4291) addresses. IPv4-mapped (::ffff:0:0/96), 6to4 and Teredo have their own
#: properties in :mod:`ipaddress`.
_LOW_32_PREFIXES = tuple(
    ipaddress.IPv6Network(prefix) for prefix in ("64:ff9b::/96", "::ffff:0:0:0/96", "::/96")
)
#: NAT64 for local use (RFC 8215): never global, whatever it carries; its IPv4 address sits
#: in octets 6-7 and 9-10 (RFC 6052's /48 layout, octet 8 reserved).
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
#: Site-local addresses (RFC 3879 deprecated them; some networks still route them inside).
_SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for: a packet to it may reach them through a
    translator (NAT64, SIIT), a tunnel (6to4, Teredo: its server and client) or the host
    itself (IPv4-mapped and IPv4-compatible addresses)."""
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if address in _LOCAL_NAT64:
        packed = address.packed
        found.append(ipaddress.IPv4Address(packed[6:8] + packed[9:11]))
    if any(address in prefix for prefix in _LOW_32_PREFIXES) and int(address) > 1:
        found.append(ipaddress.IPv4Address(address.packed[12:]))
    return found


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address: not private, loopback, link-local, site-local,
    multicast, reserved or unspecified. An IPv4-mapped address is judged as its IPv4
    address; any other IPv6 address that carries an IPv4 address (see :func:`embedded_ipv4`)
    must be global itself and carry only public ones."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if address in _SITE_LOCAL or address in _LOCAL_NAT64:
            return False
        if not all(is_public(ipv4) for ipv4 in embedded_ipv4(address)):
            return False
    return address.is_global and not address.is_multicast


def _shut(sock: socket.socket) -> None:
    """End every read and write on ``sock`` now (the reader sees the connection closed)."""
    with suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def _system_resolve(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class _Fetcher:
    """One fetch's policy: which addresses may be connected to, and by when.

    The deadline holds for the whole fetch, not for each read: a server that sends its
    status line, headers or body one byte at a time never waits out a per-read timeout. So
    a watchdog (:meth:`watch`) shuts every socket of the fetch down when the time is up,
    which ends whatever read is waiting; the fetch then fails with :data:`TOO_SLOW`.
    """

    def __init__(
        self,
        allow_address: Callable[[IPAddress], bool],
        resolve: Callable[[str, int], Sequence[str]],
        deadline: float,
    ) -> None:
        self.allow_address = allow_address
        self.resolve = resolve
        self.deadline = deadline
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0 or self.expired:
            raise FetchError(TOO_SLOW)
        return left

    @contextmanager
    def watch(self) -> Iterator[None]:
        """Shut the fetch's sockets down at the deadline, while the block runs."""
        timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self._expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def _register(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)
        return sock

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
                return self._register(
                    socket.create_connection((checked, port), timeout=min(5.0, self.remaining()))
                )
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
    if length and length.isascii() and length.isdigit() and int(length) > limit:
        raise FetchError(f"{url!r} is {int(length) / 1e6:.1f} MB; the limit is {limit / 1e6:g} MB")
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
        if size > limit:
            raise FetchError(f"{url!r} is larger than the limit of {limit / 1e6:g} MB")
        chunks.append(chunk)
        fetcher.remaining()
    fetcher.remaining()  # the watchdog's shutdown ends a body early, as if it were complete
    return b"".join(chunks)


@dataclass(frozen=True, slots=True)
class _Page:
    """What a server answered: the final link, the body and how to read it."""

    url: str
    content_type: str
    charset: str | None
    encoding: str
    body: bytes


def _fetch(url: str, fetcher: _Fetcher, max_bytes: int, timeout: float) -> _Page:
    """The page at ``url``, every failure (a timeout too) a :class:`FetchError`."""
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),  # an environment proxy would bypass the address check
        _HTTPHandler(fetcher),
        _HTTPSHandler(fetcher),
        _RedirectHandler(fetcher),
    )
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.8"}
    )
    too_slow = f"{url!r} took too long to load (the limit is {timeout:g} s)"
    try:
        with (
            fetcher.watch(),
            opener.open(request, timeout=min(5.0, fetcher.remaining())) as response,
        ):
            return _Page(
                response.geturl(),
                response.headers.get_content_type(),
                response.headers.get_content_charset(),
                response.headers.get("Content-Encoding", "").strip().lower(),
                _read(response, url, max_bytes, fetcher),
            )
    except FetchError as err:
        if fetcher.expired or str(err) == TOO_SLOW:
            raise FetchError(too_slow) from err
        raise
    except urllib.error.HTTPError as err:
        err.close()
        raise FetchError(f"{url!r} answered HTTP {err.code} ({err.reason})") from err
    except (OSError, http.client.HTTPException, ValueError) as err:
        if fetcher.expired or isinstance(err, TimeoutError):
            raise FetchError(too_slow) from err
        reason = err.reason if isinstance(err, urllib.error.URLError) else err
        if isinstance(reason, FetchError):
            raise reason from err
        if isinstance(reason, TimeoutError):
            raise FetchError(too_slow) from err
        raise FetchError(f"cannot fetch {url!r}: {reason}") from err


def _decompressed(body: bytes, encoding: str, url: str, limit: int) -> bytes:
    """The body as the server meant it: gzip and deflate undone (also when the server sends
    gzip unasked and unlabelled), never to more than ``limit`` bytes."""
    if encoding in ("", "identity") and body[:2] == _GZIP_MAGIC:
        encoding = "gzip"
    if encoding in ("", "identity"):
        return body
    if encoding not in _WBITS:
        raise FetchError(f"{url!r} is compressed with {encoding!r}, which we cannot read")
    inflater = zlib.decompressobj(_WBITS[encoding])
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as err:
        raise FetchError(f"{url!r} sent a damaged {encoding} body ({err})") from err
    if len(data) > limit:
        raise FetchError(f"{url!r} is larger than the limit of {limit / 1e6:g} MB")
    if not inflater.eof:
        raise FetchError(f"{url!r} sent a damaged {encoding} body (it ends too soon)")
    return data


def _decoded(data: bytes, charset: str | None, url: str) -> str:
    """The body as text, in the character set the server names (UTF-8 when it names none)."""
    try:
        return data.decode(charset or "utf-8", errors="replace")
    except LookupError as err:  # "nosuchcodec", or "rot13" (a codec, but not for bytes)
        raise FetchError(
            f"{url!r} says its text is in {charset!r}, a character set we do not know"
        ) from err


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
    ``timeout`` bounds the whole fetch, redirects and all. Every failure is a
    :class:`~geo.errors.FetchError` with a message for the user.
    """
    url = url.strip()
    allowed = allow_address or ((lambda _ip: True) if allow_private else is_public)
    fetcher = _Fetcher(allowed, resolve or _system_resolve, time.monotonic() + timeout)
    fetcher.check_url(url)
    page = _fetch(url, fetcher, max_bytes, timeout)
    if page.content_type not in (*_HTML_TYPES, *_TEXT_TYPES):
        raise FetchError(f"{url!r} is {page.content_type}, not a web page or text")
    body = _decompressed(page.body, page.encoding, url, max_bytes)
    text = _decoded(body, page.charset, url)
    if page.content_type in _TEXT_TYPES:
        return article_from_text(text, source=page.url)
    return _article_from_html(text, page.url)


def _article_from_html(html: str, source: str) -> Article:
    body = html_to_text(html)
    if not body.strip():
        raise FetchError(f"{source!r} has no readable text")
    title, date = html_metadata(html)
    year = int(date[:4]) if re.match(r"(19|20)\d\d-", date) else find_year(body)
    return article_from_text(body, source=source, year=year, title=title)
