"""How the tools write a claim's figures, as ODD §10 shows them: a number with three
significant digits, and an effect with its 95% interval, from a row of claims.csv."""
import math


def number(text):
    """Three significant digits, fixed notation, Unicode minus, commas from 1,000.

    >>> number("0.0399312"), number("-0.2226"), number("2636.4"), number("0")
    ('0.0399', '−0.223', '2,636', '0')
    """
    x = float(text)
    if x == 0:
        return "0"
    digits = 2 - math.floor(math.log10(abs(x)))
    if digits <= 0:
        s = f"{round(x):,}"
    else:
        s = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return s.replace("-", "−")


def interval(row, prefix):
    """`row[prefix]` with `row[prefix + "_low"]` and `_high`, or a dash when empty.

    >>> interval({"effect": "1.2", "effect_low": "1.16", "effect_high": "1.23"}, "effect")
    '1.2 [1.16, 1.23]'
    >>> interval({"ablated": "", "ablated_low": "", "ablated_high": ""}, "ablated")
    '—'
    """
    value, low, high = row[prefix], row[prefix + "_low"], row[prefix + "_high"]
    if value == "":
        return "—"
    return f"{number(value)} [{number(low)}, {number(high)}]"
