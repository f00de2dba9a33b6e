"""households feature."""
