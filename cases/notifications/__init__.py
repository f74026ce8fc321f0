"""Agents' notifications (issue 16, item 7): "the usager answered your case", "a case was
assigned to you", "your case is due within 24 h"; in the header, on a page, and in an optional
daily e-mail. Written from the case journal (``cases/services/journal.py``), in the same
transaction as the event they tell about."""
