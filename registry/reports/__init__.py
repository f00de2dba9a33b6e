"""Progress against the plans' targets: the dashboard and the yearly report."""
