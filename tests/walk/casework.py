from django.core.files.base import ContentFile

from casework.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseParticipant,
    CaseworkSettings,
    ImportJob,
    ReferenceCounter,
    Tag,
    TagCategory,
)

PARAMS = {
    "participant_id": "caseparticipant",
    "document_id": "casedocument",
    "case_id": "case",
    "tag_id": "tag",
    "category_id": "tagcategory",
    "event_id": "caseevent",
    "job_id": "importjob",
}


def build(office, prefix, rows):
    constituent = rows["constituent"]
    category = TagCategory.objects.create(office=office, name=f"{prefix} category")
    tag = Tag.objects.create(office=office, name=f"{prefix} tag", slug=f"{prefix.lower()}-tag", category=category)
    case = Case.objects.create(
        office=office,
        reference=f"{prefix[:7]}/1",
        constituent=constituent,
        summary=f"{prefix} case",
        description=prefix,
        ward_name=prefix[:120],
    )
    case.tags.add(tag)
    rows["tagcategory"] = category
    rows["tag"] = tag
    rows["case"] = case
    rows["caseevent"] = CaseEvent.objects.create(office=office, case=case, kind="note", note=f"{prefix} note")
    rows["caseparticipant"] = CaseParticipant.objects.create(
        office=office, case=case, representative=rows["representative"], role="representative"
    )
    rows["caseworksettings"], _ = CaseworkSettings.unscoped.get_or_create(office=office)
    rows["casedocument"] = CaseDocument.objects.create(
        office=office,
        case=case,
        file=ContentFile(prefix.encode(), name="letter.txt"),
        name=f"{prefix} letter",
        content_type="text/plain",
        size=len(prefix),
        sha256="0" * 64,
    )
    rows["referencecounter"] = ReferenceCounter.objects.create(office=office, year=2000, last_number=1)
    rows["importjob"] = _import_job(office, prefix)


def _import_job(office, prefix):
    job = ImportJob(office=office, original_name=f"{prefix}.csv", kind="csv", columns=["Surname"], row_count=1)
    job.mapping = {"last_name": 0}
    job.file.save("walk.csv", ContentFile(f"Surname\n{prefix}\n".encode()), save=False)
    job.save()
    return job
