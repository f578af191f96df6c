import type { ConsoleConnection } from './console-connection';

/**
 * The exposure button as a dead-man: it presses on pointerdown and renews the station's lease while held; pointer up,
 * leave or cancel, the window losing focus, the page hidden or closed all release it. Whatever the page fails to
 * send, the station releases on its own when the lease runs out or the socket goes.
 */
export class DeadManButton {
  private renewTimer: number | undefined;
  held = false;
  /** Set by the caller: the protocol to press with (empty: the selected one). */
  protocol = '';

  constructor(private readonly button: HTMLButtonElement, private readonly connection: ConsoleConnection, private readonly renewIntervalMs: number) {
    button.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      this.press();
    });
    for (const type of ['pointerup', 'pointerleave', 'pointercancel', 'lostpointercapture', 'contextmenu']) button.addEventListener(type, () => this.release());
    window.addEventListener('blur', () => this.release());
    window.addEventListener('pagehide', () => this.release());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState !== 'visible') this.release();
    });
  }

  press(): void {
    if (this.held || !this.connection.open) return;
    this.held = true;
    this.button.classList.add('held');
    this.button.textContent = 'EXPOSING (release to stop)';
    this.connection.send('Press', this.protocol ? { protocol: this.protocol } : {});
    this.renewTimer = window.setInterval(() => this.connection.send('Renew'), this.renewIntervalMs);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    window.clearInterval(this.renewTimer);
    this.connection.send('Release');
    this.button.classList.remove('held');
    this.button.textContent = 'Hold to expose';
  }
}
