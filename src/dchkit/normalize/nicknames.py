"""English given names: nicknames and short forms mapped to their formal names.

Bob, Bobby, Rob and Robbie are all Robert; Peggy is Margaret. Some short forms belong to
several formal names (Chris: Christopher, Christina, Christine …; Alex: Alexander,
Alexandra), so :func:`given_name_key` returns a *tuple* of canonical forms, and two given
names are compatible when their tuples share a value. A name that is neither a nickname nor
a formal name in the table keys to itself (lower-cased, accents dropped).

The table is data: one line per formal name, listing the short forms that point to it.

Examples:
    >>> from dchkit.normalize import given_name_key
    >>> given_name_key("Bobby"), given_name_key("ROBERT"), given_name_key("Peggy")
    (('robert',), ('robert',), ('margaret',))
    >>> given_name_key("Chris")
    ('christian', 'christina', 'christine', 'christopher')
    >>> given_name_key("Taro")
    ('taro',)
"""

from __future__ import annotations

import functools
import re
from typing import Any

import pyarrow as pa

from dchkit.normalize._args import require_text
from dchkit.normalize._vector import map_distinct
from dchkit.normalize.text import clean_text, strip_latin_accents

__all__ = ["NICKNAMES", "given_name_key", "given_name_key_column"]

# formal name: the nicknames and short forms that refer to it
_FORMAL: dict[str, str] = {
    # men
    "abraham": "abe bram",
    "albert": "al bert bertie",
    "alexander": "alex alec alick lex sandy xander sasha",
    "alfred": "al alf alfie fred freddie",
    "allen": "al",
    "andrew": "andy drew",
    "anthony": "tony ant",
    "archibald": "archie",
    "arnold": "arnie",
    "arthur": "art artie",
    "augustus": "gus",
    "barnabas": "barney",
    "bartholomew": "bart",
    "benedict": "ben benny",
    "benjamin": "ben benji benjy benny",
    "bernard": "bernie barney",
    "bradley": "brad",
    "bradford": "brad",
    "charles": "charlie chuck chas chaz chip",
    "christian": "chris",
    "christopher": "chris kit topher",
    "clarence": "clare",
    "clifford": "cliff",
    "cornelius": "neil cornell",
    "curtis": "curt",
    "cyrus": "cy",
    "daniel": "dan danny",
    "david": "dave davey davy",
    "dennis": "denny",
    "donald": "don donnie",
    "douglas": "doug",
    "edgar": "ed eddie",
    "edmund": "ed eddie ned",
    "edward": "ed eddie ned ted teddy",
    "edwin": "ed eddie",
    "elijah": "eli lige",
    "eugene": "gene",
    "ezekiel": "zeke",
    "francis": "frank frankie fran",
    "franklin": "frank",
    "frederick": "fred freddie freddy rick",
    "gabriel": "gabe",
    "gerald": "gerry jerry",
    "gilbert": "gil bert",
    "gregory": "greg",
    "harold": "hal harry",
    "henry": "hank harry hal",
    "herbert": "herb bert",
    "howard": "howie",
    "isaac": "ike zack",
    "jacob": "jake jack",
    "james": "jim jimmy jamie",
    "jeffrey": "jeff",
    "jeremiah": "jerry",
    "jerome": "jerry",
    "john": "jack johnny jon",
    "jonathan": "jon jonny nathan",
    "joseph": "joe joey jos",
    "joshua": "josh",
    "kenneth": "ken kenny",
    "lawrence": "larry laurie",
    "leonard": "leo len lenny",
    "louis": "lou louie",
    "matthew": "matt matty",
    "michael": "mike mikey mick mickey",
    "mitchell": "mitch",
    "montgomery": "monty",
    "nathaniel": "nate nat nathan",
    "nicholas": "nick nicky nico",
    "oliver": "ollie",
    "patrick": "pat paddy",
    "peter": "pete",
    "philip": "phil pip",
    "phillip": "phil",
    "raymond": "ray",
    "reginald": "reg reggie",
    "richard": "rick ricky dick rich richie",
    "robert": "bob bobby rob robbie robby bert",
    "rodney": "rod",
    "ronald": "ron ronnie",
    "russell": "russ",
    "samuel": "sam sammy",
    "solomon": "sol",
    "stanley": "stan",
    "stephen": "steve stevie",
    "steven": "steve stevie",
    "stuart": "stu",
    "sylvester": "sly",
    "terrence": "terry",
    "theodore": "ted teddy theo",
    "thomas": "tom tommy",
    "timothy": "tim timmy",
    "tobias": "toby",
    "vincent": "vince vinny",
    "walter": "walt wally",
    "wesley": "wes",
    "wilfred": "will fred",
    "william": "bill billy will willie willy liam",
    "zachary": "zach zack",
    # women
    "abigail": "abby abbie gail",
    "adelaide": "addie ada",
    "agnes": "aggie nessa",
    "alexandra": "alex alexa sandra sandy lexie",
    "alice": "allie",
    "amanda": "mandy manda",
    "angela": "angie",
    "anne": "annie nan nancy",
    "barbara": "barb babs barbie",
    "beatrice": "bea trixie",
    "caroline": "carrie carol",
    "catherine": "cathy cat kate katie kitty",
    "charlotte": "lottie charlie",
    "christina": "chris tina chrissy",
    "christine": "chris chrissy tina",
    "cynthia": "cindy",
    "deborah": "deb debbie debby",
    "dorothy": "dot dottie dolly dora",
    "eleanor": "ellie nell nellie nora",
    "elizabeth": "liz lizzie beth betty betsy bess bessie eliza libby lisa elsie",
    "emily": "em emmy",
    "frances": "fran frannie fanny",
    "gabrielle": "gabby",
    "harriet": "hattie",
    "helen": "nell nellie",
    "jacqueline": "jackie",
    "janet": "jan",
    "jennifer": "jen jenny jenn",
    "jessica": "jess jessie",
    "josephine": "jo josie",
    "judith": "judy",
    "katherine": "kathy kate katie kitty kat",
    "kathleen": "kathy kate",
    "kimberly": "kim",
    "lillian": "lily lil",
    "louise": "lou",
    "madeline": "maddie maddy",
    "margaret": "peggy maggie meg marge margie greta daisy",
    "martha": "marty mattie patsy",
    "mary": "molly polly mae mamie",
    "matilda": "tilly mattie",
    "melissa": "mel missy",
    "miriam": "mimi",
    "pamela": "pam",
    "patricia": "pat patty patsy trish tricia",
    "rebecca": "becky becca",
    "roberta": "bobbie robbie",
    "rosalind": "roz",
    "samantha": "sam sammy",
    "sarah": "sally sadie",
    "stephanie": "steph stevie",
    "susan": "sue susie suzy",
    "suzanne": "sue suzy",
    "theresa": "terry tess tessa",
    "valerie": "val",
    "victoria": "vicky tori",
    "virginia": "ginny ginger",
    "winifred": "winnie freda",
    "veronica": "ronnie vera",
    "alberta": "bertie",
    "cassandra": "cassie sandy",
    "constance": "connie",
    "gwendolyn": "gwen",
    "isabella": "bella izzy",
    "isabel": "izzy bel",
    "penelope": "penny",
    "priscilla": "cilla",
    "prudence": "prue",
    "rosemary": "rosie",
    "wilhelmina": "mina billie",
    "antoinette": "toni",
    "antonia": "toni",
    "danielle": "dani",
    "nicole": "nikki",
    "natalie": "nat",
    "vanessa": "nessa",
}

