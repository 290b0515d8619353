import pytest

from constituents.models import PostcodeWard, Ward


def place(office, postcode, *, code="E05000001", name="Central", inside=True):
    """Put ``postcode`` in a ward of the office's postcode table."""
    ward, _ = Ward.unscoped.get_or_create(office=office, code=code, defaults={"name": name})
    PostcodeWard.objects.create(office=office, postcode=postcode, ward=ward, in_constituency=inside)
    return ward


@pytest.fixture
def central(office):
    return place(office, "NT1 1AA")
