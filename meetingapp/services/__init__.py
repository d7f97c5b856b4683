"""Use cases: load, decide (domain), persist, commit once."""
