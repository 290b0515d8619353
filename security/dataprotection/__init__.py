"""Data protection built on the personal-data registry: subject access, erasure, retention,
handover, the office export and the security health page.

Everything here reaches other apps' rows through ``security.personal_data`` (which they fill
from their ``AppConfig.ready()``) or Django's relation metadata; it imports none of them.
"""
