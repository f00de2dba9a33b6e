"""Evaluation: criteria sets applied to the registry's data, set-based, level by level."""
