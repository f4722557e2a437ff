import { createServer, type Server, type Socket } from "node:net";

/** Listens on host:port; resolves undefined when the address is taken (EADDRINUSE). */
export function tryListen(host: string, port: number, onConnection: (socket: Socket) => void): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer({ noDelay: true }, onConnection);
    const onError = (error: NodeJS.ErrnoException): void => {
      server.close();
      if (error.code === "EADDRINUSE") resolve(undefined);
      else reject(error);
    };
    server.once("error", onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off("error", onError);
      resolve(server);
    });
  });
}

export function listeningPort(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("mesh listener has no TCP address");
  return address.port;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
