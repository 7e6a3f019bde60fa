//! origincert's native core: exact fast paths for the verifier's and the issuer's hot loops.
//!
//! Every function here answers exactly what the pure-Python reference in `origincert` answers,
//! or `None` ("not sure"): then the caller runs the reference, which gives the answer or the
//! refusal with its reason code. So a refusal never comes from here, and the set of inputs taken
//! by a fast path is kept small and plain (what the issuer writes); differential tests in
//! `tests/test_native.py` hold each function to its reference.
//!
//! - `json_clean(data)`: is `data` a plain JSON object the strict reader would take as it is
//!   (`origincert.safejson.load_json`): UTF-8, no byte order mark, nesting at most 100 deep, no
//!   duplicate key, no escape in a key, no surrogate escape, integers of at most 15 digits and no
//!   other numbers? `json_load(data)` builds the objects of such a text in the same pass (None
//!   otherwise); key names are interned by Python (whole strings compared), nothing else is
//!   kept between calls.
//! - `recompute_seeded(document, seed, shape)`: the leaves and lists of a document
//!   (`origincert.fields.flatten_with_shape`), every field's seeded salt and hash
//!   (`seeded_hashes`) and the target hash over the given shape (`target_hash`), in one call.
//! - `target_hash(hashes, shape)`: `origincert.fields.target_hash`.
//! - `hex_map(map, size)`: the proof's `0x` hex maps decoded (`origincert.issued._hex_map`).
//!
//! Each beside its reference, per certificate: `scripts/bench/native.py`.

use hmac::{Hmac, Mac};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString};
use sha2::{Digest, Sha256};

const MAX_JSON_DEPTH: usize = 100;
const MAX_DIGITS: usize = 15; // below 2**53: one integer, whichever parser reads it
const SAFE_INT: i64 = (1 << 53) - 1;
const SEED_BYTES: usize = 32;
const SALT_BYTES: usize = 16;
const TARGET_TAG: &[u8] = b"origincert:target:2";
/// Nesting the walk takes on (a JSON file nests at most 100 deep); deeper dicts and lists, only
/// possible from Python code, go to the reference rather than onto this thread's stack.
const MAX_WALK_DEPTH: usize = 200;
/// The longest value `hex_map` decodes itself (a signature is 65 bytes); longer: the reference.
const MAX_HEX_BYTES: usize = 128;

