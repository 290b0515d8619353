"""The manager's page of everything that runs the office."""

from django.urls import reverse

from security import office_menu


def test_every_entry_names_a_page_that_exists():
    for name in office_menu.url_names():
        reverse(name)


def test_the_manager_sees_every_group_with_its_pages(manager_client):
    page = manager_client.get(reverse("security:office_menu")).content.decode()
    for title in ("Staff", "Audit log", "Tags", "Mailboxes", "Outbox", "Sending email", "Public contact page"):
        assert f">{title}</a>" in page


def test_the_mp_sees_only_what_the_role_allows(mp_client):
    page = mp_client.get(reverse("security:office_menu")).content.decode()
    assert ">Approvers</a>" in page
    assert ">Staff</a>" not in page
    assert ">Outbox</a>" not in page


def test_a_caseworker_has_nothing_to_manage_and_no_link(caseworker_client):
    assert "Running the office" not in caseworker_client.get(reverse("casework:case_list")).content.decode()
    page = caseworker_client.get(reverse("security:office_menu")).content.decode()
    assert "Your role has nothing to manage here." in page
