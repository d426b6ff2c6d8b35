"""Navigation remembered across captures of the same page.

One capture alone cannot always tell a menu from the policy's own list of links: a banner
or an injected block between a menu and the edge of the content hides that it is an edge,
and a menu in the middle of the content looks like a list the policy introduces. The page's
other captures can: the same menu was at the edge, or repeated, in an earlier one. So every
link list judged navigation is recorded as a `LinkList` (its items and its place: the text
right before and after it), the versions stage hands a document's earlier ones back to
`normalize()`, and a link list is navigation when
- most of its items are the items of a list judged navigation before (a menu that gained or
  lost an entry is the same menu); or
- it sits where a list judged navigation sat before (the same text right before and after
  it) while its items changed, as a product menu's do, and the policy does not introduce it.
A list the policy introduces ("Our processors:") is never dropped by memory, and nothing is
that is not a list of short single-link items: when unsure, the text stays.

The memory decides both ways: the link lists a capture kept as the policy's text are
remembered too (`kept`), and the latest decision about the same items is taken again, so a
list does not come and go with the layout around it (kept at the edge of the content where
the page alone would drop it). Only a page's own strong evidence overrides it: a table of
contents agreeing with the headings, a list repeated within the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

_SAME_ITEMS = 0.8  # of a list's items among a remembered list's: the same menu
_MIN_SHARED = 3  # and never fewer items than this in common
_SIZE_RATIO = 2  # a list at a remembered place has between half and twice its items
_KEY_CHARS = 80  # of an item's or a neighbour's text kept in the record
REMEMBERED = 64  # distinct lists a document's history keeps (the most recent)


@dataclass(frozen=True)
class LinkList:
    """A link list judged navigation: its items' texts (compared without case or numbering)
    and its place, the text right before and after it ("" at an edge of the content)."""

    items: tuple[str, ...]
    before: str = ""
    after: str = ""
    kept: bool = False  # judged the policy's own list, not navigation

    @classmethod
    def from_dict(cls, data: dict) -> LinkList:
        """The record back from its JSON form (`asdict`), as a capture's scope stores it."""
        return cls(tuple(data.get("items", ())), data.get("before", ""), data.get("after", ""),
                   bool(data.get("kept", False)))


def key(text: str) -> str:
    return text.casefold()[:_KEY_CHARS]


def kept_before(link_list: LinkList, known: Iterable[LinkList]) -> bool:
    """Whether the latest decision about a list of the same items kept it as the policy's."""
    latest = _latest_same(link_list, known)
    return latest is not None and latest.kept


def remembered(link_list: LinkList, introduced: bool, known: Iterable[LinkList], where: str) -> str | None:
    """Why a link list not judged navigation by the tests of its own page is navigation by
    memory (`known`, seen `where`), or None: the latest decision about the same items, else
    a menu's place."""
    if introduced:
        return None
    latest = _latest_same(link_list, known)
    if latest is not None:
        return None if latest.kept else f"navigation: the items of a menu seen {where}"
    size = len(set(link_list.items))
    for other in known:
        if (not other.kept and (link_list.before or link_list.after)
                and (link_list.before, link_list.after) == (other.before, other.after)
                and len(other.items) <= _SIZE_RATIO * size and size <= _SIZE_RATIO * len(other.items)):
            return f"navigation: where a menu was seen {where}, its items changed"
    return None


def _latest_same(link_list: LinkList, known: Iterable[LinkList]) -> LinkList | None:
    latest = None
    for other in known:
        if _same_items(link_list, other):
            latest = other
    return latest


def _same_items(link_list: LinkList, other: LinkList) -> bool:
    """Most of a list's items are the other's: the same menu, one entry more or less."""
    mine = set(link_list.items)
    return len(mine & set(other.items)) >= max(_MIN_SHARED, _SAME_ITEMS * len(mine))


def remember(known: list[LinkList], lists: Iterable[LinkList]) -> None:
    """Add a capture's navigation to a document's memory, most recent last, bounded."""
    for link_list in lists:
        if link_list in known:
            known.remove(link_list)
        known.append(link_list)
    del known[:-REMEMBERED]
