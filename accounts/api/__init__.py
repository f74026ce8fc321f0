"""REST API of accounts (DRF views and serializers: parse, call a service or selector, render)."""
