// Sign-in through the hospital's OpenID Connect provider, done by the page: authorization code flow with PKCE (S256)
// and a state, the code coming back in the URL fragment (response_mode=fragment), so neither it nor the token ever
// reaches the station in a URL; the page exchanges the code at the provider's token endpoint itself and then signs
// in to the station with the access token exactly as with a static token. The station says which provider: GET
// auth/config.

export interface ProviderConfig {
  authority: string;
  clientId: string;
  scope: string;
}

interface PendingSignIn {
  state: string;
  verifier: string;
  tokenEndpoint: string;
  clientId: string;
  redirectUri: string;
}

const PendingKey = 'cathlab.oidc.pending';

export async function providerConfig(): Promise<ProviderConfig | null> {
  try {
    const answer = await fetch('auth/config', { cache: 'no-store' });
    if (!answer.ok) return null;
    const body = (await answer.json()) as Partial<ProviderConfig> & { provider?: boolean };
    return body.provider && body.authority && body.clientId ? { authority: body.authority, clientId: body.clientId, scope: body.scope ?? 'openid' } : null;
  } catch {
    return null;
  }
}

/** Leaves for the provider's sign-in page; the page comes back with the code in its fragment. */
export async function startProviderSignIn(config: ProviderConfig): Promise<void> {
  const discovery = await discover(config.authority);
  const verifier = randomBase64Url(32);
  const state = randomBase64Url(16);
  const redirectUri = location.origin + location.pathname;
  const pending: PendingSignIn = { state, verifier, tokenEndpoint: discovery.token_endpoint, clientId: config.clientId, redirectUri };
  sessionStorage.setItem(PendingKey, JSON.stringify(pending));
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: config.clientId, response_type: 'code', response_mode: 'fragment', scope: config.scope, redirect_uri: redirectUri,
    state, code_challenge: challenge, code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** The provider's answer in the fragment, if the page was just sent back: the access token, or why there is none.
 * Null when the page was not coming back from the provider. The fragment is cleared at once. */
export async function completeProviderSignIn(): Promise<{ token: string } | { refused: string } | null> {
  const answer = new URLSearchParams(location.hash.slice(1));
  const raw = sessionStorage.getItem(PendingKey);
  if (!raw || !(answer.has('code') || answer.has('error'))) return null;
  sessionStorage.removeItem(PendingKey);
  history.replaceState(null, '', location.pathname + location.search);
  const pending = JSON.parse(raw) as PendingSignIn;
  if (answer.get('state') !== pending.state) return { refused: 'the provider answered another sign-in (state mismatch)' };
  if (answer.has('error')) return { refused: answer.get('error_description') ?? answer.get('error') ?? 'the provider refused' };
  const exchange = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: answer.get('code') ?? '', redirect_uri: pending.redirectUri, client_id: pending.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await exchange.json()) as { access_token?: string; error_description?: string; error?: string };
  if (!exchange.ok || !body.access_token) return { refused: body.error_description ?? body.error ?? `the provider's token endpoint answered ${exchange.status}` };
  return { token: body.access_token };
}

async function discover(authority: string): Promise<{ authorization_endpoint: string; token_endpoint: string }> {
  const answer = await fetch(authority.replace(/\/$/, '') + '/.well-known/openid-configuration');
  if (!answer.ok) throw new Error(`the provider's discovery document answered ${answer.status}`);
  return (await answer.json()) as { authorization_endpoint: string; token_endpoint: string };
}

function randomBase64Url(bytes: number): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64Url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
