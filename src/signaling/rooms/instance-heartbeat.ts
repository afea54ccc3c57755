import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ThrottledLog } from '../../common/throttled-log.js';
import type { AppConfig } from '../../config/configuration.js';
import type { RedisConfig } from '../signaling.config.js';
import {
  type Ghosts,
  type Participant,
  ROOM_REGISTRY,
  type RoomRegistry,
} from './room-registry.js';

export type GhostsListener = (ghosts: Ghosts) => void;
/** `foundHere`: this instance found them gone (it records their departure; others only tell). */
export type DepartedListener = (departed: Participant[], foundHere: boolean) => void;

/**
 * Scaled out (REDIS_URL), each instance announces it is alive every NODE_HEARTBEAT_SECONDS
 * and removes the participants of instances silent for NODE_DEAD_AFTER_SECONDS (a crash or
 * SIGKILL leaves them behind). Whoever holds the call rules listens for those ghosts to tell
 * their rooms. A single process has nothing to do.
 */
@Injectable()
export class InstanceHeartbeat implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Cluster');
  private readonly failures = new ThrottledLog(this.logger);
  private readonly cluster: RedisConfig | undefined;
  private readonly listeners = new Set<GhostsListener>();
  private readonly departedListeners = new Set<DepartedListener>();
  private readonly graceMs: number;
  private timer?: NodeJS.Timeout;
  private stopWatchingReconnects?: () => void;
  /** The beat under way, and whether another was asked for meanwhile (they never overlap). */
  private beating?: Promise<void>;
  private beatAgain = false;
  private isStillHere: (socketId: string, roomId: string) => boolean = () => false;
  /** Whether the transport said how to tell (nothing is reconciled before it does). */
  private knowsLocalMembership = false;
  /** Departures found by restoreIfLost (any instance) that this one already told: id → at. */
  private readonly toldDeparted = new Map<string, number>();

  constructor(
    @Inject(ROOM_REGISTRY) private readonly registry: RoomRegistry,
    config: ConfigService<AppConfig, true>,
  ) {
    this.cluster = config.get('redis', { infer: true });
    this.graceMs = config.get('signaling', { infer: true }).reconnectGraceMs;
  }

  /**
   * How this instance tells that a socket is still connected here and in that room (the
   * transport knows): only those are published again after Redis restarts empty.
   */
  useLocalMembership(isStillHere: (socketId: string, roomId: string) => boolean): void {
    this.isStillHere = isStillHere;
    this.knowsLocalMembership = true;
  }

  onGhosts(listener: GhostsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Participants (of any instance) who left while Redis had lost them (it restarted empty):
   * nobody was told; the listener tells this instance's members of their rooms (each instance
   * calls its listeners, once per departure).
   */
  onDepartedWhileLost(listener: DepartedListener): () => void {
    this.departedListeners.add(listener);
    return () => this.departedListeners.delete(listener);
  }

  onApplicationBootstrap(): void {
    if (!this.cluster) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.cluster.heartbeatMs);
    this.timer.unref();
    // Redis is back: publish this instance's participants again now, not at the next beat
    // (a join meanwhile would see a partial room).
    this.stopWatchingReconnects = this.registry.onReconnect(() => void this.beat());
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.stopWatchingReconnects?.();
  }

  /** One beat at a time: one asked for during another runs right after it. */
  private beat(): Promise<void> {
    if (this.beating) {
      this.beatAgain = true;
      return this.beating;
    }
    this.beating = (async () => {
      do {
        this.beatAgain = false;
        await this.beatOnce();
      } while (this.beatAgain);
    })().finally(() => (this.beating = undefined));
    return this.beating;
  }

  /** Announces this instance, then removes (and reports) the participants of dead ones. */
  private async beatOnce(): Promise<void> {
    if (!this.cluster) return;
    try {
      // Redis restarted with nothing (it keeps nothing on disk): publish our participants
      // again, so calls across instances go on and newcomers see everyone.
      const { restored, departed } = await this.registry.restoreIfLost(this.isStillHere);
      if (restored.length > 0 || departed.length > 0) {
        this.logger.warn(
          `Redis had lost this instance's rooms: ${restored.length} participants published again, ${departed.length} left meanwhile`,
        );
      }
      await this.tellDepartedWhileLost(new Set(departed.map(({ socketId }) => socketId)));
      await this.registry.heartbeat();
      // Redis kept its data through an outage (hung, partitioned, restarted from disk):
      // departures it could not be told of are recorded now, and announced like ghosts.
      if (this.knowsLocalMembership) {
        const gone = await this.registry.reconcile(this.isStillHere, this.graceMs);
        if (gone.length > 0) {
          this.logger.warn(
            `${gone.length} participants of this instance had left while Redis could not be told`,
          );
          for (const listener of this.listeners) listener({ participants: gone, waiting: [] });
        }
      }
      const ghosts = await this.registry.removeDeadNodes(Date.now() - this.cluster.deadAfterMs);
      // Participants whose connection dropped and who did not come back in time, wherever
      // they were (their instance may have shut down since).
      const expired = await this.registry.removeExpiredAway(Date.now());
      if (expired.length > 0) {
        for (const listener of this.listeners) listener({ participants: expired, waiting: [] });
      }
      const { participants, waiting } = ghosts;
      if (participants.length === 0 && waiting.length === 0) return;
      this.logger.warn(
        `removed ${participants.length} participants and ${waiting.length} waiting sockets of a dead instance`,
      );
      for (const listener of this.listeners) listener(ghosts);
    } catch (error) {
      this.failures.warn(`presence heartbeat failed: ${String((error as Error).message)}`);
    }
  }

  /**
   * Whoever found them (this instance or another) recorded in Redis who left while Redis had
   * lost them; each instance tells its own members once, at its next heartbeat, when its
   * connection to Redis is surely back (a broadcast by the finder could reach nobody).
   */
  private async tellDepartedWhileLost(foundHere: ReadonlySet<string>): Promise<void> {
    if (!this.cluster) return;
    const since = Date.now() - 2 * this.cluster.deadAfterMs;
    for (const [socketId, at] of this.toldDeparted) {
      if (at < since) this.toldDeparted.delete(socketId);
    }
    const news = (await this.registry.departedWhileLost(since)).filter(
      ({ participant }) => !this.toldDeparted.has(participant.socketId),
    );
    if (news.length === 0) return;
    for (const { participant, at } of news) this.toldDeparted.set(participant.socketId, at);
    const departed = news.map(({ participant }) => participant);
    const mine = departed.filter(({ socketId }) => foundHere.has(socketId));
    const others = departed.filter(({ socketId }) => !foundHere.has(socketId));
    for (const listener of this.departedListeners) {
      if (mine.length > 0) listener(mine, true);
      if (others.length > 0) listener(others, false);
    }
  }
}
