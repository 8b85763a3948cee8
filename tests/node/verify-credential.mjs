#!/usr/bin/env node
// An independent verifier of Glabella's credentials: Digital Bazaar's libraries (the ones
// 1EdTech's and W3C's test suites use), sharing no code with the Python issuer.
//
//   node tests/node/verify-credential.mjs <credential.json> <base-url>
//
// Prints a JSON verdict {verified, errors, ...} and exits 0 only when the credential
// verifies. The document loader is offline: the JSON-LD contexts come from the files
// shipped in certification/credentials/contexts/, the issuer's did:web is resolved by
// one HTTP GET of <base-url>/.well-known/did.json, and status-list credentials (when the
// credential has credentialStatus) by GET of their URL under <base-url>. Nothing else.
import {readFile} from 'node:fs/promises';
import {fileURLToPath} from 'node:url';
import path from 'node:path';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONTEXT_DIR = path.resolve(here, '../../certification/credentials/contexts');
const CONTEXT_FILES = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-context-3.0.3.json',
  'https://w3id.org/security/data-integrity/v2': 'data-integrity-v2.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
  'https://www.w3.org/ns/did/v1': 'did-v1.jsonld',
};

function fail(message) {
  process.stdout.write(JSON.stringify({verified: false, errors: [message]}) + '\n');
  process.exit(2);
}

async function getJson(url) {
  const response = await fetch(url, {headers: {Accept: 'application/json'}, redirect: 'error'});
  if(!response.ok) {
    throw new Error(`GET ${url} answered ${response.status}`);
  }
  return response.json();
}

function makeDocumentLoader(baseUrl) {
  const base = baseUrl.replace(/\/+$/, '');
  const host = new URL(base).host.replace(':', '%3A');
  const did = `did:web:${host}`;
  let didDocument;
  return async function documentLoader(url) {
    if(CONTEXT_FILES[url]) {
      const text = await readFile(path.join(CONTEXT_DIR, CONTEXT_FILES[url]), 'utf8');
      return {contextUrl: null, documentUrl: url, document: JSON.parse(text)};
    }
    const [id, fragment] = url.split('#');
    if(id === did) {
      didDocument ??= await getJson(`${base}/.well-known/did.json`);
      if(didDocument.id !== did) {
        throw new Error(`The DID document at ${base} is for ${didDocument.id}, not ${did}.`);
      }
      if(!fragment) {
        return {contextUrl: null, documentUrl: url, document: didDocument};
      }
      const method = (didDocument.verificationMethod || []).find(m => m.id === url);
      if(!method) {
        throw new Error(`The issuer does not publish the key ${url}.`);
      }
      return {
        contextUrl: null,
        documentUrl: url,
        document: {'@context': 'https://w3id.org/security/multikey/v1', ...method},
      };
    }
    if(url.startsWith(`${base}/`)) {
      // The issuer's own status-list credentials.
      return {contextUrl: null, documentUrl: url, document: await getJson(url)};
    }
    throw new Error(`Refused to load ${url}: not a shipped context nor the issuer's.`);
  };
}

const [credentialPath, baseUrl] = process.argv.slice(2);
if(!credentialPath || !baseUrl) {
  fail('usage: verify-credential.mjs <credential.json> <base-url>');
}
let credential;
try {
  credential = JSON.parse(await readFile(credentialPath, 'utf8'));
} catch(error) {
  fail(`Cannot read ${credentialPath}: ${error.message}`);
}

const documentLoader = makeDocumentLoader(baseUrl);
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
let result;
try {
  result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader,
    checkStatus: credential.credentialStatus ? checkStatus : undefined,
  });
} catch(error) {
  result = {verified: false, error};
}

function messages(value) {
  const errors = [];
  const visit = item => {
    if(!item) {
      return;
    }
    if(Array.isArray(item)) {
      item.forEach(visit);
      return;
    }
    if(item instanceof Error || item.message) {
      errors.push(item.message);
      visit(item.errors);
      visit(item.cause);
    }
  };
  visit(value.error);
  (value.results || []).forEach(r => visit(r.error));
  if(value.statusResult && !value.statusResult.verified) {
    visit(value.statusResult.error);
    (value.statusResult.results || []).forEach(r => visit(r.error));
  }
  return [...new Set(errors)];
}

// The status check "verifies" when it could read the lists; a bit that is set is the
// answer, not a failure of the check. A credential whose revocation or suspension bit is
// set is not valid, whatever its proof says.
const status = result.statusResult?.results?.map(r => ({
  purpose: r.credentialStatus?.statusPurpose ?? r.statusPurpose ?? null,
  set: r.status === true,
})) ?? null;
const statusErrors = (status || []).filter(s => s.set).map(s => `Status ${s.purpose}: set`);
const verdict = {
  verified: Boolean(result.verified) && statusErrors.length === 0,
  errors: [...(result.verified ? [] : messages(result)), ...statusErrors],
  verificationMethod: result.results?.[0]?.proof?.verificationMethod ?? null,
  status,
};
process.stdout.write(JSON.stringify(verdict) + '\n');
process.exit(verdict.verified ? 0 : 1);
