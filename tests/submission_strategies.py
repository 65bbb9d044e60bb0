"""Hypothesis strategies for what a caller may submit, shared by the model's and the endpoint's fuzzing."""

from hypothesis import strategies as st

FIELDS = ["name", "email", "organisation", "role", "country", "comment", "public", "updates", "locale", "source",
          "website", "altcha", "captcha"]
# Text that reaches the rules' edges: controls, bidi overrides, zero-width, formulas, URLs, long runs.
tricky_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(list("aZ =+-@.:/\t\n\r\x00\x1b\u202e\u200b\u2066\ufeffé\u0301ÿ")), max_size=40),
    st.sampled_from(["=HYPERLINK(\"x\")", "www.example.org", "see https://x.y", "Ann", "ann@example.org", "UA", "ua",
                     "en", "pt-BR", "partner.site", "A" * 121, "a" * 1001, "x@" + "a" * 250 + ".org"]),
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | tricky_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)
bodies = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=12), json_value, max_size=8)
form_bodies = st.dictionaries(st.sampled_from(FIELDS + ["cf-turnstile-response", "g-recaptcha-response"]), tricky_text, max_size=8)
