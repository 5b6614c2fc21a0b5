"""Which benchmark data is for fitting and tuning, and which is only ever reported on.

Fitting, tuning and calibration may look at the FIT sets; figures in the README come from
the REPORT sets, which no fitted number or threshold has seen.
"""

from __future__ import annotations

import json
from pathlib import Path

# SQuAD v2.0 dev holds 35 articles, all of them also in v1.1 dev. 25 of them (drawn once
# with random.Random(8)) are for fitting the ranker and calibrating abstention; the other
# 10 are kept for reporting abstention.
SQUAD2_FIT = (
    "Amazon_rainforest", "Civil_disobedience", "Construction", "Ctenophora", "European_Union_law", "Force",
    "French_and_Indian_War", "Fresno,_California", "Geology", "Harvard_University", "Huguenot", "Immune_system",
    "Imperialism", "Intergovernmental_Panel_on_Climate_Change", "Islamism", "Jacksonville,_Florida", "Normans",
    "Packet_switching", "Pharmacy", "Prime_number", "Private_school", "Rhine", "Scottish_Parliament",
    "Sky_(United_Kingdom)", "Warsaw",
)  # fmt: skip
SQUAD2_REPORT = (
    "1973_oil_crisis", "Black_Death", "Computational_complexity_theory", "Economic_inequality", "Oxygen",
    "Southern_California", "Steam_engine", "University_of_Chicago", "Victoria_(Australia)", "Yuan_dynasty",
)  # fmt: skip
# RealTime QA: quizzes before this date are for fitting; 2024-2026 only for reporting.
REALTIMEQA_REPORT_SINCE = "2024-01-01"


def squad_held_out(v1_path: Path, v2_path: Path) -> list[str]:
    """The SQuAD v1.1 dev articles that are not in v2.0 (13): reported on, never tuned on."""
    v1 = [a["title"] for a in json.loads(Path(v1_path).read_text(encoding="utf-8"))["data"]]
    v2 = {a["title"] for a in json.loads(Path(v2_path).read_text(encoding="utf-8"))["data"]}
    return [t for t in v1 if t not in v2]
