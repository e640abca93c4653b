// The OpenID Certified provider (panva's oidc-provider, v8) that tests/auth/test_oidc.py
// signs in at. Started by the test: `node provider.mjs <config.json>`; prints
// "listening <url>" once it answers.
//
// Everything a real provider does is oidc-provider's own code (discovery, JWKS,
// authorization, PKCE, token endpoint with client authentication, UserInfo, claims
// request parameter, RP-initiated and back-channel logout, dynamic registration). This
// file only adds what a person and an operator would do, as small routes under /__test/:
//   /interaction/<uid>  the person at the provider signs in (account, amr, acr) or cancels
//   /__test/accounts    the provider's accounts and their claims (as in its user store)
//   /__test/clock       the provider's clock runs ahead by N seconds
//   /__test/rotate      the provider rotates its signing key
//   /__test/cache       the Cache-Control the provider sends with discovery and JWKS
//   /__test/hits        how often discovery and JWKS were fetched
//   /__test/tamper      claims forced into the next ID tokens, re-signed with the
//                       provider's key (a misconfigured or hostile provider)
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { URL } from 'node:url';

import Provider from 'oidc-provider';
import * as jose from 'jose';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { port } = config;
const issuer = `http://127.0.0.1:${port}`;

// The provider's clock: its "now" is shifted by the offset the test sets.
let clockOffsetMs = 0;
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + clockOffsetMs;

let accounts = {};
let cacheControl = '';
let tamper = {};
const hits = { discovery: 0, jwks: 0, userinfo: 0, token: 0 };

async function signingKey(kid) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

async function build(keys) {
  const provider = new Provider(issuer, {
    clients: config.clients,
    jwks: { keys },
    cookies: { keys: ['test-cookie-key'] },
    pkce: { required: () => true },
    // What a Keycloak realm carries: roles nested under realm_access.
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
      realm: ['realm_access'],
      realm_access: null,
      roles: null, // Entra's app roles: a top-level list
    },
    acrValues: config.acrValues || [],
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      backchannelLogout: { enabled: true },
      // Open dynamic registration: a test registers a client for an app it starts.
      registration: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><html><body>${form}
            <button type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>
            </body></html>`;
        },
      },
    },
    // A first-party client: no consent screen, everything it asks for is granted.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid');
      if (ctx.oidc.requestParamClaims) grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },
    findAccount: async (ctx, id) => {
      if (!(id in accounts)) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) };
    },
    clockTolerance: 5,
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, IdToken: 300, AccessToken: 300 },
  });
  provider.proxy = false;
  provider.use(async (ctx, next) => {
    if (ctx.path === '/.well-known/openid-configuration') hits.discovery += 1;
    if (ctx.path === '/jwks') hits.jwks += 1;
    if (ctx.path === '/me') hits.userinfo += 1;
    if (ctx.path === '/token') hits.token += 1;
    await next();
    const cacheable = ['/.well-known/openid-configuration', '/jwks'].includes(ctx.path);
    if (cacheable && cacheControl) ctx.set('cache-control', cacheControl);
    if (ctx.path === '/token' && ctx.body?.id_token && Object.keys(tamper).length) {
      const claims = { ...jose.decodeJwt(ctx.body.id_token), ...tamper };
      const key = await jose.importJWK(currentKeys[0], 'RS256');
      ctx.body = {
        ...ctx.body,
        id_token: await new jose.SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: currentKeys[0].kid })
          .sign(key),
      };
    }
  });
  return provider;
}

let currentKeys = [await signingKey('key-1')];
let provider = await build(currentKeys);

async function body(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] || '').includes('json')) return text ? JSON.parse(text) : {};
  return Object.fromEntries(new URLSearchParams(text));
}

function json(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    json(res, 200, { uid: details.uid, prompt: details.prompt.name, params: details.params });
    return;
  }
  const form = await body(req);
  let result;
  if (form.cancel) {
    result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
  } else {
    const login = { accountId: form.account, remember: true };
    if (form.amr) login.amr = form.amr.split(',');
    if (form.acr) login.acr = form.acr;
    result = { login };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

async function testRoute(req, res, path) {
  if (path === '/__test/accounts') {
    accounts = await body(req);
    return json(res, 200, {});
  }
  if (path === '/__test/clock') {
    clockOffsetMs = Number((await body(req)).offset_seconds || 0) * 1000;
    return json(res, 200, {});
  }
  if (path === '/__test/cache') {
    cacheControl = (await body(req)).cache_control || '';
    return json(res, 200, {});
  }
  if (path === '/__test/tamper') {
    tamper = await body(req);
    return json(res, 200, {});
  }
  if (path === '/__test/rotate') {
    // A new signing key, first in the set; the old one stays published for a while.
    currentKeys = [await signingKey(`key-${currentKeys.length + 1}`), ...currentKeys];
    provider = await build(currentKeys);
    return json(res, 200, { kid: currentKeys[0].kid });
  }
  if (path === '/__test/hits') {
    if (req.method === 'POST') Object.keys(hits).forEach((k) => { hits[k] = 0; });
    return json(res, 200, hits);
  }
  return json(res, 404, {});
}

const server = http.createServer(async (req, res) => {
  const path = new URL(req.url, issuer).pathname;
  try {
    if (path.startsWith('/__test/')) return await testRoute(req, res, path);
    if (path.startsWith('/interaction/')) return await interaction(req, res);
    return provider.callback()(req, res);
  } catch (err) {
    console.error(err);
    return json(res, 500, { error: String(err) });
  }
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