// ---------------------------------------------------------------------------------------------
// JSON pre-check

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
    keys: Vec<&'a [u8]>, // the keys of every object being read, innermost last
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the 8 bytes of `x` is a quote, a backslash or a control character (may say
/// yes for a byte after one that is: then the bytes are looked at one by one).
fn special(x: u64) -> bool {
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    (zero(x ^ (ONES * b'"' as u64))
        | zero(x ^ (ONES * b'\\' as u64))
        | (x.wrapping_sub(ONES * 0x20) & !x & HIGHS))
        != 0
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> bool {
        self.ws();
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().is_some(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => false,
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    /// `-?(0|[1-9][0-9]*)` of at most 15 digits, not followed by a fraction or an exponent.
    fn number(&mut self) -> bool {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        let digits = self.i - start;
        if digits == 0 || digits > MAX_DIGITS || (digits > 1 && self.b[start] == b'0') {
            return false;
        }
        !matches!(self.peek(), Some(b'.' | b'e' | b'E'))
    }

    /// The raw bytes between the quotes and whether they hold an escape; None when the string
    /// is not one the fast path takes (a control character, a bad or surrogate escape, no end).
    fn string(&mut self) -> Option<(&'a [u8], bool)> {
        self.i += 1; // the opening quote
        let start = self.i;
        let mut escaped = false;
        loop {
            while let Some(chunk) = self.b.get(self.i..self.i + 8) {
                if special(u64::from_le_bytes(chunk.try_into().ok()?)) {
                    break;
                }
                self.i += 8;
            }
            let c = *self.b.get(self.i)?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Some((&self.b[start..self.i - 1], escaped));
                }
                0x00..=0x1f => return None,
                b'\\' => {
                    escaped = true;
                    match *self.b.get(self.i + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 2,
                        b'u' => {
                            let hex = self.b.get(self.i + 2..self.i + 6)?;
                            let text = std::str::from_utf8(hex).ok()?;
                            if !text.bytes().all(|h| h.is_ascii_hexdigit()) {
                                return None;
                            }
                            let unit = u16::from_str_radix(text, 16).ok()?;
                            if (0xD800..=0xDFFF).contains(&unit) {
                                return None; // pairs and lone halves: the reference decides
                            }
                            self.i += 6;
                        }
                        _ => return None,
                    }
                }
                _ => self.i += 1,
            }
        }
    }

    fn object(&mut self, depth: usize) -> bool {
        if depth > MAX_JSON_DEPTH {
            return false;
        }
        self.i += 1;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return true;
        }
        let first = self.keys.len();
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return false;
            }
            match self.string() {
                // an escaped key may spell another key differently: the reference compares them
                Some((key, false)) => self.keys.push(key),
                _ => return false,
            }
            self.ws();
            if self.peek() != Some(b':') {
                return false;
            }
            self.i += 1;
            if !self.value(depth) {
                return false;
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return self.distinct_keys(first);
                }
                _ => return false,
            }
        }
    }

    /// No two keys of the object whose keys start at `first` are equal; they are dropped.
    fn distinct_keys(&mut self, first: usize) -> bool {
        let keys = &mut self.keys[first..];
        let distinct = if keys.len() <= 8 {
            (1..keys.len()).all(|i| !keys[..i].contains(&keys[i]))
        } else {
            keys.sort_unstable();
            keys.windows(2).all(|w| w[0] != w[1])
        };
        self.keys.truncate(first);
        distinct
    }

    fn array(&mut self, depth: usize) -> bool {
        if depth > MAX_JSON_DEPTH {
            return false;
        }
        self.i += 1;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return true;
        }
        loop {
            if !self.value(depth) {
                return false;
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return true;
                }
                _ => return false,
            }
        }
    }
}

/// True when `data` is a JSON object that `load_json` takes unchanged and that any correct JSON
/// parser reads as the same objects; False when the reference must decide.
#[pyfunction]
fn json_clean(data: &[u8]) -> bool {
    if data.starts_with(b"\xef\xbb\xbf") || std::str::from_utf8(data).is_err() {
        return false;
    }
    let mut scan = Scan {
        b: data,
        i: 0,
        keys: Vec::with_capacity(256),
    };
    scan.ws();
    if scan.peek() != Some(b'{') || !scan.value(0) {
        return false;
    }
    scan.ws();
    scan.i == data.len()
}

/// The value of the text between a string's quotes (UTF-8 checked, escapes decoded), or None.
fn text<'py>(py: Python<'py>, raw: &[u8], escaped: bool) -> Option<Bound<'py, PyString>> {
    if !escaped {
        return Some(PyString::new(py, std::str::from_utf8(raw).ok()?));
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let decoded = match *raw.get(i + 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hex = std::str::from_utf8(raw.get(i + 2..i + 6)?).ok()?;
                let unit = u32::from_str_radix(hex, 16).ok()?;
                i += 4;
                char::from_u32(unit)? // never a surrogate: the scan refused those
            }
            _ => return None,
        };
        i += 2;
        let mut utf8 = [0u8; 4];
        out.extend_from_slice(decoded.encode_utf8(&mut utf8).as_bytes());
    }
    Some(PyString::new(py, &String::from_utf8(out).ok()?))
}

/// The objects of a text `json_clean` takes, built as it is read (one pass).
struct Build<'a, 'py> {
    scan: Scan<'a>,
    py: Python<'py>,
}

