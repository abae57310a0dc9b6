"""Common English short forms of first names, for duplicate matching ("Bob" is "Robert").

Small on purpose: the names people most often shorten. A nickname may stand for several
names ("Alex": Alexander, Alexandra), so two first names match when they share one.
Keys and values are name keys (lower case, no accents).
"""

from __future__ import annotations

from functools import cache

_SHORT_FORMS = {
    "abigail": "abby abbie gail",
    "albert": "al bert bertie",
    "alexander": "alex alec sandy xander",
    "alexandra": "alex sandra sandy lexi",
    "alfred": "alf alfie fred",
    "amanda": "mandy",
    "andrew": "andy drew",
    "anthony": "tony",
    "barbara": "barb babs",
    "benjamin": "ben benny benji",
    "catherine": "cathy cat kate katie kathy",
    "charles": "charlie chuck chas chaz",
    "christina": "chris tina",
    "christine": "chris tina",
    "christopher": "chris kit topher",
    "cynthia": "cindy",
    "daniel": "dan danny",
    "david": "dave davy",
    "deborah": "deb debbie",
    "donald": "don donny",
    "dorothy": "dot dottie dolly",
    "douglas": "doug",
    "edward": "ed eddie ted ned",
    "eleanor": "ellie nell nora",
    "elizabeth": "liz lizzie beth betty bess eliza lisa libby",
    "frances": "fran frankie",
    "francis": "frank",
    "frederick": "fred freddie",
    "gerald": "gerry jerry",
    "gregory": "greg",
    "harold": "harry hal",
    "henry": "harry hank hal",
    "isabella": "bella izzy",
    "jacob": "jake",
    "james": "jim jimmy jamie",
    "jennifer": "jen jenny",
    "jessica": "jess jessie",
    "john": "jack johnny jon",
    "jonathan": "jon jonny",
    "joseph": "joe joey",
    "joshua": "josh",
    "judith": "judy",
    "katherine": "kate katie kathy kat",
    "kenneth": "ken kenny",
    "kimberly": "kim",
    "lawrence": "larry",
    "leonard": "leo len lenny",
    "margaret": "maggie meg peggy marge greta",
    "mary": "molly polly mae",
    "matthew": "matt",
    "michael": "mike mikey mick",
    "nathaniel": "nate nat",
    "nicholas": "nick nicky",
    "pamela": "pam",
    "patricia": "pat patty trish tricia",
    "patrick": "pat paddy",
    "peter": "pete",
    "philip": "phil",
    "rebecca": "becky becca",
    "richard": "rick ricky dick rich",
    "robert": "bob bobby rob robbie bert",
    "ronald": "ron ronnie",
    "samantha": "sam sammy",
    "samuel": "sam sammy",
    "stephen": "steve",
    "steven": "steve",
    "susan": "sue susie",
    "theodore": "ted teddy theo",
    "thomas": "tom tommy",
    "timothy": "tim timmy",
    "victoria": "vicky tori",
    "william": "bill billy will willy liam",
    "zachary": "zach zack",
}


@cache
def _names_for() -> dict[str, frozenset[str]]:
    names: dict[str, set[str]] = {}
    for full, short in _SHORT_FORMS.items():
        names.setdefault(full, set()).add(full)
        for nickname in short.split():
            names.setdefault(nickname, set()).add(full)
    return {key: frozenset(value) for key, value in names.items()}


def full_names(first: str) -> frozenset[str]:
    """The full names a first name may stand for, itself included: 'bob' -> {'robert'}."""
    return _names_for().get(first, frozenset()) | {first}


def same_person_names(a: str, b: str) -> bool:
    """Could these two first names be one person's? ('bob', 'robert'), ('bob', 'rob')."""
    return bool(full_names(a) & full_names(b))
