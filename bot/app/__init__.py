"""Composition root: the only code that knows every part (app factory, runner, roles, web server,
CLI, console)."""
