/**
 * The http and https listeners (ports.http, ports.https; 0 = off): one web app per port, the https
 * one with the server's certificate (config/tls.ts). Binds and closes them together, and prunes
 * expired web sessions hourly while it listens.
 */
import type { FastifyInstance } from 'fastify';
import { buildWebApp } from './app.ts';
import type { WebDeps } from './deps.ts';

export interface WebListenerSpec {
  role: string;
  port: number;
  host: string;
  secure: boolean;
}

export class WebServer {
  private readonly apps: FastifyInstance[] = [];
  private pruneTimer: NodeJS.Timeout | undefined;

  /** housekeeping.prune removes expired sessions, hourly while listening. */
  constructor(private readonly deps: WebDeps, private readonly tls: { key: Buffer; cert: Buffer },
    private readonly housekeeping?: { prune(): Promise<number> }) {}

  async listen(specs: readonly WebListenerSpec[]): Promise<Array<{ role: string; port: number }>> {
    const bound: Array<{ role: string; port: number }> = [];
    for (const spec of specs) {
      if (spec.port === 0) continue;
      const app = await buildWebApp(this.deps, { secure: spec.secure, ...(spec.secure ? { https: this.tls } : {}) });
      this.apps.push(app);
      await app.listen({ port: spec.port, host: spec.host });
      const address = app.server.address();
      bound.push({ role: spec.role, port: typeof address === 'object' && address ? address.port : spec.port });
    }
    if (this.housekeeping && bound.length > 0) {
      const prune = this.housekeeping.prune;
      this.pruneTimer = setInterval(() => void prune().catch((err) => this.deps.logger?.warn({ err }, 'pruning web sessions failed')), 3600_000);
      this.pruneTimer.unref();
    }
    return bound;
  }

  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    await Promise.all(this.apps.splice(0).map((a) => a.close()));
  }
}
