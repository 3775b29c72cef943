import { Agent } from 'node:https';
import { connect, createSecureContext, type PeerCertificate, type SecureContext } from 'node:tls';

/** Thrown when a host presents a certificate other than the pinned one. */
export class CertificateMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`The host's TLS certificate changed: expected fingerprint ${expected}, got ${actual}`);
    this.name = 'CertificateMismatchError';
  }
}

function toPem(raw: Buffer): string {
  const lines = raw.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * Reads the certificate a TLS server presents without trusting it or sending anything: how
 * enrollment learns the fingerprint to show the administrator, and how a pinned client learns the
 * certificate behind a fingerprint it was given.
 */
export function fetchPeerCertificate(url: string, timeoutMs = 5000): Promise<{ fingerprint: string; pem: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: hostname,
      port: Number(port || 443),
      servername: isIp(hostname) ? undefined : hostname,
      rejectUnauthorized: false,
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`TLS handshake with ${hostname}:${port} timed out`)));
    socket.once('secureConnect', () => {
      const cert: PeerCertificate = socket.getPeerCertificate(true);
      socket.end();
      if (!cert.raw) reject(new Error(`${hostname}:${port} presented no certificate`));
      else resolve({ fingerprint: cert.fingerprint256, pem: toPem(cert.raw) });
    });
    socket.once('error', reject);
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

const agents = new Map<string, Promise<Agent>>();
const contexts = new Map<string, SecureContext>();

/**
 * The TLS context that trusts only this certificate (its only CA), one per fingerprint for the
 * process: without it Node builds a new SecureContext from the `ca` option for every connection
 * (32 KB and 0.6 ms each, thousands at a fleet's reconnect). Only called with a certificate whose
 * fingerprint was just checked, so the fingerprint names it.
 */
function pinnedSecureContext(fingerprint: string, pem: string): SecureContext {
  let context = contexts.get(fingerprint);
  if (!context) {
    context = createSecureContext({ ca: pem });
    contexts.set(fingerprint, context);
  }
  return context;
}

/**
 * An HTTPS agent that trusts exactly the certificate with this SHA-256 fingerprint and nothing
 * else: the certificate becomes the only CA (a context shared by every connection to it), and the
 * fingerprint is checked on every connection. There is deliberately no way to accept any certificate.
 */
export function pinnedAgent(url: string, fingerprint: string): Promise<Agent> {
  const key = `${new URL(url).host} ${fingerprint}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = fetchPeerCertificate(url).then(({ fingerprint: actual, pem }) => {
      if (actual !== fingerprint) throw new CertificateMismatchError(fingerprint, actual);
      return new Agent({
        secureContext: pinnedSecureContext(fingerprint, pem),
        keepAlive: true,
        maxSockets: 16,
        checkServerIdentity: (_host, cert) =>
          cert.fingerprint256 === fingerprint ? undefined : new CertificateMismatchError(fingerprint, cert.fingerprint256),
      });
    });
    agent.catch(() => agents.delete(key));
    agents.set(key, agent);
  }
  return agent;
}
