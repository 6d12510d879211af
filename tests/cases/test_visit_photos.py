"""Visit photos: checked and re-encoded without EXIF on the server, stored through the storage
API, streamed only to users who see the household, each view logged."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cases.models import VisitPhoto
from core.models import AccessLog
from tests.factories import visit as log_visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def photo_dir(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "photos")},
        },
    }
    return tmp_path / "photos"


@pytest.fixture
def visit(household, personas):
    return log_visit(household=household, actor=personas.caseworker)


def _jpeg_with_gps(width: int = 3000, height: int = 2000) -> bytes:
    image = Image.new("RGB", (width, height), (120, 80, 40))
    exif = Image.Exif()
    exif[0x8825] = {2: (31.0, 18.0, 0.0), 4: (120.0, 37.0, 0.0)}  # GPS latitude, longitude
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _upload(client, visit, content: bytes, name="photo.jpg", kind="housing"):
    url = reverse("cases:visit_photo_add", args=[visit.uuid])
    return client.post(url, {"kind": kind, "photo": SimpleUploadedFile(name, content)})


def test_a_photo_is_stored_shrunk_and_without_exif(client, personas, visit, photo_dir):
    client.force_login(personas.caseworker)
    response = _upload(client, visit, _jpeg_with_gps())
    assert response.status_code == 302
    photo = VisitPhoto.objects.get()
    assert (photo.width, photo.height) == (2000, 1333)
    assert photo.household_id == visit.household_id
    assert (photo_dir / photo.file.name).exists()
    with Image.open(photo_dir / photo.file.name) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()


def test_something_that_is_not_an_image_is_refused_and_nothing_is_stored(
    client, personas, visit, photo_dir
):
    client.force_login(personas.caseworker)
    response = _upload(client, visit, b"%PDF-1.4 not a picture", name="photo.jpg")
    assert response.status_code == 400
    assert "无法识别为图片" in response.text
    assert not VisitPhoto.objects.exists()
    assert not photo_dir.exists() or not any(photo_dir.rglob("*.jpg"))


def test_a_photo_over_the_size_limit_is_refused(client, personas, visit, settings):
    settings.PHOTO_MAX_BYTES = 1000
    client.force_login(personas.caseworker)
    response = _upload(client, visit, _jpeg_with_gps(400, 300))
    assert response.status_code == 400
    assert "不能超过" in response.text
    assert not VisitPhoto.objects.exists()


def test_a_photo_is_streamed_to_those_who_see_the_household_and_each_view_logged(
    client, personas, visit
):
    client.force_login(personas.caseworker)
    _upload(client, visit, _jpeg_with_gps(800, 600))
    photo = VisitPhoto.objects.get()
    url = reverse("cases:visit_photo", args=[photo.uuid])
    client.force_login(personas.viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    entry = AccessLog.objects.get(action=AccessLog.Action.VIEW_PHOTO)
    assert entry.actor == personas.viewer and entry.household_id == visit.household_id


def test_a_photo_out_of_scope_is_404_and_not_logged(client, personas, visit):
    client.force_login(personas.caseworker)
    _upload(client, visit, _jpeg_with_gps(800, 600))
    photo = VisitPhoto.objects.get()
    for user in (personas.outsider, personas.provider):
        client.force_login(user)
        assert client.get(reverse("cases:visit_photo", args=[photo.uuid])).status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.VIEW_PHOTO).exists()


def test_adding_a_photo_is_for_workers_in_scope(client, personas, visit):
    url = reverse("cases:visit_photo_add", args=[visit.uuid])
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404
    client.force_login(personas.viewer)
    assert client.get(url).status_code == 403
    assert _upload(client, visit, _jpeg_with_gps(100, 100)).status_code == 403
    assert not VisitPhoto.objects.exists()


def test_the_upload_form_opens_the_camera_and_the_visit_page_shows_the_photo(
    client, personas, visit
):
    client.force_login(personas.caseworker)
    form = client.get(reverse("cases:visit_photo_add", args=[visit.uuid])).text
    assert 'accept="image/*"' in form and 'capture="environment"' in form
    assert "js/photo_resize.js" in form
    _upload(client, visit, _jpeg_with_gps(800, 600))
    photo = VisitPhoto.objects.get()
    page = client.get(reverse("cases:visit_detail", args=[visit.uuid])).text
    assert reverse("cases:visit_photo", args=[photo.uuid]) in page
    assert "/media/" not in page
