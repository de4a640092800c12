"""audits/stats."""
