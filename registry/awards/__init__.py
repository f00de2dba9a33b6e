"""Recognitions, decisions and certificates."""
