/**
 * Entry of an SMTP process (boot config processes.smtp; started by smtp-processes.ts through
 * node:cluster). It says hello, gets the main process's boot config, opens the store and runs the
 * SMTP listeners (server.ts runSmtpNode), handing what they accept to the main process's queue
 * (queue/queue-ipc.ts), until told to stop or until the main process goes away. Ctrl-C reaches the
 * whole process group: the child leaves stopping to the main process, which finishes the sessions in order.
 */
import { ChildRelay, type IpcChannel } from './core/ipc-relay.ts';
import { createLogger } from './core/log/logger.ts';
import { openRuntime } from './main.ts';
import { ParentQueue, type ParentChannel } from './queue/queue-ipc.ts';
import type { Runtime, Server } from './runtime.ts';
import { runSmtpNode } from './server.ts';
import type { FromChild, ToChild } from './smtp-processes.ts';

const tell = (m: FromChild) => { try { process.send?.(m); } catch { /* the main process is gone */ } };
let rt: Runtime | undefined;
let server: Server | undefined;
let stopping: Promise<void> | undefined;

function stop(): Promise<void> {
  stopping ??= (async () => {
    try {
      await server?.stop();
      await rt?.close();
    } finally {
      process.exit(0);
    }
  })();
  return stopping;
}

process.on('message', (m: ToChild) => {
  if (m?.type === 'stop') void stop();
  else if (m?.type === 'init' && !rt) {
    void (async () => {
      try {
        rt = await openRuntime(m.config, { pollSettingsMs: 2000, logger: createLogger({ level: m.config.log.level }) });
        if (!rt.bus.relayed) rt.bus.relayThrough(new ChildRelay(process as unknown as IpcChannel));
        server = await runSmtpNode(rt, { intake: new ParentQueue(process as unknown as ParentChannel) });
        tell({ type: 'ready', listeners: server.listeners });
      } catch (err) {
        tell({ type: 'failed', message: String((err as Error).message ?? err) });
        await rt?.close().catch(() => undefined);
        process.exit(1);
      }
    })();
  }
});
process.on('disconnect', () => void stop());
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => void stop());
tell({ type: 'hello' });
