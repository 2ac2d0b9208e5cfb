"""North American numbers (+1) in their everyday spellings, normalized column-wise.

American exports write numbers ``(212) 555-0123``, ``212-555-0123``, ``212.555.0123``,
``2125550123``, ``1-212-555-0123`` or ``+1 212 555 0123``: digits with spaces, hyphens,
dots or brackets, which cleaning leaves alone and ``phone._key`` reduces to their digits
(see ``_phone_fast``). For those digits phonenumbers' parse is proven to give country
code 1 and the last ten digits as the national number (:func:`nanp_shortcut_holds`
checks the metadata facts it rests on); E.164 is ``+1`` and those digits. The region
(US, CA, PR …) and the line type are phonenumbers' own answers, computed over the whole
column with Arrow (``_phone_regions``). Everything else takes the scalar path, and
``tests/property/test_normalize_columnar.py`` checks both give the same.
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumber, PhoneNumberType
from phonenumbers.phonemetadata import PhoneMetadata

from dchkit.normalize._phone_fast import FastPhones, PlainNumbers, plain_numbers
from dchkit.normalize._phone_regions import regions_and_types
from dchkit.normalize._phone_types import is_possible_number

__all__ = ["nanp_fast_phones", "nanp_shortcut_holds"]

# Digits read with the shortcut: ``+1`` and ten digits (any region); in region US also ten
# digits, or the national prefix 1 and ten digits. The ten start with 2–9 (never 0 or 1).
_INTERNATIONAL = r"^1[2-9][0-9]{9}$"
_NATIONAL = r"^1?[2-9][0-9]{9}$"


@functools.cache
def nanp_shortcut_holds() -> bool:
    """Whether phonenumbers' metadata is the one the shortcut assumes.

    In region US, ``phonenumbers.parse`` reads ten digits ``[2-9]…``: no international
    prefix (``011``), no country code (they do not start with ``1``), no national prefix
    (``1``, by the national-prefix pattern ``1``): country code 1, the ten digits. Eleven
    digits ``1[2-9]…`` start with the country code 1, and as eleven is longer than every
    possible length (ten only) the rest is the national number (the national prefix ``1``
    does not start it). ``+1[2-9]…`` (any region): 1 is a country code (the first tried,
    one digit long) whose main region is the US, and the rest is the national number for
    the same reason. Each fact comes from the metadata checked here.
    """
    metadata = PhoneMetadata.metadata_for_region("US")
    if metadata is None or metadata.general_desc is None:
        return False
    general = metadata.general_desc
    regions = tuple(COUNTRY_CODE_TO_REGION_CODE.get(1, ()))
    return (
        metadata.country_code == 1
        and metadata.international_prefix == "011"
        and metadata.national_prefix_for_parsing == "1"
        and tuple(general.possible_length) == (10,)
        and 10 not in set(general.possible_length_local_only or ())
        and bool(regions)
        and regions[0] == "US"
        and is_possible_number(PhoneNumber(country_code=1, national_number=2125550123))
    )


def nanp_fast_phones(
    values: pa.Array,
    region: str,
    line_types: dict[int, str],
    plain: PlainNumbers | None = None,
) -> FastPhones:
    """Normalize the values of a string column that take the North American fast path.

    Args:
        values: The column (Arrow ``string``).
        region: The default region (national spellings take the path only in ``US``).
        line_types: Names of phonenumbers' number types (``phone._LINE_TYPES``).
        plain: ``plain_numbers(values)``, if already computed.

    Returns:
        The rows answered and their results; rows not in ``rows`` need the scalar path.
    """
    empty_text = pa.array([], pa.string())
    nothing = FastPhones(
        np.zeros(0, np.int64),
        empty_text,
        pa.array([], pa.bool_()),
        empty_text,
        empty_text,
        empty_text,
    )
    if not nanp_shortcut_holds():
        return nothing
    plain = plain if plain is not None else plain_numbers(values)
    digits, international = plain.digits, plain.international
    fast = pc.and_(international, pc.match_substring_regex(digits, _INTERNATIONAL))
    if region == "US":
        national = pc.and_(pc.invert(international), pc.match_substring_regex(digits, _NATIONAL))
        fast = pc.or_(fast, national)
    fast_np = pc.fill_null(fast, False).to_numpy(zero_copy_only=False)
    rows = plain.rows[fast_np]
    if not len(rows):
        return nothing
    numbers = pc.utf8_slice_codeunits(digits.filter(pa.array(fast_np)), -10)
    answer = regions_and_types(numbers, 1)
    if answer is None:
        return nothing
    region_of, kinds = answer
    valid = kinds != int(PhoneNumberType.UNKNOWN)
    distinct, inverse = np.unique(kinds, return_inverse=True)
    names = [
        line_types.get(int(kind), "unknown") if kind != int(PhoneNumberType.UNKNOWN) else None
        for kind in distinct
    ]
    return FastPhones(
        rows=rows,
        e164=pc.binary_join_element_wise("+1", numbers, ""),
        valid=pa.array(valid),
        line_type=pa.array(names, pa.string()).take(pa.array(inverse.reshape(-1), pa.int64())),
        region=region_of,
        reason=pc.if_else(pa.array(valid), pa.scalar(None, pa.string()), "phone_invalid"),
    )
