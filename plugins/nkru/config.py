"""Load and validate `config/nkru.yaml`.

The settings file is the one place a user edits, so a mistake in it must be reported the way a person
would fix it: the key, the line and what is wrong, e.g. ``nkru.yaml line 12: feeds[3].url: not an http(s) URL``.
Validation is pydantic with ``extra="forbid"`` (unknown keys are errors); line numbers come from PyYAML's
node marks, looked up by the error's location path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_CONFIG_PATH = Path("config/nkru.yaml")


class ConfigError(ValueError):
    """The settings file is missing, unreadable or invalid; the message names the key and line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedConfig(_Strict):
    """One RSS/Atom feed. `name` is the key users see in `nkru feeds` and in alert e-mails."""

    name: str = Field(min_length=1, max_length=100)
    url: HttpUrl
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
    # How people call the outlet ("TASS", "Yonhap (Korean)"), shown next to `name` where there is room.
    display_name: str | None = Field(default=None, min_length=1, max_length=200)


class FetchConfig(_Strict):
    """HTTP limits for fetching feeds. Everything from a feed is untrusted, so every limit is finite."""

    timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    max_bytes: int = Field(default=5_000_000, gt=0, le=100_000_000)
    max_redirects: int = Field(default=5, ge=0, le=20)
    user_agent: str = "nkru/0.1 (+https://github.com/nkru/nkru; news monitor)"
    concurrency: int = Field(default=50, ge=1, le=500)
    batch_size: int = Field(default=25, ge=1, le=1000)
    # Minutes between fetches of a healthy feed; failing feeds back off from here, doubling up to the cap.
    interval_minutes: float = Field(default=15, gt=0)
    max_backoff_hours: float = Field(default=6, gt=0)
    # Private, loopback and link-local addresses are refused unless this is set (tests and air-gapped mirrors).
    allow_private_addresses: bool = False
    # Politeness (nkru.feeds.politeness): at most this many requests to one host at any moment, and at least this
    # many seconds between the starts of two requests to it. A host's due feeds are always fetched by one task.
    per_host_concurrency: int = Field(default=2, ge=1, le=50)
    per_host_delay_seconds: float = Field(default=0.25, ge=0, le=60)
    # A 429/503 with Retry-After makes the whole host wait. A wait up to this long is waited out within the run;
    # a longer one puts the host's feeds off until then (recorded on each, not counted as a failure).
    max_retry_after_wait_seconds: float = Field(default=10, ge=0, le=300)
    # Adaptive intervals: a feed starts at interval_minutes and moves between these two by how often its
    # fetches bring new items.
    min_interval_minutes: float = Field(default=10, gt=0)
    max_interval_hours: float = Field(default=24, gt=0)
    # Stale validators: this often a feed is fetched without If-None-Match / If-Modified-Since as well.
    validator_check_hours: float = Field(default=24, gt=0)


class TopicConfig(_Strict):
    """Relevance scoring settings: an item is relevant when its score reaches `threshold`."""

    threshold: float = Field(default=1.0, gt=0)
    extra_north_korea_terms: list[str] = Field(default_factory=list)
    extra_russia_terms: list[str] = Field(default_factory=list)


class FulltextConfig(_Strict):
    """Fetching the article page behind a feed item that says too little (nkru.fulltext).

    Candidates: items not relevant from the feed alone but with one side (North Korea or Russia) matched at
    least `candidate_min_side` strongly (with a word of the beat, unless `candidate_needs_beat_word` is off),
    and relevant items whose summary is shorter than `short_summary_chars`.
    Pages get the feeds' address checks and per-host politeness, and robots.txt is honoured.
    """

    enabled: bool = True
    max_per_run: int = Field(default=40, ge=0, le=10_000)
    candidate_min_side: float = Field(default=0.8, gt=0)
    candidate_needs_beat_word: bool = True  # ... and a word of the beat (troops, visit, treaty, rail...) with it
    short_summary_chars: int = Field(default=160, ge=0)
    max_age_hours: float = Field(default=48, gt=0)  # candidates older than this are left alone
    max_bytes: int = Field(default=3_000_000, gt=0, le=50_000_000)
    timeout_seconds: float = Field(default=15, gt=0, le=120)
    max_text_chars: int = Field(default=20_000, ge=500, le=1_000_000)
    # Only the start of the body is scored (the lede and the next paragraphs), so a passing mention deep in a
    # long piece does not make it relevant; the headline still weighs most.
    scored_body_chars: int = Field(default=1_500, ge=100, le=100_000)
    robots_max_bytes: int = Field(default=500_000, gt=0, le=5_000_000)
    robots_cache_hours: float = Field(default=24, gt=0)


class EntitiesConfig(_Strict):
    """NER settings. The spaCy model is chosen by NKRU_SPACY_MODEL (see nkru.entities.model_name)."""

    gazetteer: Path = Path("config/gazetteer.yaml")
    batch_size: int = Field(default=64, ge=1, le=10_000)


