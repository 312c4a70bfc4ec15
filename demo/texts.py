"""Texts for generated measurement comments and progress reports."""

from __future__ import annotations

from goals.models import ReportStatus

# Texts for measurements and reports

MEASUREMENT_COMMENTS = (
    "Preliminary figure; to be updated when DBH publishes the final numbers.",
    "Corrected after a registration error was found.",
    "Includes the Gjøvik and Ålesund campuses.",
    "Estimated from incomplete data.",
)

# {indicator} is the indicator's name, lower-cased unless it starts with an acronym.
NARRATIVES_WITH_FIGURE = {
    ReportStatus.ON_TRACK: (
        "The unit is on track, with {indicator} at {value} in {period} ({change} {baseline} in "
        "the baseline year). The measures in the action plan continue.",
        "Progress is as planned: the latest figure for {indicator} is {value} ({period}).",
        "{unit} is on track and keeps to its plan, with {indicator} at {value} in {period}.",
    ),
    ReportStatus.AT_RISK: (
        "Progress is slower than planned, with {indicator} at {value} in {period} ({change} "
        "{baseline} in the baseline year).",
        "The latest figure for {indicator}, {value} in {period}, is short of the path to the "
        "target. The unit is considering extra measures.",
    ),
    ReportStatus.OFF_TRACK: (
        "The goal is off track: the latest figure for {indicator} is {value} ({period}), "
        "{change} {baseline} in the baseline year. A revised plan is being drawn up.",
        "With {indicator} at {value} in {period}, the unit is well off the path to the target "
        "and will review its measures before the next period.",
    ),
    ReportStatus.ACHIEVED: (
        "The target has been reached, with {indicator} at {value} in {period}. The focus now is "
        "on keeping the level.",
        "{unit} has achieved the goal; the latest figure for {indicator} is {value} ({period}).",
    ),
    ReportStatus.NOT_STARTED: (
        "Work on this goal has not started yet. The starting point is {indicator} at {value} in "
        "{period}.",
    ),
}
NARRATIVES_WITHOUT_FIGURE = {
    ReportStatus.ON_TRACK: (
        "Activities are going as planned this period; figures follow in the annual report.",
        "The unit is on track and keeps to its plan.",
    ),
    ReportStatus.AT_RISK: (
        "Progress is slower than planned; figures for the period are not yet available.",
    ),
    ReportStatus.OFF_TRACK: (
        "The work is behind plan. The unit will review its measures before the next period.",
    ),
    ReportStatus.ACHIEVED: ("The goal has been achieved; the focus now is on keeping the level.",),
    ReportStatus.NOT_STARTED: (
        "Work on this goal has not started yet; activities are planned for the next period.",
    ),
}
NEXT_STEPS = (
    "Follow up the measures in the unit's action plan at the next leadership meeting.",
    "Discuss the figures with the programme councils before the next period.",
    "Share good practice with the other departments in the faculty.",
    "Set up a working group to look into the causes and propose measures.",
    "Keep the current measures and check the figures again next period.",
)
RISKS = (
    "Limited staff capacity may delay the work.",
    "Funding for the measures is not yet secured.",
    "The figures depend on a few large projects.",
    "Recruitment has been slower than planned.",
)
RETURN_COMMENTS = (
    "Please add this period's figures and say which measures are planned.",
    "The status does not match the figures; please check and submit again.",
    "Please describe the risks in more detail before approval.",
    "Please link the narrative more clearly to the goal.",
)
