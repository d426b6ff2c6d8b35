"""Normalising ahead in worker processes, so that `--jobs N` derives on several cores while
every database read and write stays in the one process that records.

Normalising is pure: a page depends only on its bytes, content type, page rules and the
navigation remembered from the document's earlier captures. The one sequential link between
a document's captures is that navigation, which `_place` extends only with pages it places.
Workers therefore guess: they normalise a document's captures in time order, carrying the
navigation forward as if every page that normalises to a policy were placed, and hand back
each page under its full input key. `_place` runs as in one process and takes a worker's
page only when its own key (the navigation it really holds included) is the same; a wrong
guess (a capture judged another page, a first version re-judged) or a worker's failure
means the page is normalised where it is needed. The rows are those of `--jobs 1`
whatever the workers did.

Memory stays bounded by the page: a document's captures go out in chunks of about
`CHUNK_BYTES` of raw bytes, at most `AHEAD` chunks beyond the one being recorded, and a page
is dropped as soon as it is taken. A page of `LARGE_TEXT` characters of clauses or more is
normalised by the recording process itself (the worker only carries its navigation on):
held beside the one being recorded, it would double the peak. Workers start with `spawn` (no
copy of the parent's connections or threads), ignore Ctrl-C (the parent stops them, after
the chunk they are normalising), and end when their parent ends, even killed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tracker.normalize import (
    PRIVACY_POLICY,
    LinkList,
    NormalizeError,
    Page,
    PageRule,
    Target,
    normalize,
    remember_navigation,
)
from tracker.store.rawstore import RawStore

log = logging.getLogger(__name__)

CHUNK_BYTES = 1_000_000  # raw bytes of distinct pages a worker normalises per task
AHEAD = 2  # chunks of a document normalised ahead of the one being recorded
LARGE_TEXT = 1_000_000  # characters of clauses: a page this large is normalised where it is recorded

Result = tuple[Page | None, str | None]  # the page (None when unreadable), why it is not usable


@dataclass(frozen=True)
class Item:
    """One capture to normalise, in the document's time order."""

    capture_id: int
    digest: str
    content_type: str | None
    overrides: tuple[PageRule, ...]
    target: Target
    size: int  # raw bytes

    @property
    def page_key(self) -> tuple:
        return self.digest, self.content_type, self.overrides, self.target


@dataclass(frozen=True)
class Plan:
    """What a derivation of one document will normalise: its captures in the order `_place`
    takes them, the navigation it starts with, and how many captures `_place` handles per
    call (`None`: all at once), since each call starts without the previous page."""

    document_id: int
    items: tuple[Item, ...]
    navigation: tuple[LinkList, ...] = ()
    batch: int | None = None

    def fresh(self, index: int) -> bool:
        """Whether `_place` normalises this capture rather than reusing the previous page."""
        return (index == 0 or self.items[index].page_key != self.items[index - 1].page_key
                or (self.batch is not None and index % self.batch == 0))


def page_of(body: bytes, content_type: str | None, overrides=(), navigation: tuple[LinkList, ...] = (),
            target: Target = PRIVACY_POLICY) -> Result:
    """The normalised page (None when unreadable) and the reason the capture is not a usable
    policy page (None when it is)."""
    try:
        document = normalize(body, content_type, rules=overrides, navigation=navigation, target=target)
    except NormalizeError as exc:
        return None, f"unreadable: {exc}"
    if document.invalid_reason:
        return document, document.invalid_reason
    if not document.blocks:
        return document, "no text"
    return document, None


@contextmanager
def _ctrl_c_held():
    """Ctrl-C held back (blocked, not lost) while a worker may start: the worker inherits the
    block, so it cannot be interrupted while it imports (a traceback), and the parent cannot
    be interrupted half way through starting it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _start_worker() -> None:
    """Ctrl-C is the parent's to handle; a worker whose parent is gone ends at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=lambda: (parent.join(), os._exit(1)), daemon=True).start()


def _normalise_chunk(root: str, items: tuple[Item, ...], fresh: tuple[bool, ...],
                     navigation: tuple[LinkList, ...]) -> tuple[list[tuple[int, tuple, Result]], tuple[LinkList, ...]]:
    """Runs in a worker: the pages of a chunk of a plan's items (`fresh`: those `_place`
    normalises rather than reuses, the first always), each under its full key, and the
    navigation guessed after them."""
    raw, known, results = RawStore(root), list(navigation), []
    page = reason = None
    for item, new in zip(items, fresh):
        if new:
            key = (*item.page_key, tuple(known))
            page, reason = page_of(raw.get(item.digest), item.content_type, item.overrides, key[4], item.target)
            if page is None or sum(len(block.text) for block in page.blocks) < LARGE_TEXT:
                results.append((item.capture_id, key, (page, reason)))
        if reason is None:
            remember_navigation(known, page.navigation)
    return results, tuple(known)


@dataclass
class _Flow:
    """One planned document: its chunks, the next to send, the navigation guessed so far."""

    plan: Plan
    chunks: list[tuple[int, int]]
    sent: int = 0
    at: int = -1  # the chunk being recorded
    navigation: tuple[LinkList, ...] = ()
    future: Future | None = None
    stopped: bool = False
    chunk_of: dict[int, int] = field(default_factory=dict)  # capture id -> chunk index


