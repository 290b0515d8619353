from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from reports import demo, sections
        from reports import models as m
        from security import demo as demo_registry
        from security import home
        from security.personal_data import declare_no_personal_data

        home.overview_sections.register(sections.HOME_SUMMARY)
        demo_registry.register(demo.seed)
        declare_no_personal_data(
            m.Report,
            "Aggregate figures only: counts by week, tag and ward (small ward counts suppressed) and staff "
            "workload; no constituent is named.",
        )
        declare_no_personal_data(m.ReportDelivery, "Which member of staff was emailed which report, and when.")
        declare_no_personal_data(m.ReportSettings, "Office settings.")
        declare_no_personal_data(m.WardBoundary, "Public ward boundaries (ONS open data).")
