// A real OpenID Connect provider (the oidc-provider package) on 127.0.0.1 for the station's sign-in tests.
// It serves one public client (authorization code + PKCE) for the station's web page, issues JWT access tokens
// for the station's audience carrying the test users' role and exam claims, and rotates its signing key on
// POST /test/rotate-keys (the new key replaces the old one in the published key set). POST /test/redirect?uri=...
// adds a redirect URI to the client (for a station whose port is known only after the provider started).
//
//   node provider.mjs --port 0 --audience urn:cathlab:station --redirect http://127.0.0.1:5701/ [--redirect ...]
//                     [--client-id cathlab-web] [--role-claim cathlab_role] [--exams-claim cathlab_exams]
//                     [--token-seconds 300]
// Prints "issuer <url>" on standard output once it listens. Users (login = the user name, any password):
//   tech-anna (technician), dr-bruno (physician, exam EX-1), obs-omar (observer, every exam), nobody-nina (no role).
import http from 'node:http';
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    audience: { type: 'string', default: 'urn:cathlab:station' },
    redirect: { type: 'string', multiple: true, default: [] },
    'client-id': { type: 'string', default: 'cathlab-web' },
    'role-claim': { type: 'string', default: 'cathlab_role' },
    'exams-claim': { type: 'string', default: 'cathlab_exams' },
    'token-seconds': { type: 'string', default: '300' },
  },
});

const users = {
  'tech-anna': { role: 'technician', exams: [] },
  'dr-bruno': { role: 'physician', exams: ['EX-1'] },
  'obs-omar': { role: 'observer', exams: ['*'] },
  'nobody-nina': { role: null, exams: [] },
};

const tokenSeconds = Number(args['token-seconds']);
let generation = 0;

function signingKey() {
  generation += 1;
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: `test-key-${generation}`, alg: 'RS256', use: 'sig' };
}

function providerWith(issuer, key) {
  const provider = new Provider(issuer, {
    clients: [{
      client_id: args['client-id'],
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: args.redirect,
    }],
    jwks: { keys: [key] },
    cookies: { keys: ['cathlab-test-cookies'] },
    scopes: ['openid', 'profile', 'cathlab'],
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
    findAccount: async (_ctx, id) => (id in users
      ? { accountId: id, claims: async () => ({ sub: id, preferred_username: id, name: id }) }
      : undefined),
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
    ttl: { AccessToken: tokenSeconds, IdToken: tokenSeconds },
    extraTokenClaims: async (_ctx, token) => {
      const user = users[token.accountId];
      if (!user) return undefined;
      const claims = { preferred_username: token.accountId, [args['exams-claim']]: user.exams };
      if (user.role) claims[args['role-claim']] = user.role;
      return claims;
    },
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => args.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'cathlab',
          audience: args.audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: tokenSeconds,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  return provider;
}

let current;
let issuer;
let key;
const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url.startsWith('/test/redirect?')) {
    args.redirect.push(new URL(req.url, issuer).searchParams.get('uri'));
    current = providerWith(issuer, key).callback();
    res.writeHead(204);
    res.end();
    return;
  }
  if (req.method === 'POST' && req.url === '/test/rotate-keys') {
    key = signingKey();
    current = providerWith(issuer, key).callback();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kid: key.kid }));
    return;
  }
  current(req, res);
});

server.listen(Number(args.port), '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  key = signingKey();
  current = providerWith(issuer, key).callback();
  console.log(`issuer ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
