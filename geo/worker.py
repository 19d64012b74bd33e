"""Analyses in worker processes, each held to a deadline and a memory cap.

One pathological article can take minutes and gigabytes: spaCy's tokenizer is quadratic on
long runs of punctuation (explosion/spaCy#1768), and it holds the GIL while it runs. In the
server's own process that would stall every reader of the app. An :class:`AnalysisPool` runs
each analysis in one of a few worker processes instead::

    pool = AnalysisPool(size=2)              # the workers start loading the model at once
    story = pool.analyse(article)            # or pool.submit(article): a Future[Story]
    story = pool.analyse(article, ("m120=gn:2643743",))   # with a reader's corrections
    story = pool.corrected(story, ("d120",))             # corrections to a story at hand
    story = pool.analyse(article, geocoder=geocoder_from_env())   # with an online fallback
    pool.close()

Each worker loads the spaCy model and the gazetteer once (one worker after the other, so the
first is ready sooner on a small machine), then analyses one article at a time:

* **Deadline.** An analysis that has not answered ``limits.deadline`` seconds after its worker
  took it is stopped: the worker is killed (SIGKILL) and a fresh one loads in its place. The
  caller gets :class:`~geo.errors.AnalysisTimeout`. Time spent waiting for a free worker does
  not count.
* **Memory cap.** Before each analysis the worker lets its address space grow by at most
  ``limits.memory`` bytes more (``RLIMIT_AS``, Linux only). An analysis that needs more gets a
  ``MemoryError``; the worker reports it and exits, a fresh one takes its place, and the caller
  gets :class:`~geo.errors.AnalysisMemoryError`.
* **Crash.** A worker that dies (a segfault, the system's OOM killer) gives the caller an
  :class:`~geo.errors.AnalysisError` that says so, and is replaced.

**Online geocoders.** An analysis with an online fallback (:class:`~geo.online.OnlineFallback`:
Nominatim, Photon, ArcGIS…) runs in a worker too, but the worker never talks to the service.
Its geoparser's fallback is a stand-in that sends each question back over its pipe; the pool
answers it in the server's process with the caller's :class:`~geo.online.OnlineFallback`, whose
cache, circuit breaker and rate limit are the server's, and then sends the answer on. So the
service's policy (Nominatim: one request a second) holds for the whole server however many
workers there are, the answer cache has one writer, the worker needs no network, and the
fallback's warnings land where the caller reads them. The deadline stops while the server
answers (the geocoder bounds its own time: a timeout per request, at most 30 names an article,
at most 10 s queued for the rate limit); what the worker itself spends still counts.

An article stopped by its deadline or its memory cap is remembered (the last
:data:`REMEMBERED` of them): asked again, by the same reader or another, it fails at once
with the same error instead of taking a worker for another 30 seconds.

Any other error of the analysis (a :class:`~geo.errors.GeoError`, or a bug) is raised to the
caller as it was raised in the worker; the worker goes on.

The caller's thread only waits (on a socket, and on a future) and never holds the GIL for
long, so a server's other sessions and its health check keep answering. Each worker is a fresh
Python interpreter (``python -c``), talking to the pool over a socket pair with
:mod:`multiprocessing.connection`. Not ``multiprocessing.Process``: ``fork`` copies a threaded
server's locks in whatever state they are, and ``spawn`` and ``forkserver`` run the parent's
``__main__`` again in each child, which under Streamlit is the app's script (and under
``AppTest.from_function`` a script that fails outside it). :class:`~geo.story.Geoparser`
stays usable in the calling process for the command line and the tests.
"""

from __future__ import annotations

import copy
import os
import pickle
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .articles import Article
from .corrections import Corrections
from .errors import AnalysisError, AnalysisMemoryError, AnalysisTimeout, ConfigurationError
from .memory import fix_mmap_threshold
from .online import Fallback
from .story import Geoparser, Story

if TYPE_CHECKING:
    from geopy.location import Location

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MEMORY",
    "DEFAULT_SIZE",
    "LOAD_DEADLINE",
    "NICENESS",
    "REMEMBERED",
    "Analyser",
    "AnalysisPool",
    "Limits",
    "pool_from_env",
]

