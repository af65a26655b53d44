"""Staff-only experiment endpoints: /api/experiments/ (list, create), /api/experiments/<id>/ (one, with its
arms), /api/experiments/<id>/start/ and /stop/ (POST), /api/experiments/<id>/results/ (GET).

Bodies are JSON; create takes {"name", "primary_metric", "alpha", "power", "description", "arms": [{"name",
"share", "is_control", "weights", "ranker", "ranker_version", "merchandising", "control"}]}. Anything invalid (a
bad arm, shares over 100 %, a second running experiment, stopping a draft) is a 400 whose `detail` says what.
Reads and writes go through recommender.experiments (services, results); these views only translate.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from recommender.api.errors import error_responses
from recommender.api.inputs import Input
from recommender.experiments import services
from recommender.experiments.results import experiment_results, results_as_dict
from recommender.models import Experiment, PrimaryMetric


class ExperimentInput(Input):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    primary_metric = serializers.ChoiceField(choices=PrimaryMetric.values, default=PrimaryMetric.CTR)
    alpha = serializers.FloatField(min_value=0.001, max_value=0.49, default=0.05)
    power = serializers.FloatField(min_value=0.51, max_value=0.99, default=0.8)
    arms = serializers.ListField(child=serializers.DictField(), min_length=2, max_length=10)


def experiment_as_dict(experiment: Experiment) -> dict:
    return {
        "id": experiment.pk, "name": experiment.name, "description": experiment.description,
        "status": experiment.status, "primary_metric": experiment.primary_metric, "alpha": experiment.alpha,
        "power": experiment.power,
        "started_at": experiment.started_at.isoformat() if experiment.started_at else None,
        "stopped_at": experiment.stopped_at.isoformat() if experiment.stopped_at else None,
        "arms": [{"name": arm.name, "share": arm.share, "is_control": arm.is_control, "weights": arm.weights,
                  "ranker": arm.ranker, "ranker_version": arm.ranker_version_id,
                  "merchandising": arm.merchandising, "control": arm.control} for arm in experiment.arms.all()],
    }


def _refused(error: DjangoValidationError):
    return ApiValidationError({"detail": " ".join(error.messages)})


def _experiment(pk: int) -> Experiment:
    experiment = Experiment.objects.prefetch_related("arms").filter(pk=pk).first()
    if experiment is None:
        raise NotFound("No such experiment.")
    return experiment


class StaffOnly(APIView):
    permission_classes = [IsAdminUser]


class ExperimentsView(StaffOnly):
    @extend_schema(operation_id="experiments_list",
                   responses={200: OpenApiResponse(description="every experiment, newest first"),
                              **error_responses(403)})
    def get(self, request):
        return Response([experiment_as_dict(e) for e in Experiment.objects.prefetch_related("arms")])

    @extend_schema(request=ExperimentInput, responses={201: OpenApiResponse(description="the experiment, a draft"),
                                                       **error_responses(400, 403)})
    def post(self, request):
        body = ExperimentInput(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            experiment = services.experiment_create(**body.validated_data)
        except DjangoValidationError as error:
            raise _refused(error) from None
        return Response(experiment_as_dict(_experiment(experiment.pk)), status=status.HTTP_201_CREATED)


class ExperimentView(StaffOnly):
    @extend_schema(responses={200: OpenApiResponse(description="the experiment"), **error_responses(403, 404)})
    def get(self, request, pk: int):
        return Response(experiment_as_dict(_experiment(pk)))


class ExperimentActionView(StaffOnly):
    action = "start"

    @extend_schema(request=None, responses={200: OpenApiResponse(description="the experiment after the change"),
                                            **error_responses(400, 403, 404)})
    def post(self, request, pk: int):
        experiment = _experiment(pk)
        change = services.experiment_start if self.action == "start" else services.experiment_stop
        try:
            change(experiment=experiment)
        except DjangoValidationError as error:
            raise _refused(error) from None
        return Response(experiment_as_dict(_experiment(pk)))


class ExperimentResultsView(StaffOnly):
    @extend_schema(responses={200: OpenApiResponse(description="per arm: counts, rate, comparison with the "
                                                               "control; sample-ratio check; sample size"),
                              **error_responses(403, 404)})
    def get(self, request, pk: int):
        return Response(results_as_dict(experiment_results(_experiment(pk))))
