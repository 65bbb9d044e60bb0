/* Undersigned sign widget: <undersigned-sign campaign="…">, and the signatory wall
   <undersigned-signatories campaign="…" kind="organisation">. No dependencies, no cookies, no storage.
   Served by functions/widget/app.py, which fills in the version and the languages below. */
(() => {
  "use strict";
  const TAG = "undersigned-sign", WALL = "undersigned-signatories";
  if (customElements.get(TAG)) return;

  const VERSION = "%%UNDERSIGNED_VERSION%%";
  const SRC = (document.currentScript || {}).src || "";
  // The API is wherever this script came from: /widget.js or /widget/{version}/widget.js.
  const API = SRC.replace(/\/(widget\/[^/]+\/)?widget\.js([?#].*)?$/, "");
  // The catalogue's languages, filled in when the script is served.
  const LANGS = "%%UNDERSIGNED_LANGUAGES%%".split(",");
  const RTL = /^(ar|he|fa|ur|yi|ps|sd|ug|dv|ckb)\b/;
  const SOURCE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
  const COUNTRIES = ("ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCN" +
    "COCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMIN" +
    "IOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENF" +
    "NGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTL" +
    "TMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW").match(/../g);
  const FIELDS = ["name", "email", "organisation", "role", "country", "comment", "public", "updates"];
  const REFRESH_MS = 30000;
  // Asks the server every time (a 304 when unchanged): the browser would otherwise hand back
  // a stale count for up to 35 s (max-age 5 + stale-while-revalidate 30).
  const FRESH = "no-cache";

  const CSS = `
:host{display:block!important;min-height:1px!important;visibility:visible!important;opacity:1!important;contain:content}
:host([hidden]){display:none!important}
.w{all:initial;display:block;box-sizing:border-box;max-width:var(--undersigned-max-width,40em);
 font-family:var(--undersigned-font,inherit);font-size:max(16px,1rem);line-height:1.5;text-align:start;
 color:var(--undersigned-text,#1b1b1b);background:var(--undersigned-background,#fff);
 border:1px solid var(--undersigned-border,#6b6b6b);border-radius:var(--undersigned-radius,8px);padding:1em 1.25em;
 --a:var(--undersigned-accent,#1d4ed8);--at:var(--undersigned-accent-text,#fff);--m:var(--undersigned-muted,#4a4a4a);
 --e:var(--undersigned-error,#b3261e);--f:var(--undersigned-focus,#ffbf47);--fb:var(--undersigned-background,#fff)}
:host([theme=dark]) .w{color:var(--undersigned-text,#f1f1f1);background:var(--undersigned-background,#161616);
 border-color:var(--undersigned-border,#9a9a9a);--a:var(--undersigned-accent,#9db8ff);--at:var(--undersigned-accent-text,#111);
 --m:var(--undersigned-muted,#c8c8c8);--e:var(--undersigned-error,#ffb4ab);--fb:var(--undersigned-background,#161616)}
@media (prefers-color-scheme:dark){:host([theme=auto]) .w{color:var(--undersigned-text,#f1f1f1);background:var(--undersigned-background,#161616);
 border-color:var(--undersigned-border,#9a9a9a);--a:var(--undersigned-accent,#9db8ff);--at:var(--undersigned-accent-text,#111);
 --m:var(--undersigned-muted,#c8c8c8);--e:var(--undersigned-error,#ffb4ab);--fb:var(--undersigned-background,#161616)}}
*,*::before,*::after{box-sizing:inherit}
[hidden]{display:none!important}
h2,h3{font-size:1.25em;line-height:1.25;margin:0 0 .5em;font-weight:700}
h3{font-size:1.1em}
p{margin:0 0 .75em}
a{color:var(--a);text-decoration:underline}
summary{cursor:pointer;color:var(--a);text-decoration:underline;margin-bottom:.5em}
.st{white-space:pre-line}
.n{font-size:1.1em;margin:.5em 0}
.n b{font-size:1.4em}
.bar{height:.75em;border:1px solid currentColor;border-radius:999px;overflow:hidden;margin:0 0 1em}
.bar>div{height:100%;width:0;background:var(--a);transition:width .6s}
@media (prefers-reduced-motion:reduce){.bar>div{transition:none}}
.f{margin:0 0 1em}
label,.l{display:block;font-weight:700;margin-bottom:.25em}
.h{color:var(--m);margin:0 0 .25em;font-size:.9em}
input,select,textarea,button{font:inherit;color:inherit;letter-spacing:inherit;margin:0}
input[type=text],input[type=email],select,textarea{display:block;width:100%;min-height:2.75em;padding:.4em .6em;
 background:var(--fb);border:2px solid currentColor;border-radius:4px}
textarea{min-height:5em;resize:vertical}
[aria-invalid=true]{border-color:var(--e)!important;border-width:3px}
.c{display:flex;gap:.6em;align-items:flex-start;margin:0 0 .75em}
.c input{width:1.5em;height:1.5em;flex:none;margin-top:.1em;accent-color:var(--a)}
.c label{font-weight:400;margin:0}
button{display:inline-block;cursor:pointer;border:2px solid var(--a);border-radius:4px;padding:.55em 1.2em;min-height:2.75em;
 background:var(--a);color:var(--at);font-weight:700}
button.s{background:transparent;color:var(--a)}
button[aria-disabled=true]{opacity:.7;cursor:progress}
:focus-visible{outline:3px solid var(--f)!important;outline-offset:0;box-shadow:0 0 0 6px #0b0c0c}
.es,.x{border:4px solid var(--e);padding:1em;margin:0 0 1em}
.es:focus{outline:3px solid var(--f)}
.es ul{margin:0;padding-inline-start:1.25em}
.es a{color:var(--e);font-weight:700}
.err{color:var(--e);font-weight:700;margin:0 0 .25em}
.ok{border-inline-start:6px solid var(--a);padding-block:.25em;padding-inline:1em 0}
.ok:focus,.es:focus,li:focus{outline:3px solid var(--f)}
.hp{position:absolute!important;inset-inline-start:-10000px;width:1px;height:1px;overflow:hidden}
.sr{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
.sm{color:var(--m);font-size:.9em}
.pv{margin-top:.5em}
ul.sg{list-style:none;padding:0;margin:0 0 .75em}
ul.sg li{padding:.35em 0;border-bottom:1px solid var(--undersigned-border,#6b6b6b)}
fieldset{border:0;padding:0;min-width:0}
legend{padding:0}
.c input[type=radio]{width:1.4em;height:1.4em}
.v{font-size:.9em;white-space:nowrap}
`;
  let sheet;
  const style = (root) => {
    // A constructed sheet is shared by every instance and is not blocked by a host's CSP.
    if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && "replaceSync" in CSSStyleSheet.prototype) {
      if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
      root.adoptedStyleSheets = [sheet];
    } else {
      const el = document.createElement("style");
      el.textContent = CSS;
      root.prepend(el);
    }
  };

  const esc = (v) => String(v == null ? "" : v).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
  const fill = (text, values) => String(text).replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : ""));
  const cache = {};
  let solver;
  // Only campaigns that ask for a proof of work load the solver (an ES module beside this file).
  // A failed load is not kept: the signer's next try loads it again.
  const solve = (challenge) => (solver = solver || import(`${API}/widget/${VERSION}/altcha.js`)
    .catch((e) => { solver = null; throw e; })).then((m) => m.solve(challenge));
  const strings = (lang) => (cache[lang] = cache[lang] || fetch(`${API}/widget/${VERSION}/${lang}.json`, { credentials: "omit" })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error("strings " + r.status)))));

  // One signatory as a list shows them: an organisation by its name, with the domain its
  // signer's confirmed address is at ("verified: hopeforjustice.org"); a person by their name.
  const signatory = (p, s, lang, names) => {
    const where = p.country && names.of(p.country);
    if (p.kind === "organisation" && p.organisation) {
      const verified = p.organisation_domain ? ` <span class="v" part="verified">${fill(esc(s.verified), { domain: `<bdi>${esc(p.organisation_domain)}</bdi>` })}</span>` : "";
      const who = [p.name, p.role, where].filter(Boolean).map((v) => `<bdi>${esc(v)}</bdi>`).join(", ");
      return `<li tabindex="-1"><b><bdi>${esc(p.organisation)}</bdi></b>${verified}${who ? `<span class="sm"> · ${who}</span>` : ""}</li>`;
    }
    const more = [p.role, p.organisation, where].filter(Boolean).map((v) => `<bdi>${esc(v)}</bdi>`).join(", ");
    return `<li tabindex="-1"><b><bdi>${esc(p.name)}</bdi></b>${more ? `<span class="sm"> · ${more}</span>` : ""}</li>`;
  };

  // A list of signatories that grows by pages ("Show more"), for the sign widget and the wall.
  class Pages {
    constructor(host, section, query) { Object.assign(this, { host, section, query, cursor: null }); }

    async more(first, size) {
      const { host, section } = this, s = host._s, lang = host._lang;
      if (!first && !this.cursor) return 0;
      let page;
      try {
        page = await host._json(`/signatories?limit=${size}${this.query}${first ? "" : "&cursor=" + encodeURIComponent(this.cursor)}`);
      } catch (e) { return -1; }
      this.cursor = page.next_cursor;
      const names = new Intl.DisplayNames([lang], { type: "region" });
      const ul = section.querySelector("ul"), before = ul.children.length;
      ul.insertAdjacentHTML("beforeend", page.items.map((p) => signatory(p, s, lang, names)).join(""));
      section.querySelector("button").hidden = !this.cursor;
      if (!first && ul.children[before]) {
        ul.children[before].focus();
        host._say(fill(s.shown, { n: new Intl.NumberFormat(lang).format(page.items.length) }));
      }
      return page.items.length;
    }
  }

  const pickLang = (el) => {
    const page = el.parentElement && el.parentElement.closest("[lang]");
    const wanted = [el.getAttribute("lang"), page && page.lang, ...(navigator.languages || [])];
    for (const tag of wanted) {
      const base = String(tag || "").toLowerCase().split(/[-_]/)[0];
      if (LANGS.includes(base)) return base;
    }
    return "en";
  };

  class UndersignedSign extends HTMLElement {
    constructor() {
      super();
      // Until the widget has what it needs, the element's own content (a no-JS form) stays visible.
      this.attachShadow({ mode: "open" }).innerHTML = "<slot></slot>";
    }

    connectedCallback() {
      if (this._io) return;
      // A signer back from their mailbox: the count they return to should hold their signature.
      this._onReturn = this._onReturn || (() => { if (!document.hidden && this._shown && this._c) this._count(); });
      document.addEventListener("visibilitychange", this._onReturn);
      if (!window.IntersectionObserver) { this._visible(true); return; }
      this._io = new IntersectionObserver((entries) => this._visible(entries.some((e) => e.isIntersecting)), { rootMargin: "200px" });
      this._io.observe(this);
    }

    disconnectedCallback() {
      document.removeEventListener("visibilitychange", this._onReturn);
      if (this._io) this._io.disconnect();
      this._io = null;
      this._visible(false);
    }

    get campaign() { return this.getAttribute("campaign") || ""; }

    _emit(name, detail) {
      // Never personal data: the host page's analytics get what happened, not who.
      this.dispatchEvent(new CustomEvent("undersigned:" + name, {
        bubbles: true, composed: true,
        detail: Object.assign({ campaign: this.campaign, source: this._source() || null }, detail),
      }));
    }

    _source() {
      const s = this.getAttribute("source") || "";
      return SOURCE.test(s) ? s : "";
    }

    _url(path) { return `${API}/campaigns/${encodeURIComponent(this.campaign)}${path}`; }

    async _json(path, cache = "default") {
      const r = await fetch(this._url(path), { credentials: "omit", cache, headers: { accept: "application/json" } });
      if (!r.ok) throw new Error(path + " " + r.status);
      return r.json();
    }

    _visible(on) {
      this._shown = on;
      clearInterval(this._timer);
      if (!on) return;
      if (!this._started) { this._started = true; this._start(); return; }
      if (!this._c) return; // still loading: _start starts the refreshes
      if (Date.now() - this._at > REFRESH_MS) this._count();
      this._tick();
    }

    _tick() {
      clearInterval(this._timer);
      this._timer = setInterval(() => { if (!document.hidden) this._count(); }, REFRESH_MS);
    }

    async _start() {
      const lang = this._lang = pickLang(this);
      try {
        const [s, c, fresh] = await Promise.all([
          strings(lang).catch(() => strings(this._lang = "en")), this._json(`?lang=${lang}`), this._json("/count", FRESH).catch(() => null)]);
        this._s = s;
        // The campaign answer may be cached for a minute and more; /count's cache is seconds.
        this._c = fresh ? Object.assign(c, { count: fresh.count, goal: fresh.goal, organisations: fresh.organisations || 0 }) : c;
        this._at = Date.now();
      } catch (e) {
        this._started = false;
        this._emit("error", { code: "load_failed" });
        return;
      }
      this._render();
      if (this._shown) this._tick();
      this._emit("ready", { status: this._c.status, count: this._c.count, goal: this._c.goal });
    }

    async _count() {
      try {
        const c = await this._json("/count", FRESH);
        this._at = Date.now();
        if (c.count !== this._c.count || c.goal !== this._c.goal || (c.organisations || 0) !== (this._c.organisations || 0)) {
          Object.assign(this._c, { count: c.count, goal: c.goal, organisations: c.organisations || 0 });
          this._showCount();
          this._emit("count", { count: c.count, goal: c.goal });
        }
      } catch (e) { /* the last count stays on screen; the next tick tries again */ }
    }

    _render() {
      const s = this._s, c = this._c, lang = this._lang, root = this.shadowRoot;
      const paragraphs = String(c.statement || "").split(/\n\s*\n/).map((p) => `<p class="st" dir="auto">${esc(p.trim())}</p>`).join("");
      // `form-only`: the page around the element shows the letter, its count and its signatories itself.
      const full = !this.hasAttribute("form-only");
      root.innerHTML = `<div class="w" part="container" lang="${esc(lang)}" dir="${RTL.test(lang) ? "rtl" : "ltr"}">
<div class="sr" role="status" aria-live="polite" data-live></div>
${full ? `<h2 part="title" dir="auto">${esc(c.title)}</h2>
${paragraphs ? `<details part="statement"><summary>${esc(s.read)}</summary>${paragraphs}</details>` : ""}
<div part="count"><p class="n" data-n></p><div class="bar" part="progress" role="progressbar" aria-valuemin="0" aria-label="${esc(s.progress)}" data-bar><div part="progress-bar"></div></div></div>` : ""}
<div data-body></div>
${full ? `<section part="organisations" data-orgs hidden><h3 id="h-orgs">${esc(s.wall.organisation)}</h3><ul class="sg" aria-labelledby="h-orgs"></ul><button type="button" class="s" part="more">${esc(s.more)}</button></section>
<section part="signatories" data-list hidden><h3 id="h-latest">${esc(s.latest)}</h3><ul class="sg" aria-labelledby="h-latest"></ul><button type="button" class="s" part="more">${esc(s.more)}</button></section>` : ""}
</div>`;
      style(root);
      this._w = root.querySelector(".w");
      this._showCount();
      if (c.status === "closed") this._closed(); else this._form();
      if (full && c.public_signatories) this._lists();
    }

    async _lists() {
      // Readers look first for which organisations signed: where a letter has them they come
      // first, and the latest signatories below are the people.
      const orgs = this._c.organisations > 0, lists = [];
      if (orgs) lists.push(new Pages(this, this._$("[data-orgs]"), "&kind=organisation"));
      lists.push(new Pages(this, this._$("[data-list]"), orgs ? "&kind=person" : ""));
      for (const list of lists) {
        list.section.querySelector("button").addEventListener("click", () => list.more(false, 20));
        if (await list.more(true, 5) > 0) list.section.hidden = false;
      }
    }

    _$(sel) { return this._w.querySelector(sel); }

    _say(text) {
      const live = this._$("[data-live]");
      live.textContent = "";
      setTimeout(() => { live.textContent = text; }, 50);
    }

    _showCount() {
      if (!this._$("[data-n]")) return;
      const s = this._s, c = this._c, lang = this._lang, nf = new Intl.NumberFormat(lang);
      const bold = (forms, n) => fill(esc(forms[new Intl.PluralRules(lang).select(n)] || forms.other), { n: `<b>${nf.format(n)}</b>` });
      const orgs = Math.min(c.organisations || 0, c.count);
      // "Signed by 53 organisations and 4,210 people" where organisations signed, else "4,263 signatures".
      const count = orgs ? fill(esc(s.signed_by), { organisations: bold(s.organisations, orgs), people: bold(s.people, c.count - orgs) }) : bold(s.signatures, c.count);
      this._$("[data-n]").innerHTML = count + (c.goal ? ` <span class="sm">${esc(fill(s.goal, { n: nf.format(c.goal) }))}</span>` : "");
      const bar = this._$("[data-bar]");
      bar.hidden = !c.goal;
      if (c.goal) {
        bar.setAttribute("aria-valuemax", c.goal);
        bar.setAttribute("aria-valuenow", Math.min(c.count, c.goal));
        bar.setAttribute("aria-valuetext", fill(s.of, { n: nf.format(c.count), goal: nf.format(c.goal) }));
        bar.firstChild.style.width = Math.min(100, (100 * c.count) / c.goal) + "%";
      }
    }

    _closed() {
      this._$("[data-body]").innerHTML = `<p class="x" part="closed">${esc(this._s.closed)}</p>`;
    }

    _form() {
      const s = this._s;
      const input = (name, type, auto, required, extra) => `<div class="f" part="field" data-f="${name}">
<label for="f-${name}" part="label">${esc(s.label[name])}</label>${s.hint[name] ? `<p class="h" id="f-${name}-hint">${esc(s.hint[name])}</p>` : ""}
<input part="input" id="f-${name}" name="${name}" type="${type}" autocomplete="${auto}"${required ? " required aria-required=\"true\"" : ""}${s.hint[name] ? ` aria-describedby="f-${name}-hint"` : ""}${extra || ""}></div>`;
      const box = (name) => `<div class="c" part="field" data-f="${name}"><input part="checkbox" type="checkbox" id="f-${name}" name="${name}" value="true"${s.hint[name] ? ` aria-describedby="f-${name}-hint"` : ""}>
<div><label for="f-${name}" part="label">${esc(s.label[name])}</label>${s.hint[name] ? `<p class="h" id="f-${name}-hint">${esc(s.hint[name])}</p>` : ""}</div></div>`;
      const names = new Intl.DisplayNames([this._lang], { type: "region" });
      const collator = new Intl.Collator(this._lang);
      const options = COUNTRIES.map((code) => [code, names.of(code)]).sort((a, b) => collator.compare(a[1], b[1]))
        .map(([code, name]) => `<option value="${code}">${esc(name)}</option>`).join("");
      this._$("[data-body]").innerHTML = `<form part="form" novalidate>
<div class="es" part="error-summary" tabindex="-1" hidden><div role="alert"><h3>${esc(s.problem)}</h3><ul></ul><p data-x></p>
<button type="button" class="s" data-retry hidden>${esc(s.retry)}</button></div></div>
${input("name", "text", "name", true, ' maxlength="120"')}
${input("email", "email", "email", true, ' maxlength="254" spellcheck="false"')}
<fieldset class="f" part="field" data-f="signing_as"><legend class="l" part="label">${esc(s.signing_as.legend)}</legend>
<div class="c"><input part="radio" type="radio" id="f-signing_as" name="signing_as" value="person" checked><label for="f-signing_as" part="label">${esc(s.signing_as.person)}</label></div>
<div class="c"><input part="radio" type="radio" id="f-signing_as-organisation" name="signing_as" value="organisation"><label for="f-signing_as-organisation" part="label">${esc(s.signing_as.organisation)}</label></div></fieldset>
<div class="f" part="field" data-f="organisation"><label for="f-organisation" part="label">${esc(s.label.organisation)}</label>
<p class="h" id="f-organisation-hint" hidden>${esc(s.hint.organisation_for)}</p>
<input part="input" id="f-organisation" name="organisation" type="text" autocomplete="organization" maxlength="200"></div>
${input("role", "text", "organization-title", false, ' maxlength="120"')}
<div class="f" part="field" data-f="country"><label for="f-country" part="label">${esc(s.label.country)}</label>
<select part="input" id="f-country" name="country" autocomplete="country"><option value="">${esc(s.none)}</option>${options}</select></div>
<div class="f" part="field" data-f="comment"><label for="f-comment" part="label">${esc(s.label.comment)}</label>
<textarea part="input" id="f-comment" name="comment" rows="3" maxlength="1000"></textarea></div>
${box("public")}${box("updates")}
<div class="hp" aria-hidden="true"><label for="f-website">${esc(s.honeypot)}</label><input id="f-website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<button part="button" type="submit">${esc(s.sign)}</button>
<p class="sm pv">${esc(s.privacy)}</p>
</form>`;
      const form = this._$("form");
      form.addEventListener("submit", (e) => { e.preventDefault(); this._submit(); });
      for (const radio of form.querySelectorAll("[name=signing_as]")) radio.addEventListener("change", () => this._signingAs());
      // The proof of work starts while the signer fills in the form, so signing rarely waits for it.
      if (this._c.human_check === "altcha") form.addEventListener("focusin", () => this._prepare());
      this._$("[data-retry]").addEventListener("click", () => this._submit());
      this._$(".es").addEventListener("click", (e) => {
        const a = e.target.closest("a[data-to]");
        if (!a) return;
        e.preventDefault();
        const field = this._$("#f-" + a.dataset.to);
        field.focus();
        (this._$(`label[for="f-${a.dataset.to}"]`) || field).scrollIntoView({ block: "center" });
      });
    }

    _signingAs() {
      // On behalf of an organisation, the organisation is what is signed for: required, and the hint says how it is verified.
      const s = this._s, org = this._$("#f-signing_as-organisation").checked, field = this._$("#f-organisation");
      this._$("label[for=f-organisation]").textContent = org ? s.label.organisation_for : s.label.organisation;
      this._$("#f-organisation-hint").hidden = !org;
      field.required = org;
      if (org) field.setAttribute("aria-required", "true"); else field.removeAttribute("aria-required");
      const described = (field.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== "f-organisation-hint");
      if (org) described.unshift("f-organisation-hint");
      if (described.length) field.setAttribute("aria-describedby", described.join(" ")); else field.removeAttribute("aria-describedby");
    }

    _data() {
      const form = this._$("form"), data = { locale: this._lang };
      for (const el of form.elements) {
        if (!el.name) continue;
        if (el.type === "checkbox") data[el.name] = el.checked;
        else if (el.type === "radio") { if (el.checked) data[el.name] = el.value; }
        else if (el.value.trim() !== "" || el.name === "name" || el.name === "email") data[el.name] = el.value;
      }
      if (this._source()) data.source = this._source();
      return data;
    }

    async _solve() {
      const challenge = await this._json("/challenge");
      return { altcha: await solve(challenge), expires: challenge.parameters.expiresAt };
    }

    _prepare() {
      if (this._pow) return;
      const pow = this._pow = this._solve();
      pow.catch(() => { if (this._pow === pow) this._pow = null; });
    }

    async _proof() {
      // A solution is good for one submission: whatever the answer, the next one solves anew.
      const pow = this._pow;
      this._pow = null;
      let proof = pow && await pow.catch(() => null);
      if (!proof || proof.expires * 1000 - Date.now() < 60000) proof = await this._solve();
      return proof.altcha;
    }

    async _submit() {
      if (this._busy) return;
      const s = this._s, button = this._$("button[type=submit]"), data = this._data();
      this._busy = true;
      button.setAttribute("aria-disabled", "true");
      button.textContent = s.signing;
      this._$("form").setAttribute("aria-busy", "true");
      const check = this._c.human_check;
      this._say(check === "altcha" ? s.checking : s.sending);
      this._emit("submit", {});
      let r, body = {}, unproved = false;
      if (check === "altcha") {
        data.altcha = await this._proof().catch(() => { unproved = true; });
        if (!unproved) this._say(s.sending);
      } else if (check === "turnstile" || check === "hcaptcha") {
        // The host page's own provider widget leaves its one-use token here (docs/widget.md).
        if (this.getAttribute("captcha")) data.captcha = this.getAttribute("captcha");
        this.removeAttribute("captcha");
      }
      if (!unproved) try {
        r = await fetch(this._url("/signatures"), {
          method: "POST", credentials: "omit",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify(data),
        });
        body = await r.json().catch(() => ({}));
      } catch (e) { r = null; }
      this._busy = false;
      button.removeAttribute("aria-disabled");
      button.textContent = s.sign;
      this._$("form").removeAttribute("aria-busy");
      if (unproved) {
        this._problems([], s.check_failed, true);
        return this._emit("error", { code: "check_failed", status: 0 });
      }
      if (r && r.status === 202) return this._signed(data.email);
      const error = (body && body.error) || {};
      const code = r ? error.code || "http_" + r.status : "network_error";
      if (r && r.status === 410) {
        this._c.status = "closed";
        this._closed();
        this._$("[part=closed]").tabIndex = -1;
        this._$("[part=closed]").focus();
        return this._emit("error", { code, status: 410 });
      }
      if (r && r.status === 400 && Array.isArray(error.details) && error.details.length) {
        // A campaign that has just started asking for a proof of work: the next try brings one.
        if (error.details.some((d) => d.field === "altcha")) this._c.human_check = "altcha";
        this._problems(error.details, "");
        return this._emit("invalid", { fields: error.details.map((d) => d.field) });
      }
      let text = s.failed;
      if (!r || r.status >= 500) text = s.network;
      else if (r.status === 429) {
        const wait = Math.max(1, parseInt(r.headers.get("retry-after"), 10) || 60);
        const minutes = wait >= 90;
        text = fill(s.rate, { when: new Intl.RelativeTimeFormat(this._lang, { numeric: "auto" })
          .format(minutes ? Math.ceil(wait / 60) : wait, minutes ? "minute" : "second") });
      } else if (r.status === 403) text = s.forbidden;
      this._problems([], text, !r || r.status >= 500);
      this._emit("error", { code, status: r ? r.status : 0 });
    }

    _problems(details, text, retry) {
      const s = this._s, summary = this._$(".es");
      for (const f of this._w.querySelectorAll("[data-f]")) {
        const old = f.querySelector(".err");
        if (old) old.remove();
        const el = f.querySelector("input,select,textarea"), hint = f.querySelector("p.h:not([hidden])");
        el.removeAttribute("aria-invalid");
        if (hint) el.setAttribute("aria-describedby", hint.id);
        else el.removeAttribute("aria-describedby");
      }
      const items = [];
      for (const d of details) {
        // The API speaks English; other languages get this widget's own words for the field.
        const message = (this._lang === "en" ? d.message || s.error[d.field] : s.error[d.field] || d.message) || s.failed;
        const f = this._$(`[data-f="${d.field}"]`);
        if (!f) { items.push(`<li>${esc(message)}</li>`); continue; }
        items.push(`<li><a href="#f-${d.field}" data-to="${d.field}">${esc(message)}</a></li>`);
        const el = f.querySelector("input,select,textarea");
        const p = document.createElement("p");
        p.className = "err";
        p.id = `f-${d.field}-error`;
        p.setAttribute("part", "error");
        p.innerHTML = `<span class="sr">${esc(s.error_prefix)} </span>${esc(message)}`;
        if (el.type === "checkbox") f.lastElementChild.append(p);
        else if (el.type === "radio") f.querySelector("legend").after(p);
        else el.before(p);
        el.setAttribute("aria-invalid", "true");
        el.setAttribute("aria-describedby", ((el.getAttribute("aria-describedby") || "") + " " + p.id).trim());
      }
      summary.querySelector("ul").innerHTML = items.join("");
      summary.querySelector("ul").hidden = !items.length;
      summary.querySelector("[data-x]").textContent = text;
      summary.querySelector("[data-x]").hidden = !text;
      summary.querySelector("[data-retry]").hidden = !retry;
      summary.hidden = false;
      summary.focus();
      summary.scrollIntoView({ block: "nearest" });
    }

    _signed(email) {
      const s = this._s;
      this._$("[data-body]").innerHTML = `<div class="ok" part="success" tabindex="-1"><h3>${esc(s.check)}</h3>
<p>${fill(esc(s.check_text), { email: `<b><bdi>${esc(email)}</bdi></b>` })}</p><p class="sm">${esc(s.check_spam)}</p>
<button type="button" class="s" data-again>${esc(s.again)}</button></div>`;
      this._$("[data-again]").addEventListener("click", () => { this._form(); this._$("#f-name").focus(); });
      this._$(".ok").focus();
      this._say(s.check);
      this._emit("signed", {});
    }
  }

  // <undersigned-signatories campaign="…" kind="organisation|person" featured limit="20" lang="…">:
  // the public list on a partner's page, organisations with the domain that verified them.
  class UndersignedSignatories extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" }).innerHTML = "<slot></slot>";
    }

    get campaign() { return this.getAttribute("campaign") || ""; }

    connectedCallback() {
      if (!this._started) { this._started = true; this._start(); }
    }

    _url(path) { return `${API}/campaigns/${encodeURIComponent(this.campaign)}${path}`; }

    async _json(path) {
      const r = await fetch(this._url(path), { credentials: "omit", headers: { accept: "application/json" } });
      if (!r.ok) throw new Error(path + " " + r.status);
      return r.json();
    }

    _say(text) {
      const live = this.shadowRoot.querySelector("[data-live]");
      live.textContent = "";
      setTimeout(() => { live.textContent = text; }, 50);
    }

    async _start() {
      const lang = this._lang = pickLang(this);
      try {
        this._s = await strings(lang).catch(() => strings(this._lang = "en"));
      } catch (e) { this._started = false; return; }
      const s = this._s, kind = ["organisation", "person"].includes(this.getAttribute("kind")) ? this.getAttribute("kind") : "";
      const featured = this.hasAttribute("featured") && this.getAttribute("featured") !== "false";
      const size = Math.min(100, Math.max(1, parseInt(this.getAttribute("limit"), 10) || 20));
      const heading = this.getAttribute("heading") || (featured ? s.wall.featured : s.wall[kind || "all"]);
      const root = this.shadowRoot;
      root.innerHTML = `<div class="w" part="container" lang="${esc(this._lang)}" dir="${RTL.test(this._lang) ? "rtl" : "ltr"}">
<div class="sr" role="status" aria-live="polite" data-live></div>
<section part="signatories"><h2 id="h-wall" part="title">${esc(heading)}</h2><ul class="sg" part="list" aria-labelledby="h-wall"></ul>
<p class="sm" part="empty" hidden>${esc(s.none_yet)}</p><button type="button" class="s" part="more" hidden>${esc(s.more)}</button></section></div>`;
      style(root);
      const query = (kind ? `&kind=${kind}` : "") + (featured ? "&featured=true" : "");
      const list = new Pages(this, root.querySelector("section"), query);
      root.querySelector("[part=more]").addEventListener("click", () => list.more(false, size));
      const shown = await list.more(true, size);
      root.querySelector("[part=empty]").hidden = shown !== 0;
    }
  }

  customElements.define(TAG, UndersignedSign);
  customElements.define(WALL, UndersignedSignatories);
})();
