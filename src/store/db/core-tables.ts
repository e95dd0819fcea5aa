// Runtime tables: settings, the node registry, developers, apps, users, friend relations and requests, audit events.
import type { Generated } from 'kysely';

export interface SettingsTable {
  key: string;
  value: string;
}

export interface DevelopersTable {
  id: string;
  name: string;
  created_at: number;
  /** The user who acts for this developer (role developer or admin); null for CLI-made developers. */
  user_id: string | null;
}

export interface AppsTable {
  client_id: string;
  developer_id: string;
  name: string;
  /** HMAC-SHA256(serverSecret, clientSecret), hex. */
  secret_hash: string;
  /** The client secret sealed with a key derived from the server secret (lib/secret-box.ts). */
  secret_box: string;
  /** Registered redirect URIs, `;`-separated as on the wire. */
  redirect_uris: string;
  /** Enabled scopes, comma-separated decimal ids. */
  scopes: string;
  /** JSON object of per-app switches (AppFlags). */
  flags: string;
  created_at: number;
  updated_at: number;
  /** Set when an admin disabled the app: the protocols treat it as unknown. */
  disabled_at: number | null;
}

export interface UsersTable {
  user_id: string;
  account: string;
  phone: string | null;
  email: string | null;
  nickname: string;
  avatar_url: string | null;
  password_hash: string;
  locale: string;
  created_at: number;
  updated_at: number;
  /** 'user' | 'developer' | 'admin' */
  role: string;
  /** Set while an admin has locked the account: no sign-in, no tokens. */
  locked_at: number | null;
}

export interface FriendsTable {
  user_id: string;
  friend_id: string;
  created_at: number;
}

/** A friend request not yet accepted, declined or cancelled (migration 016). */
export interface FriendRequestsTable {
  from_id: string;
  /** The account name as the sender typed it (trimmed). */
  to_account: string;
  /** The user who had that account name at request time; null if none (or deleted since). */
  to_id: string | null;
  created_at: number;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  type: string;
  actor: string | null;
  subject: string | null;
  client_id: string | null;
  ip: string | null;
  /** JSON object with event-specific details (never secrets). */
  detail: string;
}

export interface AdminTokensTable {
  token_id: string;
  /** SHA-256 of the token, hex. */
  token_hash: string;
  user_id: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

export interface AppUsageTable {
  client_id: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** 'authorize', 'token', or 'api:<path>'. */
  metric: string;
  count: number;
}

/** A running node's registry entry (services/node-registry.ts), when no Redis keeps it. */
export interface NodesTable {
  node_id: string;
  /** The entry as JSON. */
  info: string;
  expires_at: number;
}

export interface CoreTables {
  nodes: NodesTable;
  admin_tokens: AdminTokensTable;
  app_usage: AppUsageTable;
  settings: SettingsTable;
  developers: DevelopersTable;
  apps: AppsTable;
  users: UsersTable;
  friends: FriendsTable;
  friend_requests: FriendRequestsTable;
  audit_events: AuditEventsTable;
}
