/**
 * Starts a throwaway slapd by hand or for the demo, prints its URLs and
 * credentials as one line of JSON on stdout, and stops it on SIGINT/SIGTERM.
 *
 *   node --import tsx --conditions lber-source packages/testkit/src/cli.ts \
 *     [--entries N] [--cert good|wrongHost|expired|unknownCa] [--log-level L] \
 *     [--suffix DN] [--module NAME]... [--keep]
 *
 * Not exported from the package index: importing it runs it.
 */
import { parseArgs } from 'node:util';
import { startSlapd } from './slapd.js';
import type { SlapdOptions } from './slapd.js';
import type { ServerCertKind } from './tls.js';

const CERT_KINDS: readonly ServerCertKind[] = ['good', 'wrongHost', 'expired', 'unknownCa'];

function isCertKind(value: string): value is ServerCertKind {
  return (CERT_KINDS as readonly string[]).includes(value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      entries: { type: 'string' },
      cert: { type: 'string' },
      'log-level': { type: 'string' },
      suffix: { type: 'string' },
      module: { type: 'string', multiple: true },
      keep: { type: 'boolean' },
    },
    strict: true,
  });
  const options: SlapdOptions = {};
  if (values.entries !== undefined) options.entries = Number(values.entries);
  if (values.cert !== undefined) {
    if (!isCertKind(values.cert)) throw new Error(`--cert must be one of ${CERT_KINDS.join(', ')}`);
    options.serverCert = values.cert;
  }
  if (values['log-level'] !== undefined) options.logLevel = values['log-level'];
  if (values.suffix !== undefined) options.suffix = values.suffix;
  if (values.module !== undefined) options.modules = values.module;
  if (values.keep === true) options.keepTmpDir = true;

  const server = await startSlapd(options);
  const shutdown = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  const { stop: _stop, readLog: _readLog, certs, ...info } = server;
  process.stdout.write(
    `${JSON.stringify({
      ...info,
      certs: { ca: certs.ca.cert, client: certs.client, presented: certs.presented, server: certs.server[certs.presented] },
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
