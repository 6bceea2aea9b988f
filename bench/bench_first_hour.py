"""A newcomer's first minutes, timed: from `git clone` to the first story page on screen.

    python bench/bench_first_hour.py [--repo PATH_OR_URL] [--keep]

Clones the repository (by default this checkout's committed HEAD) into a temporary directory and does what the
README tells a newcomer to do, in that clone, as separate processes with nothing exported: `make run` (which
creates .venv from the lock, starts the embedded PostgreSQL, the mail catcher and Airflow) until its banner is
printed; `make demo` in a second "shell"; then a real browser (Playwright driving Debian's Chromium, as the
tests do) opens the story page `make demo` printed, logs in through Airflow's login page with the banner's
password and waits for the story's outlets to be on screen. Finally Ctrl-C's SIGINT stops `make run`.

It prints the time of each step, the total, and the total as a share of the issue's goal (10 minutes), with
the machine's load: the figure depends on it (and on uv's package cache: a first install downloads the lock).
Not part of `make test`: it takes minutes and uses the ports it is given (free ones by default).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 600  # issue 14: a newcomer finds, opens and previews a story within 10 minutes
CHROMIUM_NAMES = ("chromium", "chromium-browser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def newcomer_env(api_port: int, smtp_port: int) -> dict[str, str]:
    """A fresh shell: none of nkru's or Airflow's variables, only the ports (others may hold 8080 here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NKRU_", "VIRTUAL_ENV"))}
    env.update(NKRU_AIRFLOW_PORT=str(api_port), NKRU_SMTP_CATCHER_PORT=str(smtp_port))
    return env


def start_make_run(clone: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    def as_a_terminal_would() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.setsid()

    return subprocess.Popen(
        ["make", "run"],
        cwd=clone,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        preexec_fn=as_a_terminal_would,
    )


def wait_for_banner(make: subprocess.Popen, log: Path, timeout: float = 1200) -> str:
    """The admin password from the banner `make run` prints once the UI answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"user: admin\s+password: (\S+)", log.read_text(errors="replace"))
        if found:
            return found[1]
        if make.poll() is not None:
            sys.exit(f"make run exited:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)
    sys.exit(f"no banner in {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def run_demo(clone: Path, env: dict[str, str]) -> str:
    """`make demo` in another shell; the story URL it prints."""
    result = subprocess.run(["make", "demo"], cwd=clone, env=env, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        sys.exit(f"make demo failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    found = re.search(r"open a story \([^)]*\): (\S+)", result.stdout)
    if not found:
        sys.exit(f"make demo printed no story to open:\n{result.stdout}")
    print(textblock(result.stdout), flush=True)
    return found[1]


def open_story(url: str, password: str, screenshot: Path) -> list[str]:
    """Log in through Airflow's login page on the way to `url`; returns the first lines of its outlets table."""
    from playwright.sync_api import expect, sync_playwright

    chromium = next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)
    if chromium is None:
        sys.exit("Chromium is not installed: `make browser` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.set_default_timeout(120_000)
            page.goto(url)
            page.get_by_label("Username").fill("admin")
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(url)
            expect(page.locator("#outlets")).to_be_visible()
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=screenshot, full_page=True)
            return page.locator("#outlets").inner_text().splitlines()[0:3]
        finally:
            browser.close()


def textblock(text: str) -> str:
    return "\n".join(f"    | {line}" for line in text.strip().splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=str(ROOT), help="what to clone (default: this checkout's HEAD)")
    parser.add_argument("--keep", action="store_true", help="keep the clone (its .venv and .data) afterwards")
    args = parser.parse_args()

    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="nkru-first-hour-"))
    clone = work / "nkru"
    env = newcomer_env(free_port(), free_port())
    log = work / "make-run.log"
    steps: list[tuple[str, float]] = []
    make = None
    started = time.monotonic()

    def step(name: str, since: float) -> float:
        now = time.monotonic()
        steps.append((name, now - since))
        print(f"{name:<48} {now - since:7.1f} s", flush=True)
        return now

    try:
        t = time.monotonic()
        subprocess.run(["git", "clone", "--quiet", args.repo, str(clone)], check=True)
        t = step("git clone", t)
        make = start_make_run(clone, env, log)
        password = wait_for_banner(make, log)
        t = step("make run: .venv, databases, Airflow UI up", t)
        story = run_demo(clone, env)
        t = step("make demo: 8 weeks of history loaded", t)
        first = open_story(story, password, ROOT / ".artifacts" / "first-hour-story.png")
        t = step("browser: log in, story page on screen", t)
        total = t - started
        print(f"{'clone -> first story page on screen':<48} {total:7.1f} s", flush=True)
        print(f"  = {total / GOAL_SECONDS:.0%} of the issue's 10-minute goal; the page showed: {first}")
    finally:
        if make is not None and make.poll() is None:
            t = time.monotonic()
            os.killpg(make.pid, signal.SIGINT)  # Ctrl-C
            make.wait(timeout=60)
            step("Ctrl-C: make run stopped", t)
        load_after = os.getloadavg()
        print(
            f"machine: {os.cpu_count()} cores; load average (1, 5, 15 min) before "
            f"{', '.join(f'{x:.1f}' for x in load_before)}, after {', '.join(f'{x:.1f}' for x in load_after)}"
        )
        if args.keep:
            print(f"kept: {clone}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