#: Seconds one analysis may take once a worker has it. The issue's goal is an answer (a map or
#: a message) within 30 s for every input within the documented limits, on two cores.
DEFAULT_DEADLINE = 30.0
#: Bytes of address space one analysis may add to its worker. A 200,000-character article
#: peaked at 0.6-1.8 GB in-process before the reading fixes; ordinary ones need tens of MB.
DEFAULT_MEMORY = 600 * 2**20
#: Workers in a pool: each holds its own model and gazetteer (about 150 MB resident), and
#: more workers than cores only makes each analysis slower.
DEFAULT_SIZE = min(2, os.cpu_count() or 1)
#: Seconds a new worker may take to load the model and open (or build) the gazetteer.
LOAD_DEADLINE = 300.0
#: How many articles stopped by a limit a pool remembers, so as not to run them again.
REMEMBERED = 256
#: How much lower a worker's CPU priority is than the server's (``nice``): on a busy machine
#: the server's own short work (reruns, the health check, drawing maps) goes first, and an
#: analysis takes the time left over.
NICENESS = 10
#: What a worker analyses once after loading, so that the first reader's article does not
#: pay for the pipeline's lazy set-up (and that set-up is not counted against its cap).
_WARM_UP = "Floods hit the capital on Monday. Rescue teams were sent from the coast."


class Analyser(Protocol):
    """What a worker runs: :class:`~geo.story.Geoparser`, or a stand-in in tests."""

    def analyse(self, article: Article | str) -> Story: ...

    def corrected(self, story: Story, corrections: Corrections) -> Story: ...

    def with_fallback(self, fallback: Fallback) -> Analyser: ...


@dataclass(frozen=True, slots=True)
class Limits:
    """What one analysis may use before its worker is stopped."""

    deadline: float = DEFAULT_DEADLINE  # seconds, from the moment a worker takes it
    memory: int = DEFAULT_MEMORY  # bytes of address space it may add to its worker

    def __post_init__(self) -> None:
        if not self.deadline > 0:
            raise ValueError(
                f"the deadline must be a positive number of seconds, not {self.deadline!r}"
            )
        if self.memory <= 0:
            raise ValueError(
                f"the memory cap must be a positive number of bytes, not {self.memory!r}"
            )


@dataclass(frozen=True, slots=True)
class _Request:
    """One analysis, as sent to a worker: the article, the reader's corrections (tokens), the
    article's story before them when the caller has it (then it is not made again), and the
    online fallback's service and label when there is one (the server answers its questions)."""

    article: Article
    fixes: tuple[str, ...] = ()
    story: Story | None = None
    online: tuple[str, str] | None = None

    @property
    def key(self) -> tuple[Article, tuple[str, ...], str]:
        """What decides the result: the same key, the same story (or the same limit hit)."""
        return self.article, self.fixes, self.online[0] if self.online else ""


@dataclass(frozen=True, slots=True)
class _Job:
    request: _Request
    future: Future[Story]
    geocoder: Fallback | None = None  # the caller's, asked in this process for the worker


