"""The national demo data set: a whole round of rural akim elections, bulk-loaded.

17 regions and the 3 cities of republican significance, about 200 territorial
commissions (districts and cities of regional significance), 2,345 `rural`
elections (2,186 rural districts with their villages, 85 standalone villages, 26
settlements, 48 towns), 10,223 precincts, about 12 million voters, 2 to 6
registered candidates per election, and, on request, a consistent protocol for
every precinct.

Everything comes from one ``random.Random(seed)``: the same seed gives the same
names, numbers and figures on any engine and any day. Rows go in with SQLAlchemy
Core ``insert()`` in executemany chunks (no ORM objects, no per-row audit event);
one audit event summarises the load. Protocol rows are exactly what
``elections.ballots.services.save_protocol`` writes (header at version 1, a current
version with its digest, the votes in ballot order), so the service and the
aggregation treat them as if they had come in through the API.

Each organising commission gets one API-only ``territorial_member`` account
(``tec-<KATO>``, no password: ``flask --app elections users token tec-<KATO>``
issues its token). They may write the protocols of every election their
commission organises, which is how the benchmarks send the protocols.

The modules, by what each builds: ``plan`` (the figures of the round, ``Shape``,
``Plan``), ``names`` (place and person names), ``territory`` (units, elections,
precincts), ``people`` (parties, accounts, candidates), ``protocols``, ``build`` (the
order of it all, ``build_plan``) and ``loading`` (the bulk insert and the summary).
"""

from elections.demo.national.build import build_plan
from elections.demo.national.loading import load_plan, load_voters, summary_lines
from elections.demo.national.people import LEAN
from elections.demo.national.plan import Plan, Shape, canonical_digest
from elections.demo.national.protocols import protocol_figures

__all__ = [
    "load_voters",
    "LEAN",
    "Plan",
    "Shape",
    "build_plan",
    "canonical_digest",
    "load_plan",
    "protocol_figures",
    "summary_lines",
]
