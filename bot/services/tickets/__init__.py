"""Questions handed to a human: posting to staff, the relay that waits out a throttled staff chat,
screenshots."""
