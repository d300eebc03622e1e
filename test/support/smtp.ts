import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { until } from './wait.js';

/** A message as the test SMTP server received it: the envelope, the raw bytes, and parsed. */
export interface Received {
  at: number;
  from: string;
  to: string[];
  raw: string;
  mail: ParsedMail;
}

/** What the server answers, decided per recipient: accept, or refuse with a code. */
export type Verdict = { accept: true } | { accept: false; code: number; message: string };

export interface TestSmtp {
  url: string;
  received: Received[];
  /** Decides the answer to each RCPT TO; accept everything by default. */
  onRecipient: (address: string) => Verdict;
  /** Resolves once `count` messages in all have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code }) as Error & { responseCode: number };

/** A real SMTP server on 127.0.0.1 (smtp-server), on a free port, without TLS or auth. */
export async function startSmtp(): Promise<TestSmtp> {
  const received: Received[] = [];
  const state: TestSmtp = {
    url: '',
    received,
    onRecipient: () => ({ accept: true }),
    async waitFor(count, timeoutMs = 30_000) {
      await until(
        `${count} messages`,
        () => received.length,
        (n) => n >= count,
        timeoutMs,
      );
      return received;
    },
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const verdict = state.onRecipient(address.address);
      if (verdict.accept) callback();
      else callback(smtpError(verdict.code, verdict.message));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((mail) => {
            received.push({
              at: Date.now(),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
              mail,
            });
            callback();
          })
          .catch((e: Error) => callback(e));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  state.url = `smtp://127.0.0.1:${port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
