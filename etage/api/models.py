"""Models of this app (filled in as the app is built)."""