class Prefetch:
    """The pages of planned documents, normalised ahead by `jobs - 1` worker processes;
    with `jobs` 1 it holds nothing and every page is normalised where it is needed."""

    def __init__(self, raw: RawStore, jobs: int = 1) -> None:
        self.jobs = jobs
        self._root = str(Path(raw.root).resolve())
        self._pool: ProcessPoolExecutor | None = None
        self._flows: dict[int, _Flow] = {}
        self._pages: dict[int, tuple[tuple, Result]] = {}  # capture id -> (key, result)
        self.hits = self.misses = 0

    @property
    def active(self) -> bool:
        return self.jobs > 1

    def __enter__(self) -> Prefetch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers: a chunk being normalised is finished, queued ones are dropped."""
        if self.hits or self.misses:
            log.info("pages normalised ahead and taken: %d; normalised here: %d", self.hits, self.misses)
        self._flows.clear()
        self._pages.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def planned(self, document_id: int) -> bool:
        return document_id in self._flows

    def plan(self, plan: Plan) -> None:
        """Start normalising a document's captures ahead (nothing with one job)."""
        if not self.active or not plan.items:
            return
        chunks, start, spent = [], 0, 0
        for index, item in enumerate(plan.items):
            if plan.fresh(index) and spent >= CHUNK_BYTES:
                chunks.append((start, index))
                start, spent = index, 0
            spent += item.size if plan.fresh(index) else 0
        chunks.append((start, len(plan.items)))
        flow = _Flow(plan, chunks, navigation=plan.navigation)
        flow.chunk_of = {item.capture_id: n for n, (a, b) in enumerate(chunks) for item in plan.items[a:b]}
        self._flows[plan.document_id] = flow
        self._pump()

    def _pump(self) -> None:
        """Collect the chunks done, and send the next ones, the documents to be recorded first
        first, keeping each worker busy and one chunk queued (a queue of more would make the
        document being recorded wait behind later ones)."""
        for flow in list(self._flows.values()):
            if flow.future is not None and flow.future.done():
                self._receive(flow)
        busy = sum(flow.future is not None for flow in self._flows.values())
        for flow in list(self._flows.values()):
            if busy >= self.jobs:
                break
            if flow.future is None and flow.sent <= flow.at + AHEAD:
                self._send(flow)
                busy += flow.future is not None

    def take(self, document_id: int, capture_id: int, key: tuple) -> Result | None:
        """The page normalised ahead for this capture if it was made from exactly `key`
        (digest, content type, page rules, target, navigation), else None: normalise it here."""
        flow = self._flows.get(document_id)
        chunk = flow.chunk_of.get(capture_id) if flow else None
        if chunk is not None:
            flow.at = max(flow.at, chunk)
            # the document being recorded goes first: its chunk is sent if it was not yet
            # (later documents' may fill the workers) and waited for
            while not flow.stopped and chunk > flow.sent - (2 if flow.future is not None else 1):
                if flow.future is not None:
                    self._receive(flow)
                else:
                    self._send(flow)
        self._pump()
        found = self._pages.pop(capture_id, None)
        if found is not None and found[0] == key:
            self.hits += 1
            return found[1]
        self.misses += 1
        return None

    def forget(self, document_id: int) -> None:
        """The document is derived: drop what is left of it."""
        flow = self._flows.pop(document_id, None)
        if flow is None:
            return
        if flow.future is not None:
            flow.future.cancel()
        for capture_id in flow.chunk_of:
            self._pages.pop(capture_id, None)

    def _send(self, flow: _Flow) -> None:
        if flow.stopped or flow.sent == len(flow.chunks):
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.jobs - 1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_worker)
        start, stop = flow.chunks[flow.sent]
        fresh = tuple(flow.plan.fresh(index) for index in range(start, stop))
        try:
            with _ctrl_c_held():  # a submit may start a worker
                flow.future = self._pool.submit(_normalise_chunk, self._root, flow.plan.items[start:stop], fresh,
                                                flow.navigation)
        except BrokenProcessPool as exc:
            self._give_up(flow, exc)
            return
        flow.sent += 1

    def _receive(self, flow: _Flow) -> None:
        future, flow.future = flow.future, None
        try:
            results, flow.navigation = future.result()
        except BrokenProcessPool as exc:
            self._give_up(flow, exc)
            return
        except Exception as exc:  # noqa: BLE001 - whatever a worker met, this process meets it again
            log.warning("document %s: normalising ahead failed (%s: %s); normalising here",
                        flow.plan.document_id, type(exc).__name__, exc)
            flow.stopped = True
            return
        for capture_id, key, result in results:
            self._pages[capture_id] = (key, result)

    def _give_up(self, flow: _Flow, exc: BaseException) -> None:
        """A worker died (killed, out of memory): no more workers; this process does it all."""
        log.warning("normalising ahead stopped (%s); normalising in this process", str(exc) or type(exc).__name__)
        for other in self._flows.values():
            other.stopped, other.future = True, None
        flow.stopped = True
        self.jobs = 1
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
