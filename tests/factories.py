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
