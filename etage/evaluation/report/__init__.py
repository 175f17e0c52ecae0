"""The evaluation report (evaluation.md part F "Report generator").

- :mod:`.content`: :func:`~.content.build_report` gathers the report's French content from the
  workspace's models (pseudonymised material only) into plain dataclasses;
- :mod:`.method`: the generated part of "method and limits" (counts, inter-coder agreement,
  the analytics snapshot) and the data-quality annex;
- :mod:`.blocks`: lays the content out as a flat list of blocks (headings, paragraphs,
  tables, figures) that every renderer walks, so DOCX, HTML and PDF say the same thing;
- :mod:`.charts` (matplotlib, PNG), :mod:`.html`, :mod:`.docx` (python-docx), :mod:`.pdf`
  (WeasyPrint, from the HTML), :mod:`.bundle` (the reproducible data bundle, zip).

Renderers never query the database.
"""
