"""Bringing households, citizens, clan memberships and activities in from an Excel file."""
