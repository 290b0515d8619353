from campaigns.models import (
    Campaign,
    CampaignMember,
    CampaignReply,
    CampaignSend,
    CampaignSettings,
    MessageSignature,
    ResponseVersion,
    SignatureBand,
)
from correspondence.models import OutboxBatch

PARAMS = {
    "campaign_id": "campaign",
    "member_id": "campaignmember",
    "version_id": "responseversion",
    "send_id": "campaignsend",
}


def build(office, prefix, rows):
    rows["campaignsettings"] = CampaignSettings.objects.create(
        office=office, platforms=f"{prefix} | {prefix.lower()}.example"
    )
    campaign = Campaign.objects.create(office=office, name=f"{prefix} campaign", platform=prefix[:100])
    rows["campaign"] = campaign
    message = rows["message"]
    signature = MessageSignature.objects.create(
        office=office, message=message, sender_key=f"{prefix.lower()}@mail.example", received_at=message.received_at
    )
    rows["messagesignature"] = signature
    rows["signatureband"] = SignatureBand.objects.create(office=office, signature=signature, key=12345)
    member = CampaignMember.objects.create(
        office=office,
        campaign=campaign,
        message=message,
        reply_email=f"{prefix.lower()}@mail.example",
        reply_name=f"{prefix} Sender",
        postcode="ZZ9 9ZZ",
        ward=rows["ward"],
        personalised=True,
        received_at=message.received_at,
    )
    rows["campaignmember"] = member
    version = ResponseVersion.objects.create(
        office=office,
        campaign=campaign,
        number=1,
        subject=f"{prefix} subject",
        body=f"{prefix} body",
        state="submitted",
    )
    rows["responseversion"] = version
    ResponseVersion.objects.create(
        office=office, member=member, campaign=campaign, number=1, subject=f"{prefix} personal", body=f"{prefix} edit"
    )
    batch = OutboxBatch.objects.create(office=office, label=f"{prefix} campaign send")
    send = CampaignSend.objects.create(office=office, campaign=campaign, version=version, batch=batch)
    rows["campaignsend"] = send
    rows["campaignreply"] = CampaignReply.objects.create(
        office=office, member=member, version=version, send=send, outgoing=rows["outgoingemail"]
    )
