from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"

    def ready(self) -> None:
        from casework import demo, erasure, handover, importing, retention, sections, services
        from casework import models as m
        from constituents.sections import constituent_page
        from security import demo as demo_registry
        from security import home, office_setup
        from security.personal_data import (
            ErasurePrecondition,
            PersonalData,
            Retention,
            declare_no_personal_data,
            register,
            register_erasure_hook,
            register_erasure_precondition,
        )
        from security.roles import Role

        register(
            PersonalData(
                model=m.Case,
                fields=("summary", "description", "consent_how"),
                retention=Retention.CASEWORK,
                rows_for_constituent=lambda office, c: m.Case.objects.for_office(office).filter(constituent=c),
                rows_for_cases=lambda office, ids: m.Case.objects.for_office(office).filter(pk__in=ids),
                describe=lambda case: f"Case {case.reference}: {case.summary}",
                erase=erasure.case_anonymise,
                reindex=erasure.reindex,
                move=handover.case_move,
            )
        )
        register(
            PersonalData(
                model=m.CaseEvent,
                fields=("note",),
                retention=Retention.CASEWORK,
                rows_for_constituent=erasure.events_of,
                rows_for_cases=lambda office, ids: m.CaseEvent.objects.for_office(office).filter(case_id__in=ids),
                erase=erasure.case_event_erase,
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
                rows_for_cases=lambda office, ids: m.CaseDocument.objects.for_office(office).filter(case_id__in=ids),
                describe=lambda doc: f"Document “{doc.name}”, added {doc.created_at:%-d %b %Y}",
            )
        )
        register_erasure_precondition(
            ErasurePrecondition(key="casework.open_cases", find=erasure.open_cases_of, resolve=erasure.open_cases_close)
        )
        retention.register()
        handover.register()
        # An import's file holds people until it is imported (then deleted) or discarded.
        register(
            PersonalData(
                model=m.ImportJob,
                fields=("file", "original_name", "errors"),
                retention=Retention.CASEWORK,
                erase=lambda job: importing.import_discard(job=job, actor=None),
            )
        )
        register_erasure_hook("casework.imports", importing.imports_discard_unfinished)
        office_setup.register(services.office_initialise)
        constituent_page.register(sections.CONSTITUENT_CASES)
        demo_registry.register(demo.seed)
        home.register(roles=[Role.CASEWORKER, Role.VOLUNTEER], url_name="casework:triage")
        declare_no_personal_data(m.CaseParticipant, "A link between a case and a registered person; no text.")
        declare_no_personal_data(m.Tag, "The office's vocabulary.")
        declare_no_personal_data(m.TagCategory, "The office's vocabulary.")
        declare_no_personal_data(m.CaseworkSettings, "Office settings.")
        declare_no_personal_data(m.ReferenceCounter, "A counter.")
        _register_office_menu()


def _register_office_menu() -> None:
    from security.office_menu import Entry, register
    from security.roles import Perm

    register(Entry("Casework", "Tags", "casework:tag_list", Perm.MANAGE_TAGS, "The controlled vocabulary for cases"))
    register(
        Entry(
            "Casework",
            "Import",
            "casework:import_start",
            Perm.IMPORT_DATA,
            "Constituents and cases from a CSV or Excel file",
        )
    )
