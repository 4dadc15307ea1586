"""Telegram plumbing and presentation shared by the routers: callbacks, keyboards, middlewares,
the outbound path."""
