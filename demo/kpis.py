"""The KPIs that generated indicators are modelled on, and names for generated units."""

from __future__ import annotations

from dataclasses import dataclass

from indicators.models import Accumulation, Aggregation, Direction, Measure

# Indicator templates


SIZED_MEASURES = frozenset({Measure.COUNT, Measure.NOK, Measure.POINTS})
ARTISTIC_FACULTIES = frozenset({"AD", "HF"})


@dataclass(frozen=True)
class Kpi:
    """A KPI from the indicators reference that generated indicators are modelled on.

    `figure` is the university's level around 2018: a yearly flow (or stock) for counts, kroner
    and points, which units get a share of; a rate for the other measures, which every unit
    has its own version of. `change` is the range the 2025 target moves from the baseline:
    relative for sized measures, in the measure's own units for rates.
    """

    key: str
    goals: tuple[str, ...]
    name: tuple[str, str]
    definition: tuple[str, str]
    modelled_on: str
    measure: str
    decimals: int
    direction: str
    figure: float
    change: tuple[float, float]
    noise: float  # period-to-period noise: relative for sized measures, absolute for rates
    spread: float = 0.0  # unit-to-unit spread of a rate
    tertial: bool = False
    accumulation: str = Accumulation.PER_PERIOD
    aggregation: str | None = None  # None: sum for sized measures, mean for rates
    faculties: frozenset[str] = frozenset()  # only owners in these faculties
    museum: bool = False  # the museum may own it

    @property
    def area(self) -> str:
        return self.goals[0].split("-")[0]

    @property
    def sized(self) -> bool:
        return self.measure in SIZED_MEASURES

    @property
    def combined_by(self) -> str:
        if self.aggregation:
            return self.aggregation
        return Aggregation.SUM if self.sized else Aggregation.MEAN


