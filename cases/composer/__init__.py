"""The composer of the case page: the reply's preview, its attachments and its sending."""
