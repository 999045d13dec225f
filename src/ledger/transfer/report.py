"""The public progress report (整改进展情况) as HTML or Markdown.

Counts per inspection and per category (as the published reports count
them), then each problem with its status and the text of its measures. No
personal names: responsible leaders, the people who recorded events and
progress narratives (which often name people) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from ledger.application.ledger import Ledger
from ledger.projections.queries import ReadModels, When
from ledger.transfer.story import Shown, inspections, shown

FIGURES: tuple[tuple[str, str], ...] = (("total", "问题总数"), ("completed", "已完成"))
FIGURES += (("ongoing", "正在整改"), ("long_term", "需长期坚持"))


@dataclass
class Section:
    """One inspection's part of the report."""

    counts: Any
    categories: list[dict[str, Any]]
    findings: list[Shown]


def progress_report(app: Ledger, fmt: str = "html", when: When | None = None) -> str:
    """The report for every inspection known at ``when``, as "html" or "md"."""
    when = when or When.of()
    models = ReadModels(app.projector)
    sections = [
        Section(
            c, models.rollup("category", c.inspection_id, when), shown(app, c.inspection_id, when)
        )
        for c in inspections(app, when)
    ]
    title = f"整改进展情况(截至 {when.as_of})"
    if fmt == "md":
        return _markdown(title, sections)
    if fmt == "html":
        return _html(title, sections)
    raise ValueError(f"未知的报告格式 {fmt!r}:可选 html、md")


def _lead(c: Any) -> str:
    return (
        f"{c.title}({c.inspected_body})共反馈问题 {c.total} 个,已完成整改 {c.completed} 个,"
        f"正在整改 {c.ongoing} 个,其中需长期坚持 {c.long_term} 个。"
    )


def _markdown(title: str, sections: list[Section]) -> str:
    out = [f"# {title}", ""]
    for s in sections:
        out += [f"## {_md(s.counts.title)}", "", _md(_lead(s.counts)), ""]
        out += ["| 问题类别 | " + " | ".join(label for _, label in FIGURES) + " |"]
        out += ["|---" * (len(FIGURES) + 1) + "|"]
        for row in s.categories:
            out.append(
                f"| {_md(row['category'])} | " + " | ".join(str(row[k]) for k, _ in FIGURES) + " |"
            )
        out.append("")
        for f in s.findings:
            out += [
                f"### {_md(f.number)} {_md(f.text)}",
                "",
                f"- 问题类别:{_md('/'.join(f.category))}",
            ]
            out.append(f"- 完成情况:{f.status}")
            out += [f"- 整改措施({_md(kind)}):{_md(text)}" for kind, text in f.measures]
            out.append("")
    return "\n".join(out)


def _html(title: str, sections: list[Section]) -> str:
    e = escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .6em}</style>",
        f"</head><body><h1>{e(title)}</h1>",
    ]
    for s in sections:
        out += [f"<h2>{e(s.counts.title)}</h2>", f"<p>{e(_lead(s.counts))}</p>", "<table>"]
        out.append(
            "<tr><th>问题类别</th>" + "".join(f"<th>{label}</th>" for _, label in FIGURES) + "</tr>"
        )
        for row in s.categories:
            cells = "".join(f"<td>{row[k]}</td>" for k, _ in FIGURES)
            out.append(f"<tr><td>{e(row['category'])}</td>{cells}</tr>")
        out.append("</table>")
        for f in s.findings:
            out += [f"<h3>{e(f.number)} {e(f.text)}</h3>", "<ul>"]
            out.append(
                f"<li>问题类别:{e('/'.join(f.category))}</li><li>完成情况:{e(f.status)}</li>"
            )
            out += [f"<li>整改措施({e(kind)}):{e(text)}</li>" for kind, text in f.measures]
            out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out)


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or heading."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
