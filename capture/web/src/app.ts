import { ConsoleConnection } from './console-connection';
import { ConsoleView } from './console-view';
import { byId, setText } from './dom';
import { completeProviderSignIn, providerConfig, startProviderSignIn } from './provider-sign-in';
import { ViewerView } from './viewer-view';

// The station's web application: sign in with a token, then the technician's console or the observer's viewer,
// whichever the token's role allows. The token is kept in sessionStorage (this tab only) and sent only as the first
// message of a WebSocket, never in a URL. Where the station names a provider, "Sign in with the hospital" gets the
// token from it (provider-sign-in.ts) and it is used the same way.
const TokenKey = 'cathlab.token';

interface PageState {
  view: 'signin' | 'console' | 'viewer';
  role: string;
  connected: boolean;
  banner: string;
  console: ConsoleView | null;
  connection: ConsoleConnection | null;
  viewer: ViewerView | null;
}

const state: PageState = { view: 'signin', role: '', connected: false, banner: '', console: null, connection: null, viewer: null };
// Read by the browser tests (capture/web/tests) to see what the page did.
(window as unknown as { cathlab: PageState }).cathlab = state;

function show(view: PageState['view']): void {
  state.view = view;
  byId('signin').hidden = view !== 'signin';
  byId('console').hidden = view !== 'console';
  byId('viewer').hidden = view !== 'viewer';
  byId('signout').hidden = view === 'signin';
  // A technician may leave the console for the viewer (review, the case discussion) and come back; an observer has only the viewer.
  const technician = state.role === 'technician' && view !== 'signin';
  byId('to-viewer').hidden = !technician || view === 'viewer';
  byId('to-console').hidden = !technician || view === 'console';
}

function banner(text: string): void {
  state.banner = text;
  byId('banner').hidden = text === '';
  setText('banner', text);
}

function consoleUrl(): string {
  const url = new URL('ws/console', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

function signIn(token: string, reconnecting = false): void {
  const connection = new ConsoleConnection(consoleUrl(), token);
  state.connection = connection;
  let welcomed = false;
  connection.onMessage = (m) => {
    if (m.type === 'welcome') {
      welcomed = true;
      state.connected = true;
      state.role = m.role;
      sessionStorage.setItem(TokenKey, token);
      setText('who', `${m.subject} (${m.role})`);
      banner('');
      byId('console').inert = false;
      if (m.role === 'technician') {
        state.console ??= new ConsoleView(connection, token, m.renewIntervalMs);
        show('console');
      } else {
        showViewer(token);
      }
    } else if (m.type === 'status') {
      state.console?.showStatus(m.status, m.runs, m.outbox);
    } else if (m.type === 'refused' && !welcomed) {
      refuseSignIn(m.detail);
    } else {
      state.console?.showPedal(m);
    }
  };
  connection.onClose = (code, reason) => {
    state.connected = false;
    if (!welcomed) {
      if (code === 4401 || !reconnecting) refuseSignIn(reason || 'the station did not answer');
      else window.setTimeout(() => signIn(token, true), 1000);
      return;
    }
    if (state.role !== 'technician' || state.connection !== connection) return;
    // The station went away (restart, network): say so, keep the page, and sign in again when it is back.
    banner('Connection to the station lost: reconnecting…');
    // What the console shows is the state before the loss: dimmed, and nothing on it can be pressed until the station is back.
    byId('console').inert = true;
    state.console?.stop();
    state.console = null;
    window.setTimeout(() => signIn(token, true), 1000);
  };
}

function refuseSignIn(why: string): void {
  sessionStorage.removeItem(TokenKey);
  state.connection = null;
  show('signin');
  setText('signin-error', `Sign-in refused: ${why}`);
}

function showViewer(token: string): void {
  show('viewer');
  state.viewer ??= new ViewerView(token, banner);
}

byId('to-viewer').onclick = () => {
  const token = sessionStorage.getItem(TokenKey);
  if (!token) return;
  showViewer(token);
  // The exam the console has open, unless the viewer already watches one.
  const exam = state.console?.status?.exam;
  if (exam?.open && !state.viewer!.monitor.watching) {
    byId<HTMLInputElement>('viewer-exam').value = exam.examId;
    state.viewer!.watch(exam.examId);
  }
};
byId('to-console').onclick = () => show('console');

byId<HTMLFormElement>('signin').onsubmit = (e) => {
  e.preventDefault();
  setText('signin-error', '');
  signIn(byId<HTMLInputElement>('token').value);
};
byId('signout').onclick = () => {
  sessionStorage.removeItem(TokenKey);
  byId('console').inert = false;
  state.console?.stop();
  state.console = null;
  state.viewer?.stop();
  state.viewer = null;
  state.role = '';
  const connection = state.connection;
  state.connection = null;
  connection?.close();
  show('signin');
};

show('signin');
void providerConfig().then((config) => {
  if (!config) return;
  const button = byId<HTMLButtonElement>('signin-provider');
  button.hidden = false;
  button.onclick = () => {
    setText('signin-error', '');
    startProviderSignIn(config).catch((e: unknown) => setText('signin-error', `Sign-in refused: ${String(e)}`));
  };
});
void completeProviderSignIn().then((back) => {
  if (back && 'token' in back) signIn(back.token);
  else if (back) refuseSignIn(back.refused);
  else {
    const kept = sessionStorage.getItem(TokenKey);
    if (kept) signIn(kept);
  }
}, (e: unknown) => refuseSignIn(String(e)));
