"""The drafting experiment: arms, periods, set-up pages and the impact report."""
