"""symkkt/kernel/grammar.py under mutation testing (issue 14, tools/mutation.py).

The whitelist grammar decides which certificate numbers the kernel sees. These tests pin the
values (a wrong value is a wrong certificate) and the limits exactly at their boundary (one
more digit, exponent or level is refused; the boundary itself is accepted). They assert on
values and on the exception type, not on wording.
"""

import pytest
import sympy
from sympy import Integer, Rational, pi, sqrt

from symkkt.errors import InputError, InvalidArgument
from symkkt.kernel.grammar import (MAX_DEPTH, MAX_DIGITS, MAX_EXPONENT, MAX_TEXT_LENGTH,
                                   parse_exact, parse_number, to_text)

x = sympy.Symbol("x")


@pytest.mark.parametrize("text, value", [
    ("0.25", Rational(1, 4)), ("1.5e-3", Rational(3, 2000)), ("2e3", Integer(2000)),
    (".5", Rational(1, 2)), ("5.", Integer(5)), ("1_000", Integer(1000)), ("0.1_2", Rational(3, 25)),
    ("1e0", Integer(1)), ("12.5E+1", Integer(125)), ("0", Integer(0)),
    ("7 - 2 - 1", Integer(4)), ("2 - (3 - 1)", Integer(0)), ("12 / 3 / 2", Integer(2)),
    ("2 * 3 / 4", Rational(3, 2)), ("-2**2", Integer(-4)), ("+3", Integer(3)), ("--3", Integer(3)),
    ("2**-1", Rational(1, 2)), ("4**(1/2)", Integer(2)), ("8**(2/3)", Integer(4)),
    ("sqrt(8)", 2 * sqrt(2)), ("Rational(6, -4)", Rational(-3, 2)),
    ("sin(pi/6)", Rational(1, 2)), ("cos(pi)", Integer(-1)), ("cos(0)", Integer(1)),
    ("pi - pi", Integer(0)), ("(1/2)**(1/2)", sqrt(2) / 2), ("0**2", Integer(0)),
    ("0**(1/2)", Integer(0)), ("(-8)**(1/1)", Integer(-8)), ("(-2)**3", Integer(-8)),
])
def test_exact_values(text, value):
    got = parse_exact(text)
    assert got == value and sympy.simplify(got - value) == 0


def test_declared_names():
    assert parse_exact("2*x - x", {"x": x}) == x
    assert parse_exact("x**2 / x", {"x": x}) == x
    with pytest.raises(InputError):
        parse_exact("y", {"x": x})
    with pytest.raises(InputError):
        parse_exact("x**x", {"x": x})                   # symbolic exponent
    for bad in ({"pi": x}, {"sqrt": x}, {"1x": x}, {"x": "x"}, ["x"]):
        with pytest.raises(InvalidArgument):
            parse_exact("1", bad)


@pytest.mark.parametrize("text", [
    "1/0", "1/(2 - 2)", "Rational(1, 0)", "0**-1", "(-1)**(1/2)", "sqrt(-2)", "sqrt(1 - pi)",
    "Rational(1/2, 1)", "Rational(1, 2, 3)", "Rational(1)", "sqrt()", "sqrt(1, 2)",
    "sqrt(x=1)", "sqrt(*[1])", "f(1)", "x.y", "1 % 2", "1 // 2", "~1", "not 1", "1 < 2",
    "True", "None", "'1'", "1j", "0x10", "0o7", "0b1", "1e", "", "   ", "2**pi", "2**sqrt(2)",
    "sin(1)**(1/2) - sin(1)**(1/2) + (pi - pi - 1)**(1/2)", "(1,2)", "[1]", "1 if 1 else 2",
    "\x00", "1 +",
])
def test_refused_text(text):
    with pytest.raises(InputError):
        parse_exact(text)


def test_digit_limits_at_the_boundary():
    assert parse_exact("9" * MAX_DIGITS) == 10 ** MAX_DIGITS - 1
    with pytest.raises(InputError):
        parse_exact("9" * (MAX_DIGITS + 1))
    assert parse_exact("0." + "1" * (MAX_DIGITS - 1)) > 0
    with pytest.raises(InputError):
        parse_exact("1." + "1" * MAX_DIGITS)
    assert parse_exact(f"1e{MAX_EXPONENT}") == 10 ** MAX_EXPONENT
    assert parse_exact(f"1e-{MAX_EXPONENT}") == Rational(1, 10 ** MAX_EXPONENT)
    with pytest.raises(InputError):
        parse_exact(f"1e{MAX_EXPONENT + 1}")
    with pytest.raises(InputError):
        parse_exact(f"1e-{MAX_EXPONENT + 1}")


