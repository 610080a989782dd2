"""Persons recall on public figures, each named once in one plain sentence with no cue.

    uv run python -m bench.public_figures [--json out.json]

A list we wrote of 131 heads of state and government, ministers, opposition
leaders and sportspeople from every continent, as the news writes them (accents kept or
dropped as wire copy does). Each goes alone into the same sentence, with no title, role,
age or speech verb to help, so a name is found on the strength of the model's label and
the name itself. This is a development list: rules were written looking at its misses,
so its figure is optimistic; ``bench.quality``'s held half is the measure to believe.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.news.understanding.enrich import enrich

SENTENCE = (
    "The meeting was attended by {name} on Tuesday. Officials described the talks as constructive."
)
FIGURES = [
    "Jean-Luc Mélenchon",
    "Marine Le Pen",
    "Emmanuel Macron",
    "Pedro Sánchez",
    "Giorgia Meloni",
    "Mark Rutte",
    "Dick Schoof",
    "Frans Timmermans",
    "Ursula von der Leyen",
    "Charles Michel",
    "Roberta Metsola",
    "Josep Borrell",
    "Antonio Guterres",
    "Kristalina Georgieva",
    "Christine Lagarde",
    "Mario Draghi",
    "Recep Tayyip Erdoğan",
    "Kyriakos Mitsotakis",
    "Alexis Tsipras",
    "Viktor Orbán",
    "Andrej Babiš",
    "Robert Fico",
    "Donald Tusk",
    "Andrzej Duda",
    "Klaus Iohannis",
    "Maia Sandu",
    "Alexander Lukashenko",
    "Sviatlana Tsikhanouskaya",
    "Alexei Navalny",
    "Yulia Navalnaya",
    "Sergei Lavrov",
    "Dmitry Peskov",
    "Yevgeny Prigozhin",
    "Sergei Shoigu",
    "Valery Gerasimov",
    "Dmytro Kuleba",
    "Andriy Yermak",
    "Vitali Klitschko",
    "Oleksandr Syrskyi",
    "Mette Frederiksen",
    "Ulf Kristersson",
    "Jonas Gahr Støre",
    "Katrín Jakobsdóttir",
    "Leo Varadkar",
    "Micheál Martin",
    "Rishi Sunak",
    "Keir Starmer",
    "Nicola Sturgeon",
    "Humza Yousaf",
    "Mark Drakeford",
    "Justin Trudeau",
    "Pierre Poilievre",
    "Anthony Albanese",
    "Chris Hipkins",
    "Christopher Luxon",
    "Fumio Kishida",
    "Shigeru Ishiba",
    "Lai Ching-te",
    "Ma Ying-jeou",
    "Hun Manet",
    "Min Aung Hlaing",
    "Aung San Suu Kyi",
    "Pita Limjaroenrat",
    "Srettha Thavisin",
    "Paetongtarn Shinawatra",
    "Thaksin Shinawatra",
    "Rodrigo Duterte",
    "Sara Duterte",
    "Bongbong Marcos",
    "Joko Widodo",
    "Lawrence Wong",
    "Lee Hsien Loong",
    "Mahathir Mohamad",
    "Narendra Modi",
    "Rahul Gandhi",
    "Arvind Kejriwal",
    "Sheikh Hasina",
    "Muhammad Yunus",
    "Imran Khan",
    "Asim Munir",
    "Hamid Karzai",
    "Ali Khamenei",
    "Masoud Pezeshkian",
    "Abbas Araghchi",
    "Benjamin Netanyahu",
    "Isaac Herzog",
    "Yahya Sinwar",
    "Ismail Haniyeh",
    "Hassan Nasrallah",
    "Mohammed Deif",
    "Recep Erdogan",
    "Ahmed al-Sharaa",
    "Abdel Fattah el-Sisi",
    "King Abdullah II",
    "Mohammed VI",
    "Abdelmadjid Tebboune",
    "Kais Saied",
    "Mohamed Bazoum",
    "Abdourahamane Tiani",
    "Assimi Goita",
    "Ibrahim Traoré",
    "Bola Tinubu",
    "Peter Obi",
    "William Ruto",
    "Raila Odinga",
    "Samia Suluhu Hassan",
    "Félix Tshisekedi",
    "Paul Biya",
    "Denis Sassou Nguesso",
    "Alassane Ouattara",
    "Macky Sall",
    "Bassirou Diomaye Faye",
    "Cyril Ramaphosa",
    "Jacob Zuma",
    "Julius Malema",
    "Hage Geingob",
    "Lula da Silva",
    "Javier Milei",
    "Claudia Sheinbaum",
    "Nicolás Maduro",
    "Edmundo González",
    "María Corina Machado",
    "Gustavo Petro",
    "Daniel Ortega",
    "Miguel Díaz-Canel",
    "Xiomara Castro",
    "Bernardo Arévalo",
    "Dina Boluarte",
    "Luis Arce",
    "Santiago Peña",
    "Yamandú Orsi",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    missed = {}
    for name in FIGURES:
        found = [p.name for p in enrich("", SENTENCE.format(name=name), language="en").persons]
        if name not in found:
            missed[name] = found
    result = {"figures": len(FIGURES), "found": len(FIGURES) - len(missed), "missed": missed}
    print(f"public figures found: {result['found']} of {result['figures']}")
    for name, found in missed.items():
        print(f"  missed {name!r}: found {found}")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
