import { CommandRefused, type ConsoleConnection } from './console-connection';
import { byId, enumName, setText } from './dom';

/** One invitation as ListInvitations answers it (protobuf JSON mapping). */
export interface InvitationInfo {
  id: string;
  examId: string;
  invitee: string;
  role: string;
  state: string;
  invitedBy: string;
  expiresAt: string;
  acceptedAt?: string;
  acceptedBy?: string;
}

/**
 * The technician's invitations panel: invite a colleague (identity or e-mail address) to the open exam as observer or
 * consultant for some minutes (the link is shown, and mailed where the station has a mail relay), see who accepted,
 * and revoke at once.
 */
export class InvitationPanel {
  private exam = '';
  /** The last link made, as shown; read by the browser tests. */
  lastLink = '';
  invitations: InvitationInfo[] = [];

  constructor(private readonly connection: ConsoleConnection) {
    byId('invite').onclick = () => void this.invite();
    byId('invitations-refresh').onclick = () => void this.refresh();
  }

  /** The exam the console has open: invitations are to it. */
  examChanged(examId: string | undefined): void {
    const exam = examId ?? '';
    if (exam === this.exam) return;
    this.exam = exam;
    byId<HTMLButtonElement>('invite').disabled = exam === '';
    void this.refresh();
  }

  private async invite(): Promise<void> {
    const request = {
      examId: this.exam,
      invitee: byId<HTMLInputElement>('invitee').value.trim(),
      role: byId<HTMLSelectElement>('invitee-role').value,
      minutes: Number(byId<HTMLInputElement>('invitee-minutes').value),
    };
    try {
      const reply = await this.connection.call<{ link: string; mailed?: boolean; mailProblem?: string }>('Invite', request);
      this.lastLink = reply.link;
      setText('invite-link', reply.mailed ? `mailed to ${request.invitee}: ${reply.link}` : reply.mailProblem ? `NOT mailed (${reply.mailProblem}): ${reply.link}` : reply.link);
      await this.refresh();
    } catch (e) {
      setText('invite-link', e instanceof CommandRefused ? `Invite refused: ${e.detail}` : String(e));
    }
  }

  private async refresh(): Promise<void> {
    if (this.exam === '') {
      this.show([]);
      return;
    }
    const reply = await this.connection.call<{ invitations?: InvitationInfo[] }>('ListInvitations', { examId: this.exam });
    this.show(reply.invitations ?? []);
  }

  private show(invitations: InvitationInfo[]): void {
    this.invitations = invitations;
    byId('invitations').replaceChildren(...invitations.map((i) => {
      const li = document.createElement('li');
      const state = enumName(i.state, 'INVITATION_STATE_');
      const accepted = i.acceptedAt ? `, accepted ${new Date(i.acceptedAt).toLocaleTimeString()} by ${i.acceptedBy ?? '?'}` : '';
      li.textContent = `${i.invitee} (${enumName(i.role, 'INVITATION_ROLE_')}): ${state}${accepted} `;
      if (state === 'pending' || state === 'accepted') {
        const revoke = document.createElement('button');
        revoke.textContent = 'Revoke';
        revoke.onclick = () => void this.connection.call('RevokeInvitation', { id: i.id }).then(() => this.refresh());
        li.append(revoke);
      }
      return li;
    }));
  }
}
