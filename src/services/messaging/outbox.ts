// The developer outbox: keeps the last messages (at most `capacity`, oldest dropped first) in this
// process so that /dev/outbox can show them; for a local set-up without a mail server or SMS
// gateway. Never used when a real sender is configured (messenger.ts).
import type { OutgoingMessage, Sender } from './message.ts';

export interface OutboxEntry extends OutgoingMessage {
  id: number;
  at: number;
}

export class Outbox implements Sender {
  private readonly entries: OutboxEntry[] = [];
  private seq = 0;

  constructor(
    readonly capacity = 100,
    private readonly now: () => number = Date.now,
  ) {}

  async send(m: OutgoingMessage): Promise<void> {
    this.entries.push({ ...m, id: ++this.seq, at: this.now() });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  /** Newest first. */
  list(): OutboxEntry[] {
    return [...this.entries].reverse();
  }
}
