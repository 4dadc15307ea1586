"""The domain, written once for every messenger: plain Python over storage, no aiogram."""