def test_exponent_limit_at_the_boundary():
    assert parse_exact(f"2**{MAX_EXPONENT}") == 2 ** MAX_EXPONENT
    assert parse_exact(f"x**-{MAX_EXPONENT}", {"x": x}) == x ** -MAX_EXPONENT
    with pytest.raises(InputError):
        parse_exact(f"x**{MAX_EXPONENT + 1}", {"x": x})
    with pytest.raises(InputError):
        parse_exact(f"x**({2 * MAX_EXPONENT + 1}/2)", {"x": x})
    with pytest.raises(InputError):
        parse_exact(f"(x**{MAX_EXPONENT})**2", {"x": x})     # in the built result


def test_text_length_at_the_boundary():
    ok = "1" + " " * (MAX_TEXT_LENGTH - 1)
    assert parse_exact(ok) == 1
    with pytest.raises(InputError):
        parse_exact(ok + " ")


def test_depth_at_the_boundary():
    assert parse_exact("-" * (MAX_DEPTH - 1) + "1") in (Integer(1), Integer(-1))
    with pytest.raises(InputError):
        parse_exact("-" * (MAX_DEPTH + 1) + "1")
    assert parse_exact("(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH) == 1
    with pytest.raises(InputError):
        parse_exact("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))
    # a long flat chain is one level
    assert parse_exact(" + ".join(["1"] * 200)) == 200
    assert parse_exact(" * ".join(["2"] * 60)) == 2 ** 60


def test_parse_number_types():
    assert parse_number(7) == 7 and parse_number("7/2") == Rational(7, 2)
    assert parse_number(-(10 ** MAX_DIGITS - 1)) == -(10 ** MAX_DIGITS - 1)
    for bad in (True, False, 0.5, None, [1], {"a": 1}):
        with pytest.raises(InputError):
            parse_number(bad)
    with pytest.raises(InputError):
        parse_number(10 ** MAX_DIGITS)
    with pytest.raises(InputError):
        parse_number("x")                                   # no names in a plain number
    with pytest.raises(InvalidArgument):
        parse_exact(3)


@pytest.mark.parametrize("value", [
    Rational(-1, 4), sqrt(2) / 2, Integer(2) ** Rational(2, 3), pi / 7, sympy.sin(pi / 7),
    1 / (x + 1) / 2, -(x + 1) * x, x ** Rational(1, 3), Integer(10) ** 1200 + 7,
    -Integer(10) ** 1001, Rational(1, 10 ** 1001),
])
def test_to_text_round_trips(value):
    names = {s.name: s for s in value.free_symbols}
    assert parse_exact(to_text(value), names) == value


def test_to_text_refuses():
    for bad in (sympy.Float(0.5), sympy.I, sympy.exp(x), x ** x, True, "1", 1.5,
                sympy.Symbol("pi"), sympy.Symbol("a b")):
        with pytest.raises(InvalidArgument):
            to_text(bad)
    assert to_text(3) == "3"


def test_bracket_depth_counts_brackets_not_operators():
    # 60 nested brackets around a flat chain: the AST is shallow, the brackets are not
    text = "(" * 30 + "1+" * 25 + "(" * 30 + "1" + ")" * 60
    with pytest.raises(InputError):
        parse_exact(text)
    # exactly MAX_DEPTH nested brackets, and more than MAX_DEPTH brackets in all: accepted
    text = "(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH + " + (2)"
    assert parse_exact(text) == 3


def test_numeric_sums_near_one_are_kept():
    # evalf(2) of these is 1.0: a value near 1 is fine, only values near 0 are refused
    assert parse_exact("sqrt(2) - 2/5") == sqrt(2) - Rational(2, 5)
    assert parse_exact("1 + sqrt(2)/1000") == 1 + sqrt(2) / 1000


def test_to_text_keeps_a_fractional_coefficient_over_a_denominator():
    for value in (Rational(2, 3) / (x + 1), Rational(-5, 7) / (x ** 2 + 1), Rational(1, 3) / x):
        text = to_text(value)
        assert parse_exact(text, {"x": x}) == value, text


def test_hard_bits_divides_out_every_small_prime_power():
    from symkkt.kernel.grammar import _hard_bits
    big = 2 ** 61 - 1                                  # a prime above 1000
    assert _hard_bits(big) == 61
    assert _hard_bits(8 * big) == 61                    # 2**3 divided out completely
    assert _hard_bits(3 ** 5 * 997 ** 2 * big) == 61
    assert _hard_bits(-8 * big) == 61
    assert _hard_bits(2 ** 40) == 0 and _hard_bits(1) == 0 and _hard_bits(0) == 0


@pytest.mark.parametrize("value", [
    Integer(10) ** MAX_DIGITS, -Integer(10) ** MAX_DIGITS, Rational(10 ** MAX_DIGITS, 3),
    Rational(1, 10 ** MAX_DIGITS), Rational(-7, 10 ** MAX_DIGITS),
])
def test_to_text_at_the_literal_limit(value):
    # exactly 10**MAX_DIGITS has MAX_DIGITS + 1 digits: it must be written in Horner form
    assert parse_exact(to_text(value)) == value


# --- the resource guards before a root (check_root), exactly at their limits. A product of
# numeric radicals r1**(1/3) * r2**(1/5) may be merged by sympy into a root of index 15 whose
# radicand has up to 14 * (bits of all factors): at most MAX_BITS = 14000 bits is accepted, and
# at most MAX_ROOT_BITS = 1000 bits without small prime factors (which sympy may have to factor).

_ODD_PRIMES = [int(p) for p in sympy.primerange(7, 1000)]


def _squarefree(bits, pool):
    """A product of distinct primes below 1000 taken from ``pool`` with exactly ``bits`` bits:
    its radicals stay unsimplified and it has no part without small prime factors."""
    n = 1
    while True:
        for p in pool:
            if (n * p).bit_length() == bits:
                pool.remove(p)
                return n * p
        n *= pool.pop()


def _radicands(total):
    pool = list(_ODD_PRIMES)
    return _squarefree(total // 2, pool), _squarefree(total - total // 2, pool)


def _root_product(total, coeff=""):
    p, q = _radicands(total)
    return f"{coeff}{p}**(1/3) * {q}**(1/5)", p, q


def test_a_product_of_radicals_at_the_size_limit():
    text, p, q = _root_product(1000)            # 14 * 1000 = 14000 bits: accepted
    assert parse_exact(text) == sympy.root(p, 3) * sympy.root(q, 5)
    with pytest.raises(InputError):             # 14 * 1001 bits: refused (two radicals)
        parse_exact(_root_product(1001)[0])
    # a rational factor is not a radicand: it does not count
    text, p, q = _root_product(999, "2 * ")
    assert parse_exact(text) == 2 * sympy.root(p, 3) * sympy.root(q, 5)


def test_a_power_of_a_product_of_radicals_at_the_size_limit():
    # (c * r1**(1/3) * r2**(1/5))**1: the rational factor c counts there (but not -1)
    text, p, q = _root_product(998, "2 * ")
    assert parse_exact(f"({text})**1") == 2 * sympy.root(p, 3) * sympy.root(q, 5)
    with pytest.raises(InputError):
        parse_exact(f"({_root_product(999, '2 * ')[0]})**1")
    text, p, q = _root_product(1000, "-")
    assert parse_exact(f"({text})**1") == -sympy.root(p, 3) * sympy.root(q, 5)


@pytest.mark.parametrize("den, accepted", [
    ("7 * 2**997", True), ("7 * 2**998", False),                   # 1000 and 1001 bits
    (str(sympy.prevprime(2 ** 71)), True), (str(sympy.nextprime(2 ** 71)), False),
])
def test_the_denominator_of_a_power_of_radicals_counts(den, accepted):
    # 14 * 1000 <= 14000 < 14 * 1001 bits; 14 * 71 <= 1000 < 14 * 72 hard bits
    text = f"(2**(1/3) * 3**(1/5) / ({den}))**1"
    if accepted:
        assert parse_exact(text) == sympy.root(2, 3) * sympy.root(3, 5) / parse_exact(den)
    else:
        with pytest.raises(InputError):
            parse_exact(text)


def test_a_square_root_at_the_hard_bits_limit():
    p1000, p1001 = sympy.prevprime(2 ** 1000), sympy.nextprime(2 ** 1000)
    assert parse_exact(f"sqrt({p1000})") == sqrt(p1000)
    with pytest.raises(InputError):
        parse_exact(f"sqrt({p1001})")
    # two 500-bit primes: 1000 hard bits in all; a rational factor does not count
    p1 = sympy.prevprime(2 ** 500)
    p2 = sympy.prevprime(p1)
    assert parse_exact(f"1009 * sqrt({p1}) * sqrt({p2})") == 1009 * sqrt(p1 * p2)


def test_a_square_root_of_a_radicand_at_the_size_limit():
    # (15 * 2**1996)**7 has exactly 14000 bits and no part without small prime factors
    value = parse_exact("sqrt((15 * 2**996 * 2**1000)**7)")
    assert value == 15 ** 3 * 2 ** 6986 * sqrt(15)


def test_zero_to_the_power_zero_is_one():
    assert parse_exact("0**0") == 1
    with pytest.raises(InputError):
        parse_exact("0**(-1)")


# --- the predicted size of a product (check_bits before sympy multiplies), at its limit: the
# sums of the factors' numerator bits, denominator bits and exponent bits (+ the bits of the
# number of factors) may each reach MAX_BITS = 14000, not more. 2**4666 + 1 has 4667 bits
# while its cube has 13999: the prediction, not the result, decides.

_BIG = "((2**1000)**4 * 2**666 + 1)"                   # 4667 bits
_BIG_1 = "((2**1000)**4 * 2**665 + 1)"                 # 4666 bits


def test_the_predicted_numerator_and_denominator_bits_of_a_product():
    big = parse_exact(_BIG)
    assert big == 2 ** 4666 + 1
    assert parse_exact(f"{_BIG} * {_BIG} * {_BIG_1}") == big ** 2 * (2 ** 4665 + 1)  # 14000
    with pytest.raises(InputError):
        parse_exact(f"{_BIG} * {_BIG} * {_BIG}")                                # 14001
    assert parse_exact(f"1 / {_BIG} / {_BIG} / {_BIG_1}") == 1 / (big ** 2 * (2 ** 4665 + 1))
    with pytest.raises(InputError):
        parse_exact(f"1 / {_BIG} / {_BIG} / {_BIG}")
    # a symbol factor has no numerator or denominator bits
    assert parse_exact(f"x * {_BIG} * {_BIG} * {_BIG_1}", {"x": x}) == \
        x * big ** 2 * (2 ** 4665 + 1)
    assert parse_exact(f"x / {_BIG} / {_BIG} / {_BIG_1}", {"x": x}) == \
        x / (big ** 2 * (2 ** 4665 + 1))
    # nor has pi
    assert parse_exact(f"pi * {_BIG} * {_BIG} * {_BIG_1}") == pi * big ** 2 * (2 ** 4665 + 1)
    assert parse_exact(f"pi / {_BIG} / {_BIG} / {_BIG_1}") == pi / (big ** 2 * (2 ** 4665 + 1))


def test_the_predicted_exponent_bits_of_a_product():
    # x**(1/2**2799): exponent bits 2800; five factors: 5 * 2800 + 3 (bits of 5) > 14000
    q, q3 = "(2**1000 * 2**1000 * 2**799)", "(2**1000 * 2**1000 * 2**796)"
    with pytest.raises(InputError):
        parse_exact(" * ".join([f"x**(1/{q})"] * 5), {"x": x})
    text = " * ".join([f"x**(1/{q})"] * 4 + [f"x**(1/{q3})"])      # 4 * 2800 + 2797 + 3
    assert parse_exact(text, {"x": x}) == x ** Rational(4 + 8, 2 ** 2799)
    # a rational factor has no exponent bits (and 6 factors still add 3 bits)
    assert parse_exact("3 * " + text, {"x": x}) == 3 * x ** Rational(4 + 8, 2 ** 2799)
    # nor has a symbol
    assert parse_exact("x * " + text, {"x": x}) == x ** (1 + Rational(4 + 8, 2 ** 2799))
    assert parse_exact("pi * " + text, {"x": x}) == pi * x ** Rational(4 + 8, 2 ** 2799)
    # the exponent of a power is not part of its numerator/denominator size: 2 * 0 bits, and
    # 7001 + 2 + 1 exponent bits
    assert parse_exact("(x**(1/(2**1000)**7))**2", {"x": x}) == x ** Rational(1, 2 ** 6999)


def test_the_predicted_bits_of_a_power():
    # ceil(|exponent|) * (bits of the base) may reach 14000, not more
    assert parse_exact("(2**13)**1000") == 2 ** 13000                      # 1000 * 14
    with pytest.raises(InputError):
        parse_exact("(2**14)**999")                                       # 999 * 15
    assert parse_exact("(1/2**13)**1000") == Rational(1, 2 ** 13000)
    with pytest.raises(InputError):
        parse_exact("(1/2**14)**999")
    # a fractional exponent counts as its ceiling: 2 * 7000 bits, then 2 * 7001
    assert parse_exact("((2**1000)**7 / 2)**(3/2)") == 2 ** 10498 * sqrt(2)
    with pytest.raises(InputError):
        parse_exact("((2**1000)**7)**(3/2)")


def test_the_predicted_bits_of_a_power_count_the_denominator_and_the_exponent():
    # (2**6998 / 5)**2: 2 * (6999 + 3) > 14000 (the result itself would fit); 2**6996: 14000
    assert parse_exact("((2**1000)**7 / 16 / 5)**2") == Rational(2 ** 13992, 25)
    with pytest.raises(InputError):
        parse_exact("((2**1000)**7 / 4 / 5)**2")
    # exponent bits: 3998 (1/2**3997) + 5001 + 5001 (the exponent (2**5000 + 1)/2**5000)
    e = "(((2**1000)**5 + 1)/(2**1000)**5)"
    value = parse_exact(f"(x**(1/((2**1000)**4 / 8)))**{e}", {"x": x})
    assert value == x ** Rational(2 ** 5000 + 1, 2 ** 8997)
    with pytest.raises(InputError):
        parse_exact(f"(x**(1/((2**1000)**4 / 2)))**{e}", {"x": x})   # 4000 + 5001 + 5001


def test_an_exact_root_of_a_big_perfect_power_needs_no_factoring():
    # p**2 has 1202 bits without small prime factors, but its square root is found by
    # integer_nthroot: accepted (a root that is not exact of such a number is refused)
    p = sympy.nextprime(2 ** 600)
    assert parse_exact(f"sqrt({p * p})") == p
    assert parse_exact(f"({p ** 3})**(1/3)") == p
    with pytest.raises(InputError):
        parse_exact(f"sqrt({p * (p + 2)})")


def test_underscores_do_not_count_as_digits():
    # exactly MAX_DIGITS digits with an underscore: accepted (the underscore is no digit)
    assert parse_exact("1_" + "0" * (MAX_DIGITS - 1)) == 10 ** (MAX_DIGITS - 1)
    assert parse_exact("1_" + "0" * (MAX_DIGITS - 2) + ".5") == \
        Rational(10 ** (MAX_DIGITS - 1) + 5, 10)
    with pytest.raises(InputError):
        parse_exact("1_" + "0" * MAX_DIGITS)
    # in the exponent too (leading zeros are digits)
    assert parse_exact("1e1_0") == 10 ** 10
    assert parse_exact("1e" + "0" * (MAX_DIGITS - 1) + "_1") == 10
    with pytest.raises(InputError):
        parse_exact("1e" + "0" * MAX_DIGITS + "_1")


# ------------------------------------------------------------ parses remembered per process


def test_parses_and_texts_are_remembered_but_errors_keep_their_place(monkeypatch):
    import symkkt.kernel.grammar as G

    G._PARSED.clear()
    G._WRITTEN.clear()
    x = sympy.Symbol("x")
    a = G.parse_exact("sqrt(2)/2 + x", {"x": x})
    assert G.parse_exact("sqrt(2)/2 + x", {"x": x}) is a and len(G._PARSED) == 1
    xp = sympy.Symbol("x", positive=True)
    b = G.parse_exact("sqrt(2)/2 + x", {"x": xp})        # another symbol table
    assert b != a and b.free_symbols == {xp} and len(G._PARSED) == 2
    for line in (3, 7):                                  # errors: not remembered
        with pytest.raises(InputError) as info:
            G.parse_exact("1/", source="f.toml", line=line, col=5)
        assert f"f.toml:{line}:" in str(info.value)
    assert len(G._PARSED) == 2
    t = G.to_text(sympy.sqrt(2) / 2)
    assert G.to_text(sympy.sqrt(2) / 2) is t and t == "sqrt(2)/2"
    assert G.to_text(3) == G.to_text(sympy.Integer(3)) == "3" and len(G._WRITTEN) == 3
    for _ in range(2):
        with pytest.raises(InvalidArgument):
            G.to_text(sympy.Float(0.5))
    assert len(G._WRITTEN) == 3
    monkeypatch.setattr(G, "_MEMO_MAX", 2)
    G._PARSED.clear()
    for n in range(5):
        assert G.parse_exact(f"{n}/7") == sympy.Rational(n, 7)
        assert len(G._PARSED) <= 2
