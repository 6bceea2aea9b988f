"""The term lists behind `nkru.topic`: which words count for North Korea, for Russia, and what else matters.

Kept apart from the scoring code so an analyst can read (and argue with) every term and its weight.
Each entry is a regular expression in Python syntax; inner groups must be non-capturing. Conventions:

* English and Russian words get word boundaries; Russian words are stems (``Пхеньян\\w*`` matches
  "Пхеньяне", "Пхеньяна"), so inflections count.
* Korean has no spaces before particles ("북한이", "러시아와"), so Korean terms match as substrings; short
  or ambiguous ones ("북", "러", "조선") are guarded so "북극" (Arctic), "여러" or "조선업" (shipbuilding) don't count.
* Acronyms (DPRK, KCNA, TASS, SVR, КНДР, ...) are case-sensitive; everything else is case-insensitive.

Weights: 1.0 names the country outright (North Korea, Pyongyang, Kim Jong Un / Russia, Moscow, Putin);
0.8 is a less central person or place; 0.7 a news agency (usually just attribution); 0.5-0.6 a weak or
historical signal (Soviet, a bare "Kim", Kursk).
"""

from __future__ import annotations

from dataclasses import dataclass

NK = "nk"  # counts for North Korea
RU = "ru"  # counts for Russia
BOTH = "both"  # one token naming both ("북러", "Moscow-Pyongyang")
KOREA = "korea"  # "Korea"/"Korean" alone: not North Korea, only reported
SOUTH = "south"  # South Korea cues: lower the North Korea side
CUE = "cue"  # the beat's topics: a small bonus when both sides are present
COUNTRY = "country"  # other countries, to recognise enumerations
LIST_CUE = "list"  # words introducing a generic list ("adversaries such as")

HANGUL = "가-힣"
# Korean particles that may follow a one-syllable abbreviation ("북은", "러와").
_PARTICLE = "(?:은|는|이|가|과|와|의|도|에|을|를|에서|으로|로|한테)?"


@dataclass(frozen=True)
class Term:
    side: str
    weight: float
    pattern: str
    case_sensitive: bool = False
    key: str = ""  # canonical name of a country (list detection); defaults to the side


def _words(side: str, weight: float, *alternatives: str, cs: bool = False, key: str = "") -> list[Term]:
    """Whole words or phrases (English or Russian)."""
    return [Term(side, weight, rf"\b(?:{alt})\b", cs, key) for alt in alternatives]


def _stems(side: str, weight: float, *stems: str, cs: bool = False, key: str = "") -> list[Term]:
    """Russian stems: the start of a word, any ending."""
    return [Term(side, weight, rf"\b(?:{stem})\w*", cs, key) for stem in stems]


def _hangul(side: str, weight: float, *words: str, key: str = "") -> list[Term]:
    """Korean words: substrings, so particles attached after them don't matter."""
    return [Term(side, weight, word, False, key) for word in words]


def _hangul_short(side: str, weight: float, word: str, key: str = "") -> Term:
    """A one- or two-syllable Korean abbreviation ("북", "러"): standing alone, at most a particle after it."""
    return Term(side, weight, rf"(?<![{HANGUL}]){word}(?={_PARTICLE}(?![{HANGUL}]))", False, key)


_DASH = r"\s*[-–—/·]\s*"
_EN_NK = r"North[\s-]+Korea(?:n)?|N\.\s?Korea(?:n)?|DPRK|Pyongyang|Rason|Rajin|Tumangang"
_EN_RU = r"Russia(?:n)?|Moscow|Kremlin|Khasan|Vladivostok"
_RU_NK = r"КНДР|Пхеньян\w*|Расон\w*|Раджин\w*|Наджин\w*|Туманган\w*|северокорейск\w*"
_RU_RU = r"Росси\w*|российск\w*|Москв\w*|Хасан\w*"
_KO_NK = rf"북한|평양|나진|라선|두만강역|북(?={_PARTICLE}(?![{HANGUL}]))"
_KO_RU = rf"러시아|모스크바|하산|블라디보스토크|러(?={_PARTICLE}(?![{HANGUL}]))"

