"""The fault campaign's short form in `make test` (issue 15): eight SIGKILLs
of the server and one of each other fault kind (PostgreSQL stopped fast and
immediate, frozen, the git repository read-only, its file system full,
issued_at at the window's edges) under concurrent signed load, then every
2xx must be in PostgreSQL, the log and git exactly once. The full campaign
is `make test-faults` (tests/faults/campaign.py, which this reuses); it
starts its own PostgreSQL cluster, as freezing and stopping the shared one
would stall every other module."""
import os
import sys

from harness import ROOT

sys.path.insert(0, os.path.join(ROOT, "tests", "faults"))

import campaign  # noqa: E402


def test_short_fault_campaign(t):
    c = campaign.Campaign(os.path.join(t.dir, "campaign"), kills=8, rounds=1,
                          clients=3, seed=15,
                          log=lambda *a, **kw: print(*a, **kw))
    try:
        fig = c.run()
    finally:
        c.close()
    campaign.print_figures(fig, out=lambda s: print("   " + s))
    assert sum(fig["faults"].values()) >= 8 + len(campaign.KINDS) - 1 - \
        len(fig["skipped"]), fig["faults"]
    assert fig["acknowledged"] > 50, fig
    bad = campaign.verdict(fig)
    assert not bad, bad
