/**
 * A TCP proxy in front of a real server (PostgreSQL), for outage tests that must not touch the shared server itself:
 * the test can drop every connection through it, refuse new ones (the port closed, as while the server restarts), or
 * accept them and never answer (a server that hangs), and then let traffic through again.
 */
import { once } from 'node:events';
import { type AddressInfo, createConnection, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'forward' | 'hang';

export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  route(url: string): string;
  /** Closes every connection through the proxy, both ends, at once. */
  dropConnections(): void;
  /** Stops listening: connecting is refused (ECONNREFUSED) until `listen`. */
  refuse(): Promise<void>;
  /** Listens again on the same port, in `mode`: forwarding, or accepting connections and never answering. */
  listen(mode?: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let mode: ProxyMode = 'forward';
  let server: Server | undefined;
  let port = 0;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset from either side is what the test causes; it is not a failure of the proxy.
    socket.on('error', () => socket.destroy());
  };

  const onConnection = (client: Socket) => {
    track(client);
    if (mode === 'hang') return;
    const upstream = createConnection({ host: targetHost, port: targetPort });
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };

  const listen = async (next: ProxyMode = 'forward') => {
    mode = next;
    if (server) return;
    server = createServer(onConnection);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  };

  const refuse = async () => {
    const closing = server;
    server = undefined;
    if (!closing) return;
    // close() stops accepting at once; its callback would wait for the open connections, which are not its business.
    closing.close();
  };

  await listen();
  return {
    get port() {
      return port;
    },
    route: (url) => {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    refuse,
    listen,
    close: async () => {
      await refuse();
      for (const socket of sockets) socket.destroy();
    },
  };
}
