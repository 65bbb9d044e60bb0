/* Undersigned sign widget: the proof of work of campaigns with `human_check: altcha` (ALTCHA v2,
   PBKDF2), loaded by widget.js only for them. WebCrypto derives each key off the main thread and
   every derivation is awaited, so the page stays responsive while it searches. No library, no
   request: the challenge comes from the API, the solution goes back with the signature. */
const HASHES = { "PBKDF2/SHA-384": "SHA-384", "PBKDF2/SHA-512": "SHA-512" };
// Derivations in flight at once, for browsers whose WebCrypto runs them on several threads
// (on two cores it was as fast as one at a time: about 0.6 ms per derivation at cost 5,000).
const PARALLEL = 4;

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (text) => new Uint8Array((String(text).match(/../g) || []).map((h) => parseInt(h, 16)));
const base64 = (text) => btoa(Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join(""));

/* The `altcha` field for a challenge from GET /campaigns/{id}/challenge: base64 of
   {challenge, solution: {counter, derivedKey, time}}, as the server's `altcha` library reads it.
   The password is the nonce followed by the counter as a big-endian uint32. */
export async function solve(challenge) {
  const p = challenge.parameters;
  if (!/^PBKDF2/.test(p.algorithm)) throw new Error("unsupported algorithm " + p.algorithm);
  const nonce = unhex(p.nonce), prefix = String(p.keyPrefix || "").toLowerCase(), started = performance.now();
  const kdf = { name: "PBKDF2", hash: HASHES[p.algorithm] || "SHA-256", salt: unhex(p.salt), iterations: p.cost };
  const bits = 8 * (p.keyLength || 32);
  const derive = async (counter) => {
    const password = new Uint8Array(nonce.length + 4);
    password.set(nonce);
    new DataView(password.buffer).setUint32(nonce.length, counter);
    const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
    return hex(new Uint8Array(await crypto.subtle.deriveBits(kdf, key, bits)));
  };
  for (let counter = 0; counter <= 0xffffffff - PARALLEL; counter += PARALLEL) {
    if (p.expiresAt && Date.now() / 1000 > p.expiresAt) throw new Error("challenge expired");
    const keys = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => derive(counter + i)));
    const found = keys.findIndex((key) => key.startsWith(prefix));
    if (found >= 0) {
      const solution = { counter: counter + found, derivedKey: keys[found], time: Math.round(performance.now() - started) };
      return base64(JSON.stringify({ challenge, solution }));
    }
  }
  throw new Error("no solution");
}
