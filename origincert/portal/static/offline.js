/* The public page a printed QR code opens (/V#OC2:...): decode the payload on this device and
 * check what a device can check alone. The payload is in the URL's fragment, which the browser
 * never sends to a server. Format: origincert/qr.py (OC2 embedded, OC2R reference). */
(function () {
  "use strict";
  var root = document.getElementById("offline");
  if (!root) { return; }
  var statusLine = document.getElementById("offline-status");
  var checks = document.getElementById("offline-checks");
  var facts = document.getElementById("offline-facts");
  var goods = document.getElementById("offline-goods");
  var B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  var STORE = "origincert-scanned-payload";
  var WORDS = JSON.parse(root.getAttribute("data-words") || "{}");

  // The page's sentences in the officer's language (public.py passes the catalogue's words).
  function t(text, values) {
    var out = WORDS[text] || text;
    Object.keys(values || {}).forEach(function (name) { out = out.split("%(" + name + ")s").join(String(values[name])); });
    return out;
  }

  function fail(message) { var e = new Error(message); e.shown = true; return e; }

  function say(text) { statusLine.textContent = text; }

  function addCheck(ok, title, message) {
    var li = document.createElement("li");
    li.className = "check " + (ok ? "check-ok" : "check-failed");
    var icon = document.createElement("span");
    icon.className = "check-icon";
    icon.textContent = ok ? "\u2713" : "\u2717";
    var body = document.createElement("div");
    var name = document.createElement("p");
    name.className = "check-name";
    name.textContent = title;
    var text = document.createElement("p");
    text.className = "check-message";
    text.textContent = message;
    body.appendChild(name);
    body.appendChild(text);
    li.appendChild(icon);
    li.appendChild(body);
    checks.appendChild(li);
  }

  function addFact(label, value) {
    if (value === undefined || value === null || value === "") { return; }
    var dt = document.createElement("dt");
    dt.textContent = label;
    var dd = document.createElement("dd");
    dd.textContent = String(value);
    facts.appendChild(dt);
    facts.appendChild(dd);
  }

  function b45decode(text) {
    var out = [];
    for (var i = 0; i < text.length; i += 3) {
      var chunk = text.slice(i, i + 3);
      var n = 0;
      for (var j = chunk.length - 1; j >= 0; j--) {
        var v = B45.indexOf(chunk[j]);
        if (v < 0) { throw fail(t("The code holds a character that is not Base45.")); }
        n = n * 45 + v;
      }
      if (chunk.length === 3) {
        if (n > 0xffff) { throw fail(t("The code is not valid Base45.")); }
        out.push(n >> 8, n & 0xff);
      } else if (chunk.length === 2) {
        if (n > 0xff) { throw fail(t("The code is not valid Base45.")); }
        out.push(n);
      } else {
        throw fail(t("The code is not valid Base45."));
      }
    }
    return new Uint8Array(out);
  }

  var CRC_TABLE = (function () {
    var table = [];
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) { c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; }
      table.push(c >>> 0);
    }
    return table;
  }());

  function crc32(bytes) {
    var c = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) { c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8); }
    return (c ^ 0xffffffff) >>> 0;
  }

  function hex(bytes) {
    var s = "0x";
    for (var i = 0; i < bytes.length; i++) { s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return s;
  }

  function Reader(bytes) { this.bytes = bytes; this.pos = 0; }
  Reader.prototype.take = function (n) {
    if (this.pos + n > this.bytes.length) { throw fail(t("The code is truncated.")); }
    var out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  };
  Reader.prototype.byte = function () { return this.take(1)[0]; };
  Reader.prototype.rest = function () { var out = this.bytes.subarray(this.pos); this.pos = this.bytes.length; return out; };
  Reader.prototype.varint = function () {
    var value = 0, scale = 1;
    for (var i = 0; i < 10; i++) {
      var b = this.byte();
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (!(b & 0x80)) { return value; }
    }
    throw fail(t("A number in the code is too large."));
  };

  function concat(parts) {
    var size = parts.reduce(function (n, p) { return n + p.length; }, 0);
    var out = new Uint8Array(size), at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  // The document's leaves ([path, value]) and shape (the length of every list, by path).
  function flatten(node, prefix, out, shape) {
    Object.keys(node).forEach(function (key) { walk(node[key], prefix + key, out, shape); });
    return out;
  }

  function walk(value, path, out, shape) {
    if (value === null) { return; }
    if (typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isSafeInteger(value))) {
      out.push([path, value]);
    } else if (Array.isArray(value)) {
      shape[path] = value.length;
      value.forEach(function (item, i) { walk(item, path + "[" + i + "]", out, shape); });
    } else if (typeof value === "object") {
      flatten(value, path + ".", out, shape);
    } else {
      throw fail(t("The certificate holds a value that cannot be checked (%(path)s).", { path: path }));
    }
  }

  function uint(n, size) {
    var out = new Uint8Array(size);
    for (var i = size - 1; i >= 0; i--) { out[i] = n % 256; n = Math.floor(n / 256); }
    return out;
  }

  function byPath(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  // The target hash (origincert/fields.py, format v2): per field SHA-256(salt || RFC 8785
  // [path, value]) with salt = HMAC-SHA256(seed, path)[:16]; then SHA-256(tag || u32(n) ||
  // n x (u16(len path) || path || hash) || u32(m) || m x (u16(len path) || path || u32(length))),
  // fields and lists each sorted by path.
  async function targetHash(documentValue, seed, tag) {
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle) { throw fail(t("This browser cannot hash here (the page must be opened over HTTPS).")); }
    var key = await subtle.importKey("raw", seed, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    var encoder = new TextEncoder();
    var shape = {};
    var leaves = flatten(documentValue, "", [], shape);
    var hashes = {};
    for (var [path, value] of leaves) {
      var salt = new Uint8Array(await subtle.sign("HMAC", key, encoder.encode(path))).subarray(0, 16);
      var pair = encoder.encode(JSON.stringify([path, value])); // RFC 8785 for strings, booleans, safe integers
      hashes[path] = new Uint8Array(await subtle.digest("SHA-256", concat([salt, pair])));
    }
    var parts = [encoder.encode(tag), uint(Object.keys(hashes).length, 4)];
    Object.keys(hashes).sort(byPath).forEach(function (p) {
      var raw = encoder.encode(p);
      parts.push(uint(raw.length, 2), raw, hashes[p]);
    });
    parts.push(uint(Object.keys(shape).length, 4));
    Object.keys(shape).sort(byPath).forEach(function (p) {
      var raw = encoder.encode(p);
      parts.push(uint(raw.length, 2), raw, uint(shape[p], 4));
    });
    return new Uint8Array(await subtle.digest("SHA-256", concat(parts)));
  }

  function keccak(bytes) { return new Uint8Array(window.keccak256.array(bytes)); }

  function rootFromProof(leaf, proof) {
    var node = leaf;
    proof.forEach(function (sibling) {
      node = hex(node) <= hex(sibling) ? keccak(concat([node, sibling])) : keccak(concat([sibling, node]));
    });
    return node;
  }

  function showDocument(doc) {
    var body = doc.issuing_body || {};
    addFact(t("Certificate number"), doc.number);
    addFact(t("Form"), doc.form);
    addFact(t("Issue date"), doc.issue_date);
    addFact(t("Issuing body (as named on the certificate)"), body.name);
    addFact(t("Exporter"), doc.exporter && doc.exporter.name);
    addFact(t("Consignee"), doc.consignee && doc.consignee.name);
    addFact(t("Importing country"), doc.importing_country);
    (doc.goods || []).forEach(function (item, i) {
      var li = document.createElement("li");
      li.textContent = t("Item %(number)s", { number: i + 1 }) + ": " + (item.description || "") + (item.hs_code ? " (HS " + item.hs_code + ")" : "");
      goods.appendChild(li);
    });
  }

  async function readEmbedded(r, zdict, tag) {
    var flags = r.byte();
    if (flags & ~1) { throw fail(t("The code has flags this page does not know.")); }
    r.varint(); // chain id
    var batchSize = r.varint();
    r.varint(); // leaf index
    r.varint(); r.varint(); r.varint(); // the signed anchor's terms: issuer id, epoch, deadline
    var proofLength = r.byte();
    r.take(20); // registry
    r.take(20); // signer: its standing is the ledger's to tell
    var seed = r.take(32), rootHash = r.take(32);
    r.take(65); // signature: recovered and checked online
    if (flags & 1) { r.take(32); }
    var proof = [];
    for (var i = 0; i < proofLength; i++) { proof.push(r.take(32)); }
    var text;
    try {
      text = window.pako.inflateRaw(r.rest(), { dictionary: zdict, to: "string" });
    } catch (e) {
      throw fail(t("The certificate in the code is not readable compressed data."));
    }
    if (typeof text !== "string") { throw fail(t("The certificate in the code is not readable compressed data.")); }
    var doc = JSON.parse(text);
    showDocument(doc);
    addCheck(true, t("Certificate read"), t("The code carries the whole certificate (%(count)s item(s)).", { count: (doc.goods || []).length }));
    var target = await targetHash(doc, seed, tag);
    var computed = rootFromProof(keccak(keccak(target)), proof);
    if (hex(computed) !== hex(rootHash)) {
      addCheck(false, t("Content and proof"), t("The content does not add up to the batch root in the code: do not accept it."));
      return false;
    }
    addCheck(true, t("Content and proof"), t("Every field adds up to the batch root the code names (%(count)s certificate(s) in the batch). Who signed that root, and whether the signer is an accredited issuing body, is checked online.", { count: batchSize }));
    return true;
  }

  function readReference(r) {
    var flags = r.byte();
    if (flags & ~1) { throw fail(t("The code has flags this page does not know.")); }
    r.varint(); // chain id
    r.varint(); // batch size
    r.varint(); // leaf index
    r.varint(); // issuer id
    var proofLength = r.byte();
    r.take(20); // registry
    var target = r.take(32);
    r.take(32); // root
    r.take(32 * proofLength); // the Merkle proof: the ledger's part, checked online
    var number = new TextDecoder("utf-8", { fatal: true }).decode(r.take(r.byte()));
    addFact(t("Certificate number"), number);
    addFact(t("Fingerprint"), hex(target).slice(0, 18) + "\u2026");
    if (flags & 1) { addFact(t("Portal"), new TextDecoder().decode(r.rest())); }
    addCheck(true, t("Reference read"), t("The code names certificate %(number)s but does not carry its content: compare the paper with the record online.", { number: number }));
    return true;
  }

  async function run() {
    var payload = "";
    try { payload = decodeURIComponent(window.location.hash.slice(1)); } catch (e) { payload = ""; }
    if (payload) {
      try { window.sessionStorage.setItem(STORE, payload); } catch (e) { /* private mode */ }
    } else {
      try { payload = window.sessionStorage.getItem(STORE) || ""; } catch (e) { payload = ""; }
    }
    var match = /^OC([0-9]+)(R?):/.exec(payload); // OC2: the whole certificate; OC2R: a reference
    if (!match) { throw fail(t("There is no origincert code in this link. Scan the QR code in box 11 of the certificate.")); }
    if (match[1] !== "2") { throw fail(t("This code uses another format version: check it online.")); }
    var online = document.getElementById("online-payload");
    if (online) { online.value = payload; document.getElementById("online-check").disabled = false; }
    var data = b45decode(payload.slice(match[0].length));
    if (data.length < 5) { throw fail(t("The code is truncated.")); }
    var body = data.subarray(0, data.length - 4);
    var stored = ((data[data.length - 4] << 24) >>> 0) + (data[data.length - 3] << 16) + (data[data.length - 2] << 8) + data[data.length - 1];
    if (crc32(body) !== stored) { throw fail(t("The code is damaged or was altered (its checksum does not match). Scan it again.")); }
    addCheck(true, t("Code intact"), t("The QR code was read completely and its checksum matches."));
    var zdict = Uint8Array.from(window.atob(root.getAttribute("data-zdict")), function (c) { return c.charCodeAt(0); });
    var r = new Reader(body);
    var ok = match[2] ? readReference(r) : await readEmbedded(r, zdict, root.getAttribute("data-target-tag"));
    say(ok
      ? t("This device found nothing wrong with the code. That is not a verification: check it online.")
      : t("This code does not hold together. Do not accept the certificate."));
    root.setAttribute("data-offline", ok ? "consistent" : "inconsistent");
  }

  if (typeof window.pako === "undefined" || typeof window.keccak256 === "undefined") {
    say(t("The decoder did not load. Sign in to the portal and scan the code there."));
    return;
  }
  run().catch(function (error) {
    say(error && error.shown ? error.message : t("The code could not be read on this device. Check it online."));
    root.setAttribute("data-offline", "unreadable");
  });
}());
