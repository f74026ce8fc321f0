"""CLAMAV_URL: a value that names no clamd stops the start with the setting's name."""

from __future__ import annotations

from tests.test_settings import _manage


def test_a_clamav_url_that_names_no_daemon_stops_the_start():
    for url in ("http://clamav:3310", "tcp://clamav:99999", "tcp://clamav:0"):
        refused = _manage("check", GUICHET_ENV="development", CLAMAV_URL=url)
        assert refused.returncode != 0 and "CLAMAV_URL" in refused.stderr, url
    for url in ("unix:///run/clamav/clamd.ctl", "tcp://clamav:3310", "tcp://[::1]:3310", ""):
        started = _manage("check", GUICHET_ENV="development", CLAMAV_URL=url)
        assert started.returncode == 0, (url, started.stderr[-2000:])
