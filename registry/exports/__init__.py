"""Exporting the list pages to .xlsx: what the list shows, every page, same filters and scope."""