impl<'a, 'py> Build<'a, 'py> {
    fn value(&mut self, depth: usize) -> Option<Bound<'py, PyAny>> {
        self.scan.ws();
        let py = self.py;
        match self.scan.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => {
                let (raw, escaped) = self.scan.string()?;
                Some(text(py, raw, escaped)?.into_any())
            }
            b't' => self
                .scan
                .literal(b"true")
                .then(|| PyBool::new(py, true).to_owned().into_any()),
            b'f' => self
                .scan
                .literal(b"false")
                .then(|| PyBool::new(py, false).to_owned().into_any()),
            b'n' => self.scan.literal(b"null").then(|| py.None().into_bound(py)),
            b'-' | b'0'..=b'9' => {
                let start = self.scan.i;
                if !self.scan.number() {
                    return None;
                }
                let digits = std::str::from_utf8(&self.scan.b[start..self.scan.i]).ok()?;
                let n: i64 = digits.parse().ok()?; // at most 15 digits: exact
                Some(n.into_pyobject(py).ok()?.into_any())
            }
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<Bound<'py, PyAny>> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.scan.i += 1;
        let dict = PyDict::new(self.py);
        self.scan.ws();
        if self.scan.peek() == Some(b'}') {
            self.scan.i += 1;
            return Some(dict.into_any());
        }
        let first = self.scan.keys.len();
        let mut members = 0usize;
        loop {
            self.scan.ws();
            if self.scan.peek() != Some(b'"') {
                return None;
            }
            // an escaped key may spell another key differently: the reference compares them
            let (key, false) = self.scan.string()? else {
                return None;
            };
            self.scan.keys.push(key);
            self.scan.ws();
            if self.scan.peek() != Some(b':') {
                return None;
            }
            self.scan.i += 1;
            let value = self.value(depth)?;
            // interned: one str per key name, as the standard library's parser shares them within
            // a call (smaller pickles for the worker processes); Python's table compares whole
            // strings and drops a name once no object holds it
            let name = PyString::intern(self.py, std::str::from_utf8(key).ok()?);
            dict.set_item(name, value).ok()?;
            members += 1;
            self.scan.ws();
            match self.scan.peek() {
                Some(b',') => self.scan.i += 1,
                Some(b'}') => {
                    self.scan.i += 1;
                    break;
                }
                _ => return None,
            }
        }
        // no key twice, by its bytes and again by the dict (Python's own equality of the keys)
        (self.scan.distinct_keys(first) && dict.len() == members).then(|| dict.into_any())
    }

    fn array(&mut self, depth: usize) -> Option<Bound<'py, PyAny>> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.scan.i += 1;
        let list = PyList::empty(self.py);
        self.scan.ws();
        if self.scan.peek() == Some(b']') {
            self.scan.i += 1;
            return Some(list.into_any());
        }
        loop {
            list.append(self.value(depth)?).ok()?;
            self.scan.ws();
            match self.scan.peek() {
                Some(b',') => self.scan.i += 1,
                Some(b']') => {
                    self.scan.i += 1;
                    return Some(list.into_any());
                }
                _ => return None,
            }
        }
    }
}

/// The dict `load_json` reads from `data` when `json_clean(data)` holds, built in the same pass
/// (nothing but Python's interned key names outlives the call); None when the reference must
/// decide.
#[pyfunction]
fn json_load<'py>(py: Python<'py>, data: &[u8]) -> Option<Bound<'py, PyAny>> {
    // UTF-8: outside strings the grammar takes ASCII only, and each string's bytes are checked
    // as its str is made, so the whole text is checked as json_clean checks it
    if data.starts_with(b"\xef\xbb\xbf") {
        return None;
    }
    let mut build = Build {
        scan: Scan {
            b: data,
            i: 0,
            keys: Vec::with_capacity(256),
        },
        py,
    };
    build.scan.ws();
    if build.scan.peek() != Some(b'{') {
        return None;
    }
    let value = build.value(0)?;
    build.scan.ws();
    (build.scan.i == data.len()).then_some(value)
}

// ---------------------------------------------------------------------------------------------
// Field hashes

/// `encode_basestring` (Python's C JSON string encoder, whose escapes are RFC 8785's), quoted.
fn push_json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for &c in s.as_bytes() {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x00..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(c >> 4) as usize]);
                out.push(HEX[(c & 15) as usize]);
            }
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

fn is_key(key: &str) -> bool {
    let b = key.as_bytes();
    match b.first() {
        Some(b'a'..=b'z' | b'_') => b[1..]
            .iter()
            .all(|c| matches!(c, b'a'..=b'z' | b'0'..=b'9' | b'_')),
        _ => false,
    }
}

