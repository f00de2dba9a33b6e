"""selfservice feature: citizens check their own status online; staff print their slip."""