# Combined forms count for both sides. Listed first so they win over their parts.
BOTH_TERMS: list[Term] = [
    Term(BOTH, 1.0, rf"\b(?:{_EN_NK}){_DASH}(?:{_EN_RU})\b"),
    Term(BOTH, 1.0, rf"\b(?:{_EN_RU}){_DASH}(?:{_EN_NK})\b"),
    Term(BOTH, 1.0, r"\bRusso[\s-]+North[\s-]+Korean\b"),
    Term(BOTH, 1.0, r"\b(?:российско|русско)-(?:северо)?корейск\w*"),
    Term(BOTH, 1.0, r"\bсеверокорейско-(?:российск|русск)\w*"),
    Term(BOTH, 1.0, rf"\b(?:{_RU_NK}){_DASH}(?:{_RU_RU})\b"),
    Term(BOTH, 1.0, rf"\b(?:{_RU_RU}){_DASH}(?:{_RU_NK})\b"),
    Term(BOTH, 1.0, rf"(?<![{HANGUL}])(?:{_KO_NK}){_DASH}(?:{_KO_RU})"),
    Term(BOTH, 1.0, rf"(?<![{HANGUL}])(?:{_KO_RU}){_DASH}(?:{_KO_NK})"),
    Term(BOTH, 1.0, r"북러|러북|북[·\-]?중[·\-]?러"),
    Term(BOTH, 1.0, rf"(?<![{HANGUL}])조[·\-]?(?:러|로)(?=\s|[·,.]|$|관계|친선|조약|협력|수뇌|정상|회담|교류|무역)"),
]

NORTH_KOREA_TERMS: list[Term] = [
    # English
    *_words(NK, 1.0, r"North[\s-]+Korea(?:n|ns)?", r"N\.\s?Korea(?:n|ns)?"),
    *_words(NK, 1.0, r"Democratic\s+People['’]s\s+Republic\s+of\s+Korea", r"Pyongyang"),
    *_words(NK, 1.0, r"DPRK", r"D\.P\.R\.K", cs=True),
    *_words(NK, 1.0, r"Kim\s+J[ou]ng[\s-]?un", r"Kim\s+Yo[\s-]?jong", r"Choe\s+Son[\s-]?hui"),
    *_words(NK, 1.0, r"Korean\s+People['’]s\s+Army", r"Workers['’]?\s+Party\s+of\s+Korea"),
    *_words(NK, 0.8, r"Kim\s+Jong[\s-]?il", r"Kim\s+Il[\s-]?sung", r"Kim\s+Ju[\s-]?ae"),
    *_words(NK, 0.8, r"Pak\s+Thae[\s-]?song", r"Ri\s+Chang[\s-]?dae", r"Kim\s+Tok[\s-]?hun"),
    *_words(NK, 0.8, r"Ri\s+Pyong[\s-]?chol", r"Jo\s+Yong[\s-]?won", r"Kim\s+Song[\s-]?nam"),
    *_words(NK, 0.8, r"No\s+Kwang[\s-]?[Cc]hol", cs=True),
    *_words(NK, 0.8, r"KPA", r"WPK", cs=True),
    *_words(NK, 0.8, r"Rason", r"Rajin", r"Tumangang", r"Wonsan", r"Nampo", r"Sohae", r"Chongjin"),
    *_words(NK, 0.8, r"Yongbyon", r"Sinpo"),
    *_words(NK, 0.7, r"Korean\s+Central\s+News\s+Agency", r"Rodong\s+Sinmun"),
    *_words(NK, 0.7, r"KCNA", cs=True),
    *_words(NK, 0.6, r"Kalma", r"Hwasong(?:-\d+\w*)?"),
    *_words(NK, 0.6, r"KN-2[345]", cs=True),
    # A bare "Kim" ("Putin, Kim sign pact") but not a South Korean "Kim Keon-hee" or "Kim Ki-duk".
    *_words(NK, 0.5, r"Kim(?![\s-]+[A-Z])", cs=True),
    # Russian
    *_stems(NK, 1.0, r"северн\w*\s+коре[яиюе]", r"северокорейск", r"пхеньян"),
    *_stems(NK, 1.0, r"корейск\w*\s+народно-демократическ"),
    *_words(NK, 1.0, r"КНДР", cs=True),
    *_stems(NK, 1.0, r"Ким\s+Чен\s+Ын", r"Ким\s+[ЁЕ]\s+Чжон", r"Чо\s+Сон\s+Хи", cs=True),
    *_stems(NK, 1.0, r"трудов\w*\s+парти\w*\s+коре", r"корейск\w*\s+народн\w*\s+арми"),
    *_stems(NK, 0.8, r"Ким\s+Ир\s+Сен", r"Ким\s+Чен\s+Ир", r"Пак\s+Тхэ\s+Сон", r"Ли\s+Чхан\s+Дэ", cs=True),
    *_stems(NK, 0.8, r"Но\s+[ГК]ван\s+Чхол", r"Ким\s+Док\s+Хун", cs=True),
    *_stems(NK, 0.8, r"вонсан", r"расон", r"раджин", r"наджин", r"туманган", r"нампх?о"),
    *_words(NK, 0.7, r"ЦТАК", cs=True),
    *_stems(NK, 0.7, r"нодон\s+синмун", r"центральн\w*\s+телеграфн\w*\s+агентств\w*\s+кореи"),
    *_stems(NK, 0.6, r"кальма", r"хвасон"),
    *_words(NK, 0.5, r"Ким(?![\s-]+[А-ЯЁ])", cs=True),
    # Korean
    *_hangul(NK, 1.0, r"북한", r"조선민주주의인민공화국", r"평양(?!냉면)", r"김정은", r"김여정", r"최선희"),
    *_hangul(NK, 1.0, r"조선[노로]동당", r"조선인민군"),
    *_hangul(NK, 0.8, r"김일성", r"김정일", r"박태성", r"[리이]창대", r"노광철", r"김덕훈", r"인민군"),
    *_hangul(NK, 0.8, r"원산(?!지)", r"라선", r"나선(?:시|경제)", r"나진", r"두만강역", r"북중(?!미)"),
    *_hangul(NK, 0.7, r"조선중앙통신", r"[노로]동신문"),
    *_hangul(NK, 0.6, r"갈마", r"화성-?\d+형"),
    *_hangul(NK, 0.8, r"북측"),  # "the North's side"
    *_hangul(NK, 0.6, r"대북"),  # "towards the North": 대북 제재, sanctions on North Korea
    _hangul_short(NK, 0.8, "북"),
    # "조선" is how the North names itself, but also shipbuilding (조선업), the Joseon era and a Seoul daily.
    Term(
        NK,
        0.5,
        rf"(?<![{HANGUL}])조선(?!일보|업|소|족|시대|왕조|해양|사|호텔|총독|중기|후기|초기|말기|비|왕|인|반도|미술|백자|통신사)",
    ),
]

