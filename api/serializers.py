"""What the API shows of each object. Texts in both languages; codes, not ids, as references."""

from __future__ import annotations

from rest_framework import serializers

from goals.models import DevelopmentGoal, ProgressReport, ReportingPeriod
from indicators.models import Indicator, Measurement, Target
from strategy.models import Area, Pillar, Unit, UnitParentHistory


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["code", "name_en", "name_nb", "description_en", "description_nb", "order"]


class PillarSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")

    class Meta:
        model = Pillar
        fields = ["area", "code", "name_en", "name_nb", "order"]


class GoalSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code")
    pillars = serializers.SerializerMethodField()

    class Meta:
        model = DevelopmentGoal
        fields = ["id", "area", "code", "title_en", "title_nb", "pillars", "order"]

    def get_pillars(self, goal: DevelopmentGoal) -> list[str]:
        return [pillar.code for pillar in goal.pillars.all()]


class ParentHistorySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", allow_null=True, default=None
    )

    class Meta:
        model = UnitParentHistory
        fields = ["parent", "valid_from", "valid_to"]


class UnitSerializer(serializers.ModelSerializer):
    # A declared field named like Field.parent: REST framework takes it out of the class.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", allow_null=True, default=None
    )
    successor = serializers.CharField(source="successor.code", allow_null=True, default=None)
    parent_history = ParentHistorySerializer(many=True, read_only=True)

    class Meta:
        model = Unit
        fields = [
            "code",
            "name_en",
            "name_nb",
            "kind",
            "parent",
            "path",
            "depth",
            "active",
            "valid_from",
            "valid_to",
            "successor",
            "parent_history",
            "note",
        ]


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ["code", "kind", "start", "end", "deadline", "is_open"]


class MilestoneSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.code")
    value = serializers.DecimalField(max_digits=20, decimal_places=6, coerce_to_string=True)

    class Meta:
        model = Target
        fields = ["period", "value"]


class UnitTargetSerializer(MilestoneSerializer):
    """A contribution target the owner gave a unit below it (docs/scoring.md, "Unit targets")."""

    unit = serializers.CharField(source="unit.code")

    class Meta:
        model = Target
        fields = ["unit", "period", "value"]


class IndicatorSerializer(serializers.ModelSerializer):
    goal = serializers.CharField(source="goal.code")
    area = serializers.CharField(source="goal.area.code")
    owner_unit = serializers.CharField(source="owner_unit.code")
    baseline_period = serializers.CharField(
        source="baseline_period.code", allow_null=True, default=None
    )
    target_period = serializers.CharField(
        source="target_period.code", allow_null=True, default=None
    )
    # The owner's milestones; the units' own targets apart (prefetched by the endpoint).
    milestones = MilestoneSerializer(source="owner_milestones", many=True)
    unit_targets = UnitTargetSerializer(source="unit_target_rows", many=True)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_en",
            "name_nb",
            "definition_en",
            "definition_nb",
            "area",
            "goal",
            "owner_unit",
            "measure",
            "decimals",
            "direction",
            "frequency",
            "accumulation",
            "aggregation",
            "baseline_value",
            "baseline_period",
            "target_value",
            "target_period",
            "milestones",
            "unit_targets",
            "source",
            "active",
            "is_generated",
        ]


class MeasurementSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    unit = serializers.CharField(source="unit.code")
    period = serializers.CharField(source="period.code")

    class Meta:
        model = Measurement
        fields = ["indicator", "unit", "period", "value", "comment", "version", "entered_at"]


class ReportSerializer(serializers.ModelSerializer):
    goal = serializers.CharField(source="goal.code")
    area = serializers.CharField(source="goal.area.code")
    unit = serializers.CharField(source="unit.code")
    period = serializers.CharField(source="period.code")

    class Meta:
        model = ProgressReport
        fields = [
            "area",
            "goal",
            "unit",
            "period",
            "state",
            "status",
            "narrative",
            "next_steps",
            "risks",
            "return_comment",
            "version",
            "updated_at",
            "submitted_at",
            "approved_at",
        ]


# --- Bulk write ----------------------------------------------------------------------------


class BulkRowSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=40)
    unit = serializers.CharField(max_length=30)
    period = serializers.CharField(max_length=20)
    value = serializers.CharField(
        max_length=60, help_text='The number as text, e.g. "1234.5" (or "1 234,5").'
    )
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    base_version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        help_text="The version the value was read at; 0 when there is no value yet.",
    )


class BulkWriteSerializer(serializers.Serializer):
    # many=True makes a ListSerializer, which takes max_length (the stubs do not know).
    rows = BulkRowSerializer(  # type: ignore[call-arg]
        many=True, allow_empty=False, max_length=1000
    )


class BulkRowResultSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    indicator = serializers.CharField()
    unit = serializers.CharField()
    period = serializers.CharField()
    outcome = serializers.ChoiceField(["created", "updated", "unchanged", "conflict"])
    version = serializers.IntegerField()
    value = serializers.CharField()
    unusual = serializers.BooleanField(
        help_text="More than ten times the larger of the baseline and the target: still saved and "
        "scored, but worth checking."
    )


class BulkResultSerializer(serializers.Serializer):
    rows = BulkRowResultSerializer(many=True)


class FigureSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(["indicator", "goal", "pillar", "area"])
    code = serializers.CharField()
    area = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    actual = serializers.DecimalField(max_digits=26, decimal_places=6, allow_null=True)
    expected = serializers.DecimalField(max_digits=26, decimal_places=6, allow_null=True)
    values_in = serializers.IntegerField(allow_null=True)
    values_due = serializers.IntegerField(allow_null=True)
    target = serializers.DecimalField(max_digits=26, decimal_places=6, allow_null=True)
    target_of = serializers.CharField(
        allow_null=True,
        help_text="Whose target `target` is: the owner unit's code, or the unit's own code "
        "when it is measured by a contribution target of its own.",
    )
