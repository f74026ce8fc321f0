"""Development tools: the demo loader, benchmarks, bulk-data generators and test corpora.

Installed only when GUICHET_ENV is development or test (config/settings.py): production has
none of these commands. This app may import every product app; no product app imports it.
"""
