"""main feature."""
