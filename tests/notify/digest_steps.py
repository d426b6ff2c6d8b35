"""Hand-made steps of one small policy, backfilled through the loopback archive and mailed
through a real SMTP server on loopback, and the parts of the message the digest tests read
(its summary lines, the clause changes it lists, where their numbers lead)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace

import lxml.html
from mail_world import World

URL = "https://example.org/privacy"
# A small policy: a title and six clauses; the tests change some of them.
POLICY = [
    "We collect your name and e-mail address when you create an account.",
    "We use cookies to keep you signed in between visits.",
    "We share your e-mail address with our affiliates to run the service.",
    "We do not sell your personal information to third parties.",
    "We keep your messages for 30 days after you delete them.",
    "You may ask us for a copy of the personal information we hold about you.",
]


def policy_page(paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f"<html><head><title>Privacy Policy</title></head><body><h1>Example Privacy Policy</h1>"
            f"{body}</body></html>").encode()


@dataclass
class Mail:
    text: str
    page: str

    @property
    def page_text(self) -> str:
        return lxml.html.fromstring(self.page).text_content()

    def step_lines(self) -> list[str]:
        """The plain-text summary lines of the (one) step: "* ..." up to its counts line."""
        summary = self.text.split("-- The clause changes --")[0]
        return [line.strip()[2:] for line in summary.splitlines() if line.strip().startswith("* ")]

    def line(self, start: str) -> str:
        [found] = [line for line in self.step_lines() if line.startswith(start)]
        return found

    def listed(self) -> list[int]:
        """The numbers of the clause changes listed in the plain-text part."""
        return [int(n) for n in re.findall(r"^  #(\d+) ", self.text, re.MULTILINE)]

    def html_refs(self, start: str) -> list[tuple[str, str]]:
        """(link text, href) of the clause numbers of the HTML summary line starting so."""
        tree = lxml.html.fromstring(self.page)
        [line] = [div for div in tree.iter("div") if div.text and div.text.startswith("• " + start)]
        return [(a.text_content(), a.get("href")) for a in line.iter("a")]

    def html_clause(self, anchor: str) -> str:
        """The text of the listed clause change with that id in the HTML part."""
        return lxml.html.fromstring(self.page).get_element_by_id(anchor).text_content()


def backfilled(database_url, tmp_path, archive, inbox, *versions: list[str], all_changes: bool = False) -> World:
    """`versions` as yearly captures of one page, backfilled, with a reader subscribed first."""
    for year, paragraphs in enumerate(versions, 2020):
        archive.add_capture(URL, f"{year}0101000000", policy_page(paragraphs))
    world = World(database_url, tmp_path, archive, inbox.port)
    world.track((URL, "example.org"))
    world.subscribe("reader@example.org", all_changes=all_changes)
    world.backfill()
    return world


def mailed(world: World, inbox, **settings) -> Mail:
    """The digest the reader gets, sent with these settings."""
    world.config = replace(world.config, **settings)
    assert world.send().sent == 1
    [message] = inbox.messages("reader@example.org")
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    return Mail(text, message.get_body(("html",)).get_content())


def mail_steps(database_url, tmp_path, archive, inbox, *versions: list[str], all_changes: bool = False,
               **settings) -> Mail:
    return mailed(backfilled(database_url, tmp_path, archive, inbox, *versions, all_changes=all_changes),
                  inbox, **settings)


def changed(index: int, text: str) -> list[str]:
    return POLICY[:index] + [text] + POLICY[index + 1:]


def assert_points_to(mail: Mail, start: str, number: int, clause_text: str) -> None:
    """The summary line names clause change #number in both parts, and in the HTML part its
    number links to that clause, listed below with its text."""
    assert mail.line(start).endswith(f" #{number}")
    assert number in mail.listed()
    [(label, href)] = mail.html_refs(start)
    assert label == f"#{number}" and href.startswith("#c") and href.endswith(f"-{number}")
    assert clause_text in mail.html_clause(href[1:])
