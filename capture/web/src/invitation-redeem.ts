// An invitation link opens the page with the code in its fragment (#invite=CODE), which never reaches a server. The
// code is kept for this tab and the fragment cleared at once (before a provider sign-in uses the fragment for its own
// answer); once the invitee has signed in, the code and the sign-in's token are posted to /auth/redeem, and the session
// grant it answers is the token the page goes on with: the one exam, as observer or consultant.
const InviteKey = 'cathlab.invite';

/** Takes an invitation code from the address, if there is one. */
export function takeInvitationFromAddress(): void {
  const match = /^#invite=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(InviteKey, match[1]);
  history.replaceState(null, '', location.pathname + location.search);
}

export type Redeemed = { token: string; examId: string; role: string } | { refused: string } | null;

/** Redeems a kept code with the token just signed in with; null when no code is waiting. */
export async function redeemWith(token: string): Promise<Redeemed> {
  const code = sessionStorage.getItem(InviteKey);
  if (!code) return null;
  sessionStorage.removeItem(InviteKey);
  const response = await fetch('auth/redeem', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, token }) });
  const body = (await response.json()) as { grant?: string; examId?: string; role?: string; error?: string };
  if (!response.ok || !body.grant) return { refused: body.error ?? `the station answered ${response.status}` };
  return { token: body.grant, examId: body.examId ?? '', role: body.role ?? 'observer' };
}
