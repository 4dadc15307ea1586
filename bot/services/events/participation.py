"""The participation confirmation as a DOCX a teacher attaches to an аттестация portfolio.

DOCX rather than PDF: Word, LibreOffice and МойОфис open it with their own Cyrillic fonts
(a PDF would have to embed a font file we ship), and the МОЦ can print it on its letterhead,
sign and stamp it — the commission asks for a signed document, which a bot cannot produce.
Pure: plain values in, bytes out; python-docx is imported only when a document is made.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date

from bot.core.words import xml_safe


@dataclass(frozen=True)
class Participation:
    """Everything the document states; all strings are shown as they are (no HTML)."""

    moc_name: str
    full_name: str
    organisation: str
    position: str
    title: str
    kind: str
    dates: str  # «вт, 8 декабря 2026»; several meetings: «8, 15 и 22 декабря 2026»
    hours: str  # «1,5»
    number: int  # the registration id: staff find the record by it
    issued: date


def _storable(p: Participation) -> Participation:
    """Every text without what a Word file cannot hold (a stray control character)."""
    return replace(
        p, moc_name=xml_safe(p.moc_name), full_name=xml_safe(p.full_name),
        organisation=xml_safe(p.organisation), position=xml_safe(p.position),
        title=xml_safe(p.title), kind=xml_safe(p.kind), dates=xml_safe(p.dates),
    )  # fmt: skip


def participation_docx(p: Participation) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = _storable(p)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)

    def centred(text: str, size: int, bold: bool = False) -> None:
        run = doc.add_paragraph().add_run(text)
        run.bold, run.font.size = bold, Pt(size)
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    centred(p.moc_name, 12, bold=True)
    centred("ПОДТВЕРЖДЕНИЕ УЧАСТИЯ", 16, bold=True)
    centred(f"№ {p.number} от {p.issued:%d.%m.%Y}", 12)
    doc.add_paragraph(
        f"Настоящим подтверждается, что {p.full_name} принял(а) участие "
        f"в мероприятии «{p.title}» ({p.kind.lower()}), проведённом организацией "
        f"«{p.moc_name}»."
    )
    rows = (
        ("ФИО участника", p.full_name),
        ("Организация", p.organisation),
        ("Должность", p.position),
        ("Мероприятие", p.title),
        ("Вид мероприятия", p.kind),
        ("Дата проведения", p.dates),
        ("Объём, часов", p.hours),
        ("Организатор", p.moc_name),
    )
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    doc.add_paragraph()
    doc.add_paragraph("Руководитель ____________________ / ____________________ /")
    doc.add_paragraph("М. П.")
    note = doc.add_paragraph(
        f"Сформировано чат-ботом МОЦ по отметке о присутствии. Номер записи: {p.number}."
    )
    note.runs[0].font.size = Pt(9)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
