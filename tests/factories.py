import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.models import Membership, Office, User
from security.roles import Role

PASSWORD = "correct horse battery staple"


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    name = factory.Sequence(lambda n: f"Office of MP {n}")
    constituency = factory.Sequence(lambda n: f"Constituency {n}")
    slug = factory.Sequence(lambda n: f"office-{n}")
    mp_name = factory.Faker("name", locale="en_GB")
    letterhead_address = "House of Commons\nLondon\nSW1A 0AA"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    office = factory.SubFactory(OfficeFactory)
    role = Role.CASEWORKER


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


class ConstituentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "constituents.Constituent"

    office = factory.SubFactory(OfficeFactory)
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    address_line1 = factory.Faker("street_address", locale="en_GB")
    town = "Northtown"
    postcode = "NT1 1AA"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "constituents.Organisation"

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"Borough Council {n}")
    kind = "council"
    email = factory.Sequence(lambda n: f"mp-enquiries{n}@council.example.gov.uk")
