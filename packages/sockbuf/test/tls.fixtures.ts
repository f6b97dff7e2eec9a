/**
 * TLS material for the tls layer tests, made at test time with the openssl
 * CLI in a temp dir (EC P-256): a CA, a server certificate for 127.0.0.1 and
 * localhost, one for a wrong host name, an expired one, one from a CA
 * nobody trusts, and a client certificate. Also a loopback TLS echo server.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type net from 'node:net';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface TlsMaterial {
  dir: string;
  ca: string;
  server: KeyPair;
  wrongHost: KeyPair;
  expired: KeyPair;
  unknownCa: KeyPair;
  client: KeyPair;
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=lber test ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

function issue(dir: string, ca: string, name: string, cn: string, ext: string, days: number): KeyPair {
  openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  // A negative day count gives a notAfter before now: an expired certificate.
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', String(days), '-extfile', `${name}.ext`]);
  return { cert: fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8'), key: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8') };
}

const SERVER_EXT = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n';

/** Makes every certificate the tests need (about half a second). */
export function makeTlsMaterial(): TlsMaterial {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lber-tls-'));
  newCa(dir, 'ca');
  newCa(dir, 'other-ca');
  const material: TlsMaterial = {
    dir,
    ca: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
    server: issue(dir, 'ca', 'server', 'localhost', SERVER_EXT, 2),
    wrongHost: issue(dir, 'ca', 'wrong-host', 'wrong.example', 'subjectAltName=DNS:wrong.example\nextendedKeyUsage=serverAuth\n', 2),
    expired: issue(dir, 'ca', 'expired', 'localhost', SERVER_EXT, -1),
    unknownCa: issue(dir, 'other-ca', 'unknown-ca', 'localhost', SERVER_EXT, 2),
    client: issue(dir, 'ca', 'client', 'lber client', 'extendedKeyUsage=clientAuth\n', 2),
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return material;
}

export interface TlsServerHandle {
  port: number;
  /** Server-side sockets accepted so far (plain sockets before StartTLS). */
  connections: net.Socket[];
  close(): Promise<void>;
}

/** A loopback node tls.Server that runs `onSecure` for each session. */
export async function startTlsServer(options: tls.TlsOptions, onSecure: (s: tls.TLSSocket) => void): Promise<TlsServerHandle> {
  const server = tls.createServer(options, onSecure);
  const connections: net.Socket[] = [];
  server.on('connection', (s: net.Socket) => connections.push(s));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    async close() {
      for (const c of connections) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
