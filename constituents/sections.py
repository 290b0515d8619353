"""Sections of the constituent page that later apps provide (cases, correspondence…)."""

from mpoffice.lib.sections import SectionRegistry

constituent_page = SectionRegistry()
