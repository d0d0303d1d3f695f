// burst against a real server that rate limits after N requests; counts and bounds.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { burst } from '../../checks/probes/burst.ts';
import { httpRequest } from '../../checks/probes/http.ts';

const LIMIT = 10;
let server: http.Server;
let port: number;
let served = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/reset') {
      served = 0;
      return res.end();
    }
    served++;
    res.statusCode = served <= LIMIT ? 200 : 429;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise((r) => server.close(r)));

async function status(path = '/'): Promise<number> {
  const r = await httpRequest({ url: `http://127.0.0.1:${port}${path}`, timeoutMs: 2000 });
  if (!r.ok) throw Object.assign(new Error(r.message), { reason: r.reason });
  return r.status;
}

describe('burst', () => {
  it('counts 200s until the limit, then 429s', async () => {
    await status('/reset');
    const r = await burst({ count: 50, concurrency: 5, request: () => status(), deadlineMs: 10_000 });
    expect(r.statuses).toEqual({ '200': LIMIT, '429': 40 });
    expect(r.errors).toEqual({});
    expect(r.sent).toBe(50);
  });

  it('sees only 200s below the limit', async () => {
    await status('/reset');
    const r = await burst({ count: LIMIT, concurrency: 3, request: () => status(), deadlineMs: 10_000 });
    expect(r.statuses).toEqual({ '200': LIMIT });
  });

  it('tallies errors by reason', async () => {
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const closed = (dead.address() as net.AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const r = await burst({
      count: 6,
      concurrency: 2,
      request: async () => {
        const res = await httpRequest({ url: `http://127.0.0.1:${closed}/`, timeoutMs: 1000 });
        if (!res.ok) throw { reason: res.reason };
        return res.status;
      },
      deadlineMs: 5000,
    });
    expect(r).toMatchObject({ statuses: {}, errors: { 'connection refused': 6 }, sent: 6 });
  });

  it('stops at the deadline even when requests hang', async () => {
    const r = await burst({ count: 100, concurrency: 4, request: () => new Promise<number>(() => {}), deadlineMs: 200 });
    expect(r.errors).toEqual({ deadline: 4 });
    expect(r.sent).toBe(4);
    expect(r.durationMs).toBeGreaterThanOrEqual(190);
    expect(r.durationMs).toBeLessThan(1000);
  });

  it('caps count and does nothing for zero', async () => {
    expect(await burst({ count: 0, concurrency: 5, request: async () => 200, deadlineMs: 1000 })).toMatchObject({ statuses: {}, sent: 0 });
    const r = await burst({ count: 1e9, concurrency: 1000, request: async () => 204, deadlineMs: 10_000 });
    expect(r.statuses).toEqual({ '204': 10_000 });
  });
});
