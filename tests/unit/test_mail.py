"""What goes into email headers cannot break out of them."""

from datetime import date

from undersigned.mail import already_signed_email, confirm_email, from_header

EXPIRES = date(2026, 12, 8)


def test_line_breaks_in_a_title_cannot_inject_headers():
    email = confirm_email("a@example.org", "Ann", "Letter\r\nBcc: victim@example.org", "https://v", "https://w", 7, "en", EXPIRES)
    assert "\r" not in email.subject and "\n" not in email.subject
    assert email.subject == "Confirm your signature: Letter Bcc: victim@example.org"


def test_sender_names_are_quoted_or_encoded():
    assert from_header('The "Coalition"\nBcc: x', "letters@example.org") == '"The Coalition Bcc: x" <letters@example.org>'
    encoded = from_header("Коаліція", "letters@example.org")
    assert encoded.startswith("=?utf-8?b?") and encoded.endswith(" <letters@example.org>")


def test_unknown_locales_fall_back_to_english():
    email = confirm_email("a@example.org", "Ann", "T", "https://v", "https://w", 7, "xx-YY", EXPIRES)
    assert email.subject.startswith("Confirm your signature")


def test_the_expiry_counts_days_in_the_plural_form_of_the_language():
    def expiry(lang: str, days: int) -> str:
        return confirm_email("a@example.org", "Ann", "T", "https://v", "https://w", days, lang, EXPIRES).text

    assert "діє 1 день, до 8 грудня 2026" in expiry("uk", 1)
    assert "діє 3 дні," in expiry("uk", 3)
    assert "діє 7 днів," in expiry("uk", 7)
    assert "діє 21 день," in expiry("uk", 21)
    assert "ważny przez 7 dni, do 8 grudnia 2026" in expiry("pl", 7)
    assert "valabil 20 de zile" in expiry("ro", 20)
    assert "صالح ليومين" in expiry("ar", 2) and "صالح لمدة 7 أيام" in expiry("ar", 7)
    assert "works for 1 day, until December 8, 2026" in expiry("en", 1)


def test_arabic_email_is_laid_out_right_to_left():
    email = confirm_email("a@example.org", "سارة", "رسالة", "https://v", "https://w", 7, "ar", EXPIRES)
    assert email.html.startswith('<!doctype html><html lang="ar" dir="rtl">')
    assert email.subject == "يُرجى تأكيد توقيعك: رسالة"
    polish = confirm_email("a@example.org", "Ann", "T", "https://v", "https://w", 7, "pl", EXPIRES)
    assert '<html lang="pl" dir="ltr">' in polish.html


def test_an_organisers_texts_for_the_language_come_first_and_never_cross_languages():
    own = {"uk": {"confirm_subject": "Підтвердіть, будь ласка: {title}"}, "en": {"confirm_body": "Our own words."}}
    ukrainian = confirm_email("a@example.org", "Ann", "Лист", "https://v", "https://w", 7, "uk", EXPIRES, own)
    assert ukrainian.subject == "Підтвердіть, будь ласка: Лист"
    assert "Our own words." not in ukrainian.text and "Дякуємо, що підписали «Лист»" in ukrainian.text
    english = confirm_email("a@example.org", "Ann", "T", "https://v", "https://w", 7, "en", EXPIRES, own)
    assert "Our own words." in english.text


def test_already_signed_in_the_signers_language():
    german = already_signed_email("a@example.org", "Offener Brief", "https://w", "de")
    assert german.subject == "Sie haben bereits unterschrieben: Offener Brief"
    assert "Unterschrift zurückziehen" in german.html and '<html lang="de" dir="ltr">' in german.html
