"""Gold labels from a dataset column: an id of any integral number type, a quoted id, a name or a token.

    >>> from rewards.gold import gold_label_id
    >>> keys = {4: 4, "4": 4, "Excellent": 4, 3: 3, "3": 3, "Related": 3}
    >>> import numpy as np
    >>> gold_label_id(np.int64(3), keys, row=0), gold_label_id(np.array(4.0), keys, row=1), gold_label_id(None, keys, row=2)
    (3, 4, None)

Loaders hand labels over as numpy integers, 0-d arrays, floats (pandas turns an int column with a gap into
floats) or strings. Every integral value is accepted; anything that is not a label of the rule set (a misspelled
name, NaN, 3.5, an unknown id, a list) is bad gold data: `GoldLabelError` names the row and the fix. Skipping the
label component instead would give a right-format completion full reward on data whose labels are broken.
None means "no gold label" and leaves the component out, as documented.
"""

from __future__ import annotations

import decimal
import difflib
import math
import numbers
from typing import Any, Mapping

from rules.data.errors import DataError

REAL = (numbers.Real, decimal.Decimal)  # Decimal is not registered as a numbers.Real


def label_keys(rules: Any) -> dict[Any, int]:
    """Every way a dataset may write each label of a compiled rule set (id, quoted id, name, token) -> its id."""
    return {key: label.id for label in rules.ruleset.scale.labels
            for key in (label.id, str(label.id), label.name, label.token)}


class GoldLabelError(DataError):
    """A row's gold label is not a label of the rule set; `row` is its index in the batch's `label` column."""

    def __init__(self, row: int, value: Any, message: str, fix: str):
        self.row, self.value = row, value
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        super().__init__([], f"label[{row}]: {message} (got {shown}); {fix}")


def gold_label_id(value: Any, keys: Mapping[Any, int], row: int, rules_name: str = "the rule set") -> int | None:
    """The label id of a dataset `label` value; None for None (no gold label); GoldLabelError otherwise."""
    if value is None:
        return None
    value = _scalar(value)
    if isinstance(value, bool) or type(value).__name__ == "bool_":  # True == 1 would pass as label 1
        raise GoldLabelError(row, value, "a boolean is not a label", _fix(keys, rules_name))
    if isinstance(value, str):
        label = keys.get(value, keys.get(value.strip()))
        if label is None:
            raise GoldLabelError(row, value, f"not a label name, token or id of {rules_name}", _fix(keys, rules_name, value))
        return label
    if isinstance(value, numbers.Integral):
        number = int(value)
    elif isinstance(value, REAL) and math.isfinite(value) and float(value).is_integer():
        number = int(value)  # 3.0 from a float column; 3.5, NaN and inf fall through
    elif isinstance(value, REAL):
        raise GoldLabelError(row, value, "a label id must be a whole number", _fix(keys, rules_name))
    else:
        raise GoldLabelError(row, value, f"a {type(value).__name__} is not a label", _fix(keys, rules_name))
    label = keys.get(number)
    if label is None:
        raise GoldLabelError(row, value, f"no label with id {number} in {rules_name}", _fix(keys, rules_name))
    return label


def _scalar(value: Any) -> Any:
    """A numpy or torch scalar, or a 0-d array, as the plain Python value it holds."""
    if getattr(value, "shape", None) == () and callable(getattr(value, "item", None)):
        try:
            return value.item()
        except (TypeError, ValueError):
            return value
    return value


def _fix(keys: Mapping[Any, int], rules_name: str, value: Any = None) -> str:
    names = [k for k in keys if isinstance(k, str) and not k.isdigit()]
    close = difflib.get_close_matches(value, names, n=1) if isinstance(value, str) else []
    hint = f"did you mean {close[0]!r}? " if close else ""
    ids = sorted({v for v in keys.values()}, reverse=True)
    return (f"{hint}fix the row's `label` to one of the ids {ids} or names {names} of {rules_name} (None when the row "
            "has no gold label), or pass the rule file the data was labelled with")
