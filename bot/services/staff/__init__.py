"""Staff of the МОЦ as users of the bot's own tools (the web panel's sign-in)."""