struct Walk {
    mac: Hmac<Sha256>,
    path: String,
    pair: Vec<u8>,
    hashes: Vec<(String, [u8; 32])>,
    shape: Vec<(String, u64)>,
    depth: usize,
}

impl Walk {
    /// Hash the leaf at `self.path`; false when the reference must decide (it may refuse).
    fn value(&mut self, value: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.pair.clear();
        if value.is_exact_instance_of::<PyString>() {
            let Ok(text) = value.downcast::<PyString>()?.to_str() else {
                return Ok(false); // a lone surrogate: not UTF-8, the reference refuses it
            };
            self.pair.extend_from_slice(b"[\"");
            self.pair.extend_from_slice(self.path.as_bytes());
            self.pair.extend_from_slice(b"\",");
            push_json_string(&mut self.pair, text);
        } else if value.is_exact_instance_of::<PyBool>() {
            let word: &[u8] = if value.is_truthy()? {
                b"true"
            } else {
                b"false"
            };
            self.pair.extend_from_slice(b"[\"");
            self.pair.extend_from_slice(self.path.as_bytes());
            self.pair.extend_from_slice(b"\",");
            self.pair.extend_from_slice(word);
        } else if value.is_exact_instance_of::<PyInt>() {
            let Ok(n) = value.extract::<i64>() else {
                return Ok(false);
            };
            if !(-SAFE_INT..=SAFE_INT).contains(&n) {
                return Ok(false); // RFC 8785's float form: the reference's rfc8785 decides
            }
            self.pair.extend_from_slice(b"[\"");
            self.pair.extend_from_slice(self.path.as_bytes());
            self.pair.extend_from_slice(b"\",");
            self.pair.extend_from_slice(n.to_string().as_bytes());
        } else if self.depth >= MAX_WALK_DEPTH
            && (value.is_instance_of::<PyDict>() || value.is_instance_of::<PyList>())
        {
            return Ok(false);
        } else if value.is_exact_instance_of::<PyDict>() {
            let len = self.path.len();
            self.path.push('.');
            self.depth += 1;
            let ok = self.object(value.downcast::<PyDict>()?)?;
            self.depth -= 1;
            self.path.truncate(len);
            return Ok(ok);
        } else if value.is_exact_instance_of::<PyList>() {
            let list = value.downcast::<PyList>()?;
            self.shape.push((self.path.clone(), list.len() as u64));
            let len = self.path.len();
            self.depth += 1;
            for (i, item) in list.iter().enumerate() {
                self.path.push('[');
                self.path.push_str(&i.to_string());
                self.path.push(']');
                let ok = self.value(&item)?;
                self.path.truncate(len);
                if !ok {
                    return Ok(false);
                }
            }
            self.depth -= 1;
            return Ok(true);
        } else if value.is_none() {
            return Ok(true);
        } else {
            return Ok(false); // a float, a subclass, anything else: the reference refuses it
        }
        self.pair.push(b']');
        let mut mac = self.mac.clone();
        mac.update(self.path.as_bytes());
        let salt = mac.finalize().into_bytes();
        let mut h = Sha256::new();
        h.update(&salt[..SALT_BYTES]);
        h.update(&self.pair);
        self.hashes.push((self.path.clone(), h.finalize().into()));
        Ok(true)
    }

