"""Channel-neutral values every layer may use: settings, clock, dates, markup, metrics, messages.
Imports no other layer."""
