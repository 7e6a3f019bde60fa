// OpenAttestation's own package on the certificates origincert's run.py hands over.
// Usage: node bench.mjs DOCS.json  ->  prints {"wrap_seconds", "verify_seconds", "count", ...}
// The documents become OpenAttestation v2 documents (the certificate's fields plus the
// `issuers` block v2 requires), wrapped as ONE batch (salts, target hashes, one Merkle tree),
// then each wrapped document is checked with verifySignature (target hash + Merkle proof):
// OpenAttestation's offline integrity check.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { wrapDocuments, verifySignature } from "@govtechsg/open-attestation";

const docs = JSON.parse(readFileSync(process.argv[2], "utf8"));
const issuer = {
  name: "Benchmark Chamber",
  documentStore: "0x9178F546D3FF57D7A6352bD61B80cCCD46199C2d",
  identityProof: { type: "DNS-TXT", location: "chamber.example" },
};
const raw = docs.map((d) => ({ ...d, issuers: [issuer] }));

const t0 = performance.now();
const wrapped = wrapDocuments(raw);
const t1 = performance.now();
let ok = 0;
for (const w of wrapped) if (verifySignature(w)) ok += 1;
const t2 = performance.now();

if (ok !== wrapped.length) {
  console.error(`only ${ok} of ${wrapped.length} wrapped documents verified`);
  process.exit(1);
}
const tampered = structuredClone(wrapped[0]);
tampered.data.number = tampered.data.number.replace(/^([^:]*:string:)/, "$1X");
if (verifySignature(tampered)) {
  console.error("a tampered document verified: the benchmark would measure nothing");
  process.exit(1);
}
console.log(
  JSON.stringify({
    count: wrapped.length,
    wrap_seconds: (t1 - t0) / 1000,
    verify_seconds: (t2 - t1) / 1000,
    package: "@govtechsg/open-attestation",
    node: process.version,
  }),
);