M, D, A = Measure, Direction, Accumulation
# fmt: off
KPIS: tuple[Kpi, ...] = (
    # Education
    Kpi(
        "E01", ("EDU-1",),
        ("Bachelor on-time completion", "Gjennomføring på normert tid, bachelor"),
        ("Share of a three-year bachelor start cohort that finishes within three years.",
         "Andel av et opptakskull på treårig bachelor som fullfører på tre år."),
        "KPI 1 Bachelor on-time completion (national 48.6 % in 2018)",
        M.PERCENT, 1, D.INCREASE, 48.6, (3, 8), 1.5, spread=6,
    ),
    Kpi(
        "E02", ("EDU-1",),
        ("Master on-time completion (two-year)", "Gjennomføring på normert tid, toårig master"),
        ("Share of a two-year master start cohort that finishes within two years.",
         "Andel av et opptakskull på toårig master som fullfører på to år."),
        "KPI 2 Master on-time completion (national 55.7 % in 2019)",
        M.PERCENT, 1, D.INCREASE, 55.7, (3, 8), 1.5, spread=6,
    ),
    Kpi(
        "E03", ("EDU-1",),
        ("Completion within normed time plus two years",
         "Gjennomstrømming innen normert tid pluss to år"),
        ("Share of a start cohort that has finished within the normed time plus two years.",
         "Andel av et opptakskull som har fullført innen normert tid pluss to år."),
        "KPI 3 Completion within normed time + 2 years (NTNU board threshold 60 %)",
        M.PERCENT, 1, D.INCREASE, 62.0, (3, 10), 1.5, spread=6,
    ),
    Kpi(
        "E04", ("EDU-2",),
        ("Credits per full-time-equivalent student", "Studiepoeng per heltidsekvivalent"),
        ("Credits passed in the year divided by the mean number of full-time-equivalent students"
         " in spring and autumn.",
         "Studiepoeng avlagt i året delt på gjennomsnittlig antall heltidsekvivalenter vår og "
         "høst."),
        "KPI 4 Credits per full-time-equivalent student (DBH definition)",
        M.CREDITS, 1, D.INCREASE, 46.0, (1, 4), 0.8, spread=3,
    ),
    Kpi(
        "E05", ("EDU-2",),
        ("Student satisfaction", "Overordnet tilfredshet (Studiebarometeret)"),
        ("Mean answer to 'All in all, how satisfied are you with the programme you attend?' "
         "on a scale from 1 to 5.",
         "Gjennomsnittlig svar på «Alt i alt, hvor tilfreds er du med studieprogrammet du går "
         "på?» på en skala fra 1 til 5."),
        "KPI 5 Student satisfaction, Studiebarometeret (national 4.0 before 2020)",
        M.SCORE, 2, D.INCREASE, 4.0, (0.05, 0.25), 0.06, spread=0.2,
    ),
    Kpi(
        "E06", ("EDU-1",),
        ("Programme fill rate", "Fyllingsgrad"),
        ("Admitted students divided by study places.", "Opptatte studenter delt på studieplasser."),
        "KPI 6 Programme fill rate (NTNU threshold 95 %)",
        M.PERCENT, 0, D.MAINTAIN, 95.0, (0, 0), 1.5, spread=3,
    ),
    Kpi(
        "E07", ("EDU-1",),
        ("Qualified first-choice applicants", "Kvalifiserte førstevalgsøkere"),
        ("Qualified applicants with the programme as their first choice in Samordna opptak.",
         "Kvalifiserte søkere med studiet som førstevalg i Samordna opptak."),
        "KPI 7 First-choice applicants (NTNU 23,981 in 2023)",
        M.COUNT, 0, D.INCREASE, 22500, (0.05, 0.15), 0.05,
    ),
    Kpi(
        "E08", ("EDU-1",),
        ("Registered students", "Registrerte studenter"),
        ("Students registered in the autumn semester, as a headcount.",
         "Registrerte studenter i høstsemesteret, antall personer."),
        "KPI 8 Registered students (NTNU 42,031 in 2018)",
        M.COUNT, 0, D.MAINTAIN, 42031, (0, 0), 0.02,
    ),
    Kpi(
        "E09", ("EDU-1",),
        ("Degrees awarded", "Uteksaminerte kandidater"),
        ("Bachelor and master degrees awarded.", "Avlagte bachelor- og mastergrader."),
        "KPI 9 Degrees awarded (NTNU 7,220 in 2018)",
        M.COUNT, 0, D.INCREASE, 7220, (0.05, 0.15), 0.06, tertial=True,
    ),
    Kpi(
        "E10", ("EDU-1",),
        ("Graduates with an exchange stay", "Kandidater med utvekslingsopphold"),
        ("Share of graduates who spent at least three months abroad during their studies.",
         "Andel kandidater som har hatt minst tre måneders utenlandsopphold i studiet."),
        "KPI 10 Graduates with exchange stay (NTNU 20 % in 2019, internal target 40 %)",
        M.PERCENT, 1, D.INCREASE, 18.0, (8, 20), 1.5, spread=5,
    ),
    Kpi(
        "E11", ("EDU-3",),
        ("Students in further education", "Studenter i etter- og videreutdanning"),
        ("Students registered in further and continuing education.",
         "Registrerte studenter i etter- og videreutdanning."),
        "KPI 11 Lifelong learning (NTNU 4,175 in 2018)",
        M.COUNT, 0, D.INCREASE, 4175, (0.15, 0.4), 0.08, tertial=True,
    ),
    Kpi(
        "E12", ("EDU-4",),
        ("Academic staff with basic teaching qualification",
         "Faglig ansatte med universitetspedagogisk basiskompetanse"),
        ("Share of permanent academic staff who have completed the basic course in university "
         "pedagogy.",
         "Andel faste faglig ansatte som har fullført basiskurs i universitetspedagogikk."),
        "educational competence programmes (no public NTNU figure)",
        M.PERCENT, 1, D.INCREASE, 55.0, (10, 25), 1.5, spread=8, tertial=True,
    ),
    Kpi(
        "E13", ("EDU-1",),
        ("First-year drop-out", "Frafall første studieår"),
        ("Share of new students who leave their programme during the first year.",
         "Andel nye studenter som slutter på studiet i løpet av første studieår."),
        "KPI 3 Completion (drop-out is its complement; no public NTNU figure)",
        M.PERCENT, 1, D.DECREASE, 14.0, (-5, -2), 1.0, spread=3,
    ),
    Kpi(
        "E14", ("EDU-2",),
        ("Courses with student-active learning", "Emner med studentaktive læringsformer"),
        ("Share of courses whose description names student-active learning and assessment "
         "methods.",
         "Andel emner der emnebeskrivelsen oppgir studentaktive lærings- og vurderingsformer."),
        "KPI 5 Student satisfaction (learning environment; no public NTNU figure)",
        M.PERCENT, 0, D.INCREASE, 40.0, (10, 30), 2.0, spread=8,
    ),
    # Research
    Kpi(
        "R01", ("RES-1",),
        ("PhD degrees", "Avlagte doktorgrader"),
        ("Doctoral defences in the period.", "Disputaser i perioden."),
        "KPI 12 PhD degrees (NTNU 397 in 2018)",
        M.COUNT, 0, D.INCREASE, 397, (0.05, 0.2), 0.08, tertial=True,
    ),
    Kpi(
        "R02", ("RES-1",),
        ("PhD completion within six years", "Gjennomføring ph.d. innen seks år"),
        ("Share of an admission cohort that has completed the PhD within six years.",
         "Andel av et opptakskull som har fullført ph.d.-graden innen seks år."),
        "KPI 13 PhD completion within 6 years (no public NTNU figure)",
        M.PERCENT, 1, D.INCREASE, 65.0, (3, 10), 2.0, spread=7,
    ),
    Kpi(
        "R03", ("RES-3",),
        ("Publication points", "Publiseringspoeng"),
        ("NVI publication points: author shares weighted by channel level and publication form.",
         "NVI-publiseringspoeng: forfatterandeler vektet etter kanalnivå og publiseringsform."),
        "KPI 14 Publication points (NTNU 5,646.7 in 2018)",
        M.POINTS, 1, D.INCREASE, 5646.7, (0.1, 0.3), 0.07, museum=True,
    ),
    Kpi(
        "R04", ("RES-3",),
        ("Publication points per academic FTE", "Publiseringspoeng per faglig årsverk"),
        ("Publication points divided by academic full-time equivalents.",
         "Publiseringspoeng delt på faglige årsverk."),
        "KPI 15 Publication points per academic FTE (NTNU 1.27 in 2022)",
        M.RATIO, 2, D.INCREASE, 1.2, (0.05, 0.2), 0.05,
        spread=0.25, aggregation=Aggregation.NONE, museum=True,
    ),
    Kpi(
        "R05", ("RES-3",),
        ("Share of publication points at level 2", "Andel publiseringspoeng på nivå 2"),
        ("Share of publication points in level-2 channels.",
         "Andel av publiseringspoengene i kanaler på nivå 2."),
        "KPI 16 Level-2 share (NTNU 22.0 % in 2018)",
        M.PERCENT, 1, D.INCREASE, 22.0, (2, 6), 1.5, spread=4, museum=True,
    ),
    # The strategy's open-access goal is RES-4, so this D-column KPI serves research.
    Kpi(
        "R06", ("RES-4",),
        ("Open-access share", "Andel åpen tilgang"),
        ("Open-access articles as a share of all NVI articles.",
         "Artikler i åpen tilgang som andel av alle NVI-artikler."),
        "KPI 17 Open-access share (national about 80 % in 2023)",
        M.PERCENT, 1, D.INCREASE, 55.0, (20, 35), 2.0, spread=6, tertial=True, museum=True,
    ),
    Kpi(
        "R07", ("RES-1",),
        ("EU framework programme income", "Inntekter fra EUs rammeprogram"),
        ("Income earned from Horizon 2020 and Horizon Europe projects.",
         "Inntekter fra prosjekter i Horisont 2020 og Horisont Europa."),
        "KPI 18 EU framework funding (about NOK 500 million in 2025)",
        M.NOK, 0, D.INCREASE, 300_000_000, (0.3, 0.7), 0.12, tertial=True,
    ),
    Kpi(
        "R08", ("RES-1",),
        ("EU funding granted since 2018", "EU-midler innvilget siden 2018"),
        ("Running total of EU framework programme funding granted since 1 January 2018.",
         "Løpende sum av innvilgede midler fra EUs rammeprogram siden 1. januar 2018."),
        "KPI 18 EU framework funding (H2020: NOK 520 million by January 2018, target 1 billion)",
        M.NOK, 0, D.INCREASE, 130_000_000, (0.1, 0.4), 0.25,
        tertial=True, accumulation=A.CUMULATIVE,
    ),
    Kpi(
        "R09", ("RES-1",),
        ("Active ERC grants", "Aktive ERC-prosjekter"),
        ("ERC grants active at the end of the period.",
         "ERC-prosjekter som er aktive ved periodens slutt."),
        "KPI 19 ERC grants (NTNU 9 around 2018)",
        M.COUNT, 0, D.INCREASE, 9, (0.3, 1.0), 0.1, tertial=True,
    ),
    Kpi(
        "R10", ("RES-1",),
        ("Research Council competitive funding", "Konkurranseutsatte midler fra Forskningsrådet"),
        ("Income from competitive calls of the Research Council of Norway.",
         "Inntekter fra konkurranseutsatte utlysninger i Norges forskningsråd."),
        "KPI 21 NFR competitive funding (FRIPRO NOK 145.6 million in 2025)",
        M.NOK, 0, D.INCREASE, 120_000_000, (0.1, 0.3), 0.15, tertial=True,
    ),
    Kpi(
        "R11", ("RES-2",),
        ("Externally funded activity (BOA)", "Bidrags- og oppdragsfinansiert aktivitet (BOA)"),
        ("Income from externally funded contract and grant activity.",
         "Inntekter fra ekstern bidrags- og oppdragsfinansiert aktivitet."),
        "KPI 20 External revenue / BOA (about NOK 2 billion in 2018)",
        M.NOK, 0, D.INCREASE, 2_000_000_000, (0.1, 0.3), 0.06, tertial=True, museum=True,
    ),
    # Units host some centres and take part in others: a sum would count twice.
    Kpi(
        "R12", ("RES-2",),
        ("Centres (SFF, SFI, FME)", "Sentre (SFF, SFI, FME)"),
        ("Centres of Excellence, for Research-based Innovation and for Environment-friendly "
         "Energy Research that the unit hosts or takes part in.",
         "Sentre for fremragende forskning, forskningsdrevet innovasjon og miljøvennlig energi "
         "som enheten er vert for eller deltar i."),
        "KPI 22 Major centres (NTNU 35 around 2018)",
        M.COUNT, 0, D.INCREASE, 35, (0.05, 0.2), 0.05, aggregation=Aggregation.NONE,
    ),
    # Innovation
    Kpi(
        "I01", ("INN-2",),
        ("Invention disclosures", "Nye ideer meldt (DOFI)"),
        ("Ideas reported to the technology transfer office.",
         "Ideer meldt til teknologioverføringskontoret."),
        "KPI 23 Invention disclosures (NTNU 246 in 2016)",
        M.COUNT, 0, D.INCREASE, 246, (0.1, 0.4), 0.15, tertial=True,
    ),
    Kpi(
        "I02", ("INN-2",),
        ("Patent applications", "Patentsøknader"),
        ("Patent applications filed.", "Innleverte patentsøknader."),
        "KPI 24 Patent applications (NTNU 80 in 2016)",
        M.COUNT, 0, D.INCREASE, 80, (0.1, 0.3), 0.15, tertial=True,
    ),
    Kpi(
        "I03", ("INN-2",),
        ("Start-ups since 2018", "Nyetableringer siden 2018"),
        ("Running total of companies started through the technology transfer office since 1 "
         "January 2018.",
         "Løpende sum av selskaper etablert gjennom teknologioverføringskontoret siden 1. januar"
         " 2018."),
        "KPI 25 Start-ups (NTNU 26 in 2016)",
        M.COUNT, 0, D.INCREASE, 26, (0.1, 0.4), 0.2, accumulation=A.CUMULATIVE,
    ),
    Kpi(
        "I04", ("INN-2",),
        ("Licence income", "Lisensinntekter"),
        ("Income from licences on the university's intellectual property.",
         "Inntekter fra lisenser på universitetets immaterielle rettigheter."),
        "KPI 26 Licence income (about NOK 4 million in 2016)",
        M.NOK, 0, D.INCREASE, 4_000_000, (0.2, 0.8), 0.25, tertial=True,
    ),
    Kpi(
        "I05", ("INN-1",),
        ("Contract income from business and the public sector",
         "Oppdragsinntekter fra næringsliv og offentlig sektor"),
        ("Income from commissioned research and development for business and the public sector.",
         "Inntekter fra oppdragsforskning og utviklingsarbeid for næringsliv og offentlig "
         "sektor."),
        "KPI 20 External revenue / BOA (the commissioned part)",
        M.NOK, 0, D.INCREASE, 400_000_000, (0.1, 0.3), 0.1, tertial=True,
    ),
    Kpi(
        "I06", ("INN-1",),
        ("Centres for research-based innovation (SFI)",
         "Sentre for forskningsdrevet innovasjon (SFI)"),
        ("SFI centres that the unit hosts or takes part in.",
         "SFI-sentre som enheten er vert for eller deltar i."),
        "KPI 22 Major centres (the SFI part)",
        M.COUNT, 0, D.INCREASE, 10, (0.1, 0.3), 0.05, aggregation=Aggregation.NONE,
    ),
    Kpi(
        "I07", ("INN-3",),
        ("Students in innovation and entrepreneurship courses",
         "Studenter i innovasjons- og entreprenørskapsemner"),
        ("Students who passed a course in innovation or entrepreneurship.",
         "Studenter som har bestått et emne i innovasjon eller entreprenørskap."),
        "KPI 25 Start-ups (innovation training; no public NTNU figure)",
        M.COUNT, 0, D.INCREASE, 1200, (0.2, 0.6), 0.1, tertial=True,
    ),
    # Artistic activities
    Kpi(
        "A01", ("ART-1",),
        ("Artistic results", "Kunstneriske resultater"),
        ("Exhibitions, productions, performances and recordings registered in Cristin.",
         "Utstillinger, produksjoner, fremføringer og innspillinger registrert i Cristin."),
        "KPI 29 Artistic results (no public NTNU figure)",
        M.COUNT, 0, D.INCREASE, 150, (0.1, 0.4), 0.15, tertial=True, faculties=ARTISTIC_FACULTIES,
    ),
    Kpi(
        "A02", ("ART-1",),
        ("Artistic research PhD candidates since 2018",
         "Ph.d.-kandidater i kunstnerisk utviklingsarbeid siden 2018"),
        ("Running total of candidates admitted to the artistic research PhD programme since 1 "
         "January 2018.",
         "Løpende sum av kandidater tatt opp på ph.d.-programmet i kunstnerisk utviklingsarbeid "
         "siden 1. januar 2018."),
        "KPI 30 Artistic research PhDs (no public NTNU figure)",
        M.COUNT, 0, D.INCREASE, 4, (0.2, 0.6), 0.3,
        accumulation=A.CUMULATIVE, faculties=ARTISTIC_FACULTIES,
    ),
    Kpi(
        "A03", ("ART-2",),
        ("Art, science and technology projects", "Prosjekter i kunst, vitenskap og teknologi"),
        ("Ongoing projects that combine artistic work with science or technology.",
         "Pågående prosjekter som kombinerer kunstnerisk arbeid med vitenskap eller teknologi."),
        "KPI 29 Artistic results (interdisciplinary projects)",
        M.COUNT, 0, D.INCREASE, 12, (0.2, 0.6), 0.15, faculties=ARTISTIC_FACULTIES, tertial=True,
    ),
    Kpi(
        "A04", ("ART-3",),
        ("Art events for schools and the public", "Kunstarrangementer for skoler og publikum"),
        ("Exhibitions, concerts and workshops open to schools or the public.",
         "Utstillinger, konserter og verksteder åpne for skoler eller publikum."),
        "KPI 29 Artistic results (outreach)",
        M.COUNT, 0, D.INCREASE, 60, (0.1, 0.4), 0.15,
        tertial=True, faculties=ARTISTIC_FACULTIES, museum=True,
    ),
    # Dissemination
    Kpi(
        "D01", ("DIS-4", "DIS-1"),
        ("Media mentions", "Medieoppslag"),
        ("Articles in Norwegian media that mention the unit (Retriever).",
         "Oppslag i norske medier som nevner enheten (Retriever)."),
        "KPI 27 Media mentions (NTNU 20,431 in 2018)",
        M.COUNT, 0, D.INCREASE, 20431, (0.05, 0.25), 0.08, tertial=True, museum=True,
    ),
    Kpi(
        "D02", ("DIS-3",),
        ("Reads of encyclopedia articles", "Lesninger av leksikonartikler"),
        ("Reads of Store norske leksikon articles written by the unit's staff.",
         "Lesninger av artikler i Store norske leksikon skrevet av enhetens ansatte."),
        "KPI 28 Popular-science reach (NTNU 5.9 million reads in 2019)",
        M.COUNT, 0, D.INCREASE, 5_000_000, (0.2, 0.5), 0.08, museum=True, tertial=True,
    ),
    Kpi(
        "D03", ("DIS-1",),
        ("Op-eds and debate contributions", "Kronikker og debattinnlegg"),
        ("Op-eds and debate contributions by staff in national and regional media.",
         "Kronikker og debattinnlegg fra ansatte i nasjonale og regionale medier."),
        "KPI 27 Media mentions (the staff's own contributions)",
        M.COUNT, 0, D.INCREASE, 600, (0.1, 0.4), 0.12, tertial=True, museum=True,
    ),
    Kpi(
        "D04", ("DIS-2",),
        ("Staff trained in dissemination", "Ansatte med formidlingskurs"),
        ("Employees and PhD candidates who completed a course in dissemination and outreach.",
         "Ansatte og ph.d.-kandidater som har fullført et kurs i formidling."),
        "KPI 28 Popular-science reach (dissemination skills)",
        M.COUNT, 0, D.INCREASE, 150, (0.2, 0.6), 0.15, museum=True, tertial=True,
    ),
)
# fmt: on
del M, D, A

