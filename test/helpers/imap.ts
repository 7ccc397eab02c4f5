// An imapflow client for a test server: STARTTLS on the plain IMAP port, self-signed certificate accepted.
import { ImapFlow } from 'imapflow';
import { PASSWORD, type TestServer } from './server.ts';

export function imapClient(t: TestServer, user = 'alice@example.cn', opts: Partial<ConstructorParameters<typeof ImapFlow>[0]> = {}): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1', port: t.config.ports.imap, secure: false, auth: { user, pass: PASSWORD },
    tls: { rejectUnauthorized: false }, logger: false, ...opts,
  });
}
