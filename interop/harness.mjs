#!/usr/bin/env node
// Cross-implementation harness: signs and verifies Data Integrity
// credentials (eddsa-rdfc-2022, eddsa-jcs-2022) with the Digital Bazaar
// JavaScript libraries so that microcred can be checked against an
// independent implementation.
//
// The harness never touches the network: JSON-LD contexts come from the
// files shipped in internal/jsonld/contexts and did:key verification
// methods are derived from the key identifier itself.
//
// Usage:
//   node harness.mjs sign --suite S --key KEYFILE [--created RFC3339]
//                         [--verification-method URL] < unsigned > signed
//   node harness.mjs verify [--now RFC3339] < signed
//   node harness.mjs batch < jobs.json > results.json
//
// "verify" prints {"verified":bool,"error":string|null,"credential":{...}}
// and exits 0 when the proof verifies, 1 when it does not. "verified" is the
// Data Integrity result (signature and assertionMethod purpose);
// "credential" is the Verifiable Credentials Data Model result of
// @digitalbazaar/vc, which in addition requires the issuer to be the
// controller of the verification method.
//
// "batch" reads a JSON array of jobs and prints a JSON array of results in
// the same order, so that a test pays Node.js start-up once:
//   {"op":"sign","suite":S,"key":{...},"credential":{...},
//    "created":RFC3339?,"verificationMethod":URL?}
//     -> {"ok":true,"signed":{...}} | {"ok":false,"error":string}
//   {"op":"verify","credential":{...},"now":RFC3339?}
//     -> the same object "verify" prints.
//   {"op":"bench","suite":S,"key":{...},"credentials":[...],
//    "created":RFC3339?,"verify":bool?}
//     -> {"ok":true,"n":N,"wallMs":ms,"cpuMs":ms} (see bench below)

