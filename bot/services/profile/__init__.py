"""Profiles, contacts, consent."""