class AlertRule(_Strict):
    """Who hears about which stories, and how (one e-mail per story, or a digest)."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w .:/-]+$")
    recipients: list[EmailStr] = Field(min_length=1)
    mode: Literal["instant", "digest"] = "instant"
    min_score: float | None = Field(default=None, ge=0)
    any_terms: list[str] = Field(default_factory=list)
    all_terms: list[str] = Field(default_factory=list)
    any_entities: list[str] = Field(default_factory=list)
    all_entities: list[str] = Field(default_factory=list)
    include_sources: list[str] = Field(default_factory=list)
    exclude_sources: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)


class AlertsConfig(_Strict):
    """Alert rules plus delivery limits shared by all of them."""

    rules: list[AlertRule] = Field(default_factory=list)
    sender: EmailStr = "nkru@localhost"
    max_attempts: int = Field(default=8, ge=1, le=100)
    # Stories first seen longer ago than this never alert (e.g. after `nkru rescore` over history).
    max_story_age_hours: float = Field(default=72, gt=0)
    # Where analysts open the workspace (the Airflow UI's /nkru pages): each e-mail links to the story's page
    # under it, e.g. https://airflow.example.org/nkru/stories/42. null leaves the link out.
    ui_base_url: HttpUrl | None = HttpUrl("http://localhost:8080/nkru")

    @field_validator("rules")
    @classmethod
    def _unique_rule_names(cls, rules: list[AlertRule]) -> list[AlertRule]:
        names = [r.name for r in rules]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"rule names must be unique, repeated: {', '.join(dupes)}")
        return rules


class OperationsConfig(_Strict):
    """Who is told when nkru itself breaks, and how long non-relevant items are kept."""

    operators: list[EmailStr] = Field(default_factory=list)
    feed_failing_alert_hours: float = Field(default=24, gt=0)
    retention_days_irrelevant: int = Field(default=90, ge=1)
    # fetch_log grows by one row per feed per run; `nkru feeds` needs only recent weeks of it.
    retention_days_fetch_log: int = Field(default=60, ge=1)


class Settings(_Strict):
    """The whole settings file."""

    feeds: list[FeedConfig] = Field(default_factory=list)
    fetch: FetchConfig = FetchConfig()
    topic: TopicConfig = TopicConfig()
    fulltext: FulltextConfig = FulltextConfig()
    entities: EntitiesConfig = EntitiesConfig()
    alerts: AlertsConfig = AlertsConfig()
    operations: OperationsConfig = OperationsConfig()

    @model_validator(mode="after")
    def _unique_feed_names(self) -> Settings:
        names = [f.name for f in self.feeds]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"feed names must be unique, repeated: {', '.join(dupes)}")
        return self

    @property
    def feeds_by_name(self) -> dict[str, FeedConfig]:
        return {f.name: f for f in self.feeds}


def config_path() -> Path:
    """The settings file in use: `NKRU_CONFIG`, else `config/nkru.yaml`."""
    return Path(os.environ.get("NKRU_CONFIG") or DEFAULT_CONFIG_PATH)


def load_settings(path: str | Path | None = None) -> Settings:
    """Read and validate the settings file; raise ConfigError naming the key and line on any problem."""
    path = Path(path) if path is not None else config_path()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read settings file {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path} line {line}: the settings file must be UTF-8 text, but byte 0x{raw[exc.start]:02x} is not "
            "UTF-8: save it as UTF-8 (most editors have an encoding choice under Save As)"
        ) from None
    return parse_settings(text, source=str(path))


def parse_settings(text: str, source: str = "nkru.yaml") -> Settings:
    """Validate settings given as YAML text (`source` names it in error messages)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source} line 1: the settings file must be a mapping of keys (feeds:, topic:, ...)")
    problems = _duplicate_keys(root, source) + _duplicate_names(data, root, source)
    if problems:
        raise ConfigError("\n".join(problems))
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, root, source)) from None


def _duplicate_keys(node: yaml.Node | None, source: str, path: str = "") -> list[str]:
    """A key written twice in one mapping, anywhere in the file. YAML loaders keep the last one silently, so a
    second `alerts:` would drop every rule of the first; here it is an error naming both lines."""
    problems: list[str] = []
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            where = f"{path}.{key}" if path else key
            if key in first_line:
                problems.append(
                    f"{source} line {line}: {where}: written twice (lines {first_line[key]} and {line}); "
                    "keep one and merge what the two say"
                )
            else:
                first_line[key] = line
            problems += _duplicate_keys(value_node, source, where)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _duplicate_keys(item, source, f"{path}[{index}]")
    return problems


def _duplicate_names(data: dict[str, Any], root: yaml.Node | None, source: str) -> list[str]:
    """Feeds and alert rules whose `name` repeats an earlier one, each reported at the repeat's line."""
    alerts = data.get("alerts")
    lists = {
        "feeds": ("feed", data.get("feeds")),
        "alerts.rules": ("alert rule", alerts.get("rules") if isinstance(alerts, dict) else None),
    }
    problems = []
    for dotted, (kind, entries) in lists.items():
        if not isinstance(entries, list):
            continue
        seen: dict[str, int] = {}
        for index, entry in enumerate(entries):
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str):
                continue
            loc = [*dotted.split("."), index, "name"]
            if name in seen:
                first = _line_of(root, [*dotted.split("."), seen[name], "name"])
                problems.append(
                    f"{source} line {_line_of(root, loc)}: {_dotted(loc)}: {kind} names must be unique, "
                    f"{name!r} is already used at line {first}"
                )
            else:
                seen[name] = index
    return problems


def _describe(exc: ValidationError, root: yaml.Node | None, source: str) -> str:
    lines = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        line = _line_of(root, loc)
        where = f"{source} line {line}" if line else source
        key = _dotted(loc) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(f"{where}: {key}: {msg}")
    return "\n".join(lines)


def _dotted(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(node: yaml.Node | None, loc: list[Any]) -> int | None:
    """1-based line of the deepest YAML node on the error's path (a missing key points at its parent)."""
    best = node
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    # An unknown key is reported at the key itself; otherwise at its value.
                    child = value_node if part != loc[-1] else key_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = best = child
    return best.start_mark.line + 1 if best is not None else None
