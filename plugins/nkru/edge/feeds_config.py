"""Add a feed to, or remove one from, the settings file in place: its comments, order and layout kept.

The file is the one place a user edits by hand, so an edit by `nkru feeds add/remove` must look like one made by
hand: only the feed's own line(s) change. ruamel.yaml reads the file (with the line of every entry) and writes the
new entry in the style of its neighbours; the lines are then edited as text, so that nothing else is reformatted
(ruamel would join a flow list written over two lines). When the feeds list is not a plain block list of entries
(empty, or written as `feeds: [...]`), ruamel writes the whole document instead, comments kept; a file without
`feeds:` gets it at its end.

Nothing is written unless the result validates with the settings' own rules (`config.parse_settings`), and the new
file replaces the old one atomically (a temporary file in the same directory, then a rename), so a reader never
sees half a file and a refused edit leaves it untouched.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from nkru.config import ConfigError, FeedConfig, Settings, parse_settings

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")  # written without quotes when it cannot read as anything else
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


class FeedsConfigError(ValueError):
    """The edit was refused; the message says why, and the file is untouched."""


class SettingsFileBroken(FeedsConfigError):
    """The settings file cannot be read or is invalid before any edit: it has to be fixed by hand first."""


@dataclass(frozen=True)
class Edit:
    """What an edit did: the file, the feed, the line it is (or was) on, and any warnings for the user."""

    path: Path
    feed: FeedConfig
    line: int
    warnings: tuple[str, ...] = ()


def add_feed(path: Path, name: str, url: str, language: str | None = None, display_name: str | None = None) -> Edit:
    """Append a feed to the settings file's `feeds:` list; refused when the name or URL is taken or invalid."""
    text, settings = _read(path)
    entry = {"name": name, "url": url, "language": language, "display_name": display_name}
    entry = {k: v for k, v in entry.items() if v is not None}
    feed = _validated_feed(entry)
    for other in settings.feeds:
        if other.name == feed.name:
            raise FeedsConfigError(f"{path} already has a feed named {name!r} (url {other.url})")
        if str(other.url) == str(feed.url):
            raise FeedsConfigError(f"{path} already has this URL, as the feed {other.name!r}")
    new_text, line = _with_feed_added(text, entry)
    _check(new_text, path, expect=[*settings.feeds, feed])
    _replace(path, text, new_text)
    return Edit(path, feed, line)


def remove_feed(path: Path, name: str) -> Edit:
    """Take the feed called `name` out of the settings file's `feeds:` list, comments around it kept."""
    text, settings = _read(path)
    feed = settings.feeds_by_name.get(name)
    if feed is None:
        names = ", ".join(f.name for f in settings.feeds) or "none"
        raise FeedsConfigError(f"{path} has no feed named {name!r} (feeds: {names})")
    index = settings.feeds.index(feed)
    new_text, line = _with_feed_removed(text, index)
    _check(new_text, path, expect=[f for f in settings.feeds if f.name != name])
    _replace(path, text, new_text)
    rules = [r.name for r in settings.alerts.rules if name in r.include_sources or name in r.exclude_sources]
    warnings = tuple(f"alert rule {r!r} still names {name!r} in its sources" for r in rules)
    return Edit(path, feed, line, warnings)


# ---------------------------------------------------------------------------------------------- reading


def _read(path: Path) -> tuple[str, Settings]:
    """The file's text and its settings, which must be valid before any edit (fix the file first)."""
    try:
        text = path.read_bytes().decode("utf-8")  # line endings as they are
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsFileBroken(f"cannot read settings file {path}: {exc}") from None
    try:
        return text, parse_settings(text, source=str(path))
    except ConfigError as exc:
        raise SettingsFileBroken(f"the settings file is not valid as it stands; fix it first:\n{exc}") from None


def _validated_feed(entry: dict[str, str]) -> FeedConfig:
    try:
        return FeedConfig.model_validate(entry)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'feed'}: {_say(e)}" for e in exc.errors())
        raise FeedsConfigError(f"the feed is not valid: {problems}") from None


def _say(error: Any) -> str:
    """pydantic's message, or a plainer one where it would quote a regular expression."""
    if error["loc"] == ("language",) and error["type"] == "string_pattern_mismatch":
        return f"{error['input']!r} is not a language code: use an ISO 639-1 code such as ru, en or ko"
    return str(error["msg"])


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long URL
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _feeds_node(text: str) -> tuple[Any, Any]:
    """(the document, its `feeds` list) as ruamel reads them (with line numbers)."""
    try:
        document = _yaml().load(text)
    except YAMLError as exc:
        raise FeedsConfigError(f"cannot read the settings file as YAML: {exc}") from None
    feeds = document.get("feeds") if isinstance(document, CommentedMap) else None
    return document, feeds


def _block_list(feeds: Any) -> bool:
    """Whether `feeds` is a block list (`- ...` lines) with at least one entry, so lines can be edited as text."""
    return isinstance(feeds, CommentedSeq) and len(feeds) > 0 and not feeds.fa.flow_style()


# ---------------------------------------------------------------------------------------------- editing


