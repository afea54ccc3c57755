import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { clientAddressOf, compileTrust } from './trust-proxy.js';

function requestFrom(peer: string, forwardedFor?: string): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: peer });
  return {
    socket,
    connection: socket,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

describe('clientAddressOf (TRUST_PROXY for sockets, as Express reads it for HTTP)', () => {
  it('ignores X-Forwarded-For unless the proxy is trusted', () => {
    const request = requestFrom('127.0.0.1', '203.0.113.7');
    expect(clientAddressOf(request, compileTrust(false))).toBe('127.0.0.1');
    expect(clientAddressOf(request, compileTrust('loopback'))).toBe('203.0.113.7');
    expect(clientAddressOf(request, compileTrust(true))).toBe('203.0.113.7');
    expect(clientAddressOf(request, compileTrust('10.0.0.0/8'))).toBe('127.0.0.1');
  });

  it('walks the chain only through trusted hops', () => {
    // A client that forges X-Forwarded-For ahead of the real proxy cannot pick its address.
    const request = requestFrom('127.0.0.1', '198.51.100.1, 203.0.113.7');
    expect(clientAddressOf(request, compileTrust('loopback'))).toBe('203.0.113.7');
    expect(clientAddressOf(request, compileTrust(1))).toBe('203.0.113.7');
    expect(clientAddressOf(request, compileTrust(2))).toBe('198.51.100.1');
    expect(clientAddressOf(request, compileTrust('loopback, 203.0.113.7'))).toBe('198.51.100.1');
  });
});
