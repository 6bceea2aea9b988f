"""Render the article fixtures (`articles_*.yaml`) into HTML pages built like real news sites: navigation, a
breaking-news ticker, ads, a related-stories box, share buttons, reader comments, a footer, and on some pages a
paywall after the first paragraph. Run it after editing an article: the pages in `pages/` are the fixture set.

    .venv/bin/python bench/fulltext/render.py

The boxes around the article are where extraction goes wrong: the related stories and the comments name the other
side of the story ("Putin and Kim sign treaty") on pages whose article does not, so a page read whole would score
as relevant. Every outlet and comment here is invented.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"
PAYWALLED = {"en-10", "en-20", "ru-06", "de-02", "ko-11"}

SITE = {
    "en": {
        "name": "The Northeast Asia Herald",
        "nav": ["World", "Asia", "Korea", "Russia", "Business", "Opinion", "Sport", "Culture", "Podcasts"],
        "ticker": "Breaking: Markets fall in Tokyo as yen strengthens",
        "related": [
            "Putin and Kim sign mutual defence treaty",
            "Russia and North Korea open new border crossing",
            "Opinion: the axis of upheaval",
            "Weather: typhoon heads for Okinawa",
        ],
        "comments": [
            ("hanul88", "Russia is behind all of this, as usual."),
            ("j.smith", "Pyongyang and Moscow are two sides of the same coin."),
            ("reader_42", "Good reporting, thank you."),
        ],
        "ad": "Advertisement",
        "share": ["Share on X", "Facebook", "Copy link"],
        "related_title": "Related stories",
        "comments_title": "Comments (3)",
        "paywall": "Subscribe to continue reading. Already a subscriber? Log in",
        "footer": "© 2026 The Northeast Asia Herald. All rights reserved. Privacy · Terms · Contact us",
    },
    "ru": {
        "name": "Восточный вестник",
        "nav": ["Главное", "Политика", "В мире", "Экономика", "Общество", "Спорт", "Культура", "Мнения"],
        "ticker": "Срочно: курс доллара опустился ниже 90 рублей",
        "related": [
            "Путин и Ким Чен Ын подписали договор о партнёрстве",
            "Россия и КНДР откроют новый пункт пропуска",
            "Погода: в Приморье ожидается тайфун",
        ],
        "comments": [
            ("Иван_П", "Россия и КНДР — союзники, что тут удивительного."),
            ("Марина", "Спасибо за новость."),
            ("vlad_vl", "Пхеньян опять в новостях."),
        ],
        "ad": "Реклама",
        "share": ["Поделиться", "ВКонтакте", "Telegram"],
        "related_title": "Читайте также",
        "comments_title": "Комментарии (3)",
        "paywall": "Материал доступно только подписчикам. Оформите подписку, чтобы продолжить чтение.",
        "footer": "© 2026 «Восточный вестник». Все права защищены. 18+",
    },
    "ko": {
        "name": "동북아일보",
        "nav": ["정치", "경제", "사회", "국제", "북한", "문화", "스포츠", "오피니언"],
        "ticker": "속보: 코스피 2% 하락 마감",
        "related": ["푸틴·김정은, 포괄적 전략동반자 조약 서명", "북러, 새 국경 통과 지점 개설", "날씨: 태풍 북상"],
        "comments": [
            ("하늘", "러시아가 뒤에 있는 거 아닌가요?"),
            ("민수", "좋은 기사 감사합니다."),
            ("park77", "북러 관계가 걱정되네요."),
        ],
        "ad": "광고",
        "share": ["공유", "카카오톡", "링크 복사"],
        "related_title": "많이 본 뉴스",
        "comments_title": "댓글 3",
        "paywall": "유료 회원만 전체 기사를 볼 수 있습니다. 구독하시면 전체 기사를 읽을 수 있습니다.",
        "footer": "© 동북아일보. 무단 전재 및 재배포 금지",
    },
    "de": {
        "name": "Ostasien Rundschau",
        "nav": ["Politik", "Ausland", "Wirtschaft", "Meinung", "Kultur", "Sport", "Wissen"],
        "ticker": "Eilmeldung: DAX schließt im Minus",
        "related": ["Putin und Kim unterzeichnen Beistandspakt", "Russland und Nordkorea öffnen neuen Grenzübergang"],
        "comments": [("leser1", "Russland steckt dahinter."), ("anna_b", "Danke für den Bericht.")],
        "ad": "Anzeige",
        "share": ["Teilen", "Facebook", "Link kopieren"],
        "related_title": "Mehr zum Thema",
        "comments_title": "Kommentare (2)",
        "paywall": "Weiterlesen mit Abo: Nur für Abonnenten. Jetzt abonnieren und weiterlesen.",
        "footer": "© 2026 Ostasien Rundschau · Impressum · Datenschutz",
    },
    "fr": {
        "name": "Le Courrier d'Asie",
        "nav": ["International", "Asie", "Économie", "Opinions", "Culture", "Sport"],
        "ticker": "Dernière minute : la Bourse de Tokyo recule",
        "related": ["Poutine et Kim signent un traité de défense", "La Russie et la Corée du Nord ouvrent un pont"],
        "comments": [("lecteur", "La Russie est derrière tout cela."), ("marie", "Merci pour cet article.")],
        "ad": "Publicité",
        "share": ["Partager", "Facebook", "Copier le lien"],
        "related_title": "À lire aussi",
        "comments_title": "Commentaires (2)",
        "paywall": "Réservé aux abonnés. Abonnez-vous pour lire la suite.",
        "footer": "© 2026 Le Courrier d'Asie · Mentions légales",
    },
}


def render(article: dict) -> str:
    """One article as a whole news page in its language's outlet layout."""
    lang = article["id"].split("-")[0]
    site = SITE[lang]
    e = html.escape
    paragraphs = article["paragraphs"]
    paywalled = article["id"] in PAYWALLED
    shown = paragraphs[:1] if paywalled else paragraphs
    body = "\n".join(f"      <p>{e(p)}</p>" for p in shown)
    if paywalled:
        body += f'\n      <div class="paywall" data-paywall="hard"><p>{e(site["paywall"])}</p></div>'
    nav = "".join(f'<li><a href="/section/{i}">{e(n)}</a></li>' for i, n in enumerate(site["nav"]))
    related = "".join(f'<li><a href="/story/{i}">{e(r)}</a></li>' for i, r in enumerate(site["related"]))
    share = "".join(f'<button class="share">{e(s)}</button>' for s in site["share"])
    comments = "".join(
        f'<li class="comment"><span class="author">{e(a)}</span><p>{e(t)}</p></li>' for a, t in site["comments"]
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
  <meta charset="utf-8">
  <title>{e(article["title"])} | {e(site["name"])}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <script>window.dataLayer = window.dataLayer || []; function track(){{dataLayer.push(arguments);}}</script>
</head>
<body>
  <header class="site-header">
    <a class="logo" href="/">{e(site["name"])}</a>
    <nav class="main-nav"><ul>{nav}</ul></nav>
    <div class="ticker">{e(site["ticker"])}</div>
  </header>
  <div class="ad ad-top"><span>{e(site["ad"])}</span><iframe src="/ads/top"></iframe></div>
  <main>
    <article class="story">
      <h1>{e(article["title"])}</h1>
      <div class="byline">{e(site["name"])} · 2026-11-23 08:10</div>
      <div class="share-bar">{share}</div>
{body}
    </article>
    <aside class="related"><h2>{e(site["related_title"])}</h2><ul>{related}</ul></aside>
    <div class="ad ad-mid"><span>{e(site["ad"])}</span></div>
    <section class="comments" id="comments"><h2>{e(site["comments_title"])}</h2><ul>{comments}</ul></section>
  </main>
  <footer><p>{e(site["footer"])}</p></footer>
</body>
</html>
"""


def load_articles() -> list[dict]:
    articles: list[dict] = []
    for path in sorted(HERE.glob("articles_*.yaml")):
        articles.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return articles


def main() -> int:
    PAGES.mkdir(exist_ok=True)
    articles = load_articles()
    for article in articles:
        (PAGES / f"{article['id']}.html").write_text(render(article), encoding="utf-8")
    print(f"{len(articles)} pages written to {PAGES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
