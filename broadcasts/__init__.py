"""Broadcasts: audiences → a delivery ledger in the database → a rate-limited sender.

Nothing here depends on Telegram types except `broadcasts.telegram`, the channel adapter, so
another messenger (MAX) can be added as a second channel behind the same interface.
"""
