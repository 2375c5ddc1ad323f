"""Observers and the paper: accreditations, scans of signed protocols, observers' copies
compared with the official figures, and the commission's answers to each difference."""
