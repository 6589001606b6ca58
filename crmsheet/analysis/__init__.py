"""The analyses (see analyze())."""
