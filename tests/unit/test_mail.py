"""What goes into email headers cannot break out of them."""

from datetime import date

from undersigned.mail import confirm_email, from_header

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
