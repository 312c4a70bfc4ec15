from modeltranslation.translator import TranslationOptions, register

from indicators.models import Indicator


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("name", "definition")
