"""Property tests: keys in raw reject text (any text is safe; a written address is found)."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from dchkit.profile.reject_keys import reject_keys, rejects_holding

_SEPARATORS = st.sampled_from([",", ";", "\t", " ", '", "', "|"])


@given(st.lists(st.one_of(st.none(), st.text(max_size=80)), max_size=8))
def test_any_raw_text_gives_keys_of_its_own_rows(raws: list[str | None]) -> None:
    table = pa.table({"source": ["src"] * len(raws), "raw": raws})
    keys, rows = reject_keys(table)
    assert len(keys) == len(rows)
    assert all(0 <= r < len(raws) and raws[r] for r in rows)
    assert all("=" in k for k in keys)


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._", min_size=1, max_size=20).filter(
        lambda s: s[0].isalnum() and s[-1].isalnum() and ".." not in s
    ),
    st.lists(st.text(alphabet="abcxyz0123456789-/", max_size=12), max_size=4),
    _SEPARATORS,
)
def test_a_written_address_is_found_among_other_fields(
    local: str, fields: list[str], separator: str
) -> None:
    address = f"{local}@example.jp"
    raw = separator.join([*fields, address.upper(), *fields])
    table = pa.table({"source": ["crm"], "raw": [raw]})
    assert rejects_holding(table, [f"email={address}"]).tolist() == [True]
