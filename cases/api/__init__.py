"""REST API of cases (DRF views and serializers: parse, call a service or selector, render)."""
