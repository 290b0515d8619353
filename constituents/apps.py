from django.apps import AppConfig


class ConstituentsConfig(AppConfig):
    name = "constituents"

    def ready(self) -> None:
        from constituents import demo, erasure, search_index, selectors, services
        from constituents import models as m
        from security import demo as demo_registry
        from security import office_setup
        from security.personal_data import (
            PersonalData,
            Retention,
            Subject,
            declare_no_personal_data,
            register,
            register_subject,
        )

        office_setup.register(services.office_initialise)
        demo_registry.register(demo.seed_demo)

        def own_rows(model):
            return lambda office, constituent: model.objects.for_office(office).filter(constituent=constituent)

        register(
            PersonalData(
                model=m.Constituent,
                fields=(
                    "title",
                    "first_name",
                    "last_name",
                    "address_line1",
                    "address_line2",
                    "town",
                    "postcode",
                    "date_of_birth",
                    "notes",
                ),
                retention=Retention.CASEWORK,
                rows_for_constituent=lambda office, c: m.Constituent.objects.for_office(office).filter(pk=c.pk),
                describe=lambda c: f"Their record: {c.full_name}, {c.address or 'no address'}",
                erase=erasure.constituent_anonymise,
                move=erasure.constituent_move,
                reindex=search_index.refresh_constituents,
            )
        )
        register(
            PersonalData(
                model=m.ConstituentEmail,
                fields=("email",),
                retention=Retention.CASEWORK,
                rows_for_constituent=own_rows(m.ConstituentEmail),
                describe=lambda row: f"Email address {row.email}",
            )
        )
        register(
            PersonalData(
                model=m.ConstituentPhone,
                fields=("number", "label"),
                retention=Retention.CASEWORK,
                rows_for_constituent=own_rows(m.ConstituentPhone),
                describe=lambda row: f"Phone number {row.display}",
            )
        )
        register(
            PersonalData(
                model=m.Representative,
                fields=("name", "organisation_name", "email", "phone", "address", "authority_notes"),
                retention=Retention.CASEWORK,
                rows_for_constituent=own_rows(m.Representative),
                names=lambda row: [row.name],
                describe=lambda row: f"Acting for them: {row}",
            )
        )
        register_subject(
            Subject(
                model=m.Constituent,
                search=lambda office, q: selectors.constituent_list(office=office, query=q),
                label=lambda c: ", ".join(part for part in (c.full_name, c.postcode) if part),
            )
        )
        declare_no_personal_data(m.Ward, "An area lookup table.")
        declare_no_personal_data(m.PostcodeWard, "Postcode to ward for the whole area, not about anyone.")
        declare_no_personal_data(m.Organisation, "Public bodies and their published contact points.")
        declare_no_personal_data(m.ConstituentMerge, "Ids and row counts only.")
        declare_no_personal_data(m.DuplicateDismissal, "A pair of ids: a manager's decision, not about anyone.")
        _register_office_menu()


def _register_office_menu() -> None:
    from security.office_menu import Entry, register
    from security.roles import Perm

    register(
        Entry("Work queues", "Duplicates", "constituents:duplicates", Perm.MERGE_RECORDS, "People recorded twice"),
    )
