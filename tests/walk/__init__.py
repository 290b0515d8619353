"""Rows for the URL walk (tests/security/test_url_walk.py), one module per app.

Each module defines ``build(office, prefix, rows)``, adding at least one row of each of its
office-owned models to ``rows`` (keyed by model name, lower case) with ``prefix`` in its text
fields, and ``PARAMS``: URL parameter name -> key in ``rows``.
"""
