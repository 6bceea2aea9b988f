"""Does a story's article match an alert rule? Pure functions over the facts the outbox step gathers.

Conditions combine with AND; a rule with none matches every relevant story. Terms are matched case-insensitively
on word boundaries in the title and summary, or exactly against the terms the relevance scorer matched.
Entities are compared through `nkru.aliases.alias_key`, so "Kim Jong-un" in a rule finds "Kim Jong Un".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nkru.aliases import alias_key, term_pattern
from nkru.config import AlertRule


@dataclass(frozen=True)
class ArticleFacts:
    """What a rule is tested against: one relevant article of a story."""

    score: float
    text: str  # title and summary
    matched_terms: frozenset[str]  # casefolded terms from the relevance scorer
    entity_keys: frozenset[str]  # alias keys of the entities it mentions, and of their other spellings
    sources: frozenset[str]  # names of the feeds that carried it
    language: str | None


def entity_key(name: str) -> str:
    return alias_key(name)


def has_term(facts: ArticleFacts, term: str) -> bool:
    return term.casefold() in facts.matched_terms or term_pattern(term).search(facts.text) is not None


def has_entity(facts: ArticleFacts, name: str) -> bool:
    return entity_key(name) in facts.entity_keys


def _has_language(facts: ArticleFacts, languages: Iterable[str]) -> bool:
    """'en' in a rule accepts 'en' and 'en-GB' articles; an article of unknown language matches no list."""
    if not facts.language:
        return False
    lang = facts.language.casefold()
    return any(lang == want.casefold() or lang.split("-")[0] == want.casefold() for want in languages)


def _has_source(facts: ArticleFacts, include: list[str], exclude: list[str]) -> bool:
    """True when some feed that carried the article is allowed: listed in `include` (if given), not excluded."""
    return any((not include or s in include) and s not in exclude for s in facts.sources)


def matches(rule: AlertRule, facts: ArticleFacts) -> bool:
    """Whether the rule wants to hear about this article's story."""
    if rule.min_score is not None and facts.score < rule.min_score:
        return False
    if rule.any_terms and not any(has_term(facts, t) for t in rule.any_terms):
        return False
    if rule.all_terms and not all(has_term(facts, t) for t in rule.all_terms):
        return False
    if rule.any_entities and not any(has_entity(facts, e) for e in rule.any_entities):
        return False
    if rule.all_entities and not all(has_entity(facts, e) for e in rule.all_entities):
        return False
    if (rule.include_sources or rule.exclude_sources) and not _has_source(
        facts, rule.include_sources, rule.exclude_sources
    ):
        return False
    return not (rule.languages and not _has_language(facts, rule.languages))
