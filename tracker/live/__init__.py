"""Live checks: a document's page fetched from its own site, politely (robots.txt, a
User-Agent that says who asks, conditional requests, a minimum interval per site, the
archive downloads' size caps), kept as captures with `source` = `live` on the one timeline
the archive's captures and the imports share; and Save Page Now, which asks the archive to
capture each version a live check finds, as public evidence of it.

An HTTP client of its own beside tracker.wayback's: the pure stages never import it. The
public face: `LiveFetcher` (fetching, `_fetch`), `check_live` (one check of one document,
`check`), `queue_save` and `advance_saves` (the Save Page Now queue, `saves`), and the errors
of `tracker.live.exceptions`.
"""

from tracker.live._fetch import LIVE_PACER, LIVE_ROBOTS, LiveAnswer, LiveFetcher, RobotsCache, Validators
from tracker.live.check import BLOCKED_RETRY, LiveResult, check_live
from tracker.live.exceptions import LiveError, NoAddress
from tracker.live.saves import SaveStats, advance_saves, queue_save

__all__ = ["BLOCKED_RETRY", "LIVE_PACER", "LIVE_ROBOTS", "LiveAnswer", "LiveError", "LiveFetcher", "LiveResult",
           "NoAddress", "RobotsCache", "SaveStats", "Validators", "advance_saves", "check_live", "queue_save"]
