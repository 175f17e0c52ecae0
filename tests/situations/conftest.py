"""Situation fixtures live in :mod:`tests.pathways` (a plugin of the root conftest) so that
every test package can use them; the constants are re-exported for existing imports."""

from tests.pathways import PATH, TODAY

__all__ = ["PATH", "TODAY"]
