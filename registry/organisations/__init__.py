"""organisations feature."""
