"""Data loaders: the demo data, and the real registries (ROR, CORDIS, the universities list).

Each registry loader takes an engine and a path and returns a `LoadReport`; a run is one
transaction (all of it is written, or nothing), and loading the same file again writes nothing.
"""

from db.loaders.cordis import load_cordis
from db.loaders.registry import LoadReport, Skip
from db.loaders.ror import load_ror
from db.loaders.universities import load_universities

__all__ = ["LoadReport", "Skip", "load_cordis", "load_ror", "load_universities"]
