/**
 * TLS material for the throwaway slapd: a CA, server certificates for every
 * verification case, a certificate from a CA nobody trusts, and a client
 * certificate for SASL EXTERNAL. Keys are EC P-256 (made by node:crypto);
 * certificates are signed with the `openssl` command line. Everything is made
 * once per process, in one temp directory that is removed when the process
 * exits.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestkitError } from './errors.js';
import { registerTempDir } from './reaper.js';

/** A certificate and its private key, as file paths (PEM). */
export interface CertPaths {
  cert: string;
  key: string;
}

/** Which server certificate slapd presents. */
export type ServerCertKind = 'good' | 'wrongHost' | 'expired' | 'unknownCa';

/** Paths of everything {@link tlsMaterial} made. */
export interface TlsMaterial {
  /** The directory holding every file below. */
  dir: string;
  /** The CA the clients should trust (cert is also what slapd uses to check client certificates). */
  ca: CertPaths;
  /** A second CA that nobody is told about. */
  unknownCa: CertPaths;
  /**
   * Server certificates, all with the same key usage:
   * - good: CN=localhost, SAN DNS:localhost and IP:127.0.0.1, signed by `ca`;
   * - wrongHost: CN and SAN wrong.example.invalid, signed by `ca`;
   * - expired: like good but valid only on 2020-01-01;
   * - unknownCa: like good but signed by `unknownCa`.
   */
  server: Record<ServerCertKind, CertPaths>;
  /** A client certificate signed by `ca`, subject {@link CLIENT_CERT_SUBJECT}. */
  client: CertPaths;
  /** The CA certificate as PEM text. */
  caPem: string;
}

/** The client certificate's subject in LDAP (RFC 4514) order, as slapd reports it for SASL EXTERNAL. */
export const CLIENT_CERT_SUBJECT = 'cn=alice,o=lber testkit';

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
authorityKeyIdentifier = keyid
[wrong_host_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example.invalid
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
[ca]
default_ca = testkit
[testkit]
database = cadb/index.txt
new_certs_dir = cadb
serial = cadb/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
`;

let cached: Promise<TlsMaterial> | undefined;

/**
 * The process's TLS material, made on first call (a few `openssl` runs in
 * parallel, well under 100 ms) and shared by every later call.
 */
export function tlsMaterial(): Promise<TlsMaterial> {
  cached ??= makeTlsMaterial().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

function writeKey(file: string): void {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}

function openssl(cwd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd }, (error, _stdout, stderr) => {
      if (error === null) {
        resolve();
        return;
      }
      reject(
        new TestkitError('OPENSSL_FAILED', `openssl ${args.join(' ')} failed: ${error.message}\n${stderr}`, { cause: error }),
      );
    });
  });
}

async function makeTlsMaterial(): Promise<TlsMaterial> {
  const dir = mkdtempSync(path.join(tmpdir(), `lber-tls-${process.pid}-`));
  registerTempDir(dir);
  const file = (name: string): string => path.join(dir, name);
  writeFileSync(file('openssl.cnf'), OPENSSL_CONFIG);
  for (const name of ['ca', 'unknown-ca', 'server', 'client']) writeKey(file(`${name}.key`));

  const cnf = ['-config', 'openssl.cnf'];
  const selfSigned = (name: string, subject: string): Promise<void> =>
    openssl(dir, ['req', '-x509', '-new', ...cnf, '-key', `${name}.key`, '-subj', subject, '-days', '3650', '-extensions', 'ca_ext', '-out', `${name}.pem`]);
  await Promise.all([selfSigned('ca', '/O=lber testkit/CN=lber testkit CA'), selfSigned('unknown-ca', '/O=nobody/CN=unknown CA')]);

  const leaf = (out: string, key: string, ca: string, subject: string, ext: string): Promise<void> =>
    openssl(dir, ['req', '-x509', '-new', ...cnf, '-key', key, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-subj', subject, '-days', '825', '-extensions', ext, '-out', out]);

  // An already expired certificate: `openssl x509 -not_before` needs OpenSSL
  // 3.4, and `req -days` refuses non-positive values, so `openssl ca` with
  // explicit start and end dates does it (it needs a tiny CA database).
  const expired = async (): Promise<void> => {
    mkdirSync(file('cadb'));
    writeFileSync(file('cadb/index.txt'), '');
    writeFileSync(file('cadb/serial'), '1000\n');
    await openssl(dir, ['req', '-new', ...cnf, '-key', 'server.key', '-subj', '/CN=localhost', '-out', 'server-expired.csr']);
    await openssl(dir, [
      'ca', ...cnf, '-batch', '-notext', '-in', 'server-expired.csr', '-cert', 'ca.pem', '-keyfile', 'ca.key',
      '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extensions', 'server_ext', '-out', 'server-expired.pem',
    ]);
  };

  await Promise.all([
    leaf('server-good.pem', 'server.key', 'ca', '/CN=localhost', 'server_ext'),
    leaf('server-wrong-host.pem', 'server.key', 'ca', '/CN=wrong.example.invalid', 'wrong_host_ext'),
    leaf('server-unknown-ca.pem', 'server.key', 'unknown-ca', '/CN=localhost', 'server_ext'),
    leaf('client.pem', 'client.key', 'ca', '/O=lber testkit/CN=alice', 'client_ext'),
    expired(),
  ]);

  const serverKey = file('server.key');
  return {
    dir,
    ca: { cert: file('ca.pem'), key: file('ca.key') },
    unknownCa: { cert: file('unknown-ca.pem'), key: file('unknown-ca.key') },
    server: {
      good: { cert: file('server-good.pem'), key: serverKey },
      wrongHost: { cert: file('server-wrong-host.pem'), key: serverKey },
      expired: { cert: file('server-expired.pem'), key: serverKey },
      unknownCa: { cert: file('server-unknown-ca.pem'), key: serverKey },
    },
    client: { cert: file('client.pem'), key: file('client.key') },
    caPem: readFileSync(file('ca.pem'), 'utf8'),
  };
}
