import { connectSocket, request } from './support/socket-client.js';
import { startTestApp } from './support/test-app.js';

function valueOf(text: string, metric: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(metric));
  return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('Prometheus metrics at /metrics', () => {
  it('is not served unless METRICS_ENABLED=true', async () => {
    const testApp = await startTestApp();
    try {
      const response = await testApp.http('/metrics');
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'Cannot GET /metrics', status: 404 });
    } finally {
      await testApp.close();
    }
  });

  it('exposes HTTP, signaling, database and Node metrics, behind METRICS_TOKEN', async () => {
    const testApp = await startTestApp({
      env: { METRICS_ENABLED: 'true', METRICS_TOKEN: 'scrape-secret' },
    });
    const [a, b] = await Promise.all([
      connectSocket(testApp.baseUrl),
      connectSocket(testApp.baseUrl),
    ]);
    try {
      expect((await testApp.http('/metrics')).status).toBe(401);
      expect(
        (await testApp.http('/metrics', { headers: { Authorization: 'Bearer wrong' } })).status,
      ).toBe(401);

      await request(a, 'join-call', 'metrics-room');
      await request(b, 'join-call', 'metrics-room');
      await request(a, 'signal', b.id, '{"ice":"x"}');
      await request(a, 'signal', b.id, '{"ice":"y"}');
      await request(a, 'chat-message', 'counted');
      await request(a, 'signal', 'nobody', '{"ice":"z"}');
      await testApp.http('/api/v1/users/me');
      await testApp.http('/api/v1/meetings/abc-defg-hij');

      const scrape = async (): Promise<string> => {
        const response = await testApp.http('/metrics', {
          headers: { Authorization: 'Bearer scrape-secret' },
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
        return response.text();
      };
      const text = await scrape();
      expect(valueOf(text, 'signaling_signals_relayed_total')).toBe(2);
      expect(valueOf(text, 'signaling_chat_messages_total')).toBe(1);
      expect(text).toContain(
        'signaling_rejected_events_total{event="signal",reason="target-not-in-room"} 1',
      );
      expect(valueOf(text, 'signaling_connected_sockets')).toBe(2);
      expect(valueOf(text, 'signaling_cluster_rooms')).toBe(1);
      expect(valueOf(text, 'signaling_cluster_participants')).toBe(2);
      expect(valueOf(text, 'signaling_participants')).toBe(2);
      expect(text).toMatch(
        /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/users\/me",status="401"\} 1/,
      );
      expect(text).toMatch(
        /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/meetings\/:code",status="404"\} 1/,
      );
      expect(text).toContain('database_errors_total 0');
      expect(text).toContain('process_cpu_user_seconds_total');

      a.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(valueOf(await scrape(), 'signaling_participants')).toBe(1);
    } finally {
      a.close();
      b.close();
      await testApp.close();
    }
  });
});
