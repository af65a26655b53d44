"""Admin for experiments: arms inline (editable while a draft), start and stop buttons, and per experiment its
results (each arm against the control, the sample-ratio check, the sample size still needed) with a chart of the
primary metric per arm and day (inline SVG, recommender.impressions.charts). Starting and stopping call the
services (recommender.experiments.services), as the API does."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.safestring import mark_safe

from recommender.experiments import services
from recommender.experiments.results import experiment_results
from recommender.impressions.charts import line_chart
from recommender.models import Arm, Experiment, ExperimentStatus

METRIC_TITLES = {"ctr": "Click-through rate per day", "add_to_cart": "Cart additions per rail shown, per day",
                 "conversion": "Conversion per day"}


class ArmFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if sum(arm.get("share") or 0 for arm in kept) > 100:
            raise ValidationError("The arms' shares add up to more than 100 %.")
        if sum(1 for arm in kept if arm.get("is_control")) > 1:
            raise ValidationError("Only one arm can be the control.")


class ArmInline(admin.TabularInline):
    model = Arm
    formset = ArmFormSet
    extra = 0
    fields = ("name", "share", "is_control", "weights", "ranker", "ranker_version", "merchandising", "control")

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == ExperimentStatus.DRAFT

    has_add_permission = has_delete_permission = lambda self, request, obj=None: (
        obj is None or obj.status == ExperimentStatus.DRAFT)


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "primary_metric", "started_at", "stopped_at")
    list_filter = ("status",)
    readonly_fields = ("status", "started_at", "stopped_at")
    fields = ("name", "description", "primary_metric", "alpha", "power", "status", "started_at", "stopped_at")
    inlines = [ArmInline]
    change_form_template = "admin/recommender/experiment/change_form.html"

    def get_urls(self):
        return [
            path("<int:pk>/start/", self.admin_site.admin_view(self.change_status), {"action": "start"},
                 name="recommender_experiment_start"),
            path("<int:pk>/stop/", self.admin_site.admin_view(self.change_status), {"action": "stop"},
                 name="recommender_experiment_stop"),
            *super().get_urls(),
        ]

    def change_status(self, request, pk: int, action: str):
        if request.method != "POST" or not self.has_change_permission(request):
            messages.error(request, "Start and stop are buttons on the experiment's page.")
            return redirect("admin:recommender_experiment_change", pk)
        experiment = get_object_or_404(Experiment, pk=pk)
        try:
            (services.experiment_start if action == "start" else services.experiment_stop)(experiment=experiment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Experiment {experiment.name} {'started' if action == 'start' else 'stopped'}"
                                      + ("." if action == "start" else ": every shopper is back on the default."))
        return redirect("admin:recommender_experiment_change", pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        experiment = Experiment.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if experiment is not None:
            results = experiment_results(experiment)
            extra_context["results"] = results
            extra_context["experiment"] = experiment
            extra_context["chart"] = mark_safe(line_chart(  # noqa: S308  (built with every text escaped)
                results.daily, title=METRIC_TITLES[experiment.primary_metric]))
        return super().change_view(request, object_id, form_url, extra_context)
