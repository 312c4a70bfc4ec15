# Dates as Norwegians write them ("29. nov. 2026"); numbers keep Django's Norwegian separators
# (a non-breaking space between thousands, a decimal comma).
DATE_FORMAT = "j. b. Y"
DATETIME_FORMAT = "j. b. Y H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
