from modeltranslation.translator import TranslationOptions, register

from goals.models import DevelopmentGoal


@register(DevelopmentGoal)
class DevelopmentGoalTranslation(TranslationOptions):
    fields = ("title", "description")
