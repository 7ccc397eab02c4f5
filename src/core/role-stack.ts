/**
 * The roles of a running server as a stack (DESIGN §2 server.ts): each role is started in turn and
 * pushed with the function that stops it. When a start fails, everything already started stops in
 * reverse order before the error goes on, so a failed start leaves nothing listening or running;
 * stop() does the same on shutdown. A stop that fails is reported and the others still stop.
 */
export class RoleStack {
  private readonly roles: Array<{ name: string; stop: () => Promise<void> | void }> = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly onStopError: (name: string, err: unknown) => void = () => undefined) {}

  /** Remembers a started role. */
  push(name: string, stop: () => Promise<void> | void): void {
    this.roles.push({ name, stop });
  }

  /**
   * Starts a role: `start` returns the value and how to stop it. When start throws, the roles
   * started before it are stopped (in reverse) and the error is rethrown.
   */
  async start<T>(name: string, start: () => Promise<{ value: T; stop: () => Promise<void> | void }>): Promise<T> {
    let started;
    try {
      started = await start();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.push(name, started.stop);
    return started.value;
  }

  /** Stops every role, last started first. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (let r = this.roles.pop(); r; r = this.roles.pop()) {
        try {
          await r.stop();
        } catch (err) {
          this.onStopError(r.name, err);
        }
      }
    })();
    return this.stopping;
  }
}
