"""MAX (VK's messenger) transport: a thin Bot API client and Telegram-HTML → MAX rendering.

A leaf package: it imports nothing of ours, so both the MAX adapter (routers-to-be) and
`handlers.max.broadcast_channel` can use it without pulling in aiogram or `handlers` (see
docs/max-design.md).
"""
