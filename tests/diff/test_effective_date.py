"""The date a policy states for itself (tracker.diff.effective_date)."""

from datetime import date

import pytest

from tracker.diff.effective_date import find_effective_date, stamp_date, without_dates
from tracker.normalize import normalize


@pytest.mark.parametrize("text, expected", [
    ("Last updated: March 3, 2021", date(2021, 3, 3)),
    ("Effective as of 2019-01-01", date(2019, 1, 1)),
    ("Date of last revision: 3 March 2021", date(2021, 3, 3)),
    ("This Privacy Policy was last updated on Mar. 3rd, 2021.", date(2021, 3, 3)),
    ("Effective Date: 01/15/2020", date(2020, 1, 15)),
    ("Last modified 15.01.2020", date(2020, 1, 15)),
    ("Updated June 2018", date(2018, 6, 1)),
    ("Last Revised: 5th of May, 2017", date(2017, 5, 5)),
    ("This Privacy Policy is effective on March 17, 2009 for current users.", date(2009, 3, 17)),
])
def test_stamps_in_several_formats(text, expected):
    assert stamp_date(text) == expected


@pytest.mark.parametrize("text", [
    "We updated our policy to explain cookies.",
    "Last updated: 31 February 2020",  # not a date
    "We delete accounts inactive since January 1, 2020.",  # a date, but no stamp label
])
def test_no_stamp(text):
    assert stamp_date(text) is None


def test_first_stamp_in_reading_order_wins():
    texts = ["Privacy Policy", "Last updated: May 1, 2020", "Effective: June 1, 2020"]
    assert find_effective_date(texts) == date(2020, 5, 1)
    assert find_effective_date(["No date here."]) is None


def test_without_dates_leaves_the_label():
    assert without_dates("Last updated: March 3, 2021").split() == ["Last", "updated:"]


def test_seed_page_states_its_date(sample_corpus):
    page = sample_corpus / "archive" / "seed--onebox.com--privacy-policy"
    blocks = normalize((page / "20090405150900.html").read_bytes()).blocks
    assert find_effective_date(b.text for b in blocks) == date(2009, 3, 17)


@pytest.mark.parametrize("text, expected", [
    ("Dernière mise à jour : 12 mars 2024", date(2024, 3, 12)),
    ("Mise à jour le 1er janvier 2024", date(2024, 1, 1)),
    ("En vigueur à compter du 3 février 2023", date(2023, 2, 3)),
    ("Date de dernière mise à jour : 01/02/2024", date(2024, 2, 1)),  # day first in Europe
    ("Stand: 1. März 2024", date(2024, 3, 1)),
    ("Última actualización: 5 de mayo de 2023", date(2023, 5, 5)),
    ("Ultimo aggiornamento: 15 settembre 2022", date(2022, 9, 15)),
    ("Laatst bijgewerkt op 3 maart 2021", date(2021, 3, 3)),
    ("Last updated 01/02/2024", date(2024, 1, 2)),  # month first after an English label
    ("Stand der Technik seit 2024", None),
])
def test_stamps_in_european_languages(text, expected):
    assert stamp_date(text) == expected
