"""What a forecast (dashboards.forecast) means, in a sentence of the active language."""

from __future__ import annotations

import functools

from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from dashboards.forecast import MIN_POINTS, TOO_FAR, Forecast, Outcome
from dashboards.scoring import MAINTAIN

# (chances, in): the plain odds a probability is rounded to, "about one chance in five".
ODDS = ((1, 10), (1, 5), (1, 3), (1, 2), (2, 3), (4, 5), (9, 10))


def number_word(number: int) -> str:
    words = {
        1: pgettext("odds", "one"),
        2: pgettext("odds", "two"),
        3: pgettext("odds", "three"),
        4: pgettext("odds", "four"),
        5: pgettext("odds", "five"),
        9: pgettext("odds", "nine"),
        10: pgettext("odds", "ten"),
    }
    return words[number]


def chance_in_words(probability: float) -> str:
    """ "about one chance in five"; below 5 % and above 95 % said as such."""
    if probability < 0.05:
        return _("less than one chance in twenty")
    if probability > 0.95:
        return _("more than nineteen chances in twenty")
    chances, of = min(ODDS, key=lambda odds: abs(odds[0] / odds[1] - probability))
    return _odds_in_words(chances, of, get_language())


@functools.lru_cache(maxsize=64)
def _odds_in_words(chances: int, of: int, language: str | None) -> str:
    """Kept per language: a page may say the odds of hundreds of indicators."""
    return ngettext(
        "about %(chances)s chance in %(of)s",
        "about %(chances)s chances in %(of)s",
        chances,
    ) % {"chances": number_word(chances), "of": number_word(of)}


def verdict(result: Forecast, *, direction: str) -> str:
    """What the forecast means: the pace, then the chance of reaching the target in time."""
    if result.outcome == Outcome.NO_TARGET:
        return _("No forecast: the indicator has no target.")
    if result.outcome == Outcome.TARGET_PASSED:
        return _("No forecast: the target period has been measured, its status says how it went.")
    if result.outcome == Outcome.TOO_LITTLE_DATA:
        if result.reason == TOO_FAR:
            return _(
                "Too little data to forecast: the target period lies more than twice as far "
                "ahead as the values reach back."
            )
        return ngettext(
            "Too little data to forecast: %(n)d value, at least %(min)d are needed.",
            "Too little data to forecast: %(n)d values, at least %(min)d are needed.",
            result.points,
        ) % {"n": result.points, "min": MIN_POINTS}
    target_year = result.target_end.year
    chance = chance_in_words(result.probability)
    if direction == MAINTAIN:
        return _("At this pace, there is %(chance)s of holding the level in %(year)s.") % {
            "chance": chance,
            "year": target_year,
        }
    if result.already_reached:
        pace = _("At this pace the target is already reached.")
    elif result.reached_year is None:
        pace = _("At this pace the target is not reached: the trend does not move towards it.")
    elif result.reached_year <= target_year:
        pace = _("At this pace the target is reached in %(year)s.") % {"year": result.reached_year}
    else:
        late = result.reached_year - target_year
        pace = ngettext(
            "At this pace the target is reached in %(year)s, %(late)d year late.",
            "At this pace the target is reached in %(year)s, %(late)d years late.",
            late,
        ) % {"year": result.reached_year, "late": late}
    chance_sentence = _("There is %(chance)s of reaching the target by %(year)s.") % {
        "chance": chance,
        "year": target_year,
    }
    return f"{pace} {chance_sentence}"


def short_verdict(result: Forecast, *, direction: str) -> str:
    """The forecast in a few words, for a row of a table ("about one chance in five by 2025")."""
    if result.outcome == Outcome.NO_TARGET:
        return _("no target")
    if result.outcome == Outcome.TARGET_PASSED:
        return _("target period measured")
    if result.outcome == Outcome.TOO_LITTLE_DATA:
        return _("too little data")
    year = result.target_end.year
    chance = chance_in_words(result.probability)
    if direction == MAINTAIN:
        return _("%(chance)s of holding it in %(year)s") % {"chance": chance, "year": year}
    if result.already_reached:
        return _("already reached")
    return _("%(chance)s by %(year)s") % {"chance": chance, "year": year}
