package pulse.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of one server, that can make the server unreachable: {@link #cut()} closes
 * every connection and stops listening, so new connections are refused, exactly as if the server had gone away;
 * {@link #resume()} listens again on the same port. All its threads are daemons.
 */
final class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private ServerSocket server;

    TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = bind(0);
        this.port = server.getLocalPort();
        acceptLoop(server);
    }

    /** A proxy in front of the server of a {@code mongodb://host:port} connection string. */
    static TcpProxy inFrontOf(String mongoUri) {
        String hostPort = mongoUri.replaceFirst("^mongodb://", "").replaceFirst("/.*$", "");
        int colon = hostPort.lastIndexOf(':');
        return new TcpProxy(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    int port() {
        return port;
    }

    /** Closes every open connection and refuses new ones until {@link #resume()}. */
    synchronized void cut() {
        if (server != null) {
            closeQuietly(server);
            server = null;
        }
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
    }

    /** Accepts connections again, on the same port. */
    synchronized void resume() {
        if (server == null) {
            server = bind(port);
            acceptLoop(server);
        }
    }

    private static ServerSocket bind(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on port " + port, e);
        }
    }

    private void acceptLoop(ServerSocket listening) {
        daemon("tcp-proxy-accept-" + port, () -> {
            while (!listening.isClosed()) {
                Socket client;
                try {
                    client = listening.accept();
                } catch (IOException e) {
                    return; // closed by cut() or close()
                }
                connect(client);
            }
        });
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(new InetSocketAddress(targetHost, targetPort), 5000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        synchronized (this) {
            if (server == null) { // cut while connecting
                closeQuietly(client);
                closeQuietly(upstream);
                return;
            }
            sockets.add(client);
            sockets.add(upstream);
        }
        daemon("tcp-proxy-up-" + client.getPort(), () -> pump(client, upstream));
        daemon("tcp-proxy-down-" + client.getPort(), () -> pump(upstream, client));
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed or was cut
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        cut();
    }
}
