import { createServer, type Server, type Socket } from 'node:net';

/** Listens on host:port; resolves undefined when the address is taken (EADDRINUSE). */
export function tryListen(
  host: string,
  port: number,
  onConnection: (socket: Socket) => void,
): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer({ noDelay: true }, onConnection);
    const onError = (error: NodeJS.ErrnoException): void => {
      server.close();
      if (error.code === 'EADDRINUSE') resolve(undefined);
      else reject(error);
    };
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}

export function listeningPort(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('mesh listener has no TCP address');
  return address.port;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Reads the first chunk of an accepted connection and puts it back, so that whoever takes the
 * socket next (the route, or the TLS layer) still sees it. Resolves the first byte, or undefined
 * when the connection closes or stays silent for `timeoutMs`.
 */
export function peekFirstByte(socket: Socket, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const finish = (byte: number | undefined): void => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('close', onClose);
      resolve(byte);
    };
    const onReadable = (): void => {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null || chunk.length === 0) return;
      socket.unshift(chunk);
      finish(chunk[0]);
    };
    const onClose = (): void => finish(undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      finish(undefined);
    }, timeoutMs).unref();
    socket.on('error', () => {});
    socket.on('readable', onReadable);
    socket.once('close', onClose);
  });
}