# Extra indicators of one KPI at one unit differ by campus or thematic area.
QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("Trondheim", "Trondheim"),
    ("Gjøvik", "Gjøvik"),
    ("Ålesund", "Ålesund"),
    ("Energy", "energi"),
    ("Health", "helse"),
    ("Oceans", "hav"),
    ("Sustainability", "bærekraft"),
    ("Digital transformation", "digital transformasjon"),
    ("Biotechnology", "bioteknologi"),
    ("Nanotechnology", "nanoteknologi"),
)

# Departments added at the larger scales, modelled on NTNU's (faculty, English, Norwegian).
EXTRA_DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("AD", "Architecture and Planning", "arkitektur og planlegging"),
    ("HF", "Historical and Classical Studies", "historiske og klassiske studier"),
    ("IE", "ICT and Natural Sciences", "IKT og realfag"),
    ("IV", "Civil and Environmental Engineering", "bygg- og miljøteknikk"),
    ("MH", "Public Health and Nursing", "samfunnsmedisin og sykepleie"),
    ("NV", "Biotechnology and Nanomedicine", "bioteknologi og nanomedisin"),
    ("SU", "Psychology", "psykologi"),
    ("ØK", "Economics", "samfunnsøkonomi"),
    ("AD", "Architecture and Technology", "arkitektur og teknologi"),
    ("HF", "Philosophy and Religious Studies", "filosofi og religionsvitenskap"),
    ("IV", "Energy and Process Engineering", "energi- og prosessteknikk"),
    ("MH", "Circulation and Medical Imaging", "sirkulasjon og bildediagnostikk"),
    ("NV", "Chemical Engineering", "kjemisk prosessteknologi"),
    ("SU", "Sociology and Political Science", "sosiologi og statsvitenskap"),
    ("ØK", "NTNU Business School", "Handelshøyskolen"),
    ("HF", "Language and Literature", "språk og litteratur"),
    ("IV", "Structural Engineering", "konstruksjonsteknikk"),
    ("MH", "Neuromedicine and Movement Science", "nevromedisin og bevegelsesvitenskap"),
    ("NV", "Materials Science and Engineering", "materialteknologi"),
    ("SU", "Social Work", "sosialt arbeid"),
    ("ØK", "International Business", "internasjonal forretningsdrift"),
    ("HF", "Interdisciplinary Studies of Culture", "tverrfaglige kulturstudier"),
    ("IV", "Manufacturing and Civil Engineering", "vareproduksjon og byggteknikk"),
    ("MH", "Mental Health", "psykisk helse"),
    ("NV", "Biological Sciences Ålesund", "biologiske fag Ålesund"),
    ("SU", "Geography", "geografi"),
    ("HF", "Modern History and Society", "moderne historie og samfunnsvitenskap"),
    ("IV", "Ocean Operations and Civil Engineering", "havromsoperasjoner og byggteknikk"),
    ("MH", "Health Sciences in Gjøvik", "helsevitenskap i Gjøvik"),
    ("SU", "Social Anthropology", "sosialantropologi"),
    ("MH", "Health Sciences in Ålesund", "helsevitenskap i Ålesund"),
)
