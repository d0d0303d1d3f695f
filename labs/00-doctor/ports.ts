// Can the kind node's port mappings bind here? Try the same bind Docker will do, then let go at once.
import { createServer } from 'node:net';

/** 'free', or the bind error's code: EADDRINUSE (someone listens), EACCES (privileged port), EADDRNOTAVAIL, … */
export type BindResult = 'free' | string;

export function probeBind(host: string, port: number): Promise<BindResult> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    // exclusive: a cluster-mode worker must not share a primary's handle and report a busy port as free.
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

