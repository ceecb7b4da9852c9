import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradewind.core.normalize import (
    clean_text,
    company_key,
    company_pinyin,
    company_similarity,
    email_domain,
    normalize_email,
    normalize_phone,
    website_domain,
)


@pytest.mark.parametrize(
    "raw",
    [
        "+86 138 0013 8000",
        "0086-138-0013-8000",
        "13800138000",
        "(+86)138 0013 8000",
        "１３８００１３８０００",
    ],
)
def test_chinese_mobiles_in_every_common_form(raw):
    assert normalize_phone(raw, "CN") == "+8613800138000"


def test_landline_with_area_code_and_foreign_numbers():
    assert normalize_phone("(021) 6123-4567", "CN") == "+862161234567"
    assert normalize_phone("030 1234567", "DE") == "+49301234567"
    assert normalize_phone("+1 (415) 555-2671", "CN") == "+14155552671"


@pytest.mark.parametrize("raw", ["12", "abc", "+86 1"])
def test_impossible_phones_are_refused(raw):
    with pytest.raises(ValueError):
        normalize_phone(raw, "CN")


def test_email_and_domains():
    assert normalize_email("  Li.Na@Example.COM ") == "li.na@example.com"
    assert normalize_email("") == ""
    with pytest.raises(ValueError):
        normalize_email("li.na@")
    assert email_domain("buyer@qq.com") == "" and email_domain("buyer@163.com") == ""
    assert email_domain("buyer@hartmann-hw.de") == "hartmann-hw.de"
    assert website_domain("https://WWW.Hartmann-HW.de/en/") == "hartmann-hw.de"
    assert website_domain("hartmann-hw.de") == "hartmann-hw.de"
    assert website_domain("n/a") == ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ningbo Seawind Co., Ltd.", "NINGBO SEAWIND CO LTD"),
        ("宁波海风电器有限公司", "宁波海风电器股份有限公司"),
        ("ＡＢＣ　Trading Co.,Ltd", "abc trading co. ltd"),
        ("Mexicali Hogar S.A. de C.V.", "Mexicali Hogar"),
        ("Hartmann Haushaltswaren GmbH", "hartmann haushaltswaren"),
    ],
)
def test_same_company_same_key(a, b):
    assert company_key(a) == company_key(b)


def test_pinyin_meets_chinese_and_different_companies_differ():
    assert company_pinyin("宁波海风电器有限公司") == "ningbohaifengdianqi"
    assert company_similarity("宁波海风电器有限公司", "Ningbo Haifeng Dianqi Co., Ltd.") == 100
    assert company_similarity("宁波海风电器有限公司", "深圳优家电器有限公司") < 70
    assert company_similarity("", "x") == 0


@given(st.text(max_size=60))
def test_normalising_is_idempotent(text):
    assert clean_text(clean_text(text)) == clean_text(text)
    assert company_key(company_key(text)) == company_key(text) or not company_key(text)
