"""CORDIS Horizon Europe: organizations, projects as research collaboration agreements, and
participations as parties with their EU contribution as funding from the European Commission.

Mapping (see docs/registries.md):
- organization: kind from the activity type (HES university, REC research institute, PRC
  business, PUB government body, OTH or none other); the CORDIS organization id is kept as
  identifier `cordis`; its website's domain as identifier `domain`;
- project -> agreement of kind research_collaboration, key (`cordis`, project id), reference
  the project id, short title the acronym, call, topic, funding scheme, effective from start to
  end, signed on the EC signature date; status SIGNED -> active (signed while its start is
  still ahead), CLOSED -> expired, TERMINATED -> terminated; one mode, joint research;
- participation -> party: coordinator -> lead, the others -> partner, the CORDIS role kept
  as `source_role`; every party has signed (on the EC signature date) the terms it has; an
  organization listed twice in a project is one party with its strongest role;
- EU contribution -> one funding row per party with a contribution above zero, in EUR, from the
  European Commission (one organization, ROR 00k4n6c32, a government body as in ROR) to the
  agreement, naming the party as recipient. The Commission is the funder, not a party, so the
  partner network is among the beneficiaries.

Reading and checking the files is `db.loaders.cordis_read`, writing them is
`db.loaders.cordis_write`. A run is one transaction: all of it is written, or (on any error)
none of it.
"""

from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from db.loaders.cordis_read import COLUMNS, SOURCE, CordisInput, read_cordis
from db.loaders.cordis_write import EUROPEAN_COMMISSION, terms_hash, write_cordis
from db.loaders.registry import LoadReport, Progress, tick

__all__ = [
    "COLUMNS",
    "EUROPEAN_COMMISSION",
    "CordisInput",
    "load_cordis",
    "read_cordis",
    "terms_hash",
    "write_cordis",
]


async def load_cordis(
    engine: AsyncEngine, directory: Path, *, progress: Progress | None = None
) -> LoadReport:
    """Load `organizations.csv`, `projects.csv` and `participations.csv` from `directory` in
    one transaction; see the module's docstring for the mapping. Files that cannot be loaded
    whole raise `LoadError` before any write."""
    report = LoadReport(SOURCE, file=str(directory))
    tick(progress, f"{SOURCE} reading", 0, 1)
    found = read_cordis(directory, report, date.today())
    tick(progress, f"{SOURCE} reading", 1, 1)
    return await write_cordis(engine, found, report, progress=progress)