    fn object(&mut self, node: &Bound<'_, PyDict>) -> PyResult<bool> {
        let len = self.path.len();
        for (key, value) in node.iter() {
            if !key.is_exact_instance_of::<PyString>() {
                return Ok(false);
            }
            let Ok(key) = key.downcast::<PyString>()?.to_str() else {
                return Ok(false);
            };
            if !is_key(key) {
                return Ok(false);
            }
            self.path.push_str(key);
            let ok = self.value(&value)?;
            self.path.truncate(len);
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn target<'s>(
    mut hashes: Vec<(&'s str, &'s [u8])>,
    mut shape: Vec<(&'s str, u32)>,
) -> Option<[u8; 32]> {
    hashes.sort_unstable_by(|a, b| a.0.cmp(b.0)); // UTF-8 byte order is code point order
    shape.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut h = Sha256::new();
    h.update(TARGET_TAG);
    h.update((hashes.len() as u32).to_be_bytes());
    for (path, digest) in &hashes {
        if path.len() > 0xFFFF || digest.len() != 32 {
            return None;
        }
        h.update((path.len() as u16).to_be_bytes());
        h.update(path.as_bytes());
        h.update(digest);
    }
    h.update((shape.len() as u32).to_be_bytes());
    for (path, n) in &shape {
        if path.len() > 0xFFFF {
            return None;
        }
        h.update((path.len() as u16).to_be_bytes());
        h.update(path.as_bytes());
        h.update(n.to_be_bytes());
    }
    Some(h.finalize().into())
}

/// `shape` as (path, length) pairs when every key is a str and every length a u32.
fn shape_pairs<'py>(shape: &Bound<'py, PyDict>) -> PyResult<Option<Vec<(String, u32)>>> {
    let mut out = Vec::with_capacity(shape.len());
    for (key, value) in shape.iter() {
        let Ok(key) = key.downcast::<PyString>() else {
            return Ok(None);
        };
        let Ok(path) = key.to_str() else {
            return Ok(None);
        };
        if !value.is_exact_instance_of::<PyInt>() {
            return Ok(None);
        }
        let Ok(n) = value.extract::<u32>() else {
            return Ok(None);
        };
        out.push((path.to_owned(), n));
    }
    Ok(Some(out))
}

type Recomputed<'py> = (Bound<'py, PyDict>, Bound<'py, PyDict>, Bound<'py, PyBytes>);

/// Whether `stated` holds exactly `hashes`, in the same order (a file as the issuer wrote it).
fn same_hashes(stated: &Bound<'_, PyDict>, hashes: &[(String, [u8; 32])]) -> bool {
    stated.len() == hashes.len()
        && stated.iter().zip(hashes).all(|((key, value), (path, h))| {
            key.is_exact_instance_of::<PyString>()
                && value.is_exact_instance_of::<PyBytes>()
                && key
                    .downcast::<PyString>()
                    .ok()
                    .and_then(|k| k.to_str().ok())
                    == Some(path)
                && value
                    .downcast::<PyBytes>()
                    .map(|v| v.as_bytes() == h)
                    .unwrap_or(false)
        })
}

/// `(field hashes, shown shape, target hash)` of a full copy, or None. The target hash is over
/// `shape` (a verifier's committed shape), or over the shown shape when `shape` is None (an
/// issuer's commitment: one target hash, not one over an empty shape then the right one). When
/// the file's own `stated` hashes are those, in that order, that very dict is returned as the
/// field hashes (equal, key order included, and no new objects).
#[pyfunction]
#[pyo3(signature = (document, seed, shape=None, stated=None))]
fn recompute_seeded<'py>(
    py: Python<'py>,
    document: &Bound<'py, PyAny>,
    seed: &[u8],
    shape: Option<&Bound<'py, PyDict>>,
    stated: Option<&Bound<'py, PyDict>>,
) -> PyResult<Option<Recomputed<'py>>> {
    if seed.len() != SEED_BYTES || !document.is_exact_instance_of::<PyDict>() {
        return Ok(None);
    }
    let committed = match shape {
        Some(shape) => match shape_pairs(shape)? {
            Some(pairs) => Some(pairs),
            None => return Ok(None),
        },
        None => None,
    };
    let mut walk = Walk {
        mac: <Hmac<Sha256> as Mac>::new_from_slice(seed).expect("HMAC takes any key length"),
        path: String::with_capacity(64),
        pair: Vec::with_capacity(256),
        hashes: Vec::with_capacity(128),
        shape: Vec::with_capacity(8),
        depth: 0,
    };
    if !walk.object(document.downcast::<PyDict>()?)? {
        return Ok(None);
    }
    let over: Vec<(&str, u32)> = match &committed {
        Some(pairs) => pairs.iter().map(|(p, n)| (p.as_str(), *n)).collect(),
        None => {
            let mut own = Vec::with_capacity(walk.shape.len());
            for (p, n) in &walk.shape {
                let Ok(n) = u32::try_from(*n) else {
                    return Ok(None); // no u32 length: the reference decides
                };
                own.push((p.as_str(), n));
            }
            own
        }
    };
    let Some(digest) = target(
        walk.hashes
            .iter()
            .map(|(p, h)| (p.as_str(), &h[..]))
            .collect(),
        over,
    ) else {
        return Ok(None);
    };
    let hashes = match stated {
        Some(stated) if same_hashes(stated, &walk.hashes) => stated.clone(),
        _ => {
            let hashes = PyDict::new(py);
            for (path, h) in &walk.hashes {
                hashes.set_item(path, PyBytes::new(py, h))?;
            }
            hashes
        }
    };
    let shown = PyDict::new(py);
    for (path, n) in &walk.shape {
        shown.set_item(path, n)?;
    }
    Ok(Some((hashes, shown, PyBytes::new(py, &digest))))
}

