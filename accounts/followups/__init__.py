"""Durable follow-ups (a transactional outbox): the work a change leaves to do later.

See ``registry.py`` for the contract and docs/design.md ("Follow-ups") for why.
"""
