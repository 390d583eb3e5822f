"""The report renderer: self-contained HTML, Markdown twin, and a real-browser check of the HTML."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from browser import render

from nlp.report import Figure, Quote, Report, Section, Table, render_html, render_markdown, write_report


@pytest.fixture
def small_report(tmp_path: Path) -> Report:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["kunnskapsdeling", "tillit"], [0.7, 0.4])
    png = tmp_path / "f1.png"
    fig.savefig(png)
    plt.close(fig)
    return Report(
        title="Klynger <test>",
        subtitle="Kappa & co",
        sections=[
            Section(
                title="Korpus",
                anchor="corpus",
                paragraphs=["298 utdrag fra fire oppgaver."],
                tables=[
                    Table(
                        columns=["kode", "F1"],
                        rows=[["trust_culture", 0.51234], ["competition", float("nan")]],
                    )
                ],
            ),
            Section(
                title="Kvalitet",
                anchor="quality",
                figures=[Figure(path=png, caption="F1 per kode")],
                quotes=[Quote(text="Vi deler alt | nesten", attribution="Informant 3, 002")],
            ),
        ],
    )


def test_html_is_self_contained_and_escaped(small_report):
    page = render_html(small_report)
    assert "<title>Klynger &lt;test&gt;</title>" in page
    assert 'src="data:image/png;base64,' in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "0.512" in page and "n/a" in page  # NaN is said, never printed as a number


def test_markdown_links_figures_relative_and_escapes_pipes(small_report, tmp_path):
    md = render_markdown(small_report, base=tmp_path)
    assert "![F1 per kode](f1.png)" in md
    assert "Vi deler alt | nesten" in md
    assert "| trust_culture | 0.512 |" in md


def test_report_loads_in_a_real_browser(small_report, tmp_path):
    html_path, md_path = write_report(small_report, tmp_path)
    assert md_path.exists()
    shot = tmp_path / "test-report-screenshot.png"
    result = render(html_path, screenshot=shot)
    assert result.console == [], result.console
    assert 'id="corpus"' in result.dom and 'id="quality"' in result.dom
    assert result.images == 1 and result.images_ok == 1
    assert shot.stat().st_size > 5000
