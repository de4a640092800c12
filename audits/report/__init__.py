"""audits/report."""
