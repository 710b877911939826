"""Data loaders: the demo data, and the real registries (ROR, CORDIS, the universities list)."""

from db.loaders.cordis import load_cordis
from db.loaders.registry import LoadReport, Skip

__all__ = ["LoadReport", "Skip", "load_cordis"]
