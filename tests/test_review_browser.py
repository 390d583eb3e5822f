"""`nlp review` in a real browser (headless Chromium via WebDriver): load, review by keyboard, restart the server in
the middle, and the decisions on disk are exactly what was done."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser import browser_missing, chromium

from nlp.classify import tag_paths
from nlp.review import read_events, replay, review_summary
from nlp.review.decisions import review_records

INTERVIEWS = {
    "intervju1.txt": "I: Hvordan samarbeider dere i klyngen?\n"
    "R: Vi deler kunnskap og erfaringer med de andre bedriftene, og det er en stor styrke for oss.\n"
    "I: Og konkurransen?\n"
    "R: Konkurrentene våre sitter i samme klynge, og det er et problem og en utfordring.\n"
    "I: Møtes dere ofte?\n"
    "R: Vi møtes på seminarer og frokostmøter, det har vært svært nyttig.\n",
    "intervju2.txt": "I: Fortæl om netværket.\n"
    "R: Vi deler viden og erfaring med de andre virksomheder, det fungerer veldig bra.\n"
    "I: Er der konkurrence?\n"
    "R: Konkurrencen mellem virksomhederne er hård, dessverre er det en barriere.\n",
}


def _webdriver():
    exe = chromium()  # skips (or fails in CI) with a notice when Chromium is absent
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        browser_missing(
            "selenium is not installed, so the review page's browser test cannot run. Install the dev "
            "extra: pip install -e '.[dev]'."
        )
    driver_path = shutil.which("chromedriver") or next(
        (
            p
            for p in ("/usr/lib/chromium/chromedriver", "/usr/lib/chromium-browser/chromedriver")
            if Path(p).exists()
        ),
        None,
    )
    if driver_path is None:
        browser_missing(
            "chromedriver is not installed, so the review page's browser test cannot run. Install it "
            "with `apt-get install chromium-driver` (.ci/run installs it)."
        )
    opts = webdriver.ChromeOptions()
    opts.binary_location = exe
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--no-first-run",
    ):
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(driver_path), options=opts)


class Server:
    """`nlp review` as the user runs it: a separate process, stopped by killing it."""

    def __init__(self, tagged: Path, cwd: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nlp", "review", tagged.name, "--reviewer", "kari", "--no-open"],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**__import__("os").environ, "PYTHONPATH": str(Path(__file__).parents[1])},
        )
        self.url = None
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith("open http://127.0.0.1:"):
                self.url = line.split(" ", 1)[1].strip()
                break
        assert self.url, self.proc.stderr.read()

    def kill(self):
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture()
def tagged(tmp_path, model):
    d = tmp_path / "project"
    (d / "int").mkdir(parents=True)
    for name, text in INTERVIEWS.items():
        (d / "int" / name).write_text(text, encoding="utf-8")
    out = d / "tagged.jsonl"
    import os

    cwd = os.getcwd()
    os.chdir(d)  # sources recorded relative to the project folder, as a user runs `nlp tag` there
    try:
        tag_paths(model, [Path("int")], Path("tagged.jsonl"), explain_words=3)
    finally:
        os.chdir(cwd)
    return out


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def test_keyboard_review_with_a_server_restart(tagged):
    records, left_out = review_records(tagged)  # the page reviews the informant turns; questions are left out
    assert left_out == {"interviewer turn": 5}
    # the fixture's model codes these as the synthetic corpus taught it (a precondition of the key sequence below)
    assert [(r["codes"], r["polarity"]) for r in records] == [
        (["knowledge_sharing"], "driver"),
        (["competition"], "barrier"),
        (["meeting_places"], "driver"),
        (["knowledge_sharing"], "driver"),
        (["competition"], "barrier"),
    ]
    log = tagged.with_name("tagged.review.jsonl")
    driver = _webdriver()
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    def ready():
        WebDriverWait(driver, 20).until(
            lambda d: d.execute_script("return document.body.dataset.ready === '1'")
        )

    def press(keys, saved=None):
        before = _lines(log)
        ActionChains(driver).send_keys(keys).perform()
        if saved is not None:  # the decision is on disk before the page goes on
            WebDriverWait(driver, 20).until(lambda d: _lines(log) == before + saved)
        ready()

    def segment():
        return int(driver.execute_script("return document.body.dataset.segment"))

    server = Server(tagged, tagged.parent)
    try:
        driver.get(server.url)
        ready()
        assert driver.find_element(By.ID, "reviewer").text == "kari"
        assert segment() == 0
        assert "Hvordan samarbeider dere i klyngen?" in driver.find_element(By.ID, "before").text  # context
        items = [e.get_attribute("data-code") for e in driver.find_elements(By.CSS_SELECTOR, "#items .item")]
        assert items == ["knowledge_sharing", "polarity:driver"]
        assert "kunnskap" in driver.find_element(By.ID, "why").text  # the words that drove the code
        press("a", saved=1)  # accept knowledge_sharing
        press("a", saved=1)  # accept polarity: segment decided, the page moves on
        assert segment() == 1
        press("r", saved=1)  # reject competition
        press("p", saved=1)  # polarity: barrier -> the next value
        press("c")
        driver.find_element(By.ID, "pick").send_keys("meeting")
        press(Keys.ENTER, saved=1)  # add meeting_places
        press(Keys.ENTER, saved=1)  # done
        assert segment() == 2
        server.kill()  # the server dies in the middle of the review

        server = Server(tagged, tagged.parent)
        driver.get(server.url)  # a new address and token: the old token is worthless
        ready()
        assert segment() == 2  # continues where the reviewer stopped
        press("o")  # uncertainty order: the same segment stays in front of the reviewer
        assert driver.find_element(By.ID, "order").text == "uncertainty" and segment() == 2
        press("o")
        assert driver.find_element(By.ID, "order").text == "interview"
        press("k")  # back to the segment done before the restart: its decisions are shown
        assert segment() == 1
        shown = {
            e.get_attribute("data-code"): e.get_attribute("data-status")
            for e in driver.find_elements(By.CSS_SELECTOR, "#items .item")
        }
        assert shown == {
            "competition": "rejected",
            "meeting_places": "added",
            "polarity:barrier": "rejected",
            "polarity:driver": "added",
        }
        press("j")
        press("s", saved=1)  # skip segment 2
        assert segment() == 3
        press("r", saved=1)  # reject knowledge_sharing ...
        press("u", saved=1)  # ... undo that
        assert segment() == 3
        press(Keys.ENTER, saved=1)  # accept the rest
        assert segment() == 4
        press("v")
        WebDriverWait(driver, 20).until(
            lambda d: d.execute_script("return document.body.dataset.view") == "interview"
        )
        rows = {
            r.get_attribute("data-code"): [c.text for c in r.find_elements(By.TAG_NAME, "td")]
            for r in driver.find_elements(By.CSS_SELECTOR, "#summary tbody tr")
        }
        assert rows["knowledge_sharing"][1:] == ["2", "2", "0", "0", "1.00"]
        assert rows["competition"][1:] == ["1", "0", "1", "0", "0.00"]
        assert rows["meeting_places"][1:4] == ["0", "0", "0"] and rows["meeting_places"][4] == "1"
        view = driver.find_element(By.ID, "ivtext")  # intervju2, the current one, with the questions
        assert len(view.find_elements(By.CSS_SELECTOR, ".seg")) == 2
        assert (
            len(view.find_elements(By.CSS_SELECTOR, ".turn.question")) == 2
            and "Er der konkurrence?" in view.text
        )
        reviewed = view.find_elements(By.CSS_SELECTOR, ".seg.reviewed.coded")
        assert len(reviewed) == 1 and "Knowledge_sharing (accepted)".lower() in reviewed[0].text.lower()
        console = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert console == []
    finally:
        server.kill()
        driver.quit()

    events = read_events(log)
    done = [
        (e["action"], e.get("id"), e.get("code") or e.get("value") or e.get("undoes"))
        for e in events
        if e["action"] != "open"
    ]
    ids = [r["id"] for r in records]
    undone = next(e["seq"] for e in events if e["action"] == "reject" and e["id"] == ids[3])
    assert done == [
        ("accept", ids[0], "knowledge_sharing"),
        ("accept", ids[0], "polarity:driver"),
        ("reject", ids[1], "competition"),
        ("polarity", ids[1], "driver"),
        ("add", ids[1], "meeting_places"),
        ("done", ids[1], None),
        ("skip", ids[2], None),
        ("reject", ids[3], "knowledge_sharing"),
        ("undo", ids[3], undone),
        ("done", ids[3], None),
    ]
    assert [e["action"] for e in events].count("open") == 2 and {e["reviewer"] for e in events} == {"kari"}
    state = replay(events)
    src = records[1]["source"]
    assert state[(src, ids[1])].codes == {"competition": "rejected", "meeting_places": "added"}
    assert state[(src, ids[1])].polarity == "driver"
    summary = review_summary(records, events)
    assert (summary["reviewed"], summary["skipped"], summary["left"]) == (3, 1, 1)
