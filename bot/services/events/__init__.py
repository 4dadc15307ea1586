"""Events: registration, waiting list, reminders, cards, import, participation documents."""
