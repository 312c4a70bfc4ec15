from modeltranslation.translator import TranslationOptions, register

from strategy.models import Area, Pillar, Strategy, Unit


@register(Strategy)
class StrategyTranslation(TranslationOptions):
    fields = ("name", "vision", "values")


@register(Area)
class AreaTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Pillar)
class PillarTranslation(TranslationOptions):
    fields = ("name",)


@register(Unit)
class UnitTranslation(TranslationOptions):
    fields = ("name",)