RUSSIA_TERMS: list[Term] = [
    # English
    *_words(RU, 1.0, r"Russia(?:n|ns)?", r"Russian\s+Federation", r"Moscow", r"Kremlin", r"Putin"),
    *_words(RU, 1.0, r"Lavrov", r"Shoigu", r"Belousov"),
    *_words(RU, 0.8, r"Naryshkin", r"Peskov", r"Zakharova", r"Medvedev", r"Volodin", r"Gerasimov"),
    *_words(RU, 0.8, r"Mishustin", r"Matviyenko", r"Matsegora"),
    *_words(RU, 0.6, r"Rudenko"),
    *_words(RU, 0.8, r"Vladivostok", r"Khasan", r"Primor(?:ye|sky|ie)", r"Roscosmos", r"Rosatom"),
    *_words(RU, 0.8, r"Vostochny", r"Khabarovsk", r"Nakhodka", r"Komsomolsk(?:-on-Amur)?"),
    *_words(RU, 0.8, r"SVR", cs=True),
    *_words(RU, 0.7, r"RIA\s+Novosti", r"Interfax"),
    *_words(RU, 0.7, r"TASS", cs=True),
    *_words(RU, 0.6, r"Kozlov", r"Kursk"),
    *_words(RU, 0.5, r"Soviet\s+Union", r"Soviets?"),
    *_words(RU, 0.5, r"USSR", cs=True),
    # Russian
    *_words(RU, 1.0, r"Росси(?:я|и|ю|ей)"),
    *_words(RU, 1.0, r"РФ", cs=True),
    *_stems(RU, 1.0, r"российск", r"россиян", r"москв", r"кремл"),
    *_stems(RU, 0.6, r"русск"),  # "русский язык": Russian, but more often the language or culture than the state
    *_stems(RU, 1.0, r"Путин", r"Лавров", r"Белоусов", cs=True),
    *_words(RU, 1.0, r"Шойгу"),
    *_stems(RU, 0.8, r"Нарышкин", r"Песков", r"Захаров", r"Медведев", r"Володин", r"Мишустин", cs=True),
    *_stems(RU, 0.8, r"Мацегор", r"Матвиенко", cs=True),
    *_stems(RU, 0.6, r"Руденко", cs=True),
    *_stems(RU, 0.8, r"владивосток", r"приморь", r"приморск\w*\s+кра", r"роскосмос", r"росатом", r"хабаровск"),
    *_stems(RU, 0.8, r"космодром\w*\s+восточн"),
    *_words(RU, 0.8, r"СВР", cs=True),
    *_words(RU, 0.7, r"ТАСС", cs=True),
    *_stems(RU, 0.7, r"РИА\s+Новост", r"Интерфакс"),
    *_stems(RU, 0.6, r"Козлов", r"Хасан", r"Курск", cs=True),
    *_words(RU, 0.5, r"СССР", cs=True),
    *_stems(RU, 0.5, r"советск"),
    # Korean
    *_hangul(RU, 1.0, r"러시아", r"로씨야", r"푸틴", r"모스크바", r"크렘린", r"라브로프", r"쇼이구"),
    *_hangul(RU, 1.0, r"벨로우소프"),
    *_hangul(RU, 0.8, r"나리시킨", r"나리쉬킨", r"페스코프", r"자하로바", r"메드베데프", r"마체고라"),
    *_hangul(RU, 0.8, r"블라디보스토크", r"연해주", r"로스코스모스", r"로사톰", r"보스토치니", r"하바롭스크"),
    *_hangul(RU, 0.7, r"타스통신", r"리아노보스티", r"인테르팍스"),
    *_hangul(RU, 0.6, r"코즐로프", r"쿠르스크", r"하산(?=역|과|\s*[-·])"),
    # "한러", "중러": Russia abbreviated right after another country's.
    Term(RU, 0.8, rf"(?<=[한중일미])러(?={_PARTICLE}(?![{HANGUL}]))"),
    *_hangul(RU, 0.5, r"소련", r"소비에트"),
    *_hangul(RU, 0.6, r"대러"),  # "towards Russia": 대러 제재, sanctions on Russia
    _hangul_short(RU, 0.8, "러"),
    _hangul_short(RU, 0.7, "타스"),
]