/// `origincert.fields.target_hash(hashes, shape)`, or None.
#[pyfunction]
fn target_hash<'py>(
    py: Python<'py>,
    hashes: &Bound<'py, PyDict>,
    shape: &Bound<'py, PyDict>,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let mut pairs: Vec<(String, Vec<u8>)> = Vec::with_capacity(hashes.len());
    for (key, value) in hashes.iter() {
        let (Ok(key), Ok(value)) = (key.downcast::<PyString>(), value.downcast::<PyBytes>()) else {
            return Ok(None);
        };
        let Ok(path) = key.to_str() else {
            return Ok(None);
        };
        pairs.push((path.to_owned(), value.as_bytes().to_vec()));
    }
    let Some(committed) = shape_pairs(shape)? else {
        return Ok(None);
    };
    Ok(target(
        pairs
            .iter()
            .map(|(p, h)| (p.as_str(), h.as_slice()))
            .collect(),
        committed.iter().map(|(p, n)| (p.as_str(), *n)).collect(),
    )
    .map(|digest| PyBytes::new(py, &digest)))
}

/// Each byte's hex digit value, 16 for a byte that is not a hex digit (a table, not branches:
/// the digits of a hash are random, so a branch per digit is mispredicted half the time).
const UNHEX: [u8; 256] = {
    let mut table = [16u8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// `{key: bytes}` from `{key: "0x" + 2 * size hex digits}`, keys (each a plain str) kept as they
/// are; None when any key or value is not exactly that (the reference names the problem).
#[pyfunction]
fn hex_map<'py>(
    py: Python<'py>,
    map: &Bound<'py, PyDict>,
    size: usize,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    if size > MAX_HEX_BYTES {
        return Ok(None); // a proof's values are 16 or 32 bytes; `vec![0; 2**62]` aborts the process
    }
    let out = PyDict::new(py);
    let mut raw = vec![0u8; size];
    for (key, value) in map.iter() {
        // a key that is not exactly a str could run Python code (its __hash__) while `map` is
        // iterated, and a change of `map` then panics the iterator: the reference takes those
        if !key.is_exact_instance_of::<PyString>() || !value.is_exact_instance_of::<PyString>() {
            return Ok(None);
        }
        let Ok(text) = value.downcast::<PyString>()?.to_str() else {
            return Ok(None);
        };
        let b = text.as_bytes();
        if b.len() != 2 + 2 * size || &b[..2] != b"0x" {
            return Ok(None);
        }
        let mut bad = 0u8;
        for (byte, pair) in raw.iter_mut().zip(b[2..].chunks_exact(2)) {
            let (hi, lo) = (UNHEX[pair[0] as usize], UNHEX[pair[1] as usize]);
            bad |= hi | lo;
            *byte = hi << 4 | (lo & 15);
        }
        if bad & 16 != 0 {
            return Ok(None);
        }
        out.set_item(key, PyBytes::new(py, &raw))?;
    }
    Ok(Some(out))
}

#[pymodule]
fn origincert_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(json_clean, m)?)?;
    m.add_function(wrap_pyfunction!(json_load, m)?)?;
    m.add_function(wrap_pyfunction!(recompute_seeded, m)?)?;
    m.add_function(wrap_pyfunction!(target_hash, m)?)?;
    m.add_function(wrap_pyfunction!(hex_map, m)?)?;
    Ok(())
}
