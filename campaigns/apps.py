from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        from campaigns import detection
        from correspondence import hooks

        hooks.register_inbound("campaigns.detection", detection.detect_message)
        _register_personal_data()
        from campaigns.sections import register_all

        register_all()
        _register_office_menu()
        from campaigns import demo
        from security import demo as demo_registry

        demo_registry.register(demo.seed_demo)


def _register_personal_data() -> None:
    from campaigns import models as m
    from security.personal_data import PersonalData, Retention, declare_no_personal_data, register

    register(
        PersonalData(
            model=m.CampaignMember,
            fields=("reply_email", "reply_name", "postcode"),
            retention=Retention.CAMPAIGN,
            rows_for_constituent=lambda office, c: m.CampaignMember.objects.for_office(office).filter(
                message__constituent=c
            ),
        )
    )
    register(
        PersonalData(
            model=m.MessageSignature,
            fields=("sender_key",),
            retention=Retention.CAMPAIGN,
            rows_for_constituent=lambda office, c: m.MessageSignature.objects.for_office(office).filter(
                message__constituent=c
            ),
        )
    )
    # A personal edit is written to one sender and may speak of their circumstances.
    register(
        PersonalData(
            model=m.ResponseVersion,
            fields=("subject", "body", "comment"),
            retention=Retention.CAMPAIGN,
            rows_for_constituent=lambda office, c: m.ResponseVersion.objects.for_office(office).filter(
                member__message__constituent=c
            ),
        )
    )
    declare_no_personal_data(m.CampaignSettings, "Detection thresholds, platforms and the office's reply policy")
    declare_no_personal_data(m.Campaign, "A campaign's name, state and response mode; its messages are members")
    declare_no_personal_data(m.SignatureBand, "Hash values of a message's text, not reversible to the text")
    declare_no_personal_data(m.CampaignSend, "Who started a bulk send, when, and how many it went to")
    declare_no_personal_data(m.CampaignReply, "Links a member, the version sent and the outbox row")


def _register_office_menu() -> None:
    from security.office_menu import Entry, register
    from security.roles import Perm

    register(
        Entry(
            "Correspondence",
            "Campaign mail",
            "campaigns:settings",
            Perm.MANAGE_OFFICE,
            "When mail becomes a campaign, platforms, who gets a reply",
        ),
    )
