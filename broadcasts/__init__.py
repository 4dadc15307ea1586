"""Broadcasts: audiences → a delivery ledger in the database → a rate-limited sender.

Nothing here depends on Telegram types except `handlers.tg.broadcast_channel`, the channel
adapter, so
another messenger (MAX) can be added as a second channel behind the same interface.
"""
