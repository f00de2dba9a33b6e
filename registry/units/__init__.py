"""units feature."""