# "Korea" and "Korean" alone are not North Korea (in English news they usually mean the South).
KOREA_TERMS: list[Term] = [
    *_words(KOREA, 0.0, r"Korea(?:n|ns)?", r"Koreas"),
    *_words(KOREA, 0.0, r"коре(?:я|и|ю|е|ей|йск\w*|йц\w*)"),
]

SOUTH_KOREA_TERMS: list[Term] = [
    *_words(SOUTH, 1.0, r"South[\s-]+Korea(?:n|ns)?", r"S\.\s?Korea(?:n|ns)?", r"Republic\s+of\s+Korea"),
    *_words(SOUTH, 1.0, r"Seoul", r"Yoon(?:\s+Suk[\s-]?yeol)?", r"Lee\s+Jae[\s-]?myung", r"Yonhap"),
    *_words(SOUTH, 1.0, r"Moon\s+Jae[\s-]?in", r"Han\s+Duck[\s-]?soo", r"Cho\s+Tae[\s-]?yul"),
    *_words(SOUTH, 1.0, r"Kim\s+Keon[\s-]?hee", r"Korean[\s-]+Americans?", r"Koryo[\s-]?saram"),
    *_words(SOUTH, 1.0, r"Pyeong[Cc]hang", r"Gangwon", r"Busan", r"Incheon", r"Jeju"),
    *_words(SOUTH, 1.0, r"Samsung", r"Hyundai", r"K-pop", r"Korean\s+Air", r"Kia"),
    *_words(SOUTH, 1.0, r"ROK", cs=True),
    *_stems(SOUTH, 1.0, r"южн\w*\s+коре[яиюе]", r"южнокорейск", r"сеул", r"республик\w*\s+коре[яиюе]"),
    *_stems(SOUTH, 1.0, r"Юн\s+Сок\s+[ЁЕ]ль", r"Ли\s+(?:Чж|Дж)э\s+М[её]н", cs=True),
    *_stems(SOUTH, 1.0, r"[ЁЙ]нхап", r"пх[её]нчхан", r"пусан", r"самсунг", r"х[её]нд[эе]", r"кей-поп"),
    *_stems(SOUTH, 1.0, r"кор[её][\s-]?сарам"),
    *_hangul(SOUTH, 1.0, r"한국(?!어)", r"대한민국", r"서울", r"윤석열", r"이재명", r"연합뉴스", r"한[·\-]?(?=러)"),
    *_hangul(SOUTH, 1.0, r"평창", r"고려인", r"부산", r"삼성", r"K팝", r"케이팝", r"조선일보"),
    *_hangul(SOUTH, 1.0, r"우리\s?정부", r"한미", r"한일"),
]

