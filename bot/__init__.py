"""moc-bot: the Telegram bot of a municipal support centre for children's extra education."""

__version__ = "0.1.0"
