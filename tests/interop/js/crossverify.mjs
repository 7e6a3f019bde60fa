// Cross-checks origincert's credentials with independent JavaScript implementations, offline.
// Reads one JSON request on stdin, writes one JSON answer on stdout. Every JSON-LD context, DID
// document and status list comes from the request (`documents`): any other URL is an error, so
// nothing is fetched. Requests:
//   {op: "verify-sd", credential, documents}            digitalbazaar verifies a derived ecdsa-sd-2023 proof
//   {op: "derive-sd", credential, selectivePointers, documents}   digitalbazaar derives from a base proof
//   {op: "sign-sd", credential, keyPair, mandatoryPointers, documents, created}  digitalbazaar signs a base proof
//   {op: "trustvc-verify", credential, documents}       TrustVC verifyDocument, every fragment
//   {op: "trustvc-sign", credential, keyPair, mandatoryPointers, documents}   TrustVC signW3C
//   {op: "trustvc-derive", credential, selectivePointers, documents}         TrustVC deriveW3C
//   {op: "jose-verify", token, jwk}                     jose checks a vc+jwt (ES256 only)
//   {op: "ajv-validate", schema, instance}              ajv (draft 2020-12, formats) validates
import {createRequire} from 'node:module';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as ecdsaSd2023Cryptosuite from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import jsigs from 'jsonld-signatures';

const require = createRequire(import.meta.url);
const {purposes: {AssertionProofPurpose}} = jsigs;

function offlineLoader(documents) {
  return async url => {
    const [base] = url.split('#');
    if (Object.hasOwn(documents, url)) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(documents[url])};
    }
    if (url.startsWith('did:') && Object.hasOwn(documents, base)) {
      const didDoc = documents[base];
      const method = (didDoc.verificationMethod || []).find(m => m.id === url);
      if (!method) {
        throw new Error(`no method ${url}`);
      }
      return {
        contextUrl: null, documentUrl: url,
        document: {'@context': 'https://w3id.org/security/multikey/v1', ...structuredClone(method)}
      };
    }
    throw new Error(`offline loader refused ${url}`);
  };
}

// TrustVC's signW3C/deriveW3C take no document loader and fetch unknown contexts: global fetch
// is replaced by one that serves the request's documents and refuses everything else.
function offlineFetch(documents) {
  globalThis.fetch = async url => {
    const key = String(url);
    if (!Object.hasOwn(documents, key)) {
      throw new Error(`offline fetch refused ${key}`);
    }
    return new Response(JSON.stringify(documents[key]), {
      status: 200, headers: {'content-type': 'application/ld+json'}
    });
  };
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const documentLoader = offlineLoader(req.documents || {});
  offlineFetch(req.documents || {});
  const purpose = new AssertionProofPurpose();
  if (req.op === 'verify-sd') {
    const suite = new DataIntegrityProof({cryptosuite: ecdsaSd2023Cryptosuite.createVerifyCryptosuite()});
    const result = await jsigs.verify(req.credential, {suite, purpose, documentLoader});
    return {verified: result.verified, error: result.error ? String(result.error.errors || result.error) : null};
  }
  if (req.op === 'derive-sd') {
    const suite = new DataIntegrityProof({
      cryptosuite: ecdsaSd2023Cryptosuite.createDiscloseCryptosuite({selectivePointers: req.selectivePointers})
    });
    return {credential: await jsigs.derive(req.credential, {suite, purpose, documentLoader})};
  }
  if (req.op === 'sign-sd') {
    const keyPair = await EcdsaMultikey.from(req.keyPair);
    const suite = new DataIntegrityProof({
      signer: keyPair.signer(), date: req.created,
      cryptosuite: ecdsaSd2023Cryptosuite.createSignCryptosuite({mandatoryPointers: req.mandatoryPointers})
    });
    return {credential: await jsigs.sign(req.credential, {suite, purpose, documentLoader})};
  }
  if (req.op === 'trustvc-verify') {
    const {verifyDocument, isValid} = require('@trustvc/trustvc');
    const fragments = await verifyDocument(req.credential, {documentLoader});
    return {
      isValid: isValid(fragments),
      fragments: fragments.map(f => ({name: f.name, type: f.type, status: f.status, reason: f.reason || null}))
    };
  }
  if (req.op === 'trustvc-sign') {
    const {signW3C} = require('@trustvc/trustvc');
    const result = await signW3C(req.credential, req.keyPair, 'ecdsa-sd-2023', {mandatoryPointers: req.mandatoryPointers});
    if (result.error) {
      throw new Error(result.error);
    }
    return {credential: result.signed};
  }
  if (req.op === 'trustvc-derive') {
    const {deriveW3C} = require('@trustvc/trustvc');
    const result = await deriveW3C(req.credential, req.selectivePointers);
    if (result.error) {
      throw new Error(result.error);
    }
    return {credential: result.derived};
  }
  if (req.op === 'jose-verify') {
    const jose = await import('jose');
    const key = await jose.importJWK(req.jwk, 'ES256');
    try {
      const {payload, protectedHeader} = await jose.compactVerify(req.token, key, {algorithms: ['ES256']});
      return {verified: true, header: protectedHeader, payload: JSON.parse(new TextDecoder().decode(payload))};
    } catch (e) {
      return {verified: false, error: String(e.code || e)};
    }
  }
  if (req.op === 'ajv-validate') {
    const {default: Ajv2020} = await import('ajv/dist/2020.js');
    const {default: addFormats} = await import('ajv-formats');
    const ajv = new Ajv2020({strict: false, allErrors: true});
    addFormats(ajv);
    const validate = ajv.compile(req.schema);
    const valid = validate(req.instance);
    return {valid, errors: validate.errors || []};
  }
  throw new Error(`unknown op ${req.op}`);
}

main().then(
  out => process.stdout.write(JSON.stringify(out)),
  err => {
    process.stdout.write(JSON.stringify({exception: String(err && err.stack || err)}));
    process.exitCode = 3;
  });