#: Each nickname (lower case) and the formal names it can stand for, sorted.
NICKNAMES: dict[str, tuple[str, ...]] = {}
for _formal, _shorts in _FORMAL.items():
    for _short in _shorts.split():
        NICKNAMES[_short] = tuple(sorted({*NICKNAMES.get(_short, ()), _formal}))

_NOT_LETTER = re.compile(r"[^\w]+")


@functools.lru_cache(maxsize=1 << 16)
def _key(value: str | None) -> tuple[str, ...] | None:
    text = clean_text(value)
    if text is None:
        return None
    word = _NOT_LETTER.sub("", strip_latin_accents(text.split()[0]).casefold())
    if not word:
        return None
    if word in _FORMAL:
        return (word,)
    return NICKNAMES.get(word, (word,))


def given_name_key(value: str | None) -> tuple[str, ...] | None:
    """Return the canonical formal name(s) of a given name's first word; None if blank.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
    """
    return _key(require_text(value, "given_name_key"))


def given_name_key_column(values: Any) -> pa.Array:
    """Column form of :func:`given_name_key`: a ``list<string>`` array, one list per row."""
    return map_distinct(
        values,
        lambda v: None if (key := given_name_key(v)) is None else list(key),
        pa.list_(pa.string()),
        what="given_name_key_column",
    )
