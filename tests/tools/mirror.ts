// Test helper: a local HTTP server standing in for every upstream host, addressed through LAB_TOOLS_MIRROR.
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export type Route = { status?: number; body?: string | Buffer; redirect?: string };

export interface Mirror {
  url: string;
  routes: Map<string, Route>;
  /** Paths requested, in order, so a test can prove nothing was downloaded. */
  requests: string[];
  close(): Promise<void>;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function startMirror(): Promise<Mirror> {
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404).end('not found');
    } else if (route.redirect) {
      res.writeHead(302, { location: route.redirect }).end();
    } else {
      res.writeHead(route.status ?? 200, { 'content-type': 'application/octet-stream' }).end(route.body ?? '');
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** A port that was just listening and is now closed: connections are refused, as with a server that is down. */
export async function closedPortUrl(): Promise<string> {
  const mirror = await startMirror();
  const url = mirror.url;
  await mirror.close();
  return url;
}
