import pg from 'pg';
import type { Logger } from 'pino';
import type { Channel } from './channels.js';

/** Keeps one piece of state every replica must agree on in step with PostgreSQL. */
export interface Watcher<T> {
  /** A change was notified: sent by the transaction that made it, delivered once it committed. */
  changed(payload: T): void | Promise<void>;
  /**
   * Changes may have been missed: re-read the state. Called once listening has started, after every reconnection
   * of the listening connection, and every `resyncEveryMs` when set (the fallback for a notification lost while the
   * connection was down but not yet known to be).
   */
  resync(): void | Promise<void>;
  resyncEveryMs?: number;
}

export interface ClusterEventsOptions {
  databaseUrl: string;
  logger: Logger;
  /**
   * How often the listening connection is checked with a query. A failover can leave it dead without a reset the
   * client would notice; a check that fails or takes longer than this ends it and reconnects.
   */
  heartbeatMs?: number;
  /** Reconnection delays: the first, doubled after every failure up to the last. */
  reconnectMs?: { first: number; last: number };
}

interface Subscription {
  parse(payload: string): unknown;
  watcher: Watcher<unknown>;
}

/**
 * PostgreSQL LISTEN/NOTIFY for the state replicas share (the active signing key, API keys; see CHANNELS): one
 * dedicated connection per process (a pooled one would lose its LISTENs when released), reconnected with backoff
 * whenever it drops, after which every watcher re-reads, since notifications sent meanwhile are gone.
 */
export class ClusterEvents {
  private readonly subscriptions = new Map<string, Subscription[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Channels whose last handler failed (logged once until one succeeds). */
  private readonly failing = new Set<string>();
  private client?: pg.Client;
  /**
   * Each connection's queries, one at a time (pg deprecates overlapping queries on one client); per connection, so a
   * query hung on a dropped one never holds up its replacement.
   */
  private readonly queries = new WeakMap<pg.Client, Promise<unknown>>();
  private reconnectDelay: number;
  private closed = false;

  private constructor(
    private readonly options: Required<ClusterEventsOptions>,
    private readonly logger: Logger,
  ) {
    this.reconnectDelay = options.reconnectMs.first;
  }

  /** Connects the listening connection; throws if PostgreSQL cannot be reached now. */
  static async start(options: ClusterEventsOptions): Promise<ClusterEvents> {
    const events = new ClusterEvents(
      { heartbeatMs: 5_000, reconnectMs: { first: 250, last: 5_000 }, ...options },
      options.logger,
    );
    await events.connect();
    events.repeat(events.options.heartbeatMs, () => events.heartbeat());
    return events;
  }

  /** Starts delivering `channel`'s notifications to `watcher`, then has it re-read once (it may have missed some). */
  watch<T>(channel: Channel<T>, watcher: Watcher<T>): void {
    const subscription: Subscription = { parse: channel.parse, watcher: watcher as Watcher<unknown> };
    const existing = this.subscriptions.get(channel.name);
    if (existing) existing.push(subscription);
    else this.subscriptions.set(channel.name, [subscription]);
    if (watcher.resyncEveryMs) {
      this.repeat(watcher.resyncEveryMs, () => this.guarded(channel.name, () => watcher.resync()));
    }
    const client = this.client;
    if (!client) return; // reconnecting: the reconnection listens and resyncs
    this.query(client, `LISTEN ${channel.name}`).then(
      () => this.guarded(channel.name, () => watcher.resync()),
      (error: unknown) => this.lost(client, error),
    );
  }

  /** Whether the listening connection is up (for tests and readiness). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      application_name: 'custos-cluster-events',
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    client.on('notification', (message) => this.deliver(message.channel, message.payload ?? ''));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const name of this.subscriptions.keys()) await this.query(client, `LISTEN ${name}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
  }

  /** The listening connection failed: forget it and reconnect (ignored for a connection already replaced). */
  private lost(client: pg.Client, error?: unknown): void {
    if (client !== this.client) return;
    this.client = undefined;
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.logger.warn(
      { err: error },
      'cluster notifications interrupted (the listening connection was lost); reconnecting, and shared state is re-read periodically meanwhile',
    );
    this.reconnectLater();
  }

  private reconnectLater(): void {
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(delay * 2, this.options.reconnectMs.last);
    this.once(delay, async () => {
      try {
        await this.connect();
      } catch (error) {
        this.logger.debug({ err: error }, 'cluster notifications: reconnection failed, retrying');
        if (!this.closed) this.reconnectLater();
        return;
      }
      if (this.closed) {
        await this.close(); // closed while this connection was being made
        return;
      }
      this.reconnectDelay = this.options.reconnectMs.first;
      this.logger.info('cluster notifications restored; re-reading shared state');
      for (const [name, subscriptions] of this.subscriptions) {
        for (const { watcher } of subscriptions) void this.guarded(name, () => watcher.resync());
      }
    });
  }

  private async heartbeat(): Promise<void> {
    const client = this.client;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('heartbeat timed out')), this.options.heartbeatMs);
    });
    try {
      await Promise.race([this.query(client, 'SELECT 1'), timeout]);
    } catch (error) {
      this.lost(client, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs `sql` on `client` after the queries sent before it. */
  private query(client: pg.Client, sql: string): Promise<unknown> {
    const result = (this.queries.get(client) ?? Promise.resolve()).then(() => client.query(sql));
    this.queries.set(
      client,
      result.catch(() => undefined),
    );
    return result;
  }

  private deliver(name: string, payload: string): void {
    for (const { parse, watcher } of this.subscriptions.get(name) ?? []) {
      void this.guarded(name, () => watcher.changed(parse(payload)));
    }
  }

  /**
   * Runs a watcher's handler. A failure (the database down during a re-read) is logged, once until one succeeds
   * again (an outage would otherwise log every refresh); the next notification or refresh retries.
   */
  private async guarded(name: string, handler: () => void | Promise<void>): Promise<void> {
    try {
      await handler();
      if (this.failing.delete(name))
        this.logger.info({ channel: name }, `shared state on ${name} re-read again`);
    } catch (error) {
      if (this.failing.has(name)) return;
      this.failing.add(name);
      this.logger.warn(
        { err: error, channel: name },
        `shared state on ${name} could not be re-read; retrying`,
      );
    }
  }

  private once(delayMs: number, task: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void task();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private repeat(everyMs: number, task: () => Promise<void>): void {
    const timer = setInterval(() => void task(), everyMs);
    timer.unref();
    this.timers.add(timer);
  }
}
