"""Visit photos: checked and re-encoded on the server, whatever the phone already did.

The phone shrinks a photo before sending it (static/js/photo_resize.js), but nothing sent
is trusted: Pillow must read it as an image, and what is stored is a fresh JPEG of at most
MAX_SIDE pixels, turned upright and without EXIF (a phone's photo carries where it was
taken, and these are taken in people's homes).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from access.capabilities import Can, can
from cases.models import Visit, VisitPhoto
from core.audit import audit, log_access
from core.models import AccessLog

if TYPE_CHECKING:
    from django.http import HttpRequest

    from households.models import User

MAX_SIDE = 2000
FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}
# A decompression bomb (a small file of huge pixel size) is refused, not decoded.
MAX_PIXELS = 40_000_000


def _reencoded(upload: Any) -> tuple[bytes, int, int]:
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            {"photo": _("照片不能超过 %(mb)d MB。") % {"mb": settings.PHOTO_MAX_BYTES // 2**20}}
        )
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError({"photo": _("照片尺寸过大。")})
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"photo": _("无法识别为图片，请重新拍摄或选择照片。")}) from None
    if kind not in FORMATS:
        raise ValidationError({"photo": _("请上传 JPEG 或 PNG 格式的照片。")})
    return out.getvalue(), image.width, image.height


def reencode_image(upload: Any) -> tuple[bytes, int, int]:
    """An uploaded image checked and re-encoded as here, for other uploads of photos (the
    documents of an application): JPEG bytes, width, height; ValidationError otherwise."""
    return _reencoded(upload)


@transaction.atomic
def visit_photo_add(*, actor: User | None, visit: Visit, upload: Any, kind: str) -> VisitPhoto:
    """Store a photo of the visit: checked, re-encoded without EXIF, audited."""
    if actor is not None and not can(actor, Can.LOG_VISIT):
        raise PermissionDenied
    if kind not in VisitPhoto.Kind.values:
        raise ValidationError({"kind": _("请选择照片类别。")})
    data, width, height = _reencoded(upload)
    photo = VisitPhoto(
        visit=visit,
        household_id=visit.household_id,
        kind=kind,
        width=width,
        height=height,
        size=len(data),
        uploaded_by=actor,
    )
    photo.file.save(f"{photo.uuid.hex}.jpg", ContentFile(data), save=False)
    name = photo.file.name
    try:
        photo.save()
    except Exception:
        # No row, no file: a photo is never left behind without its record.
        photo.file.storage.delete(name)
        raise
    audit(actor=actor, verb="visit.photo_add", obj=photo, household_id=visit.household_id)
    return photo


def visit_photo_view_record(
    *, actor: User, photo: VisitPhoto, request: HttpRequest | None = None
) -> None:
    """Each view of a photo is a read of personal data: logged like a household view."""
    log_access(
        actor=actor,
        action=AccessLog.Action.VIEW_PHOTO,
        request=request,
        obj=photo,
        household_id=photo.household_id,
    )
