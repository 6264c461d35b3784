"""The fault soak: the whole system on real processes, faults on a schedule, then a count.

``script/soak`` (``make soak``) runs the full one (10,000 messages);
``tests/test_soak.py`` a short one in ``make test``. See docs/testing.md, "The fault soak".
"""
