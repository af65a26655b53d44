"""Recommender models, one module per concern; Django finds them all through this package."""

from recommender.models.behaviour import (
    ItemNeighbour,
    NeighbourKind,
    ProductSignal,
    RebuildKind,
    SignalGeneration,
    SignalRebuild,
)
from recommender.models.embeddings import EmbeddingStatus, ImageEmbedding, ProductEmbedding
from recommender.models.experiments import (
    Arm,
    ArmControl,
    ArmRanker,
    Experiment,
    ExperimentPin,
    ExperimentStatus,
    PrimaryMetric,
)
from recommender.models.impressions import Attribution, AttributionKind, Impression, OnlineMetric
from recommender.models.interactions import Interaction, InteractionKind
from recommender.models.projection import VisualProjection
from recommender.models.ranker import RankerStatus, RankerVersion
from recommender.models.text import TextEmbedding
from recommender.models.tuning import EvaluationKind, EvaluationRun, RecommenderSettings

__all__ = [
    "Arm",
    "ArmControl",
    "ArmRanker",
    "Attribution",
    "AttributionKind",
    "Experiment",
    "ExperimentPin",
    "ExperimentStatus",
    "Impression",
    "OnlineMetric",
    "PrimaryMetric",
    "EmbeddingStatus",
    "EvaluationKind",
    "EvaluationRun",
    "ImageEmbedding",
    "Interaction",
    "InteractionKind",
    "ItemNeighbour",
    "NeighbourKind",
    "ProductEmbedding",
    "ProductSignal",
    "RankerStatus",
    "RankerVersion",
    "RecommenderSettings",
    "RebuildKind",
    "SignalGeneration",
    "SignalRebuild",
    "TextEmbedding",
    "VisualProjection",
]