import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {cryptosuite as rdfcCryptosuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  createSignCryptosuite as createJcsSignCryptosuite,
  createVerifyCryptosuite as createJcsVerifyCryptosuite
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import jsigs from 'jsonld-signatures';

const {purposes: {AssertionProofPurpose}} = jsigs;

const here = path.dirname(fileURLToPath(import.meta.url));
const contextDir = path.join(here, '..', 'internal', 'jsonld', 'contexts');

// Context URL -> file in internal/jsonld/contexts. Anything not listed here
// (and not a did:key URL) is refused by the document loader.
const CONTEXT_FILES = new Map([
  ['https://www.w3.org/ns/credentials/v2', 'credentials-v2.jsonld'],
  ['https://www.w3.org/2018/credentials/v1', 'credentials-v1.jsonld'],
  ['https://www.w3.org/ns/credentials/examples/v2',
    'credentials-examples-v2.jsonld'],
  ['https://w3id.org/security/data-integrity/v1', 'data-integrity-v1.jsonld'],
  ['https://w3id.org/security/data-integrity/v2', 'data-integrity-v2.jsonld'],
  ['https://w3id.org/security/multikey/v1', 'multikey-v1.jsonld'],
  ['https://www.w3.org/ns/did/v1', 'did-v1.jsonld'],
  ['https://www.w3.org/ns/credentials/status/v1',
    'vc-bitstring-status-list-v1.jsonld'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.0.json',
    'ob-v3p0-context-3.0.0.json'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json',
    'ob-v3p0-context-3.0.1.json'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
    'ob-v3p0-context-3.0.2.json'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    'ob-v3p0-context-3.0.3.json'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
    'ob-v3p0-extensions.json'],
  ['https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json',
    'clr-v2p0-context-2.0.1.json'],
  ['https://w3id.org/citizenship/v4rc1', 'citizenship-v4rc1.jsonld'],
]);

const SUITES = new Set(['eddsa-rdfc-2022', 'eddsa-jcs-2022']);

const contextCache = new Map();

async function loadContext(url) {
  if(!contextCache.has(url)) {
    const file = path.join(contextDir, CONTEXT_FILES.get(url));
    contextCache.set(url, readFile(file, 'utf8').then(text => JSON.parse(text)));
  }
  return contextCache.get(url);
}

const didKey = didKeyDriver();
didKey.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

// documentLoader resolves shipped contexts and did:key DIDs / verification
// methods; every other URL is an error, so nothing is ever fetched.
async function documentLoader(url) {
  if(CONTEXT_FILES.has(url)) {
    return {contextUrl: null, documentUrl: url, document: await loadContext(url)};
  }
  if(url.startsWith('did:key:')) {
    const document = await didKey.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(`document loader: "${url}" is not available offline`);
}

// keyPairFromFile accepts the microcred Multikey key file
// ({id, controller, publicKeyMultibase, secretKeyMultibase}) and the W3C
// test-vector form ({publicKeyMultibase, privateKeyMultibase}); a key without
// an id is bound to its did:key.
async function keyPairFromFile(key) {
  const {publicKeyMultibase} = key;
  const secretKeyMultibase = key.secretKeyMultibase ?? key.privateKeyMultibase;
  if(typeof publicKeyMultibase !== 'string' ||
    typeof secretKeyMultibase !== 'string') {
    throw new Error(
      'key file needs publicKeyMultibase and secretKeyMultibase');
  }
  const did = `did:key:${publicKeyMultibase}`;
  return Ed25519Multikey.from({
    '@context': 'https://w3id.org/security/multikey/v1',
    type: 'Multikey',
    id: key.id ?? `${did}#${publicKeyMultibase}`,
    controller: key.controller ?? did,
    publicKeyMultibase,
    secretKeyMultibase
  });
}

async function sign({suite, key, credential, created, verificationMethod}) {
  if(!SUITES.has(suite)) {
    throw new Error(`unsupported suite "${suite}"`);
  }
  const keyPair = await keyPairFromFile(key);
  const keySigner = keyPair.signer();
  const signer = {
    id: verificationMethod ?? keySigner.id,
    algorithm: keySigner.algorithm,
    sign: args => keySigner.sign(args)
  };
  const cryptosuite = suite === 'eddsa-rdfc-2022' ?
    rdfcCryptosuite : createJcsSignCryptosuite();
  const proofSuite = new DataIntegrityProof({
    signer, cryptosuite, date: created
  });
  return vc.issue({
    credential: structuredClone(credential), suite: proofSuite, documentLoader
  });
}

function verifySuites() {
  return [
    new DataIntegrityProof({cryptosuite: rdfcCryptosuite}),
    new DataIntegrityProof({cryptosuite: createJcsVerifyCryptosuite()})
  ];
}

function errorText(result) {
  if(result.verified) {
    return null;
  }
  const errors = [];
  if(result.error) {
    const top = result.error;
    const list = Array.isArray(top.errors) && top.errors.length > 0 ?
      top.errors : [top];
    for(const e of list) {
      errors.push(e.message ?? String(e));
    }
  }
  for(const r of result.results ?? []) {
    if(!r.verified && r.error) {
      errors.push(r.error.message ?? String(r.error));
    }
  }
  return [...new Set(errors)].join('; ') || 'not verified';
}

async function verify({credential, now}) {
  // Data Integrity check: signature over the canonical form and the
  // assertionMethod relationship of the verification method.
  let proof;
  try {
    proof = await jsigs.verify(structuredClone(credential), {
      suite: verifySuites(),
      purpose: new AssertionProofPurpose(),
      documentLoader
    });
  } catch(e) {
    proof = {verified: false, error: e};
  }
  // Data model check on top: dates, issuer, and issuer == key controller.
  let model;
  try {
    model = await vc.verifyCredential({
      credential: structuredClone(credential),
      suite: verifySuites(),
      documentLoader,
      now
    });
  } catch(e) {
    model = {verified: false, error: e};
  }
  return {
    verified: proof.verified === true,
    error: errorText(proof),
    credential: {verified: model.verified === true, error: errorText(model)}
  };
}

// bench signs (or, with verify: true, verifies after signing) every
// credential of job.credentials once, after one warm-up pass, and reports
// the time the timed pass took: the JavaScript figure "microcred bench
// --varied" is compared with. Only the Data Integrity proof is made and
// checked (jsigs.sign / jsigs.verify), as microcred's benchmark does.
async function bench({suite, key, credentials, created, verify: doVerify}) {
  if(!SUITES.has(suite)) {
    throw new Error(`unsupported suite "${suite}"`);
  }
  const keyPair = await keyPairFromFile(key);
  const cryptosuite = suite === 'eddsa-rdfc-2022' ?
    rdfcCryptosuite : createJcsSignCryptosuite();
  const signOne = credential => jsigs.sign(structuredClone(credential), {
    suite: new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite, date: created
    }),
    purpose: new AssertionProofPurpose(),
    documentLoader
  });
  const signed = [];
  for(const c of credentials) {
    signed.push(await signOne(c));
  }
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for(let i = 0; i < credentials.length; i++) {
    if(doVerify) {
      const r = await jsigs.verify(structuredClone(signed[i]), {
        suite: verifySuites(),
        purpose: new AssertionProofPurpose(),
        documentLoader
      });
      if(!r.verified) {
        throw new Error(`credential ${i} did not verify: ${errorText(r)}`);
      }
    } else {
      await signOne(credentials[i]);
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    ok: true, n: credentials.length,
    wallMs: Number(process.hrtime.bigint() - start) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1e3
  };
}

async function runJob(job) {
  switch(job?.op) {
    case 'bench':
      try {
        return await bench(job);
      } catch(e) {
        return {ok: false, error: e.message ?? String(e)};
      }
    case 'sign':
      try {
        return {ok: true, signed: await sign(job)};
      } catch(e) {
        return {ok: false, error: e.message ?? String(e)};
      }
    case 'verify':
      return verify(job);
    default:
      return {ok: false, error: `unknown op "${job?.op}"`};
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseFlags(args) {
  const flags = {};
  for(let i = 0; i < args.length; i++) {
    const name = args[i];
    if(!name.startsWith('--') || i + 1 >= args.length) {
      throw new Error(`bad argument "${name}"`);
    }
    flags[name.slice(2)] = args[++i];
  }
  return flags;
}

function usage(message) {
  process.stderr.write(`harness: ${message}\n` +
    'usage: node harness.mjs sign --suite S --key FILE [--created T] ' +
    '[--verification-method URL]\n' +
    '       node harness.mjs verify [--now T]\n' +
    '       node harness.mjs batch\n');
  process.exit(2);
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  let flags;
  try {
    flags = parseFlags(rest);
  } catch(e) {
    usage(e.message);
  }
  let input;
  try {
    input = JSON.parse(await readStdin());
  } catch(e) {
    usage(`standard input is not JSON: ${e.message}`);
  }
  switch(command) {
    case 'sign': {
      if(!flags.suite || !flags.key) {
        usage('sign needs --suite and --key');
      }
      const key = JSON.parse(await readFile(flags.key, 'utf8'));
      const result = await runJob({
        op: 'sign', suite: flags.suite, key, credential: input,
        created: flags.created,
        verificationMethod: flags['verification-method']
      });
      if(!result.ok) {
        process.stderr.write(`harness: sign: ${result.error}\n`);
        process.exit(1);
      }
      process.stdout.write(JSON.stringify(result.signed, null, 2) + '\n');
      return;
    }
    case 'verify': {
      const result = await verify({credential: input, now: flags.now});
      process.stdout.write(JSON.stringify(result) + '\n');
      process.exit(result.verified ? 0 : 1);
      return;
    }
    case 'batch': {
      if(!Array.isArray(input)) {
        usage('batch input must be a JSON array of jobs');
      }
      const results = [];
      for(const job of input) {
        results.push(await runJob(job));
      }
      process.stdout.write(JSON.stringify(results) + '\n');
      return;
    }
    default:
      usage(`unknown command "${command}"`);
  }
}

await main();
