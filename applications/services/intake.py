"""Taking an application (一门受理) and its documents."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from applications import selectors
from applications.models import Application, ApplicationDocument
from applications.services import _common
from applications.services._common import add_workdays, phone_hash
from cases.photos import reencode_image
from core.audit import audit, log_access
from core.models import AccessLog
from households.models import Category, Household, Member

if TYPE_CHECKING:
    from django.http import HttpRequest

    from households.models import User


def _reference() -> str:
    """SQ, the date and six random digits: not guessable in order, short enough to read out."""
    return f"SQ{_common.today():%y%m%d}{secrets.randbelow(10**6):06d}"


@transaction.atomic
def application_take(
    *,
    actor: User,
    household: Household,
    applicant: Member,
    category: Category,
    channel: str,
    phone: str,
    consent_given: bool,
    reason: str = "",
) -> Application:
    """Record an application at the window (or on a visit, or from a lead), routed at once to
    the department the district's responsibility list names for the category.

    The applicant's written consent to the checking of income and assets (核对授权) is taken
    with it, by the actor: without it the checks cannot start, so nothing is recorded.
    """
    if not can(actor, Can.TAKE_APPLICATION) or not selectors.household_in_scope(actor, household):
        raise PermissionDenied
    if applicant.household_id != household.pk or applicant.status != Member.Status.ACTIVE:
        raise ValidationError({"applicant": _("申请人须为本户在户成员。")})
    if channel not in Application.Channel.values:
        raise ValidationError({"channel": _("请选择受理渠道。")})
    if not consent_given:
        raise ValidationError({"consent_given": _("须由申请人签署家庭经济状况核对授权书。")})
    if len(phone_digits := "".join(c for c in phone if c.isdigit())) < 7:
        raise ValidationError({"phone": _("请填写申请人的联系电话，用于查询办理进度。")})
    responsibility = selectors.responsibility_for(household=household, category_code=category.code)
    if responsibility is None:
        raise ValidationError(
            {"category": _("本区责任清单中还没有“%(c)s”，请联系区民政局。") % {"c": category.name}}
        )
    now = timezone.now()
    application = Application(
        household=household,
        applicant=applicant,
        area_code=household.area_code,
        category=category,
        responsibility=responsibility,
        department=responsibility.department,
        channel=channel,
        reason=reason,
        lookup_phone_hash=phone_hash(phone_digits),
        consent_given=True,
        consent_taken_by=actor,
        consent_at=now,
        received_by=actor,
        received_on=_common.today(),
    )
    application.accept_due = add_workdays(
        application, application.received_on, responsibility.accept_days
    )
    application.due_on = application.accept_due
    _save_new(application)
    audit(
        actor=actor,
        verb="application.take",
        obj=application,
        household_id=household.pk,
        changes={
            "category": category.code,
            "channel": channel,
            "department": application.department_id,
        },
    )
    return application


def _save_new(application: Application) -> None:
    """Insert with a fresh reference, drawing another on the rare clash."""
    for _attempt in range(5):
        application.reference = _reference()
        application.full_clean(exclude=["reference", "lookup_phone_hash"])
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError:
            if Application.objects.filter(reference=application.reference).exists():
                continue
            raise
        return
    raise RuntimeError("no free application reference")


def _document_bytes(upload: Any) -> tuple[bytes, str]:
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            {"file": _("材料不能超过 %(mb)d MB。") % {"mb": settings.PHOTO_MAX_BYTES // 2**20}}
        )
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return upload.read(), "application/pdf"
    try:
        data, _w, _h = reencode_image(upload)
    except ValidationError:
        raise ValidationError({"file": _("请上传照片（JPEG、PNG）或 PDF 扫描件。")}) from None
    return data, "image/jpeg"


@transaction.atomic
def document_add(
    *, actor: User, application: Application, upload: Any, kind: str
) -> ApplicationDocument:
    """Store a received document: a photo re-encoded without EXIF (as visit photos are), or a
    PDF scan as sent; the row and the file together or neither."""
    if not can(actor, Can.TAKE_APPLICATION):
        raise PermissionDenied
    if kind not in ApplicationDocument.Kind.values:
        raise ValidationError({"kind": _("请选择材料类别。")})
    data, content_type = _document_bytes(upload)
    document = ApplicationDocument(
        application=application,
        household_id=application.household_id,
        kind=kind,
        content_type=content_type,
        size=len(data),
        uploaded_by=actor,
    )
    document.file.save("upload", ContentFile(data), save=False)
    name = document.file.name
    try:
        document.save()
    except Exception:
        document.file.storage.delete(name)
        raise
    audit(
        actor=actor,
        verb="application.document_add",
        obj=document,
        household_id=application.household_id,
        changes={"kind": kind},
    )
    return document


def document_view_record(
    *, actor: User, document: ApplicationDocument, request: HttpRequest | None = None
) -> None:
    """Each view of a document is a read of personal data: logged like a photo view."""
    log_access(
        actor=actor,
        action=AccessLog.Action.VIEW_DOCUMENT,
        request=request,
        obj=document,
        household_id=document.household_id,
    )


def household_file_record(
    *, actor: User, household: Household, request: HttpRequest | None
) -> None:
    """A download of the household's file of applications: logged like its printed file."""
    log_access(
        actor=actor,
        action=AccessLog.Action.PRINT_HOUSEHOLD,
        request=request,
        obj=household,
        household_id=household.pk,
    )
