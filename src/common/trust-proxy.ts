import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/** Whether the hop at `address` (`hop` 0 = the peer) is a trusted proxy. */
export type TrustFunction = (address: string | undefined, hop: number) => boolean;

/**
 * TRUST_PROXY as Express compiles its `trust proxy` setting: true (every hop), a hop count,
 * or a comma-separated list of addresses, ranges and names (`loopback`, `uniquelocal`, …).
 * The same rule for sockets as for HTTP requests.
 */
export function compileTrust(setting: boolean | number | string): TrustFunction {
  if (setting === true) return () => true;
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  const trusted = proxyAddr.compile(
    setting
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );
  return (address, hop) => address !== undefined && trusted(address, hop);
}

/**
 * The client's address of a request (a Socket.IO handshake's included): the peer, or behind
 * trusted proxies the nearest untrusted address in X-Forwarded-For, as Express's `req.ip`.
 */
export function clientAddressOf(request: IncomingMessage, trust: TrustFunction): string {
  return proxyAddr(request, trust);
}