def _with_feed_added(text: str, entry: dict[str, str]) -> tuple[str, int]:
    """The text with `entry` after the last feed, in the style of that feed; and the new entry's line (1-based)."""
    document, feeds = _feeds_node(text)
    pairs = ", ".join(f"{k}: {_scalar(k, v)}" for k, v in entry.items())
    if document is None or (isinstance(document, CommentedMap) and "feeds" not in document):
        text += "" if not text or text.endswith("\n") else "\n"
        return f"{text}feeds:\n  - {{{pairs}}}\n", text.count("\n") + 2
    if not _block_list(feeds):
        return _rewritten(document, feeds, entry)
    lines = text.splitlines(keepends=True)
    last = len(feeds) - 1
    start = feeds.lc.item(last)[0]
    end = _last_line_of_item(lines, feeds, last, document)
    dash = lines[start].index("-")
    previous = feeds[last]
    newline = "\r\n" if lines[start].endswith("\r\n") else "\n"  # as the file has them
    if isinstance(previous, CommentedMap) and previous.fa.flow_style():
        new = [f"{' ' * dash}- {{{pairs}}}{newline}"]
    else:
        pad = " " * (dash + 2)
        new = [f"{' ' * dash}- " if i == 0 else pad for i in range(len(entry))]
        new = [f"{lead}{k}: {_scalar(k, v)}{newline}" for lead, (k, v) in zip(new, entry.items(), strict=True)]
    if not lines[end].endswith("\n"):
        lines[end] += newline
    lines[end + 1 : end + 1] = new
    return "".join(lines), end + 2


def _with_feed_removed(text: str, index: int) -> tuple[str, int]:
    """The text without the `index`th feed's lines (comments before the next entry stay); and its first line."""
    document, feeds = _feeds_node(text)
    if not _block_list(feeds) or len(feeds) == 1:
        del feeds[index]
        return _rewritten(document, feeds, None)
    lines = text.splitlines(keepends=True)
    start = feeds.lc.item(index)[0]
    if lines[start][: feeds.lc.item(index)[1]].strip() != "-":  # the entry does not start its own line
        del feeds[index]
        return _rewritten(document, feeds, None)
    end = _last_line_of_item(lines, feeds, index, document)
    del lines[start : end + 1]
    return "".join(lines), start + 1


def _last_line_of_item(lines: list[str], feeds: CommentedSeq, index: int, document: CommentedMap) -> int:
    """The last line (0-based) holding the entry itself: blank and comment lines before whatever follows it (the
    next entry, the next top-level key, the end of the file) belong to what follows."""
    if index + 1 < len(feeds):
        following = feeds.lc.item(index + 1)[0]
    else:
        keys = list(document)
        after = keys[keys.index("feeds") + 1 :]
        following = document.lc.key(after[0])[0] if after else len(lines)
    end = following - 1
    while end > feeds.lc.item(index)[0] and (not lines[end].strip() or lines[end].lstrip().startswith("#")):
        end -= 1
    return end


def _rewritten(document: Any, feeds: Any, entry: dict[str, str] | None) -> tuple[str, int]:
    """The whole document written again by ruamel (comments kept), with `entry` appended to its feeds."""
    if not isinstance(document, CommentedMap):
        document = CommentedMap()
    if entry is not None:
        if not isinstance(feeds, CommentedSeq):
            feeds = CommentedSeq()
            document["feeds"] = feeds
        item = CommentedMap(entry)
        item.fa.set_flow_style()
        feeds.fa.set_block_style()
        feeds.append(item)
    buffer = io.StringIO()
    _yaml().dump(document, buffer)
    text = buffer.getvalue()
    line = next((n for n, ln in enumerate(text.splitlines(), 1) if entry and f"name: {entry['name']}" in ln), 0)
    return text, line


def _scalar(key: str, value: str) -> str:
    """A value as YAML: plain when it cannot be misread (a name, a language code), else double-quoted (JSON's
    escaping is valid YAML)."""
    plain = key in ("name", "language") and _PLAIN.match(value) and value.lower() not in _YAML_WORDS
    if plain and not re.match(r"^[0-9._:-]+$", value):  # not a number, a date or a time
        return value
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------- writing


def _check(new_text: str, path: Path, expect: list[FeedConfig]) -> None:
    """The edited text must validate, and hold exactly the expected feeds; else nothing is written."""
    try:
        settings = parse_settings(new_text, source=str(path))
    except ConfigError as exc:
        raise FeedsConfigError(f"refused: the settings file would not be valid after this change:\n{exc}") from None
    if settings.feeds != expect:
        raise FeedsConfigError(f"refused: the edit of {path} did not give the expected feeds; the file is unchanged")


def _replace(path: Path, old_text: str, new_text: str) -> None:
    """Write `new_text` over `path` atomically, keeping its permissions; refused if the file changed meanwhile."""
    target = path.resolve()  # a symlinked settings file stays a symlink: its target is replaced
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(new_text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, target.stat().st_mode & 0o7777)
        if target.read_bytes().decode("utf-8", "replace") != old_text:
            raise FeedsConfigError(f"{path} changed while it was being edited; nothing was written, try again")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
