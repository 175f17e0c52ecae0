"""Landlords' monthly arrears extracts: the format (:mod:`.format`), streamed reading
(:mod:`.reading`), the pure validation core (:mod:`.validation`), the services that write
(:mod:`.services`) and the background task (:mod:`.tasks`). See docs/imports.md."""
