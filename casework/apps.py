from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"

    def ready(self) -> None:
        from casework import demo, sections, services
        from casework import models as m
        from constituents.sections import constituent_page
        from security import demo as demo_registry
        from security import home, office_setup
        from security.personal_data import PersonalData, Retention, declare_no_personal_data, register
        from security.roles import Role

        register(
            PersonalData(
                model=m.Case,
                fields=("summary", "description", "consent_how"),
                retention=Retention.CASEWORK,
                rows_for_constituent=lambda office, c: m.Case.objects.for_office(office).filter(constituent=c),
                describe=lambda case: f"Case {case.reference}: {case.summary}",
            )
        )
        register(
            PersonalData(
                model=m.CaseEvent,
                fields=("note",),
                retention=Retention.CASEWORK,
                rows_for_constituent=lambda office, c: m.CaseEvent.objects.for_office(office).filter(
                    case__constituent=c
                ),
                names=lambda event: [str(event.data["name"])] if isinstance(event.data.get("name"), str) else [],
                describe=lambda event: (
                    f"{event.get_kind_display()} on a case, {event.created_at:%-d %b %Y}"
                    + (f": {event.note[:120]}" if event.note else "")
                ),
            )
        )
        register(
            PersonalData(
                model=m.CaseDocument,
                fields=("name", "file"),
                retention=Retention.CASEWORK,
                rows_for_constituent=lambda office, c: m.CaseDocument.objects.for_office(office).filter(
                    case__constituent=c
                ),
                describe=lambda doc: f"Document “{doc.name}”, added {doc.created_at:%-d %b %Y}",
            )
        )
        office_setup.register(services.office_initialise)
        constituent_page.register(sections.CONSTITUENT_CASES)
        demo_registry.register(demo.seed)
        home.register(roles=[Role.CASEWORKER, Role.VOLUNTEER], url_name="casework:triage")
        declare_no_personal_data(m.CaseParticipant, "A link between a case and a registered person; no text.")
        declare_no_personal_data(m.Tag, "The office's vocabulary.")
        declare_no_personal_data(m.TagCategory, "The office's vocabulary.")
        declare_no_personal_data(m.CaseworkSettings, "Office settings.")
        declare_no_personal_data(m.ReferenceCounter, "A counter.")