class AnalysisPool:
    """A few worker processes that turn articles into stories, each within :class:`Limits`.

    Safe to share between threads (the sessions of a server). ``factory`` builds the analyser
    in each worker; it must be picklable (a class or a module-level function).
    """

    def __init__(
        self,
        size: int = DEFAULT_SIZE,
        limits: Limits | None = None,
        *,
        factory: Callable[[], Analyser] = Geoparser,
    ) -> None:
        if size < 1:
            raise ValueError(f"a pool needs at least one worker, not {size!r}")
        self.size = size
        self.limits = limits if limits is not None else Limits()
        self._factory = factory
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._first_loaded = threading.Event()  # the first worker has loaded, or failed to
        self._warm = threading.Event()  # some worker has its model loaded
        self._closed = False
        self._stopped: OrderedDict[tuple[Article, tuple[str, ...], str], AnalysisError] = (
            OrderedDict()
        )
        self._stopped_lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._supervise, args=(i,), name=f"analysis-{i}", daemon=True)
            for i in range(size)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def warm(self) -> bool:
        """Whether a worker has loaded the model and the gazetteer (an analysis need not wait
        for a load)."""
        return self._warm.is_set()

    def submit(
        self,
        article: Article,
        fixes: tuple[str, ...] = (),
        story: Story | None = None,
        *,
        geocoder: Fallback | None = None,
    ) -> Future[Story]:
        """The story of ``article`` after the corrections ``fixes`` (link tokens), to come;
        ``story`` is the article's story before them, when the caller has it. With a
        ``geocoder``, the names the gazetteer lacks are asked of it, in this process; it
        keeps the warnings, for the caller to read once the story has come."""
        if self._closed:
            raise RuntimeError("this analysis pool is closed")
        future: Future[Story] = Future()
        online = (geocoder.service, geocoder.label) if geocoder is not None else None
        request = _Request(article, tuple(fixes), story, online)
        with self._stopped_lock:
            stopped = self._stopped.get(request.key)
        if stopped is not None:
            future.set_exception(copy.copy(stopped))
        else:
            self._jobs.put(_Job(request, future, geocoder))
        return future

    def analyse(
        self, article: Article, fixes: tuple[str, ...] = (), *, geocoder: Fallback | None = None
    ) -> Story:
        """The story of ``article``, waiting for it. Raises :class:`~geo.errors.AnalysisError`
        when the analysis was stopped, and whatever the analysis itself raised."""
        return self.submit(article, fixes, geocoder=geocoder).result()

    def corrected(self, story: Story, fixes: tuple[str, ...]) -> Story:
        """``story`` after the corrections ``fixes``, waiting for it (as :meth:`analyse`).
        Raises :class:`~geo.corrections.CorrectionError` when they do not fit the story."""
        if not fixes:
            return story
        return self.submit(story.article, fixes, story).result()

    def close(self, *, wait: bool = True) -> None:
        """Stop every worker once the analyses already submitted are done; with ``wait``,
        return only then."""
        if not self._closed:
            self._closed = True
            for _ in self._threads:
                self._jobs.put(None)
        if wait:
            for thread in self._threads:
                thread.join()

    def __enter__(self) -> AnalysisPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _supervise(self, index: int) -> None:
        """One worker's keeper: starts it, hands it jobs one at a time, replaces it when it
        had to be stopped. Workers after the first start loading once the first is ready, so
        that two loads do not share the cores while the first reader waits."""
        if index:
            self._first_loaded.wait()
        worker = _Worker(self._factory, self.limits)
        if worker.wait_loaded():
            self._warm.set()
        self._first_loaded.set()
        while (job := self._jobs.get()) is not None:
            if not job.future.set_running_or_notify_cancel():
                continue
            try:
                if worker.broken or not worker.alive:  # e.g. the OOM killer
                    worker.stop()
                    worker = _Worker(self._factory, self.limits)
                job.future.set_result(worker.run(job.request, job.geocoder))
            except (AnalysisTimeout, AnalysisMemoryError) as err:
                self._remember(job.request, err)
                job.future.set_exception(err)
            except BaseException as err:  # the caller's error, whatever it is
                job.future.set_exception(err)
        worker.stop()

    def _remember(self, request: _Request, err: AnalysisError) -> None:
        """Keep ``err`` for ``request``: the same article would hit the same limit again."""
        with self._stopped_lock:
            self._stopped[request.key] = err
            while len(self._stopped) > REMEMBERED:
                self._stopped.popitem(last=False)


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, factory: Callable[[], Analyser], limits: Limits):
        self.limits = limits
        self.broken = False  # stopped, or in a state we cannot trust: replace it
        self._loaded = False
        self._load_error: BaseException | None = None
        ours, theirs = socket.socketpair()
        self._conn = Connection(ours.detach())
        self.process: subprocess.Popen[bytes] | None = None
        try:
            self.process = _start(theirs.fileno())
            self._conn.send((factory, limits.memory))
        except Exception as err:  # no process to be had (resources, a factory that won't pickle)
            self.stop()
            self._load_error = AnalysisError(f"No worker process could be started: {err}")
        finally:
            theirs.close()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_loaded(self) -> bool:
        """Wait until the worker has loaded its analyser; True if it did."""
        if self._loaded or self.broken:
            return self._loaded
        if not self._conn.poll(LOAD_DEADLINE):
            self._load_error = AnalysisError(
                f"The language model and the gazetteer did not load within {LOAD_DEADLINE:g} "
                "seconds. Please try again in a minute."
            )
            self.stop()
            return False
        try:
            kind, value = self._receive()
        except AnalysisError as err:
            self._load_error = err
            return False
        if kind == "ready":
            self._loaded = True
        else:
            self._load_error = value
            self.stop()
        return self._loaded

    def run(self, request: _Request, geocoder: Fallback | None = None) -> Story:
        """The story for ``request``, answering the worker's questions to ``geocoder`` on the
        way; stops the worker when it passes a limit or dies."""
        if not self.wait_loaded():
            assert self._load_error is not None
            raise self._load_error
        if geocoder is not None:
            geocoder.new_article()
        self._send(request)
        left = self.limits.deadline  # seconds of the worker's own time
        while True:
            waited = time.monotonic()
            if not self._conn.poll(max(left, 0.0)):
                self.stop()
                raise AnalysisTimeout(self.limits.deadline)
            left -= time.monotonic() - waited
            kind, value = self._receive()
            if kind != "geocode":
                break
            assert geocoder is not None, "a worker asked a geocoder it was not given"
            self._send(("located", self._ask(geocoder, *value)))  # not counted: the server's time
        if kind == "memory":
            self.stop()
            raise AnalysisMemoryError(self.limits.memory)
        if kind == "error":
            raise value
        assert kind == "story", kind
        story: Story = value
        return story

    def _ask(
        self, geocoder: Fallback, query: str, exactly_one: bool
    ) -> Location | list[Location] | None:
        """``geocoder``'s answer to the worker's question; the worker is stopped if there is
        none (it would wait for it forever)."""
        try:
            return geocoder.geocode(query, exactly_one=exactly_one)
        except BaseException:
            self.stop()
            raise

    def _send(self, message: object) -> None:
        try:
            self._conn.send(message)
        except OSError:  # it died (while idle, or while its question was answered)
            self.stop()
            raise AnalysisError(_crash_message(self._exitcode())) from None

    def _receive(self) -> tuple[str, Any]:
        """The worker's next message; an :class:`AnalysisError` if it died instead."""
        try:
            message: tuple[str, Any] = self._conn.recv()
        except (EOFError, OSError):
            self.stop()
            raise AnalysisError(_crash_message(self._exitcode())) from None
        return message

    def _exitcode(self) -> int | None:
        """How the process ended: its exit status, or minus the signal that ended it."""
        return None if self.process is None else self.process.returncode

    def stop(self) -> None:
        """Kill the process (it holds nothing worth saving) and close the pipe."""
        self.broken = True
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
        self._conn.close()


