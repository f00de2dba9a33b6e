"""clans feature."""
