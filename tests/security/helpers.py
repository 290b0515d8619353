from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD


def totp_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def password_step(client: Client, email: str, password: str = PASSWORD):
    return client.post("/login", {"username": email, "password": password})


def sign_in(client: Client, device: TOTPDevice, password: str = PASSWORD):
    """Both steps through the real views."""
    password_step(client, device.user.email, password)
    return client.post("/2fa/verify", {"otp_token": totp_code(device)})
