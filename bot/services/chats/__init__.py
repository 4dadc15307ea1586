"""Group chats and their audiences."""