CUE_TERMS: list[Term] = [
    # English
    *_words(CUE, 1.0, r"summits?", r"treat(?:y|ies)", r"pacts?", r"troops", r"soldiers", r"munitions"),
    *_words(CUE, 1.0, r"ammunition", r"missiles?", r"artillery", r"shells", r"satellites?", r"sanctions"),
    *_words(CUE, 1.0, r"visit(?:s|ed|ing)?", r"delegations?", r"talks", r"rail(?:way|ways)?", r"trains?"),
    *_words(CUE, 1.0, r"bridge", r"Tumen", r"labou?r(?:ers)?", r"workers", r"trade", r"touris(?:m|ts?)"),
    *_words(CUE, 1.0, r"flights?", r"cooperation", r"partnership", r"alliance", r"arms", r"weapons"),
    *_words(CUE, 1.0, r"drones?", r"military", r"submarines?", r"defen[cs]e"),
    # Russian
    *_stems(CUE, 1.0, r"саммит", r"договор", r"войск", r"солдат", r"военнослужащ", r"боеприпас"),
    *_stems(CUE, 1.0, r"ракет", r"снаряд", r"спутник", r"санкци", r"визит", r"делегаци", r"переговор"),
    *_stems(CUE, 1.0, r"железн\w*\s+дорог", r"поезд", r"мост", r"туманн", r"рабоч", r"торгов"),
    *_stems(CUE, 1.0, r"товарооборот", r"туризм", r"турист", r"рейс", r"авиасообщени", r"сотрудничеств"),
    *_stems(CUE, 1.0, r"партн[её]рств", r"оружи", r"вооружени", r"дрон", r"беспилотник", r"военн"),
    # Korean
    *_hangul(CUE, 1.0, r"정상회담", r"조약", r"파병", r"병력", r"군인", r"병사", r"포탄", r"탄약"),
    *_hangul(CUE, 1.0, r"미사일", r"위성", r"제재", r"방문", r"대표단", r"회담", r"철도", r"열차"),
    *_hangul(CUE, 1.0, r"대교", r"다리", r"두만강", r"노동자", r"무역", r"교역", r"관광", r"항공편"),
    *_hangul(CUE, 1.0, r"직항", r"협력", r"동맹", r"무기", r"드론", r"군사"),
]

LIST_CUE_TERMS: list[Term] = [
    *_words(LIST_CUE, 1.0, r"adversar(?:y|ies)", r"rivals?", r"foes?", r"enemies", r"autocrac(?:y|ies)"),
    *_words(LIST_CUE, 1.0, r"authoritarian\s+(?:states|regimes|countries|powers|governments)"),
    *_words(LIST_CUE, 1.0, r"rogue\s+(?:states|nations|regimes)", r"axis\s+of\s+\w+"),
    *_words(LIST_CUE, 1.0, r"hostile\s+(?:states|nations|powers|countries)"),
    *_words(LIST_CUE, 1.0, r"sanctioned\s+(?:countries|states|nations|jurisdictions)"),
    *_words(LIST_CUE, 1.0, r"(?:countries|nations|states|regimes)\s+(?:such\s+as|like|including)"),
    *_words(LIST_CUE, 1.0, r"threats?\s+(?:from|posed\s+by)", r"CRINK"),
    *_stems(LIST_CUE, 1.0, r"противник", r"недружественн", r"изго", r"враждебн", r"авторитарн"),
    *_stems(LIST_CUE, 1.0, r"стран\w*\s+(?:как|вроде|таких\s+как)", r"враг"),
    *_hangul(LIST_CUE, 1.0, r"적대국", r"적성국", r"권위주의\s?국가", r"불량\s?국가", r"독재\s?국가"),
    Term(LIST_CUE, 1.0, rf"(?<![{HANGUL}])등(?=\s|$|[,.])"),
]


def _country(key: str, english: str, russian: str, korean: str) -> list[Term]:
    """One country: English words, Russian stems and Korean words (not in the middle of a Korean word)."""
    terms = [*_words(COUNTRY, 1.0, english, key=key), *_stems(COUNTRY, 1.0, russian, key=key)]
    if korean:
        terms.append(Term(COUNTRY, 1.0, rf"(?<![{HANGUL}])(?:{korean})", False, key))
    return terms


