"""Standard event-log exports of the snapshot (issue 8): XES (IEEE 1849), OCEL 2.0 (JSON and
SQLite) and a flat CSV with pm4py's column names. They read the snapshot only, through
:func:`etage.analytics.store.connect`, restricted by :class:`etage.analytics.filters.Filters`
(by default the process categories of every case), and stream: nothing holds the whole log in
memory. Each writes a temporary file beside the target and renames it at the end, so an
error never leaves a partial file."""

from etage.analytics.exports.flat import write_csv
from etage.analytics.exports.ocel import write_ocel_json, write_ocel_sqlite
from etage.analytics.exports.xes import write_xes

__all__ = ["write_csv", "write_ocel_json", "write_ocel_sqlite", "write_xes"]
