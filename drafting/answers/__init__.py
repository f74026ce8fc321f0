"""The answer bank (issue 12, item 1): model answers people chose and vetted past replies,
bounded per administration, reused only when the questions match closely."""