# Other countries (and their capitals and adjectives), to recognise "Iran, Syria, Cuba, Russia, North Korea".
COUNTRY_TERMS: list[Term] = [
    *_country("iran", r"Iran(?:ian|ians)?|Tehran", r"иран|тегеран", r"이란"),
    *_country("syria", r"Syria(?:n|ns)?|Damascus", r"сири(?:я|и|ю|ей|йск)|дамаск", r"시리아"),
    *_country("cuba", r"Cuba(?:n|ns)?|Havana", r"куб(?:а|ы|е|у|ой)\b|кубинск|гаван", r"쿠바"),
    *_country("venezuela", r"Venezuela(?:n|ns)?|Caracas", r"венесуэл|каракас", r"베네수엘라"),
    *_country("china", r"China|Chinese|Beijing", r"кита[йяюе]|китайск|пекин", r"중국"),
    *_country("belarus", r"Belarus(?:ian|ians)?|Minsk", r"беларус|белорус|минск", r"벨라루스"),
    *_country("myanmar", r"Myanmar|Burma|Burmese", r"мьянм", r"미얀마"),
    *_country("afghanistan", r"Afghanistan|Afghan|Taliban", r"афганистан|талибан", r"아프가니스탄|탈레반"),
    *_country("eritrea", r"Eritrea(?:n)?", r"эритре", r"에리트레아"),
    *_country("nicaragua", r"Nicaragua(?:n)?", r"никарагуа", r"니카라과"),
    *_country("libya", r"Libya(?:n)?", r"ливи(?:я|и|ю|ей|йск)", r"리비아"),
    *_country("sudan", r"Sudan(?:ese)?", r"судан", ""),
    *_country("yemen", r"Yemen(?:i)?|Houthis?", r"йемен|хуситы", r"예멘|후티"),
    *_country("iraq", r"Iraq(?:i|is)?", r"ирак", r"이라크"),
    *_country("us", r"United\s+States|U\.S|America|American|Washington", r"америк", r"미국"),
    *_country("japan", r"Japan(?:ese)?|Tokyo", r"япони|японск|токио", r"일본"),
    *_country("india", r"India(?:n)?|New\s+Delhi", r"инди(?:я|и|ю|ей)\b|индийск|нью-дели", ""),
    *_country("ukraine", r"Ukraine|Ukrainian|Kyiv|Kiev", r"украин|киев", r"우크라이나"),
    *_country("turkey", r"Turkey|T[üu]rkiye|Turkish|Ankara", r"турци|турецк|анкар", r"튀르키예|터키"),
    *_country("israel", r"Israel(?:i)?", r"израил", r"이스라엘"),
    *_country("pakistan", r"Pakistan(?:i)?", r"пакистан", r"파키스탄"),
    *_country("vietnam", r"Vietnam(?:ese)?", r"вьетнам", r"베트남"),
    *_country("mongolia", r"Mongolia(?:n)?", r"монголи", r"몽골"),
    *_country("kazakhstan", r"Kazakhstan", r"казахстан", r"카자흐스탄"),
    *_country("uk", r"Britain|British|United\s+Kingdom", r"британи", r"영국"),
    *_country("france", r"France|French", r"франци", r"프랑스"),
    *_country("germany", r"Germany|German", r"германи", r"독일"),
    *_country("europe", r"European\s+Union", r"евросоюз", r"유럽연합"),
    # Acronyms: case-sensitive, or "us" and "ес" ("если") would count.
    *_words(COUNTRY, 1.0, r"US|USA", cs=True, key="us"),
    *_words(COUNTRY, 1.0, r"США", cs=True, key="us"),
    *_words(COUNTRY, 1.0, r"UK", cs=True, key="uk"),
    *_words(COUNTRY, 1.0, r"EU", r"ЕС", cs=True, key="europe"),
    *_words(COUNTRY, 1.0, r"PRC", r"КНР", cs=True, key="china"),
]

# The order matters: where two terms could match at the same place, the earlier one wins, so combined forms
# come before their parts and "South Korea", "Korean Air" or "Korean Central News Agency" before "Korean".
ALL_TERMS: list[Term] = [
    *BOTH_TERMS,
    *SOUTH_KOREA_TERMS,
    *NORTH_KOREA_TERMS,
    *RUSSIA_TERMS,
    *KOREA_TERMS,
    *CUE_TERMS,
    *LIST_CUE_TERMS,
    *COUNTRY_TERMS,
]
