"""`python -m bot` — see `python -m bot --help`."""

from bot.app.cli.main import main

raise SystemExit(main())
