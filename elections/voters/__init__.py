"""Voter lists per precinct, "where do I vote", and self-nominees' signature sheets."""