def _crash_message(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        how = f"its worker process was ended by signal {signal.Signals(-exitcode).name}"
    else:
        how = f"its worker process exited with status {exitcode}"
    return (
        f"The analysis of this article stopped unexpectedly ({how}). Please try again; if it "
        "happens again, try a shorter part of the article."
    )


#: The folder that holds the ``geo`` package: the worker imports it (and its analyser) from there.
_HOME = str(Path(__file__).resolve().parent.parent)


def _start(fd: int) -> subprocess.Popen[bytes]:
    """A new worker process, on its end ``fd`` of a socket pair."""
    path = os.pathsep.join(filter(None, [_HOME, os.environ.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, "-c", f"from geo.worker import _main; _main({fd})"],
        pass_fds=[fd],
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": path},
    )


# --- in the worker process --------------------------------------------------------------------


def _main(fd: int) -> None:
    """A worker process's entry point: the analyser's factory and the memory cap come first.
    A worker whose server has gone (its pipe closed, e.g. the server was stopped while the
    model loaded) ends quietly: there is nobody left to answer."""
    conn = Connection(fd)
    try:
        factory, cap = conn.recv()
        _serve(conn, factory, cap)
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return


def _serve(conn: Connection, factory: Callable[[], Analyser], cap: int) -> None:
    """A worker's life: load the analyser once, then answer requests until the pipe closes.

    Messages sent back: ``("ready", None)`` or ``("failed", error)`` once; then for each
    request ``("story", story)``, ``("error", error)``, or ``("memory", None)``, after which
    the worker exits (a ``MemoryError`` can leave any library in a state we cannot trust).
    Before its answer, an analysis with an online fallback may send ``("geocode", (query,
    exactly_one))`` questions; each is answered ``("located", answer)``.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle; the
    # worker ends when the server closes its pipe, or kills it
    fix_mmap_threshold()  # freed blocks go back to the system: the cap measures one analysis
    if hasattr(os, "nice"):  # not on Windows
        os.nice(NICENESS)
    try:
        analyser = factory()
        analyser.analyse(_WARM_UP)
    except Exception as err:
        conn.send(("failed", _portable(err)))
        return
    conn.send(("ready", None))
    while True:
        try:
            request: _Request = conn.recv()
        except EOFError:
            return
        _cap_address_space(cap)
        try:
            reply: tuple[str, Any] = ("story", _analyse(analyser, request, conn))
        except MemoryError:
            conn.send(("memory", None))
            return
        except Exception as err:
            reply = ("error", _portable(err))
        conn.send(reply)


def _analyse(analyser: Analyser, request: _Request, conn: Connection) -> Story:
    if request.online is not None:
        analyser = analyser.with_fallback(_Forwarded(conn, *request.online))
    story = request.story if request.story is not None else analyser.analyse(request.article)
    if request.fixes:
        story = analyser.corrected(story, Corrections.parse(request.fixes))
    return story


class _Forwarded:
    """In a worker: an online fallback that asks the server's (see "Online geocoders" above)."""

    def __init__(self, conn: Connection, service: str, label: str) -> None:
        self.service = service
        self.label = label
        self._conn = conn

    def new_article(self) -> None:
        """Nothing to do here: the pool starts the server's fallback afresh for each request."""

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: float | None = None
    ) -> Location | list[Location] | None:
        """The server's answer (``timeout`` is the server's fallback's own, not the caller's)."""
        self._conn.send(("geocode", (query, exactly_one)))
        kind, answer = self._conn.recv()
        assert kind == "located", kind
        located: Location | list[Location] | None = answer
        return located


def _portable(err: Exception) -> Exception:
    """``err`` if it survives a trip through pickle, else an :class:`AnalysisError` with its
    message (an exception whose constructor does not match its ``args`` would not)."""
    try:
        pickle.loads(pickle.dumps(err))
    except Exception:
        return AnalysisError(f"The analysis of this article failed: {err}")
    return err


def _cap_address_space(cap: int) -> None:
    """Let this process's address space grow by at most ``cap`` bytes from now on. Linux only:
    elsewhere ``RLIMIT_AS`` is missing or not enforced, and there is no cap."""
    if not sys.platform.startswith("linux"):
        return
    import resource

    with open("/proc/self/statm", encoding="ascii") as statm:
        size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = size + cap if hard == resource.RLIM_INFINITY else min(size + cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# --- configuration ------------------------------------------------------------------------------


def pool_from_env(
    config: Mapping[str, str] | None = None, *, factory: Callable[[], Analyser] = Geoparser
) -> AnalysisPool:
    """A pool configured by ``NEWS_ATLAS_WORKERS`` (workers, default :data:`DEFAULT_SIZE`),
    ``NEWS_ATLAS_ANALYSIS_SECONDS`` (the deadline, default 30) and ``NEWS_ATLAS_ANALYSIS_MB``
    (the memory cap, default 600), read from ``config`` (default: the environment)."""
    config = os.environ if config is None else config
    size = _number(config, "NEWS_ATLAS_WORKERS", int, DEFAULT_SIZE)
    seconds = _number(config, "NEWS_ATLAS_ANALYSIS_SECONDS", float, DEFAULT_DEADLINE)
    megabytes = _number(config, "NEWS_ATLAS_ANALYSIS_MB", int, DEFAULT_MEMORY // 2**20)
    return AnalysisPool(size, Limits(seconds, megabytes * 2**20), factory=factory)


def _number(
    config: Mapping[str, str], name: str, kind: Callable[[str], int | float], default: int | float
) -> Any:
    raw = (config.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = 0
    if not 0 < value < 10**6:
        raise ConfigurationError(
            f"{name}={raw!r} is not a positive {'whole ' if kind is int else ''}number"
        )
    return value
