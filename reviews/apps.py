from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = _("救助标准与复核")

    def ready(self) -> None:
        """Plug into the apps below, which do not import reviews/: the review clock starts
        with an approval and is kept by the nightly job; the household page, the worklist
        and a visit's page show reviews' panels."""
        from cases.nightly import NightlyStep, nightly_step_register
        from households.signals import enrolments_approved
        from reviews import panels
        from reviews.receivers import start_review_clock
        from reviews.services import review_dues_keep

        enrolments_approved.connect(start_review_clock, dispatch_uid="start_review_clock")
        nightly_step_register(
            NightlyStep(
                key="review_dues_changed", run=review_dues_keep, line="复核日期更新 {n} 项。"
            )
        )
        panels.register()
