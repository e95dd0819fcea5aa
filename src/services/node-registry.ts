// The node registry behind the admin status (docs/admin-api.md#nodes): every serving node records
// itself (id, version, host, pid, URLs, start and last heartbeat) in a set shared by all nodes (Redis
// when configured, else the database; store/expiring-set.ts), renewed every heartbeat and expiring
// after three heartbeats without one. A node that stops cleanly removes itself; one that dies
// disappears once its entry expires. At most MAX_LISTED nodes are listed.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ExpiringSet } from '../store/expiring-set.ts';

/** How many nodes a listing shows at most. */
export const MAX_LISTED = 100;
/** Heartbeats a node may miss before it is gone. */
const MISSED_BEATS = 3;

export interface NodeEntry {
  nodeId: string;
  version: string;
  host: string;
  pid: number;
  /** The node's listening URLs by site (as it sees them). */
  urls: Record<string, string>;
  startedAt: number;
  lastSeenAt: number;
}

export class NodeRegistry {
  /** This process's id in the registry. */
  readonly nodeId = `${hostname().slice(0, 40)}-${process.pid}-${randomBytes(6).toString('hex')}`;
  private self: NodeEntry | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly set: () => ExpiringSet,
    private readonly heartbeatMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** How long an entry lives without a heartbeat. */
  get ttlMs(): number {
    return this.heartbeatMs * MISSED_BEATS;
  }

  /** Records this node now and keeps it recorded every heartbeat until stop(). */
  async start(self: { version: string; urls: Record<string, string> }, onError: (err: unknown) => void): Promise<void> {
    if (this.self) return;
    const t = this.now();
    this.self = {
      nodeId: this.nodeId,
      version: self.version,
      host: hostname(),
      pid: process.pid,
      urls: self.urls,
      startedAt: t,
      lastSeenAt: t,
    };
    await this.beat();
    this.timer = setInterval(() => this.beat().catch(onError), this.heartbeatMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    if (!this.self) return;
    this.self.lastSeenAt = this.now();
    await this.set().put(this.nodeId, JSON.stringify(this.self), this.ttlMs);
  }

  /** Stops the heartbeat and removes this node's entry. */
  async stop(): Promise<void> {
    if (!this.self) return;
    clearInterval(this.timer);
    this.self = undefined;
    await this.set().remove(this.nodeId);
  }

  /** The live nodes, oldest first. */
  async list(): Promise<NodeEntry[]> {
    const entries: NodeEntry[] = [];
    for (const v of await this.set().live(MAX_LISTED)) {
      try {
        entries.push(JSON.parse(v) as NodeEntry);
      } catch {
        // An entry some other software wrote under the prefix is not a node.
      }
    }
    return entries.sort((a, b) => a.startedAt - b.startedAt || a.nodeId.localeCompare(b.nodeId));
  }
}
