"""Criteria sets in the web UI: upload new versions, preview them, activate and retire."""
