"""Data loaders: the demo data, and the real registries (ROR, CORDIS, the universities list).

Each registry loader takes an engine and a path and returns a `LoadReport`; a run is one
transaction (all of it is written, or nothing), and loading the same file again writes nothing.
A bad record is skipped and reported with its file, line (or record) and reason; a file that
cannot be loaded as a whole (missing, cut short, of the wrong shape, without one usable record)
raises `LoadError` and nothing is written.
"""

from db.loaders.cordis import load_cordis
from db.loaders.real import load_registries
from db.loaders.registry import BadRecord, LoadError, LoadReport, Skip
from db.loaders.ror import load_ror
from db.loaders.universities import load_universities

__all__ = [
    "BadRecord",
    "LoadError",
    "LoadReport",
    "Skip",
    "load_cordis",
    "load_registries",
    "load_ror",
    "load_universities",
]
