from constituents.models import (
    ConstituentEmail,
    ConstituentMerge,
    ConstituentPhone,
    DuplicateDismissal,
    PostcodeWard,
    Representative,
    Ward,
)
from tests.factories import ConstituentFactory, OrganisationFactory

PARAMS = {
    "constituent_id": "constituent",
    "organisation_id": "organisation",
    "representative_id": "representative",
    "email_id": "constituentemail",
    "phone_id": "constituentphone",
    "ward_id": "ward",
    "duplicate_id": "duplicate",
}


def build(office, prefix, rows):
    ward = Ward.objects.create(office=office, code=prefix[:12], name=f"{prefix} ward")
    constituent = ConstituentFactory(office=office, last_name=f"{prefix} Constituent", ward=ward, notes=prefix)
    rows["ward"] = ward
    rows["postcodeward"] = PostcodeWard.objects.create(office=office, postcode="ZZ9 9ZZ", ward=ward)
    rows["constituent"] = constituent
    rows["constituentemail"] = ConstituentEmail.objects.create(
        office=office, constituent=constituent, email=f"{prefix.lower()}@mail.example", is_preferred=True
    )
    rows["constituentphone"] = ConstituentPhone.objects.create(
        office=office, constituent=constituent, number="+447700900123", label=prefix[:20]
    )
    rows["representative"] = Representative.objects.create(
        office=office, constituent=constituent, name=f"{prefix} Representative", relationship="relative"
    )
    rows["constituentmerge"] = ConstituentMerge.objects.create(
        office=office, merged_id=999_999, survivor=constituent, moved={"note": prefix}
    )
    rows["organisation"] = OrganisationFactory(office=office, name=f"{prefix} Council", notes=prefix)
    # A second record sharing the first one's email: the other half of a duplicate pair.
    duplicate = ConstituentFactory(office=office, last_name=f"{prefix} Duplicate", notes=prefix)
    ConstituentEmail.objects.create(office=office, constituent=duplicate, email=f"{prefix.lower()}@mail.example")
    rows["duplicate"] = duplicate
    rows["duplicatedismissal"] = DuplicateDismissal.objects.create(
        office=office, first=constituent, second=ConstituentFactory(office=office, last_name=f"{prefix} Other")
    )
