import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppConfig } from '../config/configuration.js';
import type { RoomStats } from '../signaling/rooms/room-registry.js';

/**
 * Prometheus metrics of this instance (one registry per application, so several apps in one
 * process, as in tests, do not collide). Counting is cheap and always on; GET /metrics only
 * exposes them when METRICS_ENABLED=true.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request durations by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly signalsRelayed = new Counter({
    name: 'signaling_signals_relayed_total',
    help: 'WebRTC signals relayed to a peer',
    registers: [this.registry],
  });

  readonly chatMessages = new Counter({
    name: 'signaling_chat_messages_total',
    help: 'Chat messages delivered to a room',
    registers: [this.registry],
  });

  readonly chatMessagesShed = new Counter({
    name: 'signaling_chat_messages_shed_total',
    help: 'Chat messages refused (rate-limited) because too many were waiting to be stored',
    registers: [this.registry],
  });

  readonly chatMessagesUnsaved = new Gauge({
    name: 'signaling_chat_messages_unsaved',
    help: 'Chat messages delivered and waiting to be stored (in memory on this instance)',
    registers: [this.registry],
  });

  readonly rejectedEvents = new Counter({
    name: 'signaling_rejected_events_total',
    help: 'Client events refused, by reason',
    labelNames: ['event', 'reason'] as const,
    registers: [this.registry],
  });

  readonly databaseErrors = new Counter({
    name: 'database_errors_total',
    help: 'Requests that failed because the database was unavailable',
    registers: [this.registry],
  });

  readonly unhandledRejections = new Counter({
    name: 'process_unhandled_rejections_total',
    help: 'Promise rejections nothing handled (logged and survived; each one is a bug to fix)',
    registers: [this.registry],
  });

  private roomStats: () => Promise<RoomStats> = () =>
    Promise.resolve({ rooms: 0, participants: 0, localParticipants: 0 });
  private socketCount: () => number = () => 0;

  constructor(config: ConfigService<AppConfig, true>) {
    // Gauges call collect() with `this` bound to themselves: read the sources through closures.
    const roomStats = (): Promise<RoomStats> => this.roomStats();
    const socketCount = (): number => this.socketCount();
    new Gauge({
      name: 'signaling_connected_sockets',
      help: 'Socket.IO connections held by this instance',
      registers: [this.registry],
      collect() {
        this.set(socketCount());
      },
    });
    // Each instance reports what it holds (sum them over instances), and the cluster's totals
    // as the registry sees them (the same on every instance: take one, never the sum).
    new Gauge({
      name: 'signaling_participants',
      help: 'Participants in rooms whose socket this instance holds (sums over instances)',
      registers: [this.registry],
      async collect() {
        this.set((await roomStats()).localParticipants);
      },
    });
    new Gauge({
      name: 'signaling_cluster_rooms',
      help: 'Rooms with participants, across every instance (the same value on each: do not sum)',
      registers: [this.registry],
      async collect() {
        this.set((await roomStats()).rooms);
      },
    });
    new Gauge({
      name: 'signaling_cluster_participants',
      help: 'Participants in rooms, across every instance (the same value on each: do not sum)',
      registers: [this.registry],
      async collect() {
        this.set((await roomStats()).participants);
      },
    });
    if (config.get('metrics', { infer: true }).enabled)
      collectDefaultMetrics({ register: this.registry });
  }

  /** Where the room and socket gauges read from (the signaling module provides them). */
  observeSignaling(roomStats: () => Promise<RoomStats>, socketCount: () => number): void {
    this.roomStats = roomStats;
    this.socketCount = socketCount;
  }

  /** The exposition text for GET /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
