// Lambda@Edge viewer-request check for the internal app: lets a request through when its
// `id_token` cookie is a Cognito ID token of the staff pool (RS256 signature, issuer, audience,
// token use, expiry), and sends everyone else to the hosted sign-in page.
// Lambda@Edge has no environment variables: the CDK app fills in the three settings below.
'use strict';
const crypto = require('crypto');
const https = require('https');

const ISSUER = '__ISSUER__';
const CLIENT_ID = '__CLIENT_ID__';
const SIGN_IN_URL = '__SIGN_IN_URL__';
let keys;

function fetchJson(url) {
  return new Promise((resolve, reject) => {
    https
      .get(url, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });
}

async function publicKey(kid) {
  keys = keys || (await fetchJson(`${ISSUER}/.well-known/jwks.json`)).keys;
  const jwk = keys.find((key) => key.kid === kid && key.alg === 'RS256');
  return jwk && crypto.createPublicKey({ key: jwk, format: 'jwk' });
}

function cookie(headers, name) {
  for (const header of headers.cookie || []) {
    for (const part of header.value.split(';')) {
      const [key, ...value] = part.trim().split('=');
      if (key === name) return value.join('=');
    }
  }
  return undefined;
}

async function isValid(token) {
  const [head, body, signature] = (token || '').split('.');
  if (!signature) return false;
  const header = JSON.parse(Buffer.from(head, 'base64url'));
  const claims = JSON.parse(Buffer.from(body, 'base64url'));
  const key = await publicKey(header.kid);
  if (!key || header.alg !== 'RS256') return false;
  const signed = crypto.verify('RSA-SHA256', Buffer.from(`${head}.${body}`), key, Buffer.from(signature, 'base64url'));
  return signed && claims.iss === ISSUER && claims.aud === CLIENT_ID && claims.token_use === 'id' && claims.exp * 1000 > Date.now();
}

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  try {
    if (await isValid(cookie(request.headers, 'id_token'))) return request;
  } catch (error) {
    console.log(JSON.stringify({ level: 'WARN', message: 'token check failed', error: String(error) }));
  }
  return { status: '302', headers: { location: [{ key: 'Location', value: SIGN_IN_URL }] } };
};
