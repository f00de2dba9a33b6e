"""citizens feature."""
